"""tools.mutation_scores: the per-module scores `make mutation` prints and the weekly workflow
fails on, read from mutmut's result files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from tools import mutation_scores as ms


def write_results(root: Path, module: str, exit_codes: list[int | None]) -> None:
    """A mutmut 3.8.1 result file for ``module``, one mutant per exit code."""
    meta = root / f"{module}.meta"
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(
        json.dumps(
            {
                "exit_code_by_key": {
                    f"{module}.x__mutmut_{i}": code for i, code in enumerate(exit_codes, 1)
                },
                "durations_by_key": {},
                "estimated_durations_by_key": {},
            }
        )
    )


def test_a_timeout_counts_as_killed() -> None:
    assert ms.score("m.py", [1, 36]).percent == 100.0


def test_a_mutant_no_test_reaches_counts_as_a_survivor() -> None:
    assert ms.score("m.py", [1, 33]).percent == 50.0


def test_a_survivor_lowers_the_score() -> None:
    assert ms.score("m.py", [1, 1, 1, 0]).percent == 75.0


def test_a_suspicious_mutant_is_not_killed() -> None:
    result = ms.score("m.py", [1, 35])
    assert (result.other, result.percent) == (1, 50.0)


def test_a_mutant_never_run_is_an_error_naming_the_module() -> None:
    with pytest.raises(ms.IncompleteRun, match=r"^components/x\.py: a mutant was never run"):
        ms.score("components/x.py", [1, None])


def test_scores_are_read_per_module_by_path(tmp_path: Path) -> None:
    write_results(tmp_path, "components/validation.py", [1, 0])
    write_results(tmp_path, "components/network/services.py", [1, 1, 36, 33])
    scores = {s.module: (s.mutants, s.percent) for s in ms.read_scores(tmp_path)}
    assert scores == {
        "components/validation.py": (2, 50.0),
        "components/network/services.py": (4, 75.0),
    }


def test_the_table_has_a_row_per_module_and_the_total(tmp_path: Path) -> None:
    write_results(tmp_path, "components/a.py", [1, 1, 1, 0])
    write_results(tmp_path, "components/b.py", [1, 33])
    rows = ms.table(ms.read_scores(tmp_path)).splitlines()
    assert rows[2:] == [
        "| components/a.py | 4 | 3 | 0 | 1 | 0 | 0 | 75.0% |",
        "| components/b.py | 2 | 1 | 0 | 0 | 1 | 0 | 50.0% |",
        "| **all** | 6 | 4 | 0 | 1 | 1 | 0 | 66.7% |",
    ]


def test_fail_under_exits_1_naming_each_module_below_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_results(tmp_path, "components/a.py", [1] * 9 + [0])
    write_results(tmp_path, "components/b.py", [1] * 8 + [0, 0])
    assert ms.main(["--results", str(tmp_path), "--fail-under", "90"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "components/b.py: 80.0% of its mutants killed, below 90%; "
        "`mutmut results` lists the survivors."
    ]


def test_a_module_exactly_at_fail_under_passes(tmp_path: Path) -> None:
    write_results(tmp_path, "components/a.py", [1] * 9 + [0])
    assert ms.main(["--results", str(tmp_path), "--fail-under", "90"]) == 0


def test_no_results_exits_2_saying_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ms.main(["--results", str(tmp_path)]) == 2
    assert "run `make mutation` first" in capsys.readouterr().err


def test_pending_prints_the_mutants_never_run_of_the_modules_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_results(tmp_path, "components/a.py", [1, None, 0, None])
    write_results(tmp_path, "components/b.py", [None])
    assert ms.main(["--results", str(tmp_path), "--pending", "components/a.py"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "components/a.py.x__mutmut_2",
        "components/a.py.x__mutmut_4",
    ]


def test_pending_with_nothing_left_exits_1_so_no_run_starts_unnamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_results(tmp_path, "components/a.py", [1, 0])
    assert ms.main(["--results", str(tmp_path), "--pending", "components/a.py"]) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        "nothing pending: every mutant of these modules has a result\n",
    )


def test_pending_for_a_module_without_results_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ms.main(["--results", str(tmp_path), "--pending", "components/a.py"]) == 2
    assert capsys.readouterr().err == (
        f"error: {tmp_path}/components/a.py.meta: no mutmut results for components/a.py.\n"
    )


ROOT = Path(__file__).resolve().parent.parent


def functions_in(path: Path) -> bool:
    """Whether a module has code mutmut mutates: mutmut 3 mutates inside functions only."""
    import ast

    tree = ast.parse(path.read_text())
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) for node in ast.walk(tree))


def test_every_module_with_functions_has_its_own_tests() -> None:
    from mutation_scope import tests_of_module

    unmapped = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "components").rglob("*.py"))
        if functions_in(path) and not tests_of_module(path.relative_to(ROOT).as_posix())
    ]
    assert unmapped == []


def test_every_test_file_a_module_is_judged_by_exists() -> None:
    from mutation_scope import OWN_TESTS

    named = {name for names in OWN_TESTS.values() for name in names}
    assert sorted(name for name in named if not (ROOT / "tests" / name).is_file()) == []


def test_mutmut_selects_exactly_the_tests_the_modules_are_judged_by() -> None:
    import tomllib

    from mutation_scope import OWN_TESTS

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    selected = config["pytest_add_cli_args_test_selection"]
    assert sorted(selected) == sorted(
        {f"tests/{name}" for names in OWN_TESTS.values() for name in names}
    )


@pytest.mark.parametrize(
    ("mutant", "module"),
    [
        ("components.validation.x_check_tags__mutmut_3", "components/validation.py"),
        (
            "components.instance_role.xǁInstanceRoleǁ__init____mutmut_12",
            "components/instance_role.py",
        ),
        ("components.network.services.x_services_of__mutmut_1", "components/network/services.py"),
    ],
)
def test_a_mutant_is_judged_by_its_modules_own_tests(mutant: str, module: str) -> None:
    from mutation_scope import own_tests, tests_of_module

    assert own_tests(mutant) == tests_of_module(module) != frozenset()


def test_a_module_in_a_package_gets_the_packages_tests() -> None:
    from mutation_scope import OWN_TESTS, tests_of_module

    assert tests_of_module("components/network/services.py") == frozenset(
        OWN_TESTS["components/network/"]
    )


@pytest.mark.parametrize("phase", ["", "stats", "fail", "list_all_tests", "mutant_generation"])
def test_mutmuts_own_phases_run_every_test(phase: str) -> None:
    from mutation_scope import own_tests

    assert own_tests(phase) is None


def run_cli_tests_as(mutant: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=-q",
            "tests/test_cli.py",
        ],
        cwd=ROOT,
        env={**os.environ, "MUTANT_UNDER_TEST": mutant},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_mutant_of_another_module_deselects_these_tests() -> None:
    done = run_cli_tests_as("components.validation.x_check_tags__mutmut_3")
    assert (done.returncode, "7 deselected" in done.stdout) == (5, True), done.stdout


def test_a_mutant_of_this_module_runs_these_tests() -> None:
    done = run_cli_tests_as("components.cli.x_run__mutmut_1")
    assert (done.returncode, "7 passed" in done.stdout) == (0, True), done.stdout


def test_under_a_mutant_the_components_remembered_answers_are_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from components import policy_documents, policy_lint

    import conftest

    policy_documents.check_policy_document(
        conftest.read_objects_policy(), input_name="inline_policies['a']"
    )
    policy_lint.patterns_overlap("arn:aws:s3:::a/*", "arn:aws:s3:::a/b")
    assert policy_documents._passed
    assert policy_lint.patterns_overlap.cache_info().currsize > 0
    monkeypatch.setenv("MUTANT_UNDER_TEST", "components.policy_lint.x__search__mutmut_1")
    conftest.pytest_sessionstart(pytest.Session.__new__(pytest.Session))
    assert (policy_documents._passed, policy_lint.patterns_overlap.cache_info().currsize) == (
        {},
        0,
    )


def test_outside_a_mutant_run_the_remembered_answers_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    from components import policy_documents

    import conftest

    policy_documents.check_policy_document(
        conftest.read_objects_policy(), input_name="inline_policies['b']"
    )
    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)
    conftest.pytest_sessionstart(pytest.Session.__new__(pytest.Session))
    assert policy_documents._passed


def _item(file: str, name: str) -> pytest.Item:
    """What the ordering reads of a collected test: its file and its node ID."""
    return cast(
        pytest.Item,
        SimpleNamespace(path=Path("tests") / file, nodeid=f"tests/{file}::{name}"),
    )


def test_the_cheapest_test_files_are_ordered_first_each_in_its_collected_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import conftest

    durations = {
        "tests/test_slow.py::a": 5.0,
        "tests/test_fast.py::b": 0.1,
        "tests/test_fast.py::c": 0.2,
    }
    (tmp_path / "mutmut-stats.json").write_text(json.dumps({"duration_by_test": durations}))
    monkeypatch.chdir(tmp_path)
    items = [
        _item("test_slow.py", "a"),
        _item("test_fast.py", "c"),
        _item("test_fast.py", "b"),
    ]
    conftest._cheapest_files_first(items)
    assert [i.nodeid for i in items] == [
        "tests/test_fast.py::c",
        "tests/test_fast.py::b",
        "tests/test_slow.py::a",
    ]


def test_without_mutmuts_stats_the_order_is_left_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import conftest

    monkeypatch.chdir(tmp_path)
    items = [_item("test_slow.py", "a"), _item("test_fast.py", "b")]
    conftest._cheapest_files_first(items)
    assert [i.nodeid for i in items] == ["tests/test_slow.py::a", "tests/test_fast.py::b"]
