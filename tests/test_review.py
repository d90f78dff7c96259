"""The offline review (`make review`): deterministic rendering, committed snapshots, the tree, the
diagram, the policy pack's results, the Terraform-plan bridge and checkov on it."""

import difflib
import json
import os
import re
import sys
from pathlib import Path

import pytest

from offline import review, tfplan
from offline.bad_stack import bad_stack
from offline.mocks import run_program
from offline.snapshots import STACKS, rendered, snapshot_path
from offline.stack_config import SECRET_PLACEHOLDER, merged_config

BAD_CHECKS = {"CKV_AWS_79", "CKV_AWS_88", "CKV_AWS_8"}


@pytest.fixture(scope="module", params=STACKS)
def stack(request):
    return request.param


@pytest.fixture(scope="module")
def reviewed(stack):
    return review.render(stack)


@pytest.fixture(scope="module")
def bad_run():
    return run_program(bad_stack)


@pytest.fixture(scope="module")
def bad_checkov(bad_run, tmp_path_factory):
    """checkov's result on the bad stack, run once for the tests that read it."""
    return checkov_on(bad_run, tmp_path_factory.mktemp("bad"))


def failed_on(result, check_id):
    return {c["resource"] for c in result.failed if c["check_id"] == check_id}


def checkov_or_skip():
    binary = review.checkov_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run checkov: `make test` creates its virtualenv and sets CHECKOV")
        pytest.skip("checkov is not installed here; `make test` installs it")
    return binary


# --- resources.json and snapshots ----------------------------------------------------------


def test_rendered_resources_match_the_committed_snapshot(stack):
    committed = snapshot_path(stack).read_text()
    current = rendered(stack)
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            current.splitlines(keepends=True),
            fromfile=f"snapshots/resources.{stack}.json (committed)",
            tofile="rendered now",
        )
    )
    assert not diff, (
        f"the {stack} stack's resources changed; if you meant it, run `make snapshots`:\n{diff}"
    )


def test_rendering_is_byte_identical_across_runs(stack):
    assert rendered(stack) == rendered(stack)


def test_resources_json_lists_urn_type_parent_dependencies_and_inputs(reviewed, stack):
    document = review.resources_document(reviewed, stack)
    kind = {"dev": "aws:ec2/instance:Instance", "prod": "aws:ec2/launchTemplate:LaunchTemplate"}
    instance = next(r for r in document["resources"] if r["type"] == kind[stack])
    assert instance["urn"].endswith({"dev": "::app-instance", "prod": "::app-template"}[stack])
    assert instance["parent"].endswith("::app")
    assert instance["dependencies"], "the instance waits for the role's policies"
    assert instance["inputs"]["metadataOptions"]["httpTokens"] == "required"


def test_policy_documents_are_shown_parsed_beside_their_json_input(reviewed, stack):
    document = review.resources_document(reviewed, stack)
    policy = next(r for r in document["resources"] if r["type"] == "aws:iam/rolePolicy:RolePolicy")
    assert policy["policyDocuments"]["policy"] == json.loads(policy["inputs"]["policy"])


def test_secret_config_values_read_as_a_placeholder(monkeypatch):
    from offline import stack_config

    dev = stack_config.stack_file("dev")
    dev["config"]["ec2-instance-role:keyName"] = {"secure": "v1:AAAA"}
    monkeypatch.setattr(stack_config, "stack_file", lambda _name, _dir=None: dev)
    assert merged_config("dev")["ec2-instance-role:keyName"] == SECRET_PLACEHOLDER


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [
        ("eu-west-1", "aws", "amazonaws.com"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
    ],
)
def test_review_target_follows_the_stack_region(region, partition, suffix):
    target = review.target_for({"aws:region": region})
    assert (target.partition, target.dns_suffix, target.region) == (partition, suffix, region)
    assert target.account_id == review.FAKE_ACCOUNT


def test_review_account_comes_from_allowed_account_ids_when_set():
    target = review.target_for(
        {"aws:region": "eu-west-1", "aws:allowedAccountIds": '["210987654321"]'}
    )
    assert target.account_id == "210987654321"


# --- the terminal view and the diagram -----------------------------------------------------


def test_tree_shows_every_resource_under_the_stack(reviewed, stack):
    text = review.tree(reviewed, stack, "ec2-instance-role")
    assert "pulumi:pulumi:Stack" in text
    for registration in reviewed.registrations:
        assert f" {registration.name}\n" in text, registration.name
    assert "aws:iam:RolePolicy" in text


