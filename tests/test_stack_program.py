"""The stack program (__main__.py) under each real stack config, merged with Pulumi.yaml's
defaults as the CLI merges them."""

import json
import re
from pathlib import Path

import pytest

from components.validation import InputError
from offline.mocks import CHINA, AwsTarget, default_subnets, run_program
from offline.stack_config import (
    StackConfigError,
    merged_config,
    project,
    run_stack_program,
    stack_file,
)

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "444455556666"
# Deliberately unlike either stack's aws:region: the program must ask the provider
# (aws.get_region), which answers with the region it is configured for, not read config.
REGION = "ap-southeast-2"
STACKS = ("dev", "prod")


def deploy(stack, overrides=None, **kwargs):
    config = merged_config(stack, overrides)
    target = AwsTarget(region=REGION, account_id=ACCOUNT)
    return run_program(
        run_stack_program,
        config=config,
        stack=stack,
        target=target,
        **kwargs,
    )


@pytest.fixture(scope="module", params=STACKS)
def stack(request):
    return request.param


@pytest.fixture(scope="module")
def deployed(stack):
    return deploy(stack)


def attached_arns(run):
    attachments = run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    return sorted(a.inputs["policyArn"] for a in attachments)


def app_policy(run):
    return json.loads(run.named("app-inline-AppAccess").inputs["policy"])


def test_dev_runs_the_default_instance_type():
    assert deploy("dev").one("aws:ec2/instance:Instance").inputs["instanceType"] == "t3.micro"


def test_prod_runs_t3_medium_as_in_the_guide():
    assert deploy("prod").one("aws:ec2/instance:Instance").inputs["instanceType"] == "t3.medium"


def test_prod_has_termination_protection_and_detailed_monitoring():
    inputs = deploy("prod").one("aws:ec2/instance:Instance").inputs
    assert inputs["disableApiTermination"] is True
    assert inputs["monitoring"] is True


def test_dev_has_neither_termination_protection_nor_detailed_monitoring():
    inputs = deploy("dev").one("aws:ec2/instance:Instance").inputs
    assert inputs["disableApiTermination"] is False
    assert inputs["monitoring"] is False


def test_stack_instance_requires_imdsv2(deployed):
    options = deployed.one("aws:ec2/instance:Instance").inputs["metadataOptions"]
    assert options["httpTokens"] == "required"
    assert options["httpPutResponseHopLimit"] == 1


def test_stack_arns_come_from_the_stacks_partition_region_and_account(deployed):
    region = REGION
    resources = {s["Sid"]: s["Resource"] for s in app_policy(deployed)["Statement"]}
    assert resources["SQSAccess"].startswith(f"arn:aws:sqs:{region}:{ACCOUNT}:")
    assert resources["SecretsManagerAccess"].startswith(
        f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:"
    )


def test_stack_grants_the_guides_permissions_on_its_own_bucket_queue_and_secrets(stack, deployed):
    cfg = stack_file(stack)["config"]
    bucket = cfg["ec2-instance-role:appBucketName"]
    statements = {s["Sid"]: s for s in app_policy(deployed)["Statement"]}
    assert statements["S3ListBucket"]["Resource"] == f"arn:aws:s3:::{bucket}"
    assert statements["S3ObjectReadWrite"]["Resource"] == f"arn:aws:s3:::{bucket}/*"
    assert statements["S3ObjectReadWrite"]["Action"] == ["s3:GetObject", "s3:PutObject"]
    assert statements["SQSAccess"]["Resource"].endswith(":" + cfg["ec2-instance-role:appQueueName"])
    assert statements["SQSAccess"]["Action"] == [
        "sqs:SendMessage",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
    ]
    prefix = cfg["ec2-instance-role:appSecretPrefix"]
    assert statements["SecretsManagerAccess"]["Resource"].endswith(f":secret:{prefix}*")
    assert statements["SecretsManagerAccess"]["Action"] == "secretsmanager:GetSecretValue"


