"""The one command-line shape of the generators: write the file, or with ``--check`` only say
whether the committed one is current."""

import argparse
from collections.abc import Callable
from pathlib import Path


def write_or_check(
    argv: list[str] | None, *, doc: str, path: Path, render: Callable[[str], str], module: str
) -> int:
    """``render`` gets the file's current text ("" if missing) and returns the wanted text."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether it is current")
    args = parser.parse_args(argv)
    current = path.read_text() if path.exists() else ""
    wanted = render(current)
    if args.check:
        if current != wanted:
            print(f"{path.name} is out of date: run python -m {module}")
            return 1
        return 0
    path.write_text(wanted)
    return 0
