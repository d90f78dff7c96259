"""The stack program (__main__.py) under each real stack config, merged with Pulumi.yaml's
defaults as the CLI merges them."""

import json
import re
from pathlib import Path

import pytest

from components.validation import InputError
from offline.mocks import CHINA, AwsMocks, AwsTarget, default_subnets, run_program
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
GROUP = "aws:autoscaling/group:Group"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
#: prod's network mode with one instance, as prod ran before it became a fleet.
ONE_INSTANCE = {"ec2-instance-role:fleetSize": 0}


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
    assert deploy("prod").one(TEMPLATE).inputs["instanceType"] == "t3.medium"


def test_prod_runs_a_fleet_of_two_across_two_zones_or_more():
    run = deploy("prod")
    group = run.one(GROUP).inputs
    assert (group["minSize"], group["maxSize"]) == (2, 2)
    assert len(group["vpcZoneIdentifiers"]) >= 2
    assert run.of_type("aws:ec2/instance:Instance") == []


def test_prod_fleet_has_detailed_monitoring():
    assert deploy("prod").one(TEMPLATE).inputs["monitoring"] == {"enabled": True}


def test_dev_has_neither_termination_protection_nor_detailed_monitoring():
    inputs = deploy("dev").one("aws:ec2/instance:Instance").inputs
    assert inputs["disableApiTermination"] is False
    assert inputs["monitoring"] is False


def launcher(run):
    """What the stack's instances launch from: the instance itself (dev), or the fleet's launch
    template (prod)."""
    templates = run.of_type(TEMPLATE)
    return templates[0] if templates else run.one("aws:ec2/instance:Instance")


def test_stack_instance_requires_imdsv2(deployed):
    options = launcher(deployed).inputs["metadataOptions"]
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
    role = deployed.one("aws:iam/role:Role").state
    profile = deployed.one("aws:iam/instanceProfile:InstanceProfile").state
    outputs = deployed.outputs
    if deployed.of_type(GROUP):
        assert outputs["autoScalingGroupName"] == deployed.one(GROUP).state["name"]
        assert outputs["launchTemplateId"] == deployed.one(TEMPLATE).id
    else:
        instance = deployed.one("aws:ec2/instance:Instance")
        assert outputs["instanceId"] == instance.id
        assert outputs["instanceArn"] == instance.state["arn"]
        assert outputs["privateIp"] == instance.state["privateIp"]
    assert (outputs["roleName"], outputs["roleArn"]) == (role["name"], role["arn"])
    assert outputs["instanceProfileName"] == profile["name"]
    assert outputs["instanceProfileArn"] == profile["arn"]


def test_stack_exports_ready_to_paste_verification_commands(deployed):
    region = REGION
    if "instanceId" in deployed.outputs:
        instance_id = deployed.outputs["instanceId"]
        assert deployed.outputs["connect"] == (
            f"aws ssm start-session --region {region} --target {instance_id}"
        )
        assert f"--instance-ids {instance_id}" in deployed.outputs["verifyFromWorkstation"]
    else:
        group = deployed.outputs["autoScalingGroupName"]
        assert deployed.outputs["connect"].startswith(
            f'aws ssm start-session --region {region} --target "$(aws autoscaling'
        )
        assert f"Values={group}" in deployed.outputs["verifyFromWorkstation"]
        assert f"--auto-scaling-group-names {group}" in deployed.outputs["listInstances"]
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


# --- how the instance reaches AWS (networkMode) ------------------------------------------------

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
GUARD = "app-inline-DenyCredentialUseOutsideItsInstance"


def test_network_mode_defaults_to_public_egress_and_only_prod_changes_it():
    assert project()["config"]["networkMode"]["default"] == "public-egress"
    assert "ec2-instance-role:networkMode" not in stack_file("dev")["config"]
    assert stack_file("prod")["config"]["ec2-instance-role:networkMode"] == "vpc-endpoints"


def test_public_egress_gives_the_instance_a_public_ip_in_the_default_subnet():
    run = deploy("dev")
    instance = run.one("aws:ec2/instance:Instance").inputs
    assert instance["associatePublicIpAddress"] is True
    assert instance["subnetId"] == min(default_subnets(run.mocks.target))
    assert run.outputs["publicIp"]
    assert not run.of_type(ENDPOINT)