def test_tree_prints_every_iam_policy_document_under_its_resource(reviewed, stack):
    text = review.tree(reviewed, stack, "ec2-instance-role")
    assert text.index("app-inline-AppAccess") < text.index('"s3:ListBucket"')
    assert '"ec2.amazonaws.com"' in text


def test_diagram_has_a_node_per_resource_and_an_edge_per_dependency(reviewed):
    text = review.mermaid(reviewed)
    assert text.startswith("flowchart LR\n")
    custom = [r for r in reviewed.registrations if r.custom]
    nodes = re.findall(r"^\s+r\d+\[", text, re.MULTILINE)
    assert len(nodes) == len(custom)
    assert text.count(" --> ") >= 8


# --- the policy pack over the same resources -----------------------------------------------


def test_review_finds_no_policy_violation_in_the_real_stacks(reviewed, stack):
    assert review.policy_results(reviewed, stack) == []


def test_review_reports_the_bad_stacks_violations_with_their_levels(bad_run):
    found = {(v.policy, v.level) for v in review.policy_results(bad_run, "dev")}
    assert ("ec2-imdsv2-required", "mandatory") in found
    assert ("ebs-volumes-encrypted", "mandatory") in found
    assert ("iam-policy-lint", "mandatory") in found
    assert ("ec2-no-public-ip", "advisory") in found


def test_prod_config_makes_the_public_ip_rule_mandatory(bad_run):
    levels = {
        v.level for v in review.policy_results(bad_run, "prod") if v.policy == "ec2-no-public-ip"
    }
    assert levels == {"mandatory"}


def test_review_exits_non_zero_on_a_mandatory_violation(bad_run, monkeypatch, tmp_path):
    monkeypatch.setattr(review, "render", lambda _stack: bad_run)
    assert review.main(["--stack", "dev", "--no-checkov", "--out", str(tmp_path)]) == 1


def test_review_json_mode_prints_one_machine_readable_summary(capsys, tmp_path):
    assert review.main(["--stack", "dev", "--no-checkov", "--json", "--out", str(tmp_path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ok"] is True
    assert summary["policyViolations"] == []
    assert summary["notScanned"] == []
    assert {p.name for p in tmp_path.iterdir()} >= {
        "resources.json",
        "diagram.md",
        "policy.json",
        "plan.json",
    }


# --- the Terraform-plan bridge -------------------------------------------------------------


def plan_resources(run):
    document, not_scanned = tfplan.plan(run.registrations)
    assert not not_scanned
    return document, {
        r["address"]: r for r in document["planned_values"]["root_module"]["resources"]
    }


def test_plan_has_what_checkov_needs_or_it_scans_nothing(reviewed):
    document, resources = plan_resources(reviewed)
    assert document["terraform_version"]
    for address, resource in resources.items():
        assert resource["mode"] == "managed", address
        assert address == f"{resource['type']}.{resource['name']}"


LAUNCHER = {"dev": "aws_instance.app-instance", "prod": "aws_launch_template.app-template"}


def test_plan_maps_pulumi_types_onto_terraform_types(reviewed, stack):
    _, resources = plan_resources(reviewed)
    types = {r["type"] for r in resources.values()}
    launchers = {"dev": {"aws_instance"}, "prod": {"aws_launch_template", "aws_autoscaling_group"}}
    assert launchers[stack] <= types
    assert {
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_instance_profile",
    } <= types


def test_plan_renders_blocks_as_lists_of_one_object_and_tags_as_maps(reviewed, stack):
    _, resources = plan_resources(reviewed)
    launcher = resources[LAUNCHER[stack]]["values"]
    assert launcher["metadata_options"] == [
        {
            "http_endpoint": "enabled",
            "http_put_response_hop_limit": 1,
            "http_tokens": "required",
            "instance_metadata_tags": "disabled",
        }
    ]
    if stack == "dev":
        assert launcher["root_block_device"][0]["encrypted"] is True
    else:
        assert launcher["block_device_mappings"][0]["ebs"][0]["encrypted"] == "true"
    assert launcher["tags"] == {"Name": "app"}


def test_plan_keeps_policy_documents_as_json_strings(reviewed):
    _, resources = plan_resources(reviewed)
    policy = resources["aws_iam_role_policy.app-inline-AppAccess"]["values"]["policy"]
    assert isinstance(policy, str)
    assert json.loads(policy)["Statement"]


def test_plan_reports_a_type_it_cannot_map():
    from offline.mocks import Registration

    odd = Registration(
        "urn:x::aws:s3/bucketV2:BucketV2::b",
        "aws:s3/bucketV2:BucketV2",
        "b",
        "",
        True,
        {},
        [],
        {},
        [],
    )
    _, not_scanned = tfplan.plan([odd])
    assert not_scanned == ["urn:x::aws:s3/bucketV2:BucketV2::b"]


# --- checkov, live ---------------------------------------------------------------------------


def checkov_on(run, tmp_path: Path, stack: str | None = None) -> review.CheckovResult:
    document, _ = tfplan.plan(run.registrations)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    skips = list(review.configured_skips(stack)) if stack else []
    return review.run_checkov(path, checkov_or_skip(), skips)


def test_checkov_catches_the_bad_stacks_four_problems(bad_checkov):
    failed = {c["check_id"] for c in bad_checkov.failed}
    assert failed >= BAD_CHECKS, f"missing {BAD_CHECKS - failed}"
    assert {"CKV_AWS_355", "CKV_AWS_290"} & failed, "s3:* on * went unnoticed"


def test_checkov_passes_the_real_stacks_with_zero_failures(reviewed, stack, tmp_path):
    result = checkov_on(reviewed, tmp_path, stack)
    assert result.failed == []
    assert result.passed >= 20, "checkov scanned almost nothing: the bridge is broken"


def test_every_configured_checkov_skip_has_a_reason(stack):
    skips = review.configured_skips(stack)
    assert skips, "the skips file was not read"
    for check, reason in skips.items():
        assert check.startswith(("CKV_", "CKV2_")), check
        assert isinstance(reason, str), f"{check} is skipped without a reason"
        assert len(reason) > 40, f"{check} is skipped without a reason"


def test_prod_is_checked_for_detailed_monitoring():
    assert "CKV_AWS_126" in review.configured_skips("dev")
    assert "CKV_AWS_126" not in review.configured_skips("prod")


def test_checkov_that_scans_nothing_is_an_error_not_a_pass(tmp_path):
    # Without terraform_version checkov silently scans nothing; the review must say so.
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"planned_values": {"root_module": {"resources": []}}}))
    with pytest.raises(RuntimeError, match=r"checkov scanned 0 of the"):
        review.run_checkov(path, checkov_or_skip())


