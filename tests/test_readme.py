"""The README stays true: its tables match the docstrings, its commands match what CI runs."""

import re
from pathlib import Path

from components import InstanceRoleArgs, InstanceWithRoleArgs
from tools import readme_tables

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_inputs_and_outputs_tables_match_the_docstrings():
    assert readme_tables.render(README) == README, "run: make docs"


def test_every_input_field_appears_in_the_readme_tables():
    for args in (InstanceRoleArgs, InstanceWithRoleArgs):
        documented = {f.name for f in readme_tables.input_fields(args.__name__)}
        assert documented == set(args.__annotations__), args.__name__


def test_every_input_docstring_states_its_default():
    for name in readme_tables.ARGS_CLASSES:
        for field in readme_tables.input_fields(name):
            assert field.required or field.default, f"{name}.{field.name} states no default"


def test_readme_test_command_is_the_one_ci_runs():
    assert re.search(r"```bash\nmake test\n```", README)
    assert re.search(r"make .*\btest\b", (ROOT / ".ci" / "run").read_text())


def test_readme_names_only_make_targets_that_exist():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.MULTILINE))
    for target in re.findall(r"`make ([a-z-]+)", README):
        assert target in targets, f"README mentions make {target}, which the Makefile lacks"
