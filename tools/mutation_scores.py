"""The mutation score of every module of components/, from the results mutmut leaves beside its
copy of the code (``mutants/<path>.py.meta``), as a table; with ``--fail-under``, exits 1 when
a module scores below it.

    python -m tools.mutation_scores [--results mutants] [--fail-under 90]
    python -m tools.mutation_scores --pending components/_launch.py [...]

``--pending`` prints the names of the given modules' mutants that have no result yet, one per
line, for a run stopped early to go on with those alone (mutmut runs again every mutant it is
named, and, named none, every module's that has no result).

A module's score is the share of its mutants the tests killed. A timeout counts as killed (the
mutant made the tests run away) and so does a crash of the test process; a mutant that no test
reaches counts as a survivor, like one that survived its tests. The exit codes are mutmut
3.8.1's (``mutmut/stats.py`` ``status_by_exit_code``), which is the version
requirements-mutation.txt pins. A mutant that was never run means the run stopped early, and is
an error here, not a survivor: the table would not be the suite's.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# mutmut 3.8.1's exit codes by what they mean for the score.
KILLED = frozenset({1, 3})  # a test failed; pytest's internal error
CRASHED = frozenset({-11})  # the test process died of the mutant
TIMEOUT = frozenset({36, 24, -24, 152, 255, -9})  # CPU limit (SIGXCPU), then SIGKILL
NO_TESTS = frozenset({5, 33})
SURVIVED = frozenset({0})


@dataclass(frozen=True)
class Score:
    """One module's mutants by outcome."""

    module: str
    killed: int
    timeout: int
    survived: int
    no_tests: int
    other: int  # suspicious, skipped or interrupted: not killed

    @property
    def mutants(self) -> int:
        return self.killed + self.timeout + self.survived + self.no_tests + self.other

    @property
    def percent(self) -> float:
        """Killed and timed out, of all mutants; 100 for a module with no mutants."""
        if self.mutants == 0:
            return 100.0
        return 100.0 * (self.killed + self.timeout) / self.mutants


class IncompleteRun(Exception):
    """A mutant in the results was never run."""


def score(module: str, exit_codes: Iterable[int | None]) -> Score:
    """The score of ``module`` from its mutants' exit codes (``None``: not run)."""
    counts = {"killed": 0, "timeout": 0, "survived": 0, "no_tests": 0, "other": 0}
    for code in exit_codes:
        if code is None:
            raise IncompleteRun(
                f"{module}: a mutant was never run; run `make mutation` to the end first."
            )
        if code in KILLED or code in CRASHED:
            counts["killed"] += 1
        elif code in TIMEOUT:
            counts["timeout"] += 1
        elif code in SURVIVED:
            counts["survived"] += 1
        elif code in NO_TESTS:
            counts["no_tests"] += 1
        else:
            counts["other"] += 1
    return Score(module, **counts)


def read_scores(results: Path) -> list[Score]:
    """Every module mutmut mutated under ``results`` (its ``mutants/`` folder), by path."""
    metas = sorted(results.rglob("*.py.meta"))
    if not metas:
        raise FileNotFoundError(
            f"{results}: no mutmut results (*.py.meta); run `make mutation` first."
        )
    found = []
    for meta in metas:
        exit_codes: Mapping[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
        module = meta.relative_to(results).as_posix().removesuffix(".meta")
        found.append(score(module, exit_codes.values()))
    return found


def pending(results: Path, modules: Iterable[str]) -> list[str]:
    """The names of the mutants of ``modules`` (paths such as ``components/_launch.py``) that
    were never run."""
    names = []
    for module in modules:
        meta = results / f"{module}.meta"
        if not meta.exists():
            raise FileNotFoundError(f"{meta}: no mutmut results for {module}.")
        exit_codes: Mapping[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
        names.extend(name for name, code in exit_codes.items() if code is None)
    return names


def table(scores: Iterable[Score]) -> str:
    rows = [
        "| module | mutants | killed | timeout | survived | no tests | other | score |",
        "|---|---|---|---|---|---|---|---|",
    ]
    all_scores = list(scores)
    for s in all_scores:
        rows.append(
            f"| {s.module} | {s.mutants} | {s.killed} | {s.timeout} | {s.survived} | "
            f"{s.no_tests} | {s.other} | {s.percent:.1f}% |"
        )
    total = Score(
        "all",
        killed=sum(s.killed for s in all_scores),
        timeout=sum(s.timeout for s in all_scores),
        survived=sum(s.survived for s in all_scores),
        no_tests=sum(s.no_tests for s in all_scores),
        other=sum(s.other for s in all_scores),
    )
    rows.append(
        f"| **all** | {total.mutants} | {total.killed} | {total.timeout} | {total.survived} | "
        f"{total.no_tests} | {total.other} | {total.percent:.1f}% |"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--results", type=Path, default=Path("mutants"))
    parser.add_argument(
        "--fail-under",
        type=float,
        help="exit 1 when a module scores below this percentage",
    )
    parser.add_argument(
        "--pending",
        nargs="+",
        metavar="MODULE",
        help="print the names of these modules' mutants that were never run, and exit",
    )
    args = parser.parse_args(argv)
    if args.pending:
        try:
            names = pending(args.results, args.pending)
        except FileNotFoundError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        if not names:
            print("nothing pending: every mutant of these modules has a result", file=sys.stderr)
            return 1
        print("\n".join(names))
        return 0
    try:
        scores = read_scores(args.results)
    except (FileNotFoundError, IncompleteRun) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(table(scores))
    if args.fail_under is not None:
        below = [s for s in scores if s.percent < args.fail_under]
        for s in below:
            print(
                f"{s.module}: {s.percent:.1f}% of its mutants killed, below "
                f"{args.fail_under:g}%; `mutmut results` lists the survivors.",
                file=sys.stderr,
            )
        if below:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