def test_public_egress_records_the_subnets_route_to_the_internet_gateway():
    record = deploy("dev").one("ec2-instance-role:index:ExistingNetwork")
    assert record.outputs["default_route"].startswith("igw-")
    assert record.outputs["default_for_az"] is True


def test_public_egress_refuses_a_subnet_without_an_internet_gateway_before_registering():
    # The mocks route a subnet that is not a default one to a NAT gateway.
    run = deploy(
        "dev", {"ec2-instance-role:subnetId": "subnet-0123456789abcdef0"}, capture_error=True
    )
    with pytest.raises(
        InputError, match=r"routes 0\.0\.0\.0/0 to nat-.*not to an internet gateway"
    ):
        raise run.raised(InputError)
    assert not run.registrations


def test_private_mode_gives_the_instance_no_public_ip():
    run = deploy("prod", ONE_INSTANCE)
    assert run.one("aws:ec2/instance:Instance").inputs["associatePublicIpAddress"] is False
    assert "publicIp" not in run.outputs


def test_private_mode_creates_an_endpoint_per_service_the_instance_calls():
    run = deploy("prod")
    services = sorted(e.inputs["serviceName"].rsplit(".", 1)[-1] for e in run.of_type(ENDPOINT))
    assert services == [
        "ec2",
        "ec2messages",
        "logs",
        "monitoring",
        "s3",
        "secretsmanager",
        "sqs",
        "ssm",
        "ssmmessages",
        "sts",
    ]


def test_private_mode_puts_the_instance_in_the_endpoints_clients_group_and_waits_for_them():
    run = deploy("prod", ONE_INSTANCE)
    instance = run.one("aws:ec2/instance:Instance")
    assert instance.inputs["vpcSecurityGroupIds"] == [run.named("app-endpoints-clients").id]
    waits = set(instance.property_dependencies["vpcSecurityGroupIds"])
    assert {e.urn for e in run.of_type(ENDPOINT)} <= waits


def test_private_mode_endpoints_use_the_instances_subnet_and_route_table():
    run = deploy("prod", ONE_INSTANCE)
    record = run.one("ec2-instance-role:index:ExistingNetwork").outputs
    s3 = run.named("app-endpoints-s3").inputs
    assert s3["routeTableIds"] == [record["route_table_id"]]
    assert run.named("app-endpoints-ssm").inputs["subnetIds"] == [record["subnet_id"]]
    assert run.one("aws:ec2/instance:Instance").inputs["subnetId"] == record["subnet_id"]


def test_private_mode_role_carries_the_credential_guard():
    guard = json.loads(deploy("prod").named(GUARD).inputs["policy"])
    assert {s["Effect"] for s in guard["Statement"]} == {"Deny"}


def test_credential_guard_can_be_turned_off():
    run = deploy("prod", {"ec2-instance-role:restrictCredentialsToVpc": False})
    assert not [r for r in run.registrations if r.name == GUARD]


def test_credential_guard_is_never_added_where_calls_leave_through_the_internet():
    # With a public IP the requests carry no aws:SourceVpc, so the guard would deny them all.
    assert not [r for r in deploy("dev").registrations if r.name == GUARD]


def test_existing_endpoints_are_used_and_recorded_instead_of_created():
    mocks = AwsMocks(AwsTarget(region=REGION, account_id=ACCOUNT))
    name = f"com.amazonaws.{REGION}.ssm"
    mocks.existing_endpoints[name] = {
        "id": "vpce-0shared",
        "vpcId": "vpc-0defa017",
        "serviceName": name,
        "privateDnsEnabled": True,
        "securityGroupIds": ["sg-0aaaabbbbccccdddd"],
        "routeTableIds": [],
        "prefixListId": "",
    }
    run = deploy("prod", {"ec2-instance-role:existingEndpointServices": ["ssm"]}, mocks=mocks)
    assert "app-endpoints-ssm" not in {e.name for e in run.of_type(ENDPOINT)}
    records = run.of_type("ec2-instance-role:index:ExistingNetwork")
    assert records
    assert {str(r.outputs["vpc_endpoints"]) for r in records} == {str({"ssm": "vpce-0shared"})}


