"""The release rule (tools/release.py): v<version> is tagged when CHANGELOG.md's newest dated
entry is that version and the tag does not exist, on the commit that dated the entry."""

import subprocess
from pathlib import Path

import pytest
import yaml

from tools import release

ROOT = Path(__file__).resolve().parent.parent

DATED = "# Changelog\n\n## [0.2.0] - 2026-12-01\n\n### Added\n\n- a thing\n\n## [0.1.0] - 2026-11-26\n\n- first\n"
UNRELEASED = "# Changelog\n\n## [Unreleased]\n\n- pending\n\n## [0.1.0] - 2026-11-26\n\n- first\n"


def test_a_dated_newest_entry_for_the_version_is_released():
    assert release.decide("0.2.0", DATED, {"v0.1.0"}) == (True, "releasing v0.2.0")


def test_an_existing_tag_is_never_made_again():
    should, reason = release.decide("0.2.0", DATED, {"v0.1.0", "v0.2.0"})
    assert not should
    assert "released already" in reason


def test_unreleased_changes_on_top_do_not_hold_back_a_dated_release():
    assert release.decide("0.1.0", UNRELEASED, set()) == (True, "releasing v0.1.0")


def test_a_bumped_version_without_its_dated_entry_is_not_released():
    should, reason = release.decide("0.2.0", UNRELEASED, {"v0.1.0"})
    assert not should
    assert "newest dated entry is [0.1.0], not [0.2.0]" in reason


def test_a_version_without_its_changelog_entry_is_not_released():
    assert release.decide("0.3.0", DATED, set())[0] is False


def test_release_notes_are_the_entrys_body():
    assert release.notes(DATED, "0.2.0") == "### Added\n\n- a thing\n"
    assert release.notes(DATED, "0.1.0") == "- first\n"


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout


@pytest.mark.skipif(
    git("rev-parse", "--is-shallow-repository").strip() != "false",
    reason="needs the history (the release job checks out with fetch-depth: 0)",
)
def test_the_release_commit_is_the_one_that_dated_the_entry():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    version = release.package_version()
    commit = release.release_commit(changelog, version)
    dated = git("show", f"{commit}:CHANGELOG.md")
    assert f"## [{version}] - " in dated
    parent = git("show", f"{commit}^:CHANGELOG.md")
    assert f"## [{version}] - " not in parent


def test_the_deploy_workflow_tags_only_after_the_checks_with_the_plan():
    job = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())["jobs"][
        "release"
    ]
    assert job["needs"] == "checks"
    assert job["permissions"] == {"contents": "write"}
    plan, tag = job["steps"][1], job["steps"][2]
    assert plan["run"].startswith("python3 -m tools.release plan")
    assert tag["if"] == "steps.plan.outputs.release == 'true'"
    assert 'gh release create "v$VERSION" --target "$COMMIT"' in tag["run"]
    assert tag["env"]["COMMIT"] == "${{ steps.plan.outputs.commit }}"


@pytest.mark.parametrize("entry", ["## [0.2.0]\n", "## [0.2.0] - someday\n"])
def test_an_undated_entry_is_not_a_release(entry):
    assert release.decide("0.2.0", f"# Changelog\n\n{entry}\n- x\n", set())[0] is False
