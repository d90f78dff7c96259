"""What VpcEndpoints checks against AWS before it registers anything
(components/network/endpoints.py): the provider every lookup asks, the subnets' zones against
the services', endpoints made elsewhere that would clash, and its owner tag."""

import hashlib
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.network import VpcEndpoints
from components.network.endpoints import check_vpc_endpoints_args, invoke_options, owner_tag
from components.network.existing import default_subnets
from components.validation import InputError
from offline.mocks import OWN_VPC, AwsMocks, AwsTarget, ProviderError, run_program, unknown_output
from offline.mocks import default_subnets as mocked_default_subnets

SUBNET_A = "subnet-0aaaaaaaaaaaaaaaa"
SUBNET_B = "subnet-0bbbbbbbbbbbbbbbb"
TABLE = "rtb-0123456789abcdef0"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def _args(**changes) -> Any:
    return {
        "vpc_id": OWN_VPC,
        "services": ["ssm"],
        "subnet_ids": [SUBNET_A],
        "route_table_ids": [TABLE],
        **changes,
    }


def _mocks(zones=None, offered=None):
    """Mocks whose subnets are in ``zones`` (subnet -> zone) and whose endpoint services are
    offered in ``offered`` (service -> zones)."""
    mocks = AwsMocks()
    subnet_answer, service_answer = mocks._getSubnet, mocks._getVpcEndpointService

    def subnet(args):
        answer = subnet_answer(args)
        return {**answer, "availabilityZone": (zones or {}).get(answer["id"], "eu-west-1a")}

    def service(args):
        answer = service_answer(args)
        if offered and args["service"] in offered:
            return {**answer, "availabilityZones": offered[args["service"]]}
        return answer

    mocks._getSubnet = subnet
    mocks._getVpcEndpointService = service
    return mocks


def _build(args, mocks, **kwargs):
    return run_program(lambda: VpcEndpoints("net", args), mocks=mocks, **kwargs)


def _refusal(args, mocks):
    run = _build(args, mocks, capture_error=True)
    assert not run.registrations
    return str(run.raised(InputError))


# --- the provider -----------------------------------------------------------------------------


def test_every_lookup_asks_the_components_provider():
    mocks = AwsMocks()
    mocks.existing_endpoints["com.amazonaws.eu-west-1.sts"] = {
        "id": "vpce-0sts",
        "vpcId": OWN_VPC,
        "vpcEndpointType": "Interface",
        "privateDnsEnabled": True,
    }

    def program():
        provider = aws.Provider("elsewhere", region="eu-west-1")
        VpcEndpoints(
            "net",
            _args(services=["ssm", "s3"], existing_services=["sts"]),
            opts=pulumi.ResourceOptions(provider=provider),
        )

    run = run_program(program, mocks=mocks)
    provider = run.named("elsewhere").urn
    functions = sorted({c.token.rsplit(":", 1)[-1] for c in mocks.calls})
    assert functions == ["getSubnet", "getVpcEndpoint", "getVpcEndpointService"]
    assert [c.token for c in mocks.calls if not c.provider.startswith(provider + "::")] == []


# --- zones --------------------------------------------------------------------------------------


def test_two_subnets_in_one_zone_are_refused_naming_both_and_the_zone():
    mocks = _mocks({SUBNET_A: "eu-west-1a", SUBNET_B: "eu-west-1a"})
    assert _refusal(_args(subnet_ids=[SUBNET_A, SUBNET_B]), mocks) == (
        f"subnet_ids {SUBNET_A} and {SUBNET_B} are both in eu-west-1a; an interface endpoint "
        "takes at most one subnet per Availability Zone. Keep one of them."
    )


def test_subnets_in_zones_a_service_lacks_are_refused_naming_each_zone_and_the_services():
    mocks = _mocks(
        {SUBNET_A: "eu-west-1c", SUBNET_B: "eu-west-1a"},
        offered={"ssm": ["eu-west-1b", "eu-west-1d"]},
    )
    assert _refusal(_args(subnet_ids=[SUBNET_A, SUBNET_B]), mocks) == (
        "The 'ssm' endpoint service is not offered in eu-west-1a, eu-west-1c (it is in "
        "eu-west-1b, eu-west-1d). Put the instance in a subnet of one of those zones."
    )


