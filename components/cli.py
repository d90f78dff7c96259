"""The package's command, ``ec2-instance-role``: one subcommand per tool."""

from __future__ import annotations

import sys
from collections.abc import Sequence

_USAGE = """usage: ec2-instance-role COMMAND [ARGS]

commands:
  least-privilege   the policy an instance role's CloudTrail records show it needs, and what
                    it is granted in vain (ec2-instance-role least-privilege --help)
"""


def run(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "least-privilege":
        from .least_privilege.cli import run as least_privilege

        return least_privilege(args[1:])  # its default program name is this command's
    if args and args[0] in ("-h", "--help"):
        print(_USAGE, end="")
        return 0
    shown = f"unknown command {args[0]!r}" if args else "no command given"
    print(f"ec2-instance-role: {shown}.\n{_USAGE}", end="", file=sys.stderr)
    return 2


def main() -> None:
    raise SystemExit(run())
