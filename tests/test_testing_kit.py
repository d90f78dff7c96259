"""The shipped test kit itself (components/testing.py): what the mocks answer for each
resource and data source, what a run records, and the helpers that find things in it."""

import asyncio
import gc
import hashlib
import json
import signal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs
from pulumi.runtime.settings import get_monitor

from components import _lookups
from components.testing import (
    AL2023_PARAMETER,
    CHINA,
    AwsMocks,
    AwsTarget,
    Registration,
    Run,
    UnmockedCallError,
    _options,
    default_subnets,
    run_program,
    service_principal,
    unknown_output,
)

ACCOUNT = "123456789012"
REGION = "eu-west-1"
DEFAULT_VPC = "vpc-0defa017"
STACK_URN = "urn:pulumi:test::ec2-instance-role::pulumi:pulumi:Stack::ec2-instance-role-test"
ROLE = "aws:iam/role:Role"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": []})
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


def hex_of(seed: str, length: int) -> str:
    """The kit's hash-derived ids, computed here independently of it."""
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def uuid_of(seed: str) -> str:
    return str(uuid.UUID(hex_of(seed, 32)))


def own_vpc() -> str:
    return "vpc-0" + hex_of("own", 16)


def create(
    typ: str, name: str, inputs: dict, *, custom: bool = True, mocks: AwsMocks | None = None
) -> tuple[str | None, dict]:
    """What the mocks answer the engine's RegisterResource for ``typ``."""
    args = MockResourceArgs(typ=typ, name=name, inputs=inputs, custom=custom)
    return (mocks or AwsMocks()).new_resource(args)


def invoke(token: str, args: dict, mocks: AwsMocks | None = None) -> Any:
    """What the mocks answer the engine's Invoke of ``token``."""
    return (mocks or AwsMocks()).call(MockCallArgs(token=token, args=args, provider=""))


def refusal(error: pytest.ExceptionInfo[UnmockedCallError]) -> str:
    return str(error.value)


def registration(name: str, type_: str = ROLE, *, custom: bool = True) -> Registration:
    return Registration(
        urn=f"urn:{type_}::{name}",
        type=type_,
        name=name,
        parent="",
        custom=custom,
        inputs={},
        dependencies=[],
        property_dependencies={},
        ignore_changes=[],
    )


def run_of(*registrations: Registration, error: BaseException | None = None) -> Run:
    return Run(list(registrations), {}, AwsMocks(), error=error)


@contextmanager
def within_a_second() -> Iterator[None]:
    """Fails the test instead of hanging it when the code under test loops forever."""

    def stop(signum: int, frame: Any) -> None:
        raise TimeoutError("did not finish within a second")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- service principals and default subnets ----------------------------------------------------


@pytest.mark.parametrize(
    ("partition", "service", "suffix"),
    [
        ("aws-iso", "cloudhsm", "c2s.ic.gov"),
        ("aws-iso", "config", "c2s.ic.gov"),
        ("aws-iso", "logs", "c2s.ic.gov"),
        ("aws-iso", "workspaces", "c2s.ic.gov"),
        ("aws-iso-b", "dms", "sc2s.sgov.gov"),
        ("aws-iso-b", "logs", "sc2s.sgov.gov"),
        ("aws-cn", "codedeploy", "amazonaws.com.cn"),
        ("aws-cn", "elasticmapreduce", "amazonaws.com.cn"),
        ("aws-cn", "logs", "amazonaws.com.cn"),
    ],
)
def test_a_service_in_its_partitions_table_ends_in_the_partitions_suffix(
    partition, service, suffix
):
    assert service_principal(service, partition, "r-1") == {
        "id": f"{service}.r-1.{suffix}",
        "name": f"{service}.{suffix}",
        "serviceName": service,
        "suffix": suffix,
        "region": "r-1",
    }


@pytest.mark.parametrize("partition", ["aws-cn", "aws-iso", "aws-iso-b", "aws"])
def test_a_service_not_in_its_partitions_table_ends_in_amazonaws_com(partition):
    assert service_principal("ec2", partition, "r-1") == {
        "id": "ec2.r-1.amazonaws.com",
        "name": "ec2.amazonaws.com",
        "serviceName": "ec2",
        "suffix": "amazonaws.com",
        "region": "r-1",
    }


def test_the_default_subnets_are_one_per_zone_in_the_order_c_a_b():
    assert default_subnets(AwsTarget(region="us-east-2")) == [
        "subnet-0" + hex_of("us-east-2c", 16),
        "subnet-0" + hex_of("us-east-2a", 16),
        "subnet-0" + hex_of("us-east-2b", 16),
    ]


def test_the_mocks_answer_for_the_default_target_without_one():
    assert AwsMocks().target == AwsTarget()


def test_the_mocks_answer_for_the_target_they_are_given():
    assert AwsMocks(CHINA).target is CHINA


# --- resources -------------------------------------------------------------------------------


def test_a_component_gets_an_id_of_its_name_and_no_state():
    assert create("test:index:Box", "box", {"size": 1}, custom=False) == ("box-component", {})


def test_a_provider_gets_an_id_of_its_name_and_its_inputs_as_state():
    answer = create("pulumi:providers:aws", "east", {"region": "us-east-1"})
    assert answer == ("east-provider", {"region": "us-east-1"})


def test_a_dynamic_resource_gets_an_association_id_and_its_inputs_without_the_provider():
    inputs = {"__provider": "serialized", "instanceId": "i-1", "profile": "app"}
    answer = create("pulumi-python:dynamic:Resource", "assoc", inputs)
    assert answer == ("iip-assoc-" + hex_of("assoc", 17), {"instanceId": "i-1", "profile": "app"})