def test_a_gateway_services_zones_do_not_matter():
    mocks = _mocks(offered={"s3": ["eu-west-1b"]})
    run = _build(_args(services=["s3"]), mocks)
    assert [r.name for r in run.of_type(ENDPOINT)] == ["net-s3"]


def test_a_service_after_a_gateway_one_still_has_its_zones_checked():
    mocks = _mocks(offered={"s3": ["eu-west-1b"], "ssm": ["eu-west-1b"]})
    assert "The 'ssm' endpoint service is not offered in eu-west-1a" in _refusal(
        _args(services=["s3", "ssm"]), mocks
    )


# --- endpoints made elsewhere -------------------------------------------------------------------


def test_a_failed_clash_lookup_that_is_not_an_answer_fails_the_run(monkeypatch):
    mocks = AwsMocks()

    def throttled(request):
        raise ProviderError("Throttling: Rate exceeded")

    monkeypatch.setattr(mocks, "_getVpcEndpoint", throttled)
    run = _build(_args(), mocks, capture_error=True)
    assert "Throttling: Rate exceeded" in str(run.error)
    assert not run.registrations


def test_several_endpoints_that_might_clash_leave_the_judgement_to_aws(monkeypatch):
    mocks = AwsMocks()

    def several(request):
        raise ProviderError("multiple EC2 VPC Endpoints matched; use additional constraints")

    monkeypatch.setattr(mocks, "_getVpcEndpoint", several)
    assert [r.name for r in _build(_args(), mocks).of_type(ENDPOINT)] == ["net-ssm"]


# --- the owner tag ------------------------------------------------------------------------------


def _owner_tag(name, project="p", stack="s"):
    return run_program(lambda: owner_tag(name), project=project, stack=stack).returned


def test_the_owner_tag_is_project_stack_and_name():
    assert _owner_tag("net") == "p/s/net"


def test_an_owner_tag_of_256_characters_is_kept():
    name = "n" * (256 - len("p/s/"))
    assert _owner_tag(name) == "p/s/" + name


def test_an_owner_tag_past_256_characters_is_its_sha256():
    name = "n" * (257 - len("p/s/"))
    assert _owner_tag(name) == hashlib.sha256(("p/s/" + name).encode()).hexdigest()


# --- default subnets (the Auto Scaling group's) -------------------------------------------------


def test_default_subnets_are_those_in_zones_offering_the_type_sorted():
    mocks = AwsMocks()
    mocks.zones_without = {"eu-west-1b"}
    by_zone = dict(zip("cab", mocked_default_subnets(AwsTarget()), strict=True))
    found = run_program(lambda: default_subnets(None, "t3.micro"), mocks=mocks).returned
    assert found == sorted([by_zone["a"], by_zone["c"]])


def test_no_zone_offering_the_type_has_no_default_subnets_and_names_the_type():
    mocks = AwsMocks()
    mocks.zones_without = {"eu-west-1a", "eu-west-1b", "eu-west-1c"}
    run = run_program(lambda: default_subnets(None, "t3.micro"), mocks=mocks, capture_error=True)
    assert "offers t3.micro (aws ec2 describe-instance-type-offerings" in str(
        run.raised(InputError)
    )
    assert not [c for c in mocks.calls if c.token.endswith("getSubnets")]


@pytest.mark.parametrize("function", ["getInstanceTypeOfferings", "getSubnets"])
def test_default_subnets_ask_the_provider_given(function):
    mocks = AwsMocks()

    def program():
        provider = aws.Provider("elsewhere", region="eu-west-1")
        return default_subnets(pulumi.InvokeOptions(provider=provider), "t3.micro")

    run = run_program(program, mocks=mocks)
    (call,) = [c for c in mocks.calls if c.token.endswith(function)]
    assert call.provider.startswith(run.named("elsewhere").urn + "::")


def _made_elsewhere(mocks, service, **endpoint):
    name = f"com.amazonaws.eu-west-1.{service}"
    mocks.existing_endpoints[name] = {"id": "vpce-0other", "vpcId": OWN_VPC, **endpoint}


def test_a_private_dns_endpoint_made_elsewhere_is_refused_with_the_setting_to_use_it():
    mocks = AwsMocks()
    _made_elsewhere(mocks, "ssm", vpcEndpointType="Interface", privateDnsEnabled=True)
    assert _refusal(_args(), mocks) == (
        f"{OWN_VPC} already has vpce-0other with private DNS for com.amazonaws.eu-west-1.ssm, "
        "so AWS would refuse another. Use it: list 'ssm' in existing_services (the stack "
        "setting existingEndpointServices)."
    )


