"""Whether a release is due, which commit it tags, and its notes: the release job of the
deploy workflow runs ``python3 -m tools.release plan`` (standard library only) and tags
``v<version>`` through ``gh release create`` when it says so.

A release is due when CHANGELOG.md's newest dated entry is ``[<version>] - <date>`` for the
version in components/_meta.py and no tag ``v<version>`` exists yet. It tags the commit that
dated that entry, not whatever commit of main happens to run the job: a
push whose checks were superseded by a newer push, or an ``[Unreleased]`` section added on top
since, neither loses the release nor tags changes its entry does not describe.
"""

from __future__ import annotations

import argparse
import re
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?P<rest>.*)$", re.M)
_DATE = re.compile(r"^ - (\d{4}-\d{2}-\d{2})\s*$")


def package_version(root: Path = ROOT) -> str:
    return str(runpy.run_path(str(root / "components" / "_meta.py"))["__version__"])


def newest_entry(changelog: str) -> tuple[str, str | None]:
    """The name and date of the first ``## [...]`` heading."""
    match = _HEADING.search(changelog)
    if match is None:
        raise ValueError("CHANGELOG.md has no '## [...]' entry")
    dated = _DATE.match(match.group("rest"))
    return match.group("name"), dated.group(1) if dated else None


def newest_dated_entry(changelog: str) -> str | None:
    """The name of the first ``## [<name>] - <date>`` heading."""
    for match in _HEADING.finditer(changelog):
        if _DATE.match(match.group("rest")):
            return match.group("name")
    return None


def notes(changelog: str, version: str) -> str:
    """The body of ``version``'s entry."""
    headings = list(_HEADING.finditer(changelog))
    for index, match in enumerate(headings):
        if match.group("name") == version:
            end = headings[index + 1].start() if index + 1 < len(headings) else len(changelog)
            return changelog[match.end() : end].strip() + "\n"
    raise ValueError(f"CHANGELOG.md has no entry [{version}]")


def decide(version: str, changelog: str, tags: set[str]) -> tuple[bool, str]:
    """Whether to release ``version``, and why (or why not)."""
    name = newest_dated_entry(changelog)
    if name != version:
        return False, (
            f"CHANGELOG.md's newest dated entry is [{name}], not [{version}]: nothing to "
            "release (rename [Unreleased] to the new version, dated, and set it in "
            "components/_meta.py to release)"
        )
    if f"v{version}" in tags:
        return False, f"v{version} is released already"
    return True, f"releasing v{version}"


def release_commit(changelog: str, version: str, root: Path = ROOT) -> str:
    """The commit that dated ``version``'s entry in CHANGELOG.md (the oldest that added its
    heading): the release, as the documented process makes it."""
    heading = next(
        m.group(0)
        for m in _HEADING.finditer(changelog)
        if m.group("name") == version and _DATE.match(m.group("rest"))
    )
    found = subprocess.run(
        ["git", "log", "--reverse", "--format=%H", "-S", heading, "--", "CHANGELOG.md"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not found:
        raise ValueError(f"no commit adds {heading!r} to CHANGELOG.md")
    return found[0]


def existing_tags(root: Path = ROOT) -> set[str]:
    listed = subprocess.run(
        ["git", "tag", "--list"], cwd=root, capture_output=True, text=True, check=True
    )
    return set(listed.stdout.split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("command", choices=["plan"])
    parser.add_argument("--notes", type=Path, help="write the release notes here")
    args = parser.parse_args(argv)
    version = package_version()
    changelog = (ROOT / "CHANGELOG.md").read_text()
    release, reason = decide(version, changelog, existing_tags())
    print(reason, file=sys.stderr)
    if release and args.notes is not None:
        args.notes.write_text(notes(changelog, version))
    # Lines for $GITHUB_OUTPUT.
    print(f"version={version}")
    print(f"release={'true' if release else 'false'}")
    if release:
        print(f"commit={release_commit(changelog, version)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