def test_a_resource_type_the_mocks_do_not_model_is_refused():
    with pytest.raises(UnmockedCallError) as error:
        create("aws:s3/bucket:Bucket", "data", {})
    assert refusal(error) == "no mock for resource type aws:s3/bucket:Bucket (data)"


def test_a_type_of_another_package_is_refused_though_its_name_is_modelled():
    with pytest.raises(UnmockedCallError) as error:
        create("gcp:iam/role:Role", "app", {})
    assert refusal(error) == "no mock for resource type gcp:iam/role:Role (app)"


def test_a_type_that_is_no_token_is_refused():
    with pytest.raises(UnmockedCallError) as error:
        create("Role", "app", {})
    assert refusal(error) == "no mock for resource type Role (app)"


def test_a_role_without_a_name_gets_pulumis_auto_name_and_its_trust_policy_as_json():
    name = "app-role-" + hex_of("app-role", 7)
    inputs = {"assumeRolePolicy": {"Version": "2012-10-17"}, "tags": {"team": "a"}}
    assert create(ROLE, "app-role", inputs) == (
        name,
        {
            "assumeRolePolicy": '{"Version": "2012-10-17"}',
            "tags": {"team": "a"},
            "name": name,
            "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "uniqueId": "AROA" + hex_of(name, 17).upper(),
        },
    )


def test_a_named_role_on_a_path_keeps_its_name_and_its_trust_policy_string():
    inputs = {"name": "MyRole", "path": "/apps/", "assumeRolePolicy": TRUST}
    assert create(ROLE, "app-role", inputs) == (
        "MyRole",
        {
            "name": "MyRole",
            "path": "/apps/",
            "assumeRolePolicy": TRUST,
            "arn": f"arn:aws:iam::{ACCOUNT}:role/apps/MyRole",
            "uniqueId": "AROA" + hex_of("MyRole", 17).upper(),
        },
    )


def test_a_role_with_a_name_prefix_gets_the_prefix_and_a_26_character_suffix():
    name = "my-app-2026" + hex_of("app-role", 22)
    role_id, state = create(ROLE, "app-role", {"namePrefix": "my-app-"})
    assert (role_id, state) == (
        name,
        {
            "namePrefix": "my-app-",
            "name": name,
            "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "uniqueId": "AROA" + hex_of(name, 17).upper(),
        },
    )
    assert len(state["name"]) == len("my-app-") + 26


def test_a_role_with_an_empty_name_gets_pulumis_auto_name():
    name = "app-role-" + hex_of("app-role", 7)
    assert create(ROLE, "app-role", {"name": ""}) == (
        name,
        {
            "name": name,
            "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "uniqueId": "AROA" + hex_of(name, 17).upper(),
        },
    )


def test_a_roles_arn_is_in_the_targets_partition_and_account():
    name = "app-role-" + hex_of("app-role", 7)
    assert create(ROLE, "app-role", {}, mocks=AwsMocks(CHINA)) == (
        name,
        {
            "name": name,
            "arn": f"arn:aws-cn:iam::210987654321:role/{name}",
            "uniqueId": "AROA" + hex_of(name, 17).upper(),
        },
    )


def test_an_instance_profile_without_a_path_is_at_the_root():
    name = "app-profile-" + hex_of("app-profile", 7)
    assert create(PROFILE, "app-profile", {"role": "r"}) == (
        name,
        {"role": "r", "name": name, "arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{name}"},
    )


def test_an_instance_profile_on_a_path_has_the_path_in_its_arn():
    inputs = {"name": "Profile", "path": "/apps/"}
    assert create(PROFILE, "app-profile", inputs) == (
        "Profile",
        {
            "name": "Profile",
            "path": "/apps/",
            "arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/apps/Profile",
        },
    )


def test_an_inline_policy_document_object_is_stored_as_json():
    name = "read-" + hex_of("read", 7)
    inputs = {"role": "app", "policy": {"Version": "2012-10-17"}}
    assert create("aws:iam/rolePolicy:RolePolicy", "read", inputs) == (
        f"app:{name}",
        {"role": "app", "policy": '{"Version": "2012-10-17"}', "name": name},
    )


def test_an_inline_policy_is_named_by_its_role_and_its_name():
    inputs = {"role": "app", "name": "read", "policy": TRUST}
    assert create("aws:iam/rolePolicy:RolePolicy", "read", inputs) == (
        "app:read",
        {"role": "app", "name": "read", "policy": TRUST},
    )


def test_an_inline_policy_that_is_not_json_is_refused():
    with pytest.raises(json.JSONDecodeError):
        create("aws:iam/rolePolicy:RolePolicy", "read", {"role": "app", "policy": "{not json"})


def test_an_inline_policy_unknown_in_a_preview_is_accepted():
    name = "read-" + hex_of("read", 7)
    inputs = {"role": "app", "policy": None}
    assert create("aws:iam/rolePolicy:RolePolicy", "read", inputs) == (
        f"app:{name}",
        {"role": "app", "policy": None, "name": name},
    )


def test_a_policy_attachment_is_named_by_its_role_and_a_hash_of_the_policy():
    inputs = {"role": "app", "policyArn": READ_ONLY}
    answer = create("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ro", inputs)
    assert answer == ("app-" + hex_of(READ_ONLY, 12), inputs)


@pytest.mark.parametrize(
    "typ",
    [
        "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    ],
)
def test_an_exclusive_policy_set_is_named_by_its_role(typ):
    inputs = {"roleName": "app", "policyNames": ["read"]}
    assert create(typ, "exclusive", inputs) == ("app", inputs)


def test_an_instance_without_a_public_address_has_an_empty_public_ip():
    instance_id = "i-" + hex_of("web", 17)
    assert create("aws:ec2/instance:Instance", "web", {"ami": "ami-1"}) == (
        instance_id,
        {
            "ami": "ami-1",
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}",
            "privateIp": f"172.31.{int(hex_of('web', 2), 16)}.10",
            "publicIp": "",
        },
    )


