"""The GitHub workflows: valid against GitHub's schema, clean under zizmor, and doing what the
README says (pull-request preview, per-stack deploy, OIDC only, forks kept offline)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent
PULUMI_ACTION = "pulumi/actions@"
AWS_ACTION = "aws-actions/configure-aws-credentials@"
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def triggers(workflow: dict) -> dict:
    return workflow.get("on") or workflow[True]  # YAML 1.1 reads a bare `on` as true


def steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(action)]


def all_jobs() -> list[tuple[str, str, dict]]:
    return [
        (path.name, name, job)
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for name, job in load(path.name)["jobs"].items()
    ]


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / args[0]), *args[1:]], capture_output=True, text=True, cwd=ROOT, check=False
    )


def test_workflows_validate_against_the_github_workflow_schema():
    files = [str(p) for p in sorted(WORKFLOWS.glob("*.yml"))]
    assert [Path(f).name for f in files] == ["deploy.yml", "mutation.yml", "pull-request.yml"]
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_config_validates_against_its_schema():
    result = run_tool(
        "check-jsonschema", "--builtin-schema", "vendor.dependabot", ".github/dependabot.yml"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_at_its_strictest_persona():
    result = run_tool("zizmor", "--offline", "--persona=auditor", ".github/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout


def test_zizmor_does_report_a_tag_pinned_action(tmp_path):
    # The clean result above is worth something only if zizmor does flag what it must.
    text = (WORKFLOWS / "deploy.yml").read_text()
    unpinned = re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v7", text)
    assert unpinned != text
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "deploy.yml").write_text(unpinned)
    result = run_tool("zizmor", "--offline", str(tmp_path / ".github"))
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout


@pytest.mark.parametrize(("workflow", "job", "definition"), all_jobs())
def test_every_action_is_pinned_to_a_commit(workflow, job, definition):
    for step in definition["steps"]:
        if "uses" in step:
            assert SHA_PIN.match(step["uses"]), f"{workflow} {job}: {step['uses']}"


@pytest.mark.parametrize(("workflow", "job", "definition"), all_jobs())
def test_aws_credentials_come_only_from_oidc(workflow, job, definition):
    text = yaml.safe_dump(definition)
    assert "aws-access-key-id" not in text
    assert "AWS_SECRET_ACCESS_KEY" not in text
    for step in steps_using(definition, AWS_ACTION):
        assert step["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}", f"{workflow} {job}"
        assert definition["permissions"]["id-token"] == "write", f"{workflow} {job}"


@pytest.mark.parametrize(("workflow", "job", "definition"), all_jobs())
def test_pulumi_runs_only_after_the_virtualenv_and_the_credentials(workflow, job, definition):
    for step in steps_using(definition, PULUMI_ACTION):
        before = definition["steps"][: definition["steps"].index(step)]
        assert any(s.get("run") == "make install" for s in before), f"{workflow} {job}"
        assert steps_using({"steps": before}, AWS_ACTION), f"{workflow} {job}: no credentials"
        # The state backend is a repository variable (an s3:// URL or Pulumi Cloud's).
        assert step["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert step["with"]["policyPacks"] == "policy"


def test_pull_requests_never_run_with_the_base_repository_secrets():
    assert set(triggers(load("pull-request.yml"))) == {"pull_request"}


def test_live_preview_is_skipped_for_forks_and_dependabot_which_get_the_offline_review():
    jobs = load("pull-request.yml")["jobs"]
    conditions = [c.strip() for c in jobs["preview"]["if"].split("&&")]
    assert conditions == [
        "github.event.pull_request.head.repo.full_name == github.repository",
        "github.event.pull_request.user.login != 'dependabot[bot]'",
    ]
    assert "if" not in jobs["offline-review"]
    assert jobs["offline-review"]["permissions"] == {"contents": "read"}
    runs = [s.get("run", "") for s in jobs["offline-review"]["steps"]]
    assert any('make review STACK="$STACK"' in r for r in runs)


def test_preview_covers_both_stacks_with_their_policy_config_and_comments():
    preview = load("pull-request.yml")["jobs"]["preview"]
    assert preview["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    (step,) = steps_using(preview, PULUMI_ACTION)
    assert step["with"]["command"] == "preview"
    assert step["with"]["comment-on-pr"] is True
    assert step["with"]["policyPackConfigs"] == "policy/config.${{ matrix.stack }}.json"
    assert preview["permissions"]["pull-requests"] == "write"
    assert preview["environment"] == "preview-${{ matrix.stack }}"
    for stack in ("dev", "prod"):
        assert (ROOT / f"policy/config.{stack}.json").is_file()
        assert (ROOT / f"Pulumi.{stack}.yaml").is_file()


def test_merge_to_main_deploys_dev_then_prod_behind_its_environment():
    workflow = load("deploy.yml")
    assert triggers(workflow) == {"push": {"branches": ["main"]}}
    jobs = workflow["jobs"]
    assert jobs["up-dev"]["needs"] == "checks"
    assert jobs["up-prod"]["needs"] == "up-dev"
    for stack in ("dev", "prod"):
        job = jobs[f"up-{stack}"]
        assert job["environment"] == stack
        (step,) = steps_using(job, PULUMI_ACTION)
        assert (step["with"]["command"], step["with"]["stack-name"]) == ("up", stack)
        # Exclusive policy ownership removes a hand-made policy only once a refresh has read it.
        assert step["with"]["refresh"] is True, f"{stack}: up must refresh"
        assert step["with"]["policyPackConfigs"] == f"policy/config.{stack}.json"


def test_a_failed_preview_is_commented_on_the_pull_request():
    steps = load("pull-request.yml")["jobs"]["preview"]["steps"]
    (pulumi_step,) = steps_using({"steps": steps}, PULUMI_ACTION)
    after = steps[steps.index(pulumi_step) + 1 :]
    commenting = [s for s in after if s.get("if") == "failure()"]
    assert len(commenting) == 1
    assert commenting[0]["run"].startswith('gh pr comment "$PR_NUMBER"')


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_running_deploy_of_a_stack_is_never_cancelled(stack):
    job = load("deploy.yml")["jobs"][f"up-{stack}"]
    assert job["concurrency"] == {"group": f"deploy-{stack}", "cancel-in-progress": False}


@pytest.mark.parametrize("workflow", ["pull-request.yml", "deploy.yml"])
def test_ci_job_runs_the_repository_ci_script(workflow):
    checks = load(workflow)["jobs"]["checks"]
    assert {"run": "bash .ci/run", "env": {"CI": "true"}}.items() <= checks["steps"][-1].items()


def test_offline_review_shows_what_the_pull_request_changes_against_the_base_branch():
    job = load("pull-request.yml")["jobs"]["offline-review"]
    (checkout,) = steps_using(job, "actions/checkout")
    # The merge commit and its first parent, the base as merged into.
    assert checkout["with"]["fetch-depth"] == 2
    assert checkout["with"]["persist-credentials"] is False
    (review,) = [s for s in job["steps"] if s.get("name") == "make review"]
    assert 'git show "HEAD^1:snapshots/resources.$STACK.json" > "$against"' in review["run"]
    assert 'AGAINST="$against"' in review["run"]


def test_mutation_testing_runs_weekly_and_on_demand():
    on = triggers(load("mutation.yml"))
    assert set(on) == {"schedule", "workflow_dispatch"}
    (schedule,) = on["schedule"]
    *_, day_of_month, month, day_of_week = schedule["cron"].split()
    assert (day_of_month, month) == ("*", "*")
    assert day_of_week.isdigit()  # one day a week


def test_mutation_testing_fails_below_90_percent_per_module():
    (job,) = load("mutation.yml")["jobs"].values()
    script = job["steps"][-1]["run"]
    assert "set -o pipefail" in script  # the tee would hide make's exit status otherwise
    assert "make --no-print-directory mutation MUTATION_FAIL_UNDER=90" in script


def test_mutation_testing_stays_out_of_the_ci_script():
    assert "mutation" not in (ROOT / ".ci" / "run").read_text()