def test_stack_arns_follow_the_china_partition():
    run = run_program(
        run_stack_program,
        config=merged_config("dev"),
        target=CHINA,
    )
    resources = [s["Resource"] for s in app_policy(run)["Statement"]]
    assert all(r.startswith("arn:aws-cn:") for r in resources), resources
    assert attached_arns(run) == [
        "arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws-cn:iam::aws:policy/CloudWatchAgentServerPolicy",
    ]


def test_stack_attaches_the_cloudwatch_agent_and_session_manager_policies(deployed):
    assert attached_arns(deployed) == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    ]


def test_public_egress_stack_gets_a_group_that_admits_no_inbound_traffic():
    deployed = deploy("dev")
    group = deployed.one("aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["vpcId"] == "vpc-0defa017", "the default VPC"
    assert not group.inputs.get("ingress")
    assert not deployed.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    egress = deployed.one("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").inputs
    assert (egress["ipProtocol"], egress["fromPort"], egress["toPort"]) == ("tcp", 443, 443)
    instance = deployed.one("aws:ec2/instance:Instance").inputs
    assert instance["vpcSecurityGroupIds"] == [group.id]
    assert instance["subnetId"] == min(default_subnets(deployed.mocks.target))


def test_stack_uses_the_configured_subnet_and_security_groups():
    run = deploy(
        "dev",
        {
            "ec2-instance-role:networkMode": "own-subnet",
            "ec2-instance-role:subnetId": "subnet-0123456789abcdef0",
            "ec2-instance-role:securityGroupIds": ["sg-0123456789abcdef0"],
        },
    )
    instance = run.one("aws:ec2/instance:Instance").inputs
    assert instance["subnetId"] == "subnet-0123456789abcdef0"
    assert instance["vpcSecurityGroupIds"] == ["sg-0123456789abcdef0"]
    assert not run.of_type("aws:ec2/securityGroup:SecurityGroup")


def test_stack_puts_its_own_group_in_the_configured_subnets_vpc():
    run = deploy(
        "dev",
        {
            "ec2-instance-role:networkMode": "own-subnet",
            "ec2-instance-role:subnetId": "subnet-0123456789abcdef0",
        },
    )
    group = run.one("aws:ec2/securityGroup:SecurityGroup").inputs
    (lookup,) = [c for c in run.mocks.calls if c.token == "aws:ec2/getSubnet:getSubnet"]
    assert lookup.args["id"] == "subnet-0123456789abcdef0"
    assert group["vpcId"] != "vpc-0defa017"


def test_stack_exports_the_component_outputs(deployed):
    instance = deployed.one("aws:ec2/instance:Instance")
    role = deployed.one("aws:iam/role:Role").state
    profile = deployed.one("aws:iam/instanceProfile:InstanceProfile").state
    outputs = deployed.outputs
    assert outputs["instanceId"] == instance.id
    assert outputs["instanceArn"] == instance.state["arn"]
    assert outputs["privateIp"] == instance.state["privateIp"]
    assert (outputs["roleName"], outputs["roleArn"]) == (role["name"], role["arn"])
    assert outputs["instanceProfileName"] == profile["name"]
    assert outputs["instanceProfileArn"] == profile["arn"]


def test_stack_exports_ready_to_paste_verification_commands(deployed):
    region = REGION
    instance_id = deployed.outputs["instanceId"]
    assert deployed.outputs["connect"] == (
        f"aws ssm start-session --region {region} --target {instance_id}"
    )
    assert f"--instance-ids {instance_id}" in deployed.outputs["verifyFromWorkstation"]
    assert "MetadataOptions.HttpTokens" in deployed.outputs["verifyFromWorkstation"]
    script = deployed.outputs["verifyOnInstance"]
    assert "X-aws-ec2-metadata-token-ttl-seconds" in script
    assert f"security-credentials/{deployed.outputs['roleName']}" in script
    assert "aws sts get-caller-identity" in script
    assert deployed.outputs["verifierCommand"] == (
        f"python3 verify_instance.py --expected-role {deployed.outputs['roleName']}"
    )


def test_secret_prefix_without_trailing_slash_is_refused():
    run = deploy("dev", {"ec2-instance-role:appSecretPrefix": "my-app"}, capture_error=True)
    with pytest.raises(InputError, match="appSecretPrefix 'my-app' must end with '/'"):
        raise run.raised(InputError)
    assert not run.custom()


def test_every_project_setting_is_declared_with_type_and_description():
    for key, spec in project()["config"].items():
        assert spec.get("type") in {"string", "integer", "boolean", "array"}, key
        assert spec.get("description"), key


def test_settings_without_a_default_are_exactly_the_per_stack_names():
    required = sorted(k for k, spec in project()["config"].items() if "default" not in spec)
    assert required == ["appBucketName", "appQueueName", "appSecretPrefix"]


def test_stack_files_hold_only_what_differs_from_the_defaults(stack):
    declared = project()["config"]
    for key, value in stack_file(stack)["config"].items():
        namespace, _, short = key.partition(":")
        if namespace == project()["name"]:
            assert declared[short].get("default") != value, f"{key} repeats its default"


def test_stack_files_set_default_tags_with_the_environment(stack):
    tags = stack_file(stack)["config"]["aws:defaultTags"]["tags"]
    assert tags["Environment"] == {"dev": "dev", "prod": "production"}[stack]


CREDENTIAL_PATTERNS = {
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
}


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def test_stack_files_hold_no_credential_in_clear_text(stack):
    values = [str(v) for v in _leaves(stack_file(stack)["config"])]
    assert len(values) >= 5, "the stack file should hold settings to scan"
    for value in values:
        for what, pattern in CREDENTIAL_PATTERNS.items():
            assert not pattern.search(value), f"{what} in Pulumi.{stack}.yaml"


def test_missing_required_setting_fails_like_the_cli(monkeypatch):
    from offline import stack_config

    dev = stack_file("dev")
    del dev["config"]["ec2-instance-role:appBucketName"]
    monkeypatch.setattr(stack_config, "stack_file", lambda _name, _dir=None: dev)
    with pytest.raises(
        StackConfigError, match="missing configuration value 'ec2-instance-role:appBucketName'"
    ):
        merged_config("dev")


def test_bad_setting_fails_before_any_resource_is_registered():
    run = deploy("dev", {"ec2-instance-role:metadataHopLimit": 70}, capture_error=True)
    with pytest.raises(InputError, match="metadata_hop_limit is 70"):
        raise run.raised(InputError)
    assert not run.registrations, [r.name for r in run.registrations]


def test_setting_of_the_wrong_type_fails_like_the_cli():
    with pytest.raises(StackConfigError, match="is not of the declared type integer"):
        merged_config("dev", {"ec2-instance-role:metadataHopLimit": "two"})


def test_stack_attaches_the_profile_to_configured_existing_instances():
    run = deploy(
        "dev",
        {"ec2-instance-role:existingInstanceIds": ["i-0123456789abcdef0", "i-0fedcba9876543210"]},
    )
    attachments = run.of_type("pulumi-python:dynamic:Resource")
    assert sorted(a.name for a in attachments) == [
        "attach-i-0123456789abcdef0",
        "attach-i-0fedcba9876543210",
    ]
    profile = run.one("aws:iam/instanceProfile:InstanceProfile").state["name"]
    for attachment in attachments:
        assert attachment.inputs["instance_profile_name"] == profile
        assert attachment.inputs["require_imdsv2"] is True
        assert attachment.inputs["replace_existing"] is False


def test_stack_attaches_nothing_when_no_existing_instance_is_configured(deployed):
    assert not deployed.of_type("pulumi-python:dynamic:Resource")