def test_an_instance_with_a_public_address_has_a_public_ip():
    instance_id = "i-" + hex_of("web", 17)
    inputs = {"associatePublicIpAddress": True}
    assert create("aws:ec2/instance:Instance", "web", inputs) == (
        instance_id,
        {
            "associatePublicIpAddress": True,
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}",
            "privateIp": "172.31.75.10",
            "publicIp": "203.0.113.10",
        },
    )


def test_a_launch_template_starts_at_version_one():
    template_id = "lt-" + hex_of("tpl", 17)
    assert create("aws:ec2/launchTemplate:LaunchTemplate", "tpl", {"imageId": "ami-1"}) == (
        template_id,
        {
            "imageId": "ami-1",
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:launch-template/{template_id}",
            "latestVersion": 1,
            "name": "tpl-" + hex_of("tpl", 7),
        },
    )


def test_the_instance_metadata_defaults_are_the_accounts():
    inputs = {"httpTokens": "required"}
    typ = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"
    assert create(typ, "imds", inputs) == (ACCOUNT, inputs)


def test_an_auto_scaling_group_has_a_uuid_and_its_name_in_its_arn():
    name = "asg-" + hex_of("asg", 7)
    assert create("aws:autoscaling/group:Group", "asg", {"maxSize": 2}) == (
        name,
        {
            "maxSize": 2,
            "name": name,
            "arn": f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:"
            f"{uuid_of('asg')}:autoScalingGroupName/{name}",
        },
    )


def test_a_security_group_gets_an_sg_id():
    group_id = "sg-" + hex_of("sg", 17)
    assert create("aws:ec2/securityGroup:SecurityGroup", "sg", {"vpcId": "vpc-1"}) == (
        group_id,
        {
            "vpcId": "vpc-1",
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group_id}",
            "name": "sg-" + hex_of("sg", 7),
        },
    )


@pytest.mark.parametrize(
    "typ",
    [
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    ],
)
def test_a_security_group_rule_gets_an_sgr_id(typ):
    rule_id = "sgr-" + hex_of("rule", 17)
    assert create(typ, "rule", {"ipProtocol": "tcp"}) == (
        rule_id,
        {
            "ipProtocol": "tcp",
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group-rule/{rule_id}",
            "securityGroupRuleId": rule_id,
        },
    )


@pytest.mark.parametrize(
    ("typ", "prefix"),
    [
        ("aws:ec2/vpc:Vpc", "vpc"),
        ("aws:ec2/subnet:Subnet", "subnet"),
        ("aws:ec2/routeTable:RouteTable", "rtb"),
        ("aws:ec2/routeTableAssociation:RouteTableAssociation", "rtbassoc"),
        ("aws:ec2/route:Route", "r"),
        ("aws:ec2/internetGateway:InternetGateway", "igw"),
        ("aws:ec2/natGateway:NatGateway", "nat"),
    ],
)
def test_a_network_resource_gets_an_id_of_its_kind(typ, prefix):
    resource_id = f"{prefix}-0" + hex_of("net", 16)
    assert create(typ, "net", {"tags": {"a": "b"}}) == (
        resource_id,
        {"tags": {"a": "b"}, "id": resource_id},
    )


def test_a_gateway_endpoint_reads_back_its_services_prefix_list():
    endpoint_id = "vpce-" + hex_of("s3", 17)
    service = f"com.amazonaws.{REGION}.s3"
    inputs = {"vpcEndpointType": "Gateway", "serviceName": service}
    assert create("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", inputs) == (
        endpoint_id,
        {
            "vpcEndpointType": "Gateway",
            "serviceName": service,
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-endpoint/{endpoint_id}",
            "state": "available",
            "prefixListId": "pl-" + hex_of(service, 8),
        },
    )


def test_an_interface_endpoint_has_no_prefix_list():
    endpoint_id = "vpce-" + hex_of("ssm", 17)
    inputs = {"vpcEndpointType": "Interface", "serviceName": "com.amazonaws.eu-west-1.ssm"}
    assert create("aws:ec2/vpcEndpoint:VpcEndpoint", "ssm", inputs) == (
        endpoint_id,
        {
            **inputs,
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-endpoint/{endpoint_id}",
            "state": "available",
        },
    )


# --- functions -------------------------------------------------------------------------------


def test_the_mocks_record_every_call_in_order():
    mocks = AwsMocks()
    first = MockCallArgs(token="aws:index/getRegion:getRegion", args={}, provider="")
    second = MockCallArgs(token="aws:index/getPartition:getPartition", args={}, provider="")
    mocks.call(first)
    mocks.call(second)
    assert mocks.calls == [first, second]


def test_a_function_the_mocks_do_not_model_is_refused():
    with pytest.raises(UnmockedCallError) as error:
        invoke("aws:s3/getBucket:getBucket", {"bucket": "data"})
    assert (
        refusal(error) == "no mock for function aws:s3/getBucket:getBucket with {'bucket': 'data'}"
    )


def test_a_function_of_another_package_is_refused_though_its_name_is_modelled():
    with pytest.raises(UnmockedCallError) as error:
        invoke("gcp:index/getRegion:getRegion", {})
    assert refusal(error) == "no mock for function gcp:index/getRegion:getRegion with {}"


def test_a_function_that_is_no_token_is_refused():
    with pytest.raises(UnmockedCallError) as error:
        invoke("getRegion", {})
    assert refusal(error) == "no mock for function getRegion with {}"