def test_private_mode_fails_before_registering_when_the_region_lacks_a_service():
    mocks = AwsMocks(AwsTarget(region=REGION, account_id=ACCOUNT))
    mocks.endpoint_services.discard("secretsmanager")
    run = deploy("prod", mocks=mocks, capture_error=True)
    with pytest.raises(InputError, match="no Interface VPC endpoint for service 'secretsmanager'"):
        raise run.raised(InputError)
    assert not run.registrations


def test_private_mode_refuses_a_vpc_without_private_dns_before_registering():
    mocks = AwsMocks(AwsTarget(region=REGION, account_id=ACCOUNT))
    mocks.vpc_dns = False
    run = deploy("prod", mocks=mocks, capture_error=True)
    with pytest.raises(InputError, match="needs private DNS for its endpoints"):
        raise run.raised(InputError)
    assert not run.registrations


def test_bad_network_mode_fails_before_anything_is_looked_up_or_registered():
    run = deploy("dev", {"ec2-instance-role:networkMode": "nat"}, capture_error=True)
    with pytest.raises(InputError, match="networkMode 'nat' is not a network mode"):
        raise run.raised(InputError)
    assert not run.registrations
    assert not [c for c in run.mocks.calls if c.token.startswith("aws:ec2")]


def test_own_subnet_mode_keeps_the_instance_private_in_the_configured_subnet():
    run = deploy(
        "dev",
        {
            "ec2-instance-role:networkMode": "own-subnet",
            "ec2-instance-role:subnetId": "subnet-0123456789abcdef0",
        },
    )
    instance = run.one("aws:ec2/instance:Instance").inputs
    assert instance["associatePublicIpAddress"] is False
    assert instance["subnetId"] == "subnet-0123456789abcdef0"
    assert not run.of_type(ENDPOINT)


def test_guarded_role_is_refused_for_instances_the_stack_does_not_manage():
    run = deploy(
        "prod",
        {"ec2-instance-role:existingInstanceIds": ["i-0123456789abcdef0"]},
        capture_error=True,
    )
    with pytest.raises(InputError, match=r"existingInstanceIds .* restrictCredentialsToVpc"):
        raise run.raised(InputError)
    assert not run.registrations


def test_unguarded_private_role_may_go_to_instances_the_stack_does_not_manage():
    run = deploy(
        "prod",
        {
            "ec2-instance-role:existingInstanceIds": ["i-0123456789abcdef0"],
            "ec2-instance-role:restrictCredentialsToVpc": False,
        },
    )
    assert run.of_type("pulumi-python:dynamic:Resource")


def test_endpoints_admit_only_the_instance_by_default():
    closed = deploy("prod").of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert [r.name for r in closed] == ["app-endpoints-https-from-clients"]


def test_endpoints_opened_to_the_vpc_admit_its_range():
    opened = deploy("prod", {"ec2-instance-role:endpointsOpenToVpc": True})
    rule = opened.named("app-endpoints-https-from-172.31.0.0-16").inputs
    assert rule["cidrIpv4"] == "172.31.0.0/16", "the default VPC's range"


def test_own_subnet_mode_records_endpoints_made_elsewhere():
    mocks = AwsMocks(AwsTarget(region=REGION, account_id=ACCOUNT))
    subnet = "subnet-0123456789abcdef0"
    vpc = mocks._getSubnet({"id": subnet})["vpcId"]
    name = f"com.amazonaws.{REGION}.ssm"
    mocks.existing_endpoints[name] = {
        "id": "vpce-0shared",
        "vpcId": vpc,
        "serviceName": name,
        "vpcEndpointType": "Interface",
        "privateDnsEnabled": True,
        "securityGroupIds": ["sg-0aaaabbbbccccdddd"],
        "routeTableIds": [],
        "prefixListId": "",
    }
    run = deploy(
        "dev",
        {
            "ec2-instance-role:networkMode": "own-subnet",
            "ec2-instance-role:subnetId": subnet,
            "ec2-instance-role:existingEndpointServices": ["ssm"],
        },
        mocks=mocks,
    )
    records = run.of_type("ec2-instance-role:index:ExistingNetwork")
    assert records
    assert {str(r.outputs["vpc_endpoints"]) for r in records} == {str({"ssm": "vpce-0shared"})}
    assert not run.of_type(ENDPOINT)
