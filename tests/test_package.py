"""The pip distribution: its import name, its contents and its declared dependencies.

These read the copy pip installed into this virtualenv (`make install` builds it from this
checkout), not the `components/` folder the other tests import.
"""

import ast
import hashlib
import importlib.metadata
import re
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

import components
from tools import readme_tables

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "ec2-instance-role"
IMPORT_NAME = "ec2_instance_role"


def installed() -> importlib.metadata.Distribution:
    """The distribution pip installed into this virtualenv's site-packages (an in-tree build
    leaves an .egg-info in the checkout, which a plain lookup from the repo root would find)."""
    site_packages = sysconfig.get_paths()["purelib"]
    (found,) = [
        d
        for d in importlib.metadata.distributions(path=[site_packages])
        if d.metadata["Name"] == DISTRIBUTION
    ]
    return found


def installed_files() -> list[importlib.metadata.PackagePath]:
    return list(installed().files or [])


def _console_scripts() -> list[importlib.metadata.PackagePath]:
    """What pip wrote outside site-packages: the console scripts, in the venv's bin."""
    return [f for f in installed_files() if f.parts[0] == ".."]


def test_distribution_installs_only_its_own_import_name():
    top_level = {
        f.parts[0]
        for f in installed_files()
        if not f.parts[0].endswith(".dist-info") and f not in _console_scripts()
    }
    assert top_level == {IMPORT_NAME}


def test_distribution_installs_one_command_and_nothing_else_outside_its_package():
    assert [f.name for f in _console_scripts()] == ["ec2-instance-role"]
    assert [(e.name, e.value) for e in installed().entry_points] == [
        ("ec2-instance-role", "ec2_instance_role.cli:main")
    ]


def test_distribution_has_no_top_level_components_package():
    assert not [f for f in installed_files() if f.parts[0] == "components"]


def test_installed_version_is_the_one_in_the_source():
    assert installed().version == components.__version__


def test_installed_package_is_this_checkout():
    # A stale install would let the consumer example pass against old code.
    installed = {
        "/".join(f.parts[1:]): hashlib.sha256(f.read_binary()).hexdigest()
        for f in installed_files()
        if f.parts[0] == IMPORT_NAME and f.suffix == ".py"
    }
    source = {
        p.relative_to(ROOT / "components").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (ROOT / "components").rglob("*.py")
    }
    assert "network/endpoints.py" in source, "subpackages are part of the package too"
    assert installed == source, "the installed package is stale: run make install"


def _third_party_imports() -> set[str]:
    stdlib = set(sys.stdlib_module_names)
    found: set[str] = set()
    for path in (ROOT / "components").rglob("*.py"):
        for node in ast.walk(readme_tables.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found |= {n.split(".")[0] for n in names} - stdlib
    return found


def test_every_library_the_components_import_is_a_declared_dependency():
    declared = {
        re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
            "dependencies"
        ]
    }
    providers = importlib.metadata.packages_distributions()
    imported = _third_party_imports()
    assert {"pulumi", "pulumi_aws", "boto3", "policy_sentry"} <= imported
    missing = {
        module
        for module in imported
        if not {d.lower().replace("_", "-") for d in providers.get(module, [])} & declared
    }
    assert not missing, f"imported but not in pyproject.toml dependencies: {missing}"


@pytest.mark.parametrize("requirements", ["requirements.txt", "provider/requirements.txt"])
def test_run_time_requirements_install_the_package_itself(requirements):
    # One list of run-time pins (pyproject.toml); the program and the plugin install the package.
    lines = [
        line.strip()
        for line in (ROOT / requirements).read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    target = (ROOT / Path(requirements).parent / lines[0]).resolve()
    assert lines == [lines[0]]
    assert target == ROOT


def test_distribution_is_marked_as_typed():
    # PEP 561: without py.typed, mypy treats the package as untyped.
    assert [f for f in installed_files() if f.parts == (IMPORT_NAME, "py.typed")]