def test_the_partition_is_the_default_targets():
    assert invoke("aws:index/getPartition:getPartition", {}) == {
        "id": "aws",
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


def test_the_partition_in_china_is_aws_cn():
    assert invoke("aws:index/getPartition:getPartition", {}, AwsMocks(CHINA)) == {
        "id": "aws-cn",
        "partition": "aws-cn",
        "dnsSuffix": "amazonaws.com.cn",
        "reverseDnsPrefix": "cn.com.amazonaws",
    }


def test_a_service_principal_is_the_providers_for_the_targets_partition_and_region():
    token = "aws:index/getServicePrincipal:getServicePrincipal"
    assert invoke(token, {"serviceName": "logs"}, AwsMocks(CHINA)) == {
        "id": "logs.cn-north-1.amazonaws.com.cn",
        "name": "logs.amazonaws.com.cn",
        "serviceName": "logs",
        "suffix": "amazonaws.com.cn",
        "region": "cn-north-1",
    }


def test_the_region_is_the_targets():
    assert invoke("aws:index/getRegion:getRegion", {}) == {
        "id": REGION,
        "region": REGION,
        "name": REGION,
    }


def test_the_caller_is_a_user_of_the_targets_account():
    assert invoke("aws:index/getCallerIdentity:getCallerIdentity", {}) == {
        "id": ACCOUNT,
        "accountId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:user/deployer",
        "userId": "AIDA" + hex_of(ACCOUNT, 16).upper(),
    }


def test_a_key_arn_is_described_as_its_own_key():
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
    assert invoke("aws:kms/getKey:getKey", {"keyId": key_arn}) == {
        "id": KEY_ID,
        "keyId": key_arn,
        "arn": key_arn,
        "enabled": True,
        "keyState": "Enabled",
    }


@pytest.mark.parametrize("key_id", [KEY_ID, "mrk-1234abcd12ab34cd56ef1234567890ab"])
def test_a_key_id_is_described_as_that_key(key_id):
    assert invoke("aws:kms/getKey:getKey", {"keyId": key_id}) == {
        "id": key_id,
        "keyId": key_id,
        "arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}",
        "enabled": True,
        "keyState": "Enabled",
    }


def test_an_alias_name_is_described_as_a_key_derived_from_the_alias():
    key_id = uuid_of("alias/ebs-root")
    assert invoke("aws:kms/getKey:getKey", {"keyId": "alias/ebs-root"}) == {
        "id": key_id,
        "keyId": "alias/ebs-root",
        "arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}",
        "enabled": True,
        "keyState": "Enabled",
    }


def test_an_alias_arn_is_described_as_a_key_derived_from_the_alias_arn():
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/ebs-root"
    key_id = uuid_of(alias_arn)
    assert invoke("aws:kms/getKey:getKey", {"keyId": alias_arn}) == {
        "id": key_id,
        "keyId": alias_arn,
        "arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}",
        "enabled": True,
        "keyState": "Enabled",
    }


@pytest.mark.parametrize(
    "alias", ["alias/missing", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/missing"]
)
def test_the_alias_named_missing_fails_the_lookup_as_the_provider_does(alias):
    assert invoke("aws:kms/getKey:getKey", {"keyId": alias}) == (
        {},
        [("", f"reading KMS Key ({alias}): NotFoundException: Alias not found")],
    )


def test_the_amazon_linux_parameter_is_an_ami_of_the_region():
    ami = "ami-" + hex_of(REGION, 17)
    assert invoke("aws:ssm/getParameter:getParameter", {"name": AL2023_PARAMETER}) == {
        "id": AL2023_PARAMETER,
        "name": AL2023_PARAMETER,
        "type": "String",
        "value": ami,
        "insecureValue": ami,
        "version": 1,
    }


def test_another_parameter_is_refused():
    with pytest.raises(UnmockedCallError) as error:
        invoke("aws:ssm/getParameter:getParameter", {"name": "/app/other"})
    assert refusal(error) == "ParameterNotFound: /app/other"


def test_the_default_vpc_has_the_default_cidr_and_dns_on():
    assert invoke("aws:ec2/getVpc:getVpc", {"default": True}) == {
        "id": DEFAULT_VPC,
        "default": True,
        "cidrBlock": "172.31.0.0/16",
        "mainRouteTableId": "rtb-0" + hex_of(f"main-{DEFAULT_VPC}", 16),
        "enableDnsSupport": True,
        "enableDnsHostnames": True,
    }


def test_a_vpc_asked_by_id_is_not_the_default_one():
    assert invoke("aws:ec2/getVpc:getVpc", {"id": "vpc-0abc", "default": False}) == {
        "id": "vpc-0abc",
        "default": False,
        "cidrBlock": "10.0.0.0/16",
        "mainRouteTableId": "rtb-0" + hex_of("main-vpc-0abc", 16),
        "enableDnsSupport": True,
        "enableDnsHostnames": True,
    }


def test_a_vpc_has_dns_off_when_the_mocks_say_so():
    mocks = AwsMocks()
    mocks.vpc_dns = False
    assert invoke("aws:ec2/getVpc:getVpc", {"id": "vpc-0abc"}, mocks) == {
        "id": "vpc-0abc",
        "default": False,
        "cidrBlock": "10.0.0.0/16",
        "mainRouteTableId": "rtb-0" + hex_of("main-vpc-0abc", 16),
        "enableDnsSupport": False,
        "enableDnsHostnames": False,
    }


@pytest.mark.parametrize("args", [{}, {"default": False}])
def test_a_vpc_asked_neither_by_id_nor_as_the_default_is_refused(args):
    with pytest.raises(UnmockedCallError) as error:
        invoke("aws:ec2/getVpc:getVpc", args)
    assert refusal(error) == f"getVpc mocked only by id or for the default VPC: {args}"


def test_an_ami_asked_by_image_id_has_the_amazon_linux_root_device():
    args = {"filters": [{"name": "image-id", "values": ["ami-0abc"]}]}
    assert invoke("aws:ec2/getAmi:getAmi", args) == {
        "id": "ami-0abc",
        "imageId": "ami-0abc",
        "rootDeviceName": "/dev/xvda",
        "filters": [{"name": "image-id", "values": ["ami-0abc"]}],
    }


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"filters": [{"name": "image-id", "values": ["ami-1", "ami-2"]}]},
        {"filters": [{"name": "owner-alias", "values": ["amazon"]}]},
        {
            "filters": [
                {"name": "image-id", "values": ["ami-1"]},
                {"name": "owner-alias", "values": ["amazon"]},
            ]
        },
    ],
)
def test_an_ami_asked_other_than_by_one_image_id_is_refused(args):
    with pytest.raises(UnmockedCallError) as error:
        invoke("aws:ec2/getAmi:getAmi", args)
    assert refusal(error) == f"getAmi mocked only by image-id: {args}"