def test_review_with_a_relative_output_folder_still_scans(monkeypatch, tmp_path, capsys):
    checkov_or_skip()
    monkeypatch.chdir(tmp_path)
    assert review.main(["--stack", "dev", "--json", "--out", "relative/dev"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["checkov"]["passed"] >= 20


def test_checkov_catches_a_launch_template_that_assigns_public_ips(bad_run, bad_checkov):
    _, resources = plan_resources(bad_run)
    assert "network_interfaces" in resources["aws_launch_template.bad-template"]["values"]
    assert "aws_launch_template.bad-template" in failed_on(bad_checkov, "CKV_AWS_88")


def test_plan_renders_a_policy_given_as_an_object_as_a_json_string(bad_run, bad_checkov):
    from offline.bad_stack import S3_EVERYTHING

    _, resources = plan_resources(bad_run)
    policy = resources["aws_iam_role_policy.bad-s3-everything-object"]["values"]["policy"]
    assert json.loads(policy) == S3_EVERYTHING
    flagged = failed_on(bad_checkov, "CKV_AWS_355") | failed_on(bad_checkov, "CKV_AWS_290")
    assert "aws_iam_role_policy.bad-s3-everything-object" in flagged


#: The instance's security group and its HTTPS egress rule, by stack: dev's allows HTTPS
#: anywhere (public egress), prod's only to the VPC endpoints' group.
INSTANCE_GROUP = {"dev": "app-no-inbound", "prod": "app-endpoints-clients"}
HTTPS_OUT = {
    "dev": ("app-https-out", "cidr_ipv4", "0.0.0.0/0"),
    "prod": ("app-endpoints-clients-https-to-endpoints", "referenced_security_group_id", None),
}


def test_plan_names_attributes_as_terraform_does(stack, reviewed):
    _, resources = plan_resources(reviewed)
    name, destination, value = HTTPS_OUT[stack]
    rule = resources[f"aws_vpc_security_group_egress_rule.{name}"]["values"]
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 443, 443)
    assert rule[destination] == (value or reviewed.named("app-endpoints-sg").id)
    assert "role" in resources["aws_iam_role_policy.app-inline-AppAccess"]["values"]
    assert (
        tfplan.snake("enableResourceNameDnsARecordOnLaunch")
        == "enable_resource_name_dns_a_record_on_launch"
    )


def test_plan_carries_references_for_checkovs_graph_checks(stack, reviewed):
    document, _ = plan_resources(reviewed)
    config = {r["address"]: r for r in document["configuration"]["root_module"]["resources"]}
    expressions = config[LAUNCHER[stack]]["expressions"]
    refs = (
        expressions["vpc_security_group_ids"]["references"]
        if stack == "dev"
        else expressions["network_interfaces"]["references"]
    )
    assert f"aws_security_group.{INSTANCE_GROUP[stack]}.id" in refs


def test_plan_refuses_two_resources_with_one_address():
    from offline.mocks import Registration

    twins = [
        Registration(
            f"urn:x::aws:iam/role:Role::{name}", "aws:iam/role:Role", name, "", True, {}, [], {}, []
        )
        for name in ("a.b", "a_b")
    ]
    with pytest.raises(ValueError, match=r"two resources render as aws_iam_role\.a_b"):
        tfplan.plan(twins)


def test_review_exits_non_zero_on_a_failed_checkov_check_alone(bad_run, monkeypatch, tmp_path):
    checkov_or_skip()
    monkeypatch.setattr(review, "render", lambda _stack: bad_run)
    monkeypatch.setattr(review, "policy_results", lambda _run, _stack: [])
    assert review.main(["--stack", "dev", "--json", "--out", str(tmp_path)]) == 1


def test_resource_options_changes_show_in_resources_json():
    from offline.stack_config import run_stack_program

    def render(overrides):
        config = merged_config("dev", overrides)
        run = run_program(
            run_stack_program, config=config, stack="dev", target=review.target_for(config)
        )
        return review.to_json(review.resources_document(run, "dev", config))

    assert render({}) != render({"ec2-instance-role:replaceOnAmiChange": True})


def test_no_checkov_run_leaves_no_stale_checkov_result(tmp_path):
    (tmp_path / "checkov.json").write_text("{}")
    review.main(["--stack", "dev", "--no-checkov", "--json", "--out", str(tmp_path)])
    assert not (tmp_path / "checkov.json").exists()


def test_json_summary_lists_the_checkov_checks_skipped_for_the_stack(capsys, tmp_path):
    checkov_or_skip()
    review.main(["--stack", "dev", "--json", "--out", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out)
    skipped = {s["check_id"]: s.get("reason") for s in summary["checkov"]["skipped"]}
    assert skipped.keys() == review.configured_skips("dev").keys()
    assert all(skipped.values())


def test_unknown_stack_lists_the_stacks_that_exist(capsys, tmp_path):
    assert review.main(["--stack", "staging", "--no-checkov", "--out", str(tmp_path)]) == 1
    printed = capsys.readouterr().out
    assert "there is no stack 'staging': this project has dev, prod" in printed
    assert printed.rstrip().endswith("RESULT: FAIL")


def test_a_broken_program_ends_in_result_fail_with_the_cause_in_one_line(
    monkeypatch, capsys, tmp_path
):
    from app import permissions

    def typo(*args, **kwargs):
        raise NameError("name 'bucket_nme' is not defined")

    monkeypatch.setattr(permissions, "app_access_policy", typo)
    assert review.main(["--stack", "dev", "--no-checkov", "--out", str(tmp_path)]) == 1
    printed = capsys.readouterr().out
    (cause,) = [line for line in printed.splitlines() if line.startswith("Review failed:")]
    assert "the stack program failed" in cause
    assert "NameError: name 'bucket_nme' is not defined" in cause
    assert "Traceback" not in printed
    assert printed.rstrip().endswith("RESULT: FAIL")


def test_tree_shows_which_policy_each_attachment_attaches_and_what_it_grants():
    from components import InstanceRole
    from offline.mocks import run_program

    run = run_program(
        lambda: InstanceRole(
            "app",
            {
                "managed_policy_arns": {
                    "cloudwatch-agent": "arn:aws:iam::aws:policy/AmazonS3FullAccess"
                }
            },
        )
    )
    shown = review.tree(run, "test", "ec2-instance-role")
    attachment = shown.split("app-managed-cloudwatch-agent", 1)[1]
    assert "policyArn: arn:aws:iam::aws:policy/AmazonS3FullAccess" in attachment
    assert "AWS managed:" in attachment
    assert "Permissions management" in attachment.splitlines()[2]


@pytest.mark.parametrize(
    ("stack", "network"),
    [
        ("dev", "public IPv4: yes; termination protection: off"),
        ("prod", "public IPv4: no; profile: app-profile-"),
    ],
)
def test_tree_shows_the_instances_security_settings(stack, network):
    shown = review.tree(review.render(stack), stack, "ec2-instance-role")
    instance = shown.split({"dev": "app-instance", "prod": "app-template"}[stack], 1)[1]
    assert "metadata: tokens required, hop limit 1, endpoint enabled" in instance
    assert "root volume: gp3, encrypted with the account's aws/ebs key" in instance
    assert network in instance


def test_customer_managed_policies_are_named_as_such():
    assert review.managed_policy_summary("arn:aws:iam::123456789012:policy/mine") == (
        "customer managed: read it in IAM"
    )


def test_an_aws_managed_policy_allowing_everything_says_so():
    assert "EVERY action" in review.managed_policy_summary(
        "arn:aws:iam::aws:policy/AdministratorAccess"
    )


# --- what a change does -------------------------------------------------------------------------


def _snapshot(stack="dev"):
    return json.loads(snapshot_path(stack).read_text())


def test_review_against_the_committed_snapshot_reports_no_change(capsys, tmp_path):
    assert review.main(["--stack", "dev", "--no-checkov", "--against", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "Who may do what: no change\nResources: no change\n" in printed


def test_review_against_an_older_snapshot_shows_a_statement_and_an_attachment_added(
    capsys, tmp_path
):
    older = _snapshot()
    for resource in older["resources"]:
        if resource["name"] == "app-inline-AppAccess":
            document = resource["policyDocuments"]["policy"]
            document["Statement"] = [
                s for s in document["Statement"] if s["Sid"] != "SecretsManagerAccess"
            ]
            resource["inputs"]["policy"] = json.dumps(document)
    older["resources"] = [
        r for r in older["resources"] if r["name"] != "app-managed-cloudwatch-agent"
    ]
    path = tmp_path / "older.json"
    path.write_text(json.dumps(older))
    assert (
        review.main(
            ["--stack", "dev", "--no-checkov", "--against", str(path), "--out", str(tmp_path)]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "Who may do what: 2 change(s)" in printed
    assert (
        "+ aws:iam:RolePolicyAttachment app-managed-cloudwatch-agent attaches "
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
    ) in printed
    assert (
        "+ aws:iam:RolePolicy app-inline-AppAccess policy: Allow secretsmanager:GetSecretValue on "
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:my-app/dev/*"
    ) in printed
    assert "  + aws:iam:RolePolicyAttachment app-managed-cloudwatch-agent" in printed
    assert "  ~ aws:iam:RolePolicy app-inline-AppAccess\n      inputs.policy:" in printed


def test_review_against_a_missing_file_fails_saying_so(capsys, tmp_path):
    missing = tmp_path / "nope.json"
    assert review.main(["--stack", "dev", "--no-checkov", "--against", str(missing)]) == 1
    assert "no such file" in capsys.readouterr().out


def test_a_removed_grant_and_a_trust_change_are_who_may_do_what_changes():
    from offline import changes

    before, after = _snapshot(), _snapshot()
    for resource in after["resources"]:
        if resource["name"] == "app-role":
            trust = resource["policyDocuments"]["assumeRolePolicy"]
            trust["Statement"][0]["Principal"] = {
                "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]
            }
        if resource["name"] == "app-inline-AppAccess":
            resource["policyDocuments"]["policy"]["Statement"].pop(0)
    printed = changes.report(before, after)
    assert (
        "+ aws:iam:Role app-role assumeRolePolicy: Allow sts:AssumeRole on principal Service:lambda.amazonaws.com"
        in printed
    )
    assert (
        "- aws:iam:RolePolicy app-inline-AppAccess policy: Allow s3:ListBucket on arn:aws:s3:::my-app-data-dev"
        in printed
    )


# --- the diagram ---------------------------------------------------------------------------------


def test_diagram_draws_only_direct_dependencies():
    diagram = review.mermaid(review.render("dev"))
    ids = dict(re.findall(r'(r\d+)\["[^"<]*<br/>([^"]+)"\]', diagram))
    node = {name: node for node, name in ids.items()}
    # The instance waits for the role through its profile: no arrow of its own.
    assert f"{node['app-instance']} --> {node['app-profile']}" in diagram
    assert f"{node['app-instance']} --> {node['app-role']}" not in diagram
    assert f"{node['app-profile']} --> {node['app-role']}" in diagram


def test_diagram_nests_resources_in_the_components_that_hold_them_and_has_a_legend():
    diagram = review.mermaid(review.render("dev"))
    outer = diagram.split('["ec2-instance-role:index:InstanceWithRole app"]\n', 1)[1]
    role_box = outer.split('["ec2-instance-role:index:InstanceRole app"]\n', 1)[1]
    role_box = role_box.split("\n    end\n", 1)[0]
    assert "app-role" in role_box
    assert "app-instance" not in role_box
    assert "app-instance" in outer.split("subgraph", 1)[0]
    assert "Legend: A --> B, A waits for B" in diagram


def test_direct_edges_removes_exactly_the_implied_ones():
    edges = {("a", "b"), ("b", "c"), ("a", "c"), ("d", "c")}
    assert review.direct_edges(edges) == {("a", "b"), ("b", "c"), ("d", "c")}


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        ("{not json", "is not JSON"),
        ("[]", "is not a resources.json"),
        ('{"stack": "prod", "resources": []}', "is stack 'prod''s, not 'dev''s"),
    ],
)
def test_review_against_a_file_it_cannot_compare_with_fails_saying_why(
    content, cause, capsys, tmp_path
):
    path = tmp_path / "earlier.json"
    path.write_text(content)
    assert (
        review.main(
            ["--stack", "dev", "--no-checkov", "--against", str(path), "--out", str(tmp_path)]
        )
        == 1
    )
    printed = capsys.readouterr().out
    assert cause in printed
    assert printed.rstrip().endswith("RESULT: FAIL")


def test_review_without_checkov_fails_saying_how_to_get_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(review, "checkov_binary", lambda: None)
    assert review.main(["--stack", "dev", "--out", str(tmp_path)]) == 1
    assert "checkov not found: run `make checkov-venv`" in capsys.readouterr().out


def test_a_review_without_against_leaves_no_earlier_change_report(tmp_path):
    (tmp_path / "changes.txt").write_text("stale")
    review.main(["--stack", "dev", "--no-checkov", "--out", str(tmp_path)])
    assert not (tmp_path / "changes.txt").exists()


def test_an_instance_allowing_imdsv1_again_is_a_who_may_do_what_change():
    from offline import changes

    before, after = _snapshot(), _snapshot()
    for resource in after["resources"]:
        if resource["name"] == "app-instance":
            resource["inputs"]["metadataOptions"]["httpTokens"] = "optional"
    printed = changes.report(before, after)
    assert (
        '~ aws:ec2:Instance app-instance inputs.metadataOptions.httpTokens: "required" => "optional"'
        in printed
    )


# --- checkov's cache ------------------------------------------------------------------------


@pytest.fixture
def counted_checkov(monkeypatch):
    scans: list[tuple[str, tuple[str, ...]]] = []

    def fake(plan_path, binary, skips=()):
        scans.append((Path(plan_path).read_text(), tuple(skips)))
        return review.CheckovResult(passed=len(scans))

    monkeypatch.setattr(review, "run_checkov", fake)
    return scans


def _plan(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(text)
    return path


def test_the_same_plan_is_scanned_once(tmp_path, counted_checkov):
    plan = _plan(tmp_path, '{"a": 1}')
    first = review.cached_checkov(plan, sys.executable, ["CKV_AWS_1"], tmp_path / "cache")
    second = review.cached_checkov(plan, sys.executable, ["CKV_AWS_1"], tmp_path / "cache")
    assert len(counted_checkov) == 1
    assert (first[1], second[1]) == (False, True)
    assert second[0] == first[0]


def test_a_changed_plan_is_scanned_again(tmp_path, counted_checkov):
    review.cached_checkov(_plan(tmp_path, '{"a": 1}'), sys.executable, [], tmp_path / "cache")
    review.cached_checkov(_plan(tmp_path, '{"a": 2}'), sys.executable, [], tmp_path / "cache")
    assert len(counted_checkov) == 2


def test_other_skips_are_scanned_again(tmp_path, counted_checkov):
    plan = _plan(tmp_path, '{"a": 1}')
    review.cached_checkov(plan, sys.executable, ["CKV_AWS_1"], tmp_path / "cache")
    review.cached_checkov(plan, sys.executable, ["CKV_AWS_2"], tmp_path / "cache")
    assert len(counted_checkov) == 2


def test_no_cache_always_scans(tmp_path, counted_checkov):
    plan = _plan(tmp_path, '{"a": 1}')
    for _ in range(2):
        assert review.cached_checkov(plan, sys.executable, [], None)[1] is False
    assert len(counted_checkov) == 2


def test_a_stacks_plan_is_the_same_bytes_in_every_process():
    import subprocess

    code = (
        "import hashlib; from offline import review, tfplan; "
        "print(hashlib.sha256(review.to_json(tfplan.plan("
        "review.render('prod').registrations)[0]).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1


# --- fleets: launch templates and Auto Scaling groups ----------------------------------------


def imdsv1_template_stack():
    """A launch template that lets instances use IMDSv1, and a group that launches from it."""
    import pulumi_aws as aws

    template = aws.ec2.LaunchTemplate(
        "imdsv1-template",
        image_id="ami-0123456789abcdef0",
        iam_instance_profile={"name": "app-profile"},
        metadata_options={"http_tokens": "optional", "http_endpoint": "enabled"},
        block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": "true"}}],
    )
    aws.autoscaling.Group(
        "imdsv1-group",
        min_size=1,
        max_size=1,
        vpc_zone_identifiers=["subnet-0123456789abcdef0"],
        launch_template={"id": template.id, "version": template.latest_version.apply(str)},
    )


def fleet_stack():
    from components import AutoScalingGroupWithRole

    # Public IPs are the default subnets' way to AWS's APIs (the reachability rule); dev's pack
    # settings keep the public-IP rule advisory, and checkov's is skipped below, as for dev.
    AutoScalingGroupWithRole("web", {"min_size": 2, "associate_public_ip_address": True})


def test_review_fails_a_stack_whose_launch_template_allows_imdsv1(monkeypatch, tmp_path):
    monkeypatch.setattr(review, "render", lambda _stack: run_program(imdsv1_template_stack))
    assert review.main(["--stack", "dev", "--no-checkov", "--out", str(tmp_path)]) == 1


def test_review_names_the_imdsv1_launch_template_as_a_mandatory_violation():
    found = review.policy_results(run_program(imdsv1_template_stack), "dev")
    imdsv2 = [
        (v.level, v.urn.rsplit("::", 1)[-1]) for v in found if v.policy == "ec2-imdsv2-required"
    ]
    assert imdsv2 == [("mandatory", "imdsv1-template")]


def test_checkov_fails_the_imdsv1_launch_template(tmp_path):
    result = checkov_on(run_program(imdsv1_template_stack), tmp_path)
    assert failed_on(result, "CKV_AWS_79") == {"aws_launch_template.imdsv1-template"}


def test_review_passes_the_fleet_component(monkeypatch, tmp_path):
    monkeypatch.setattr(review, "render", lambda _stack: run_program(fleet_stack))
    assert review.main(["--stack", "dev", "--no-checkov", "--out", str(tmp_path)]) == 0


def test_checkov_passes_the_fleet_component_with_zero_failures(tmp_path):
    run = run_program(fleet_stack)
    document, not_scanned = tfplan.plan(run.registrations)
    types = {r["type"] for r in document["planned_values"]["root_module"]["resources"]}
    assert not_scanned == []
    assert {"aws_launch_template", "aws_autoscaling_group"} <= types
    result = checkov_on(run, tmp_path, "dev")
    assert result.failed == []
    assert result.passed > 0


FREEZES = """
import gc
from offline.review import render
render("dev")
after_first = gc.get_freeze_count()
render("dev")
print(after_first, gc.get_freeze_count(), len(gc.get_objects()) > 0)
"""


def test_only_the_first_render_of_a_process_freezes_what_it_leaves():
    """The review's process keeps its heap to the end, so the first render takes it out of the
    collector's passes; a session that renders again must still collect those renders."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", FREEZES],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    after_first, after_second, collectable = done.stdout.split()
    assert int(after_first) > 100_000, "the modules and the first run are frozen"
    # Frozen objects freed by the second render leave the count, so it can only fall.
    assert int(after_second) <= int(after_first), "the second render froze nothing more"
    assert collectable == "True", "the second render's objects are still collected"
