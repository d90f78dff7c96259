"""Writes the committed snapshots of each stack's rendered resources.json.

    python -m offline.snapshots      # (make snapshots) after a change you mean to make

A test renders each stack again and fails, printing the diff, when it differs from these files,
so a pull request that changes permissions shows the change as a diff.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from offline.review import render, resources_document, to_json
from offline.stack_config import ROOT, merged_config

STACKS: Final = ("dev", "prod")
SNAPSHOTS: Final = ROOT / "snapshots"


def snapshot_path(stack: str) -> Path:
    return SNAPSHOTS / f"resources.{stack}.json"


def rendered(stack: str) -> str:
    return to_json(resources_document(render(stack), stack, merged_config(stack)))


def main() -> None:
    SNAPSHOTS.mkdir(exist_ok=True)
    for stack in STACKS:
        snapshot_path(stack).write_text(rendered(stack))
        print(f"wrote {snapshot_path(stack).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