def test_the_default_subnets_are_every_zones():
    args = {"filters": [{"name": "default-for-az", "values": ["true"]}]}
    assert invoke("aws:ec2/getSubnets:getSubnets", args) == {
        "id": REGION,
        "ids": default_subnets(AwsTarget()),
        "filters": [{"name": "default-for-az", "values": ["true"]}],
    }


def test_the_default_subnets_of_a_zone_are_that_zones_only():
    filters = [
        {"name": "default-for-az", "values": ["true"]},
        {"name": "availability-zone", "values": ["eu-west-1a", "eu-west-1b"]},
    ]
    assert invoke("aws:ec2/getSubnets:getSubnets", {"filters": filters}) == {
        "id": REGION,
        "ids": ["subnet-0" + hex_of("eu-west-1a", 16), "subnet-0" + hex_of("eu-west-1b", 16)],
        "filters": filters,
    }


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"filters": [{"name": "default-for-az", "values": ["false"]}]},
        {
            "filters": [
                {"name": "default-for-az", "values": ["true"]},
                {"name": "vpc-id", "values": ["vpc-1"]},
            ]
        },
    ],
)
def test_subnets_other_than_the_default_ones_are_refused(args):
    with pytest.raises(UnmockedCallError) as error:
        invoke("aws:ec2/getSubnets:getSubnets", args)
    assert refusal(error) == f"getSubnets mocked only for default subnets: {args}"


def test_an_instance_type_is_offered_in_every_zone_but_those_without_it():
    mocks = AwsMocks()
    mocks.zones_without = {"eu-west-1b"}
    args = {
        "locationType": "availability-zone",
        "filters": [{"name": "instance-type", "values": ["t3.micro"]}],
    }
    assert invoke("aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings", args, mocks) == {
        "id": REGION,
        "instanceTypes": ["t3.micro", "t3.micro"],
        "locations": ["eu-west-1a", "eu-west-1c"],
        "locationTypes": ["availability-zone", "availability-zone"],
    }


def test_an_instance_type_is_offered_in_every_zone_unless_the_mocks_say_otherwise():
    args = {
        "locationType": "availability-zone",
        "filters": [{"name": "instance-type", "values": ["t3.micro"]}],
    }
    assert invoke("aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings", args) == {
        "id": REGION,
        "instanceTypes": ["t3.micro", "t3.micro", "t3.micro"],
        "locations": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "locationTypes": ["availability-zone", "availability-zone", "availability-zone"],
    }


def test_instance_type_offerings_by_region_are_refused():
    args = {"locationType": "region"}
    with pytest.raises(UnmockedCallError) as error:
        invoke("aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings", args)
    assert refusal(error) == f"getInstanceTypeOfferings mocked only by zone: {args}"


def test_a_default_subnet_is_in_the_default_vpc_and_maps_public_ips():
    subnet = default_subnets(AwsTarget())[0]
    assert invoke("aws:ec2/getSubnet:getSubnet", {"id": subnet}) == {
        "id": subnet,
        "vpcId": DEFAULT_VPC,
        "availabilityZone": "eu-west-1c",
        "defaultForAz": True,
        "mapPublicIpOnLaunch": True,
    }


def test_another_subnet_is_in_the_own_vpc_and_maps_no_public_ips():
    assert invoke("aws:ec2/getSubnet:getSubnet", {"id": "subnet-0abc"}) == {
        "id": "subnet-0abc",
        "vpcId": own_vpc(),
        "availabilityZone": "eu-west-1a",
        "defaultForAz": False,
        "mapPublicIpOnLaunch": False,
    }


def test_a_default_subnet_has_no_route_table_of_its_own():
    filters = [{"name": "association.subnet-id", "values": [default_subnets(AwsTarget())[1]]}]
    assert invoke("aws:ec2/getRouteTables:getRouteTables", {"filters": filters}) == {
        "id": REGION,
        "ids": [],
        "filters": filters,
    }


def test_another_subnet_has_a_route_table_of_its_own():
    filters = [{"name": "association.subnet-id", "values": ["subnet-0abc"]}]
    assert invoke("aws:ec2/getRouteTables:getRouteTables", {"filters": filters}) == {
        "id": REGION,
        "ids": ["rtb-0" + hex_of("subnet-0abc", 16)],
        "filters": filters,
    }


@pytest.mark.parametrize("args", [{}, {"filters": [{"name": "vpc-id", "values": ["vpc-1"]}]}])
def test_route_tables_asked_other_than_by_subnet_are_refused(args):
    with pytest.raises(UnmockedCallError) as error:
        invoke("aws:ec2/getRouteTables:getRouteTables", args)
    assert refusal(error) == f"getRouteTables mocked only by subnet association: {args}"


def test_the_default_vpcs_main_route_table_routes_to_its_internet_gateway():
    table = "rtb-0" + hex_of(f"main-{DEFAULT_VPC}", 16)
    assert invoke("aws:ec2/getRouteTable:getRouteTable", {"routeTableId": table}) == {
        "id": table,
        "routeTableId": table,
        "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0defa017"}],
        "associations": [],
    }


