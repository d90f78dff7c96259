"""Writes the package schema the component host infers to provider/schema.json.

The committed file shows every change to the multi-language API in review, as a diff; a test
keeps it equal to what ``pulumi package get-schema`` would print for this checkout.

    python -m tools.package_schema           # rewrite provider/schema.json
    python -m tools.package_schema --check   # exit 1 if it is out of date
"""

import json
import sys
from pathlib import Path

from components.package import inferred_schema
from tools.generated import write_or_check

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "provider" / "schema.json"


def render(_current: str = "") -> str:
    return json.dumps(inferred_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    return write_or_check(
        argv, doc=__doc__ or "", path=SCHEMA_FILE, render=render, module="tools.package_schema"
    )


if __name__ == "__main__":
    sys.exit(main())