def test_a_gateway_endpoint_made_elsewhere_is_refused_naming_the_route_tables_it_shares():
    mocks = AwsMocks()
    tables = ["rtb-0bbbbbbbbbbbbbbbb", "rtb-0aaaaaaaaaaaaaaaa", "rtb-0cccccccccccccccc"]
    _made_elsewhere(mocks, "s3", vpcEndpointType="Gateway", routeTableIds=tables)
    args = _args(services=["s3"], route_table_ids=tables[:2])
    assert _refusal(args, mocks) == (
        f"{OWN_VPC} already has vpce-0other on route table(s) rtb-0aaaaaaaaaaaaaaaa, "
        "rtb-0bbbbbbbbbbbbbbbb for com.amazonaws.eu-west-1.s3, so AWS would refuse another. "
        "Use it: list 's3' in existing_services (the stack setting existingEndpointServices)."
    )


def test_an_endpoint_another_vpc_endpoints_made_is_refused_with_the_retag_command():
    mocks = AwsMocks()
    tags = {"ec2-instance-role:owner": "p/old/net"}
    _made_elsewhere(mocks, "ssm", vpcEndpointType="Interface", privateDnsEnabled=True, tags=tags)
    run = run_program(
        lambda: VpcEndpoints("net", _args()),
        mocks=mocks,
        project="p",
        stack="s",
        capture_error=True,
    )
    assert str(run.raised(InputError)) == (
        f"{OWN_VPC} already has vpce-0other with private DNS for com.amazonaws.eu-west-1.ssm, "
        "made by the VpcEndpoints 'p/old/net', so AWS would refuse another. If that is this "
        "component under an earlier name (a renamed stack, project or component), retag it: "
        "aws ec2 create-tags --resources vpce-0other --tags "
        "Key=ec2-instance-role:owner,Value=p/s/net. If it is another stack's, list 'ssm' in "
        "existing_services (existingEndpointServices)."
    )


# --- which provider the lookups ask -------------------------------------------------------------


def _invoke(make_opts):
    """The provider and parent ``invoke_options`` picks from the options ``make_opts`` builds
    from an aws provider, a second aws provider, a provider of another package and a parent,
    by name."""

    def program():
        made = {
            "aws": aws.Provider("aws-one", region="eu-west-1"),
            "aws2": aws.Provider("aws-two", region="eu-west-1"),
            "other": pulumi.ProviderResource("random", "random-one"),
            "parent": pulumi.ComponentResource("test:index:Parent", "parent"),
        }
        names = {id(resource): name for name, resource in made.items()}
        picked = invoke_options(make_opts(made))
        return (names.get(id(picked.provider)), names.get(id(picked.parent)))

    return run_program(program).returned


def test_no_options_ask_the_default_provider():
    assert _invoke(lambda made: None) == (None, None)


def test_an_explicit_provider_is_asked_and_the_parent_kept():
    assert _invoke(
        lambda made: pulumi.ResourceOptions(provider=made["aws"], parent=made["parent"])
    ) == ("aws", "parent")


def test_an_explicit_provider_wins_over_providers():
    assert _invoke(
        lambda made: pulumi.ResourceOptions(provider=made["aws"], providers={"aws": made["aws2"]})
    ) == ("aws", None)


def test_the_aws_provider_of_a_providers_mapping_is_asked():
    assert _invoke(
        lambda made: pulumi.ResourceOptions(providers={"random": made["other"], "aws": made["aws"]})
    ) == ("aws", None)


def test_the_aws_provider_of_a_providers_list_is_asked_not_another_packages():
    assert _invoke(lambda made: pulumi.ResourceOptions(providers=[made["other"], made["aws"]])) == (
        "aws",
        None,
    )


def test_providers_without_an_aws_one_leave_the_default():
    assert _invoke(lambda made: pulumi.ResourceOptions(providers=[made["other"]])) == (None, None)


def test_the_parent_of_providers_options_is_kept():
    assert _invoke(
        lambda made: pulumi.ResourceOptions(providers=[made["aws"]], parent=made["parent"])
    ) == ("aws", "parent")