@pytest.mark.parametrize("table", ["rtb-0main1234", "rtb-0" + hex_of(f"main-{own_vpc()}", 16)])
def test_a_main_route_table_of_another_vpc_has_no_default_route(table):
    assert invoke("aws:ec2/getRouteTable:getRouteTable", {"routeTableId": table}) == {
        "id": table,
        "routeTableId": table,
        "routes": [],
        "associations": [],
    }


def test_another_route_table_routes_to_a_nat_gateway():
    table = "rtb-0" + hex_of("subnet-0abc", 16)
    assert invoke("aws:ec2/getRouteTable:getRouteTable", {"routeTableId": table}) == {
        "id": table,
        "routeTableId": table,
        "routes": [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0123456789abcdef0"}],
        "associations": [],
    }


def test_a_route_table_asked_other_than_by_id_is_refused():
    with pytest.raises(UnmockedCallError) as error:
        invoke("aws:ec2/getRouteTable:getRouteTable", {"subnetId": "subnet-0abc"})
    assert (
        refusal(error) == "getRouteTable mocked only by routeTableId: {'subnetId': 'subnet-0abc'}"
    )


def test_an_offered_endpoint_service_is_in_every_zone_with_private_dns():
    args = {"service": "ssm", "serviceType": "Interface"}
    assert invoke("aws:ec2/getVpcEndpointService:getVpcEndpointService", args) == {
        "id": "ssm",
        "service": "ssm",
        "serviceName": "com.amazonaws.eu-west-1.ssm",
        "serviceType": "Interface",
        "availabilityZones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "privateDnsName": "ssm.eu-west-1.amazonaws.com",
    }


def test_an_endpoint_service_the_region_does_not_offer_fails_the_lookup():
    mocks = AwsMocks()
    mocks.endpoint_services.discard("ssm")
    args = {"service": "ssm", "serviceType": "Interface"}
    assert invoke("aws:ec2/getVpcEndpointService:getVpcEndpointService", args, mocks) == (
        {},
        [("", "no matching EC2 VPC Endpoint Service found")],
    )


S3_SERVICE = "com.amazonaws.eu-west-1.s3"
S3_ENDPOINT = {"id": "vpce-1", "vpcId": "vpc-1", "vpcEndpointType": "Gateway"}
NO_ENDPOINT = ({}, [("", "no matching EC2 VPC Endpoint found")])


def mocks_with_endpoint(endpoint: dict) -> AwsMocks:
    mocks = AwsMocks()
    mocks.existing_endpoints[S3_SERVICE] = endpoint
    return mocks


def test_an_existing_endpoint_is_found_by_service_vpc_and_type():
    args = {"serviceName": S3_SERVICE, "vpcId": "vpc-1", "vpcEndpointType": "Gateway"}
    token = "aws:ec2/getVpcEndpoint:getVpcEndpoint"
    assert invoke(token, args, mocks_with_endpoint(S3_ENDPOINT)) == S3_ENDPOINT


def test_an_existing_endpoint_is_found_by_service_and_vpc_whatever_its_type():
    args = {"serviceName": S3_SERVICE, "vpcId": "vpc-1"}
    token = "aws:ec2/getVpcEndpoint:getVpcEndpoint"
    assert invoke(token, args, mocks_with_endpoint(S3_ENDPOINT)) == S3_ENDPOINT


def test_an_existing_endpoint_of_no_recorded_type_is_found_for_any_type():
    endpoint = {"id": "vpce-1", "vpcId": "vpc-1"}
    args = {"serviceName": S3_SERVICE, "vpcId": "vpc-1", "vpcEndpointType": "Gateway"}
    token = "aws:ec2/getVpcEndpoint:getVpcEndpoint"
    assert invoke(token, args, mocks_with_endpoint(endpoint)) == endpoint


@pytest.mark.parametrize(
    "args",
    [
        {"serviceName": S3_SERVICE, "vpcId": "vpc-2", "vpcEndpointType": "Gateway"},
        {"serviceName": S3_SERVICE, "vpcId": "vpc-1", "vpcEndpointType": "Interface"},
        {"serviceName": "com.amazonaws.eu-west-1.ssm", "vpcId": "vpc-1"},
    ],
    ids=["another-vpc", "another-type", "another-service"],
)
def test_an_endpoint_not_existing_fails_the_lookup(args):
    token = "aws:ec2/getVpcEndpoint:getVpcEndpoint"
    assert invoke(token, args, mocks_with_endpoint(S3_ENDPOINT)) == NO_ENDPOINT


# --- what a run records --------------------------------------------------------------------


def test_options_hold_every_option_set_and_the_provider_reference_without_its_urn_prefix():
    request = SimpleNamespace(
        protect=True,
        replaceOnChanges=["tags", "name"],
        deleteBeforeReplace=True,
        retainOnDelete=True,
        provider="urn:pulumi:test::proj::pulumi:providers:aws::east::east-id",
    )
    assert _options(request) == {
        "protect": True,
        "replaceOnChanges": ["name", "tags"],
        "deleteBeforeReplace": True,
        "retainOnDelete": True,
        "provider": "east::east-id",
    }


def test_options_hold_nothing_when_no_option_is_set():
    request = SimpleNamespace(
        protect=False,
        replaceOnChanges=[],
        deleteBeforeReplace=False,
        retainOnDelete=False,
        provider="",
    )
    assert _options(request) == {}


class Box(pulumi.ComponentResource):
    """A component that registers outputs."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:Box", name, None, opts)
        self.register_outputs({"answer": "42"})


def test_a_run_holds_each_registration_what_the_program_returned_and_no_error():
    role_name = "app-" + hex_of("app", 7)

    def program():
        role = aws.iam.Role("app", assume_role_policy=TRUST)
        return {"arn": role.arn, "plain": 1}

    run = run_program(program)
    assert run == Run(
        registrations=[
            Registration(
                urn="urn:pulumi:test::ec2-instance-role::pulumi:pulumi:Stack$aws:iam/role:Role::app",
                type=ROLE,
                name="app",
                parent=STACK_URN,
                custom=True,
                inputs={"assumeRolePolicy": TRUST},
                dependencies=[],
                property_dependencies={"assumeRolePolicy": []},
                ignore_changes=[],
                id=role_name,
                options={},
                state={
                    "assumeRolePolicy": TRUST,
                    "name": role_name,
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/{role_name}",
                    "uniqueId": "AROA" + hex_of(role_name, 17).upper(),
                },
            )
        ],
        outputs={},
        mocks=run.mocks,
        returned={"arn": f"arn:aws:iam::{ACCOUNT}:role/{role_name}", "plain": 1},
        error=None,
    )


def test_a_registration_records_its_parent():
    def program():
        aws.iam.Role(
            "app", assume_role_policy=TRUST, opts=pulumi.ResourceOptions(parent=Box("box"))
        )

    run = run_program(program)
    assert [(r.name, r.parent) for r in run.registrations] == [
        ("box", STACK_URN),
        ("app", "urn:pulumi:test::ec2-instance-role::pulumi:pulumi:Stack$test:index:Box::box"),
    ]


def test_a_registration_records_its_dependencies_and_those_of_each_property():
    role_urn = "urn:pulumi:test::ec2-instance-role::pulumi:pulumi:Stack$aws:iam/role:Role::app"

    def program():
        role = aws.iam.Role("app", assume_role_policy=TRUST)
        aws.iam.RolePolicyAttachment("ro", role=role.name, policy_arn=READ_ONLY)

    attachment = run_program(program).named("ro")
    assert (attachment.dependencies, attachment.property_dependencies) == (
        [role_urn],
        {"policyArn": [], "role": [role_urn]},
    )


def test_a_registration_records_the_properties_whose_changes_it_ignores():
    def program():
        aws.iam.Role(
            "app", assume_role_policy=TRUST, opts=pulumi.ResourceOptions(ignore_changes=["tags"])
        )

    assert run_program(program).one(ROLE).ignore_changes == ["tags"]


def test_a_registration_records_its_options():
    def program():
        east = aws.Provider("east", region="us-east-1")
        aws.iam.Role(
            "app",
            assume_role_policy=TRUST,
            opts=pulumi.ResourceOptions(
                protect=True,
                retain_on_delete=True,
                delete_before_replace=True,
                replace_on_changes=["tags", "name"],
                provider=east,
            ),
        )

    assert run_program(program).one(ROLE).options == {
        "protect": True,
        "replaceOnChanges": ["name", "tags"],
        "deleteBeforeReplace": True,
        "retainOnDelete": True,
        "provider": "east::east-provider",
    }


def test_a_components_registered_outputs_land_in_its_registration():
    run = run_program(lambda: Box("box"))
    assert run.named("box").outputs == {"answer": "42"}


def test_the_program_reads_the_config_it_is_given():
    run = run_program(
        lambda: pulumi.Config().require("greeting"),
        config={"ec2-instance-role:greeting": "hello"},
    )
    assert run.returned == "hello"


def test_the_program_runs_in_the_test_stack_of_the_project_unless_told_otherwise():
    run = run_program(lambda: {"stack": pulumi.get_stack(), "project": pulumi.get_project()})
    assert run.returned == {"stack": "test", "project": "ec2-instance-role"}


def test_the_program_runs_in_the_stack_and_project_it_is_given():
    run = run_program(
        lambda: {"stack": pulumi.get_stack(), "project": pulumi.get_project()},
        stack="prod",
        project="other",
    )
    assert run.returned == {"stack": "prod", "project": "other"}


def test_a_run_is_an_update_unless_told_to_preview():
    assert run_program(pulumi.runtime.is_dry_run).returned is False


def test_a_run_told_to_preview_is_a_preview():
    assert run_program(pulumi.runtime.is_dry_run, preview=True).returned is True


def test_the_stacks_outputs_are_resolved_into_the_runs_outputs():
    role_name = "app-" + hex_of("app", 7)

    def program():
        pulumi.export("role_name", aws.iam.Role("app", assume_role_policy=TRUST).name)
        pulumi.export("answer", 42)

    assert run_program(program).outputs == {"role_name": role_name, "answer": 42}


def test_the_target_reaches_the_mocks():
    run = run_program(lambda: aws.get_partition().partition, target=CHINA)
    assert run.returned == "aws-cn"


def test_a_callers_own_mocks_answer_the_run():
    mocks = AwsMocks(CHINA)
    run = run_program(lambda: aws.get_partition().partition, mocks=mocks)
    assert (run.returned, run.mocks) == ("aws-cn", mocks)
    assert [c.token for c in mocks.calls] == ["aws:index/getPartition:getPartition"]


def test_an_error_the_program_raises_propagates():
    def program():
        raise ValueError("boom")

    with pytest.raises(ValueError, match=r"^boom$"):
        run_program(program)


def test_an_error_captured_is_kept_beside_the_registrations_before_it():
    raised: list[BaseException] = []

    def program():
        aws.iam.Role("app", assume_role_policy=TRUST)
        raised.append(ValueError("boom"))
        raise raised[0]

    run = run_program(program, capture_error=True)
    assert (run.error, [r.name for r in run.registrations], run.returned, run.outputs) == (
        raised[0],
        ["app"],
        None,
        {},
    )


def test_a_run_freezes_the_heap_before_it_and_thaws_it_after():
    gc.unfreeze()  # as a process that froze nothing (a test runner may have)
    run = run_program(gc.get_freeze_count)
    assert (run.returned > 0, gc.get_freeze_count()) == (True, 0)


def test_a_run_leaves_a_freeze_its_caller_made():
    gc.freeze()
    try:
        run_program(lambda: None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_run_collects_young_objects_at_fifty_thousand_and_keeps_the_older_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 11, 12)
    try:
        run = run_program(gc.get_threshold)
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*before)
    assert (run.returned, after) == ((50_000, 11, 12), (700, 11, 12))


def test_a_task_the_program_leaves_running_is_cancelled_when_the_run_ends():
    tasks: list[asyncio.Future[None]] = []

    def program():
        tasks.append(asyncio.ensure_future(asyncio.sleep(3600)))

    run_program(program)
    assert tasks[0].cancelled()


def test_a_task_the_program_leaves_running_finishes_its_cleanup_before_the_run_ends():
    cleaned: list[str] = []

    async def task_with_slow_cleanup() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0.1)
            cleaned.append("done")

    def program():
        tasks.append(asyncio.ensure_future(task_with_slow_cleanup()))

    tasks: list[asyncio.Future[None]] = []
    run_program(program)
    assert cleaned == ["done"]


def test_a_run_forgets_the_lookups_its_program_shared():
    monitors: list[Any] = []
    during: list[bool] = []

    def program():
        _lookups.shared(Box("box"), program, lambda: "42")
        monitors.append(get_monitor())
        during.append(monitors[0] in _lookups._ANSWERS)

    run_program(program)
    assert (during, monitors[0] in _lookups._ANSWERS) == ([True], False)


def test_an_unknown_output_has_no_value_no_resources_and_is_neither_known_nor_secret():
    async def inspect(output: pulumi.Output[Any]) -> dict[str, Any]:
        return {
            "value": await output.future(),
            "known": await output.is_known(),
            "secret": await output.is_secret(),
            "resources": await output.resources(),
        }

    run = run_program(lambda: asyncio.ensure_future(inspect(unknown_output())))
    assert run.returned == {"value": None, "known": False, "secret": False, "resources": set()}


def test_an_unknown_output_reaches_a_resource_as_unknown_in_a_preview_without_running_an_apply():
    applied: list[Any] = []

    def program():
        aws.iam.Role("app", assume_role_policy=unknown_output().apply(applied.append))

    role = run_program(program, preview=True).one(ROLE)
    assert applied == []
    assert isinstance(role.inputs["assumeRolePolicy"], pulumi.output.Unknown)


# --- finding what a run registered ---------------------------------------------------------


def test_raised_finds_the_error_the_run_ended_with():
    error = KeyError("k")
    assert run_of(error=error).raised(KeyError) is error


def test_raised_finds_an_error_behind_the_run_errors_cause():
    cause = KeyError("k")
    error = ValueError("wrapped")
    error.__cause__ = cause
    assert run_of(error=error).raised(KeyError) is cause


def test_raised_finds_an_error_behind_the_run_errors_context():
    context = KeyError("k")
    error = ValueError("while handling")
    error.__context__ = context
    assert run_of(error=error).raised(KeyError) is context


def test_raised_finds_an_error_behind_the_run_errors_context_past_its_cause():
    context = KeyError("k")
    error = ValueError("wrapped")
    error.__cause__ = ValueError("another")
    error.__context__ = context
    assert run_of(error=error).raised(KeyError) is context


def test_raised_stops_on_a_chain_that_loops_back_on_itself():
    first, second = ValueError("first"), ValueError("second")
    first.__context__, second.__context__ = second, first
    with within_a_second(), pytest.raises(AssertionError) as error:
        run_of(error=first).raised(KeyError)
    assert str(error.value) == "the run did not raise KeyError; it raised ValueError('first')"


def test_raised_fails_when_no_error_of_the_kind_is_behind_the_run_error():
    with pytest.raises(AssertionError) as error:
        run_of(error=ValueError("boom")).raised(KeyError)
    assert str(error.value) == "the run did not raise KeyError; it raised ValueError('boom')"


def test_raised_fails_when_the_run_raised_nothing():
    with pytest.raises(AssertionError) as error:
        run_of().raised(KeyError)
    assert str(error.value) == "the run did not raise KeyError; it raised None"


def test_of_type_is_every_registration_of_the_type_in_order():
    first, profile, second = registration("a"), registration("p", PROFILE), registration("b")
    assert run_of(first, profile, second).of_type(ROLE) == [first, second]


def test_one_is_the_only_registration_of_the_type():
    role = registration("a")
    assert run_of(registration("p", PROFILE), role).one(ROLE) is role


def test_one_fails_when_no_registration_is_of_the_type():
    with pytest.raises(AssertionError) as error:
        run_of(registration("p", PROFILE)).one(ROLE)
    assert str(error.value) == "expected one aws:iam/role:Role, got []"


def test_one_fails_when_two_registrations_are_of_the_type():
    with pytest.raises(AssertionError) as error:
        run_of(registration("a"), registration("b")).one(ROLE)
    assert str(error.value) == "expected one aws:iam/role:Role, got ['a', 'b']"


def test_named_is_the_only_registration_of_the_name():
    role = registration("a")
    assert run_of(registration("b"), role).named("a") is role


def test_named_fails_when_no_registration_has_the_name():
    with pytest.raises(AssertionError) as error:
        run_of(registration("b")).named("a")
    assert str(error.value) == "expected one resource named 'a', got 0"


def test_named_fails_when_two_registrations_have_the_name():
    with pytest.raises(AssertionError) as error:
        run_of(registration("a"), registration("a", PROFILE)).named("a")
    assert str(error.value) == "expected one resource named 'a', got 2"


def test_custom_is_every_registration_but_the_components():
    role, profile = registration("a"), registration("p", PROFILE)
    box = registration("box", "test:index:Box", custom=False)
    assert run_of(role, box, profile).custom() == [role, profile]