# --- the inputs checked against AWS -------------------------------------------------------------


def test_the_endpoint_service_is_asked_for_by_name_and_type():
    mocks = AwsMocks()
    _build(_args(services=["ssm", "s3"]), mocks)
    asked = [c.args for c in mocks.calls if c.token.endswith("getVpcEndpointService")]
    assert asked == [
        {"service": "ssm", "serviceType": "Interface"},
        {"service": "s3", "serviceType": "Gateway"},
    ]


@pytest.mark.parametrize(
    ("subnet_ids", "shown"),
    [(SUBNET_A, repr(SUBNET_A)), (5, "5"), ({"a": SUBNET_A}, repr({"a": SUBNET_A}))],
    ids=["a string", "a number", "a mapping"],
)
def test_subnet_ids_that_are_not_a_list_are_refused(subnet_ids, shown):
    assert _refusal(_args(subnet_ids=subnet_ids), AwsMocks()) == (
        f"subnet_ids must be a list of IDs; got {shown}."
    )


def test_a_bad_id_after_one_known_only_at_deploy_time_is_still_refused():
    def program():
        VpcEndpoints("net", _args(subnet_ids=[unknown_output(), "subnet-x"]))

    run = run_program(program, capture_error=True)
    assert str(run.raised(InputError)) == "subnet_ids holds 'subnet-x', which is not a valid ID."


# --- the settings, checked before AWS is asked (check_vpc_endpoints_args) -----------------------

KNOWN = (
    "vpc_id, services, subnet_ids, route_table_ids, existing_services, allowed_cidr_blocks, "
    "allowed_security_group_ids, tags"
)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"zeta": 1, "alpha": 2},
            f"VpcEndpoints 'net' got unknown argument(s) alpha, zeta. Known: {KNOWN}.",
        ),
        (
            {"services": "ssm"},
            "VpcEndpoints 'net' needs services: a list of endpoint names such as ['ssm', "
            "'ssmmessages', 's3']. needed_endpoints_for_role derives them from a role.",
        ),
        ({"existing_services": "ssm"}, "existing_services must be a list of endpoint names."),
        ({"existing_services": 3}, "existing_services must be a list of endpoint names."),
        (
            {"services": ["ssm", "s3", "logs"], "subnet_ids": []},
            "services ssm, logs need interface endpoints, which live in subnets: set subnet_ids "
            "(the instances' subnet, or one subnet per Availability Zone).",
        ),
        (
            {"services": ["s3", "dynamodb"], "route_table_ids": []},
            "services s3, dynamodb get gateway endpoints, which work through route tables: set "
            "route_table_ids to the route tables of the instances' subnets.",
        ),
        (
            {"allowed_security_group_ids": "sg-0123456789abcdef0"},
            "allowed_security_group_ids must be a list of security group IDs.",
        ),
        (
            {"allowed_cidr_blocks": "10.0.0.0/16"},
            "allowed_cidr_blocks must be a list of IPv4 ranges.",
        ),
        (
            {"allowed_cidr_blocks": ["10.0.0.0/16", "10.0.0.1"]},
            "allowed_cidr_blocks holds '10.0.0.1', which is not an IPv4 range (for example "
            "'172.31.0.0/16').",
        ),
        (
            {"allowed_cidr_blocks": ["10.0.0.0/16", "10.0.0.0/16"]},
            "allowed_cidr_blocks names a range twice. Keep one.",
        ),
        (
            {"services": ["com.amazonaws.eu-west-1.ecr.api"]},
            "services holds the full service name 'com.amazonaws.eu-west-1.ecr.api'; give only "
            "its last part ('ecr.api'): the region's own name is looked up.",
        ),
        (
            {"services": ["cn.com.amazonaws.cn-north-1.ssm"]},
            "services holds the full service name 'cn.com.amazonaws.cn-north-1.ssm'; give only "
            "its last part ('ssm'): the region's own name is looked up.",
        ),
        (
            {"services": ["ssm", 5]},
            "services holds 5; each entry is the last part of an endpoint service name, such as "
            "'ssm' or 'monitoring' (for com.amazonaws.<region>.monitoring).",
        ),
        (
            {"services": ["ssm\n"]},
            "services holds 'ssm\\n'; each entry is the last part of an endpoint service name, "
            "such as 'ssm' or 'monitoring' (for com.amazonaws.<region>.monitoring).",
        ),
        (
            {"services": ["ssm"], "existing_services": ["ssm"]},
            "services and existing_services name 'ssm' twice. Keep one.",
        ),
        (
            {"subnet_ids": [SUBNET_A, "subnet-x"]},
            "subnet_ids holds 'subnet-x', which is not a valid ID.",
        ),
        (
            {"services": ["s3"], "route_table_ids": ["rtb-x"]},
            "route_table_ids holds 'rtb-x', which is not a valid ID.",
        ),
        (
            {"allowed_security_group_ids": ["sg-0123456789abcdef0", "default"]},
            "allowed_security_group_ids holds 'default'; give plain security group IDs (for "
            "example 'sg-0123456789abcdef0').",
        ),
        (
            {"allowed_cidr_blocks": [16]},
            "allowed_cidr_blocks holds 16, which is not an IPv4 range (for example "
            "'172.31.0.0/16').",
        ),
        (
            {"tags": {"team": "platform", "aws:team": "x"}},
            "tags key 'aws:team' uses the reserved 'aws:' prefix. Choose another key.",
        ),
    ],
    ids=[
        "unknown arguments",
        "services not a list",
        "existing_services a string",
        "existing_services not a list",
        "interface services without subnets",
        "gateway services without route tables",
        "groups not a list",
        "ranges not a list",
        "an address without a prefix length",
        "a range twice",
        "a full service name",
        "a full service name of the China regions",
        "a service that is not a name",
        "a service with a final newline",
        "a service named twice",
        "a bad subnet id",
        "a bad route table id",
        "a bad security group id",
        "a range given as a number",
        "a reserved tag key",
    ],
)
def test_bad_settings_are_refused_whole(changes, message):
    with pytest.raises(InputError) as raised:
        check_vpc_endpoints_args("net", _args(**changes))
    assert str(raised.value) == message


def test_existing_services_in_a_vpc_known_only_at_deploy_time_are_refused():
    def program():
        check_vpc_endpoints_args("net", _args(vpc_id=unknown_output(), existing_services=["sts"]))

    run = run_program(program, capture_error=True)
    assert str(run.raised(InputError)) == (
        "existing_services are looked up in vpc_id, which must then be a plain VPC ID, not a "
        "value known only at deploy time."
    )


def test_settings_that_are_not_a_mapping_are_refused():
    with pytest.raises(InputError) as raised:
        check_vpc_endpoints_args("net", ["ssm"])  # pyright: ignore[reportArgumentType]
    assert str(raised.value) == "VpcEndpoints 'net' got args=['ssm']; pass a dict of settings."


def test_good_settings_give_the_services_to_create():
    assert check_vpc_endpoints_args("net", _args(services=["ssm", "s3"])) == ["ssm", "s3"]


# --- what it registers, whole -------------------------------------------------------------------


def test_every_resource_is_registered_whole_under_the_component():
    mocks = AwsMocks()
    _made_elsewhere(
        mocks,
        "sts",
        vpcEndpointType="Interface",
        privateDnsEnabled=True,
        securityGroupIds=["sg-0sts1", "sg-0sts2"],
    )
    _made_elsewhere(
        mocks, "dynamodb", vpcEndpointType="Gateway", routeTableIds=[TABLE], prefixListId="pl-0ddb"
    )
    settings = _args(
        services=["ssm", "s3"],
        existing_services=["sts", "dynamodb"],
        allowed_security_group_ids=["sg-0123456789abcdef0"],
        allowed_cidr_blocks=["10.1.0.0/16"],
        tags={"team": "platform"},
    )
    run = run_program(lambda: VpcEndpoints("net", settings), mocks=mocks, project="p", stack="s")
    endpoints, clients = run.named("net-sg").id, run.named("net-clients").id
    https = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443}
    owner = {"ec2-instance-role:owner": "p/s/net"}
    assert {r.name: (r.type, r.inputs) for r in run.custom()} == {
        "net-sg": (
            GROUP,
            {
                "vpcId": OWN_VPC,
                "description": "HTTPS from the clients' security group to the VPC interface "
                "endpoints",
                "tags": {"Name": "net-endpoints", "team": "platform"},
            },
        ),
        "net-clients": (
            GROUP,
            {
                "vpcId": OWN_VPC,
                "description": "No inbound traffic; HTTPS out to this VPC's AWS service "
                "endpoints only",
                "tags": {"Name": "net-clients", "team": "platform"},
            },
        ),
        "net-https-from-clients": (
            INGRESS,
            {
                "securityGroupId": endpoints,
                "referencedSecurityGroupId": clients,
                **https,
                "description": "HTTPS from instances that use the endpoints",
            },
        ),
        "net-https-from-sg-0123456789abcdef0": (
            INGRESS,
            {
                "securityGroupId": endpoints,
                "referencedSecurityGroupId": "sg-0123456789abcdef0",
                **https,
                "description": "HTTPS from instances that use the endpoints",
            },
        ),
        "net-https-from-10.1.0.0-16": (
            INGRESS,
            {
                "securityGroupId": endpoints,
                "cidrIpv4": "10.1.0.0/16",
                **https,
                "description": "HTTPS from hosts of this range, which resolve to the endpoints",
            },
        ),
        "net-ssm": (
            ENDPOINT,
            {
                "vpcId": OWN_VPC,
                "serviceName": "com.amazonaws.eu-west-1.ssm",
                "vpcEndpointType": "Interface",
                "privateDnsEnabled": True,
                "subnetIds": [SUBNET_A],
                "securityGroupIds": [endpoints],
                "tags": {"Name": "net-ssm", "team": "platform", **owner},
            },
        ),
        "net-s3": (
            ENDPOINT,
            {
                "vpcId": OWN_VPC,
                "serviceName": "com.amazonaws.eu-west-1.s3",
                "vpcEndpointType": "Gateway",
                "routeTableIds": [TABLE],
                "tags": {"Name": "net-s3", "team": "platform", **owner},
            },
        ),
        "net-clients-https-to-endpoints": (
            EGRESS,
            {
                "securityGroupId": clients,
                "referencedSecurityGroupId": endpoints,
                **https,
                "description": "HTTPS to the VPC interface endpoints",
            },
        ),
        "net-clients-https-to-existing-sts-sg-0sts1": (
            EGRESS,
            {
                "securityGroupId": clients,
                "referencedSecurityGroupId": "sg-0sts1",
                **https,
                "description": "HTTPS to the existing sts endpoint vpce-0other",
            },
        ),
        "net-clients-https-to-existing-sts-sg-0sts2": (
            EGRESS,
            {
                "securityGroupId": clients,
                "referencedSecurityGroupId": "sg-0sts2",
                **https,
                "description": "HTTPS to the existing sts endpoint vpce-0other",
            },
        ),
        "net-clients-https-to-existing-dynamodb-prefix-list": (
            EGRESS,
            {
                "securityGroupId": clients,
                "prefixListId": "pl-0ddb",
                **https,
                "description": "HTTPS to the existing dynamodb endpoint vpce-0other",
            },
        ),
        "net-clients-https-to-s3": (
            EGRESS,
            {
                "securityGroupId": clients,
                "prefixListId": run.named("net-s3").state["prefixListId"],
                **https,
                "description": "HTTPS to s3 through its gateway endpoint",
            },
        ),
    }
    component = run.named("net").urn
    assert {r.parent for r in run.custom()} == {component}


def test_the_component_registers_its_outputs():
    mocks = AwsMocks()
    mocks.endpoint_services.discard("ec2messages")
    run = _build(_args(services=["ssm", "ec2messages", "s3"]), mocks)
    assert run.named("net").outputs == {
        "skipped_services": ["ec2messages"],
        "security_group_id": run.named("net-sg").id,
        "client_security_group_id": run.named("net-clients").id,
        "service_names": ["com.amazonaws.eu-west-1.s3", "com.amazonaws.eu-west-1.ssm"],
    }


def test_an_interface_service_name_with_a_dot_gets_a_resource_name_with_a_dash():
    mocks = AwsMocks()
    mocks.endpoint_services.add("ecr.api")
    run = _build(_args(services=["ecr.api"]), mocks)
    assert [r.name for r in run.of_type(ENDPOINT)] == ["net-ecr-api"]
    assert run.named("net-ecr-api").inputs["tags"]["Name"] == "net-ecr.api"


def test_only_gateway_services_need_no_egress_to_the_endpoints_group():
    run = _build(_args(services=["s3"]), AwsMocks())
    assert [r.name for r in run.of_type(EGRESS)] == ["net-clients-https-to-s3"]
