"""VpcEndpoints and the record of an existing network (components/network) under mocks."""

import hashlib

import pytest

from components.network import ExistingNetwork, VpcEndpoints, look_up_network
from components.validation import InputError
from offline.mocks import (
    DEFAULT_VPC,
    NAT_GATEWAY,
    OWN_VPC,
    AwsMocks,
    AwsTarget,
    ProviderError,
    default_subnets,
    run_program,
)

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
VPC = OWN_VPC  # the mocks' VPC of every subnet that is not a default one
SUBNET = "subnet-0123456789abcdef0"
TABLE = "rtb-0123456789abcdef0"


def args(**changes):
    return {
        "vpc_id": VPC,
        "services": ["ssm", "s3"],
        "subnet_ids": [SUBNET],
        "route_table_ids": [TABLE],
        **changes,
    }


def build(settings=None, *, mocks=None, **kwargs):
    def program():
        endpoints = VpcEndpoints("net", settings if settings is not None else args())
        return {
            "client": endpoints.client_security_group_id,
            "names": endpoints.service_names,
            "skipped": endpoints.skipped_services,
        }

    return run_program(program, mocks=mocks, **kwargs)


def test_interface_endpoint_has_private_dns_in_the_given_subnets():
    run = build()
    endpoint = run.named("net-ssm").inputs
    assert endpoint["vpcEndpointType"] == "Interface"
    assert endpoint["privateDnsEnabled"] is True
    assert endpoint["subnetIds"] == [SUBNET]
    assert endpoint["serviceName"] == "com.amazonaws.eu-west-1.ssm"
    assert endpoint["securityGroupIds"] == [run.named("net-sg").id]


def test_s3_gets_a_gateway_endpoint_on_the_route_tables():
    endpoint = build().named("net-s3").inputs
    assert endpoint["vpcEndpointType"] == "Gateway"
    assert endpoint["routeTableIds"] == [TABLE]
    assert "subnetIds" not in endpoint
    assert "privateDnsEnabled" not in endpoint


def test_endpoint_group_admits_https_only_from_the_clients_group():
    run = build()
    (rule,) = run.of_type(INGRESS)
    assert rule.inputs["securityGroupId"] == run.named("net-sg").id
    assert rule.inputs["referencedSecurityGroupId"] == run.named("net-clients").id
    assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == (
        "tcp",
        443,
        443,
    )
    assert "cidrIpv4" not in rule.inputs


def test_clients_group_sends_https_only_to_the_endpoints_and_the_s3_prefix_list():
    run = build()
    rules = {r.name: r.inputs for r in run.of_type(EGRESS)}
    assert rules["net-clients-https-to-endpoints"]["referencedSecurityGroupId"] == (
        run.named("net-sg").id
    )
    assert (
        rules["net-clients-https-to-s3"]["prefixListId"]
        == (run.named("net-s3").state["prefixListId"])
    )
    assert not any("cidrIpv4" in r for r in rules.values())


def test_groups_admit_no_inline_rules():
    for group in build().of_type(GROUP):
        assert not group.inputs.get("ingress"), group.name
        assert not group.inputs.get("egress"), group.name


def test_other_allowed_groups_get_their_own_ingress_rule():
    run = build(args(allowed_security_group_ids=["sg-0123456789abcdef0"]))
    rule = run.named("net-https-from-sg-0123456789abcdef0").inputs
    assert rule["referencedSecurityGroupId"] == "sg-0123456789abcdef0"


def test_clients_group_id_waits_for_every_endpoint():
    def program():
        endpoints = VpcEndpoints("net", args())
        import pulumi_aws as aws

        aws.ec2.Instance(
            "uses",
            ami="ami-0123456789abcdef0",
            instance_type="t3.micro",
            vpc_security_group_ids=[endpoints.client_security_group_id],
        )

    run = run_program(program)
    waits = set(run.named("uses").property_dependencies["vpcSecurityGroupIds"])
    assert {run.named("net-ssm").urn, run.named("net-s3").urn} <= waits


def test_service_names_are_exported_sorted():
    assert build().returned["names"] == [
        "com.amazonaws.eu-west-1.s3",
        "com.amazonaws.eu-west-1.ssm",
    ]


def test_service_the_region_does_not_offer_fails_before_anything_is_registered():
    mocks = AwsMocks()
    mocks.endpoint_services.discard("sqs")
    run = build(args(services=["ssm", "sqs"]), mocks=mocks, capture_error=True)
    assert str(run.raised(InputError)) == (
        "AWS offers no Interface VPC endpoint for service 'sqs' in this region (invoke of "
        "aws:ec2/getVpcEndpointService:getVpcEndpointService failed: no matching EC2 VPC Endpoint "
        "Service found ()). Without an endpoint the instance can reach it only over the "
        "internet: give it a public IP in a subnet routed to an internet gateway (networkMode "
        "public-egress), or a subnet routed to a NAT gateway (networkMode own-subnet); or drop "
        "the permission that needs the service."
    )
    assert not run.registrations


def test_ec2messages_is_left_out_where_the_region_does_not_offer_it():
    mocks = AwsMocks()
    mocks.endpoint_services.discard("ec2messages")
    run = build(args(services=["ssm", "ssmmessages", "ec2messages"]), mocks=mocks)
    assert run.returned["skipped"] == ["ec2messages"]
    assert sorted(r.name for r in run.of_type(ENDPOINT)) == ["net-ssm", "net-ssmmessages"]


def test_subnet_in_a_zone_the_service_lacks_is_refused(monkeypatch):
    mocks = AwsMocks(AwsTarget(region="us-east-1"))
    answer = mocks._getVpcEndpointService

    def only_zone_b(request):
        return {**answer(request), "availabilityZones": ["us-east-1b"]}

    monkeypatch.setattr(mocks, "_getVpcEndpointService", only_zone_b)
    run = build(args(services=["ssm"]), mocks=mocks, capture_error=True)
    assert str(run.raised(InputError)) == (
        "The 'ssm' endpoint service is not offered in us-east-1a (it is in us-east-1b). Put the "
        "instance in a subnet of one of those zones."
    )
    assert not run.registrations


def test_two_subnets_in_one_zone_are_refused():
    # The mocks put every subnet that is not a default one in zone a.
    subnets = [SUBNET, "subnet-0fedcba9876543210"]
    run = build(args(services=["ssm"], subnet_ids=subnets), capture_error=True)
    assert str(run.raised(InputError)) == (
        f"subnet_ids {SUBNET} and subnet-0fedcba9876543210 are both in eu-west-1a; an interface "
        "endpoint takes at most one subnet per Availability Zone. Keep one of them."
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"services": []}, "got no services and no existing_services"),
        ({"services": "ssm"}, "needs services: a list of endpoint names"),
        ({"services": ["ssm", "ssm"]}, "name 'ssm' twice"),
        ({"services": ["com.amazonaws.eu-west-1.ssm"]}, "give only its last part ('ssm')"),
        ({"services": ["SSM"]}, "services holds 'SSM'"),
        ({"vpc_id": "vpc-nope"}, "vpc_id 'vpc-nope' is not a valid ID"),
        ({"subnet_ids": []}, "need interface endpoints, which live in subnets"),
        ({"route_table_ids": []}, "get gateway endpoints, which work through route tables"),
        ({"subnet_ids": ["subnet-x"]}, "subnet_ids holds 'subnet-x'"),
        ({"allowed_security_group_ids": ["default"]}, "allowed_security_group_ids holds"),
        ({"endpoint_policy": "{}"}, "unknown argument"),
    ],
)
def test_bad_settings_are_refused_before_anything_is_registered(changes, message):
    run = build(args(**changes), capture_error=True)
    assert message in str(run.raised(InputError))
    assert not run.registrations


def test_missing_vpc_is_refused():
    settings = args()
    del settings["vpc_id"]
    run = build(settings, capture_error=True)
    assert str(run.raised(InputError)) == (
        "VpcEndpoints 'net' needs vpc_id: the VPC the endpoints serve."
    )


def existing_ssm(mocks, **changes):
    name = "com.amazonaws.eu-west-1.ssm"
    mocks.existing_endpoints[name] = {
        "id": "vpce-0existing",
        "vpcId": VPC,
        "serviceName": name,
        "privateDnsEnabled": True,
        "securityGroupIds": ["sg-0aaaabbbbccccdddd"],
        "routeTableIds": [],
        "prefixListId": "",
        **changes,
    }


def test_existing_endpoint_is_used_not_created():
    mocks = AwsMocks()
    existing_ssm(mocks)
    run = build(args(services=["s3"], existing_services=["ssm"]), mocks=mocks)
    assert sorted(r.name for r in run.of_type(ENDPOINT)) == ["net-s3"]
    rule = run.named("net-clients-https-to-existing-ssm-sg-0aaaabbbbccccdddd").inputs
    assert rule["referencedSecurityGroupId"] == "sg-0aaaabbbbccccdddd"


def test_missing_existing_endpoint_is_refused_with_the_fix():
    run = build(args(services=["s3"], existing_services=["ssm"]), capture_error=True)
    assert str(run.raised(InputError)) == (
        f"existing_services names 'ssm', but {VPC} has no available Interface endpoint for "
        "com.amazonaws.eu-west-1.ssm. Remove it from existing_services to create one here."
    )
    assert not run.registrations


def test_existing_endpoint_without_private_dns_is_refused():
    mocks = AwsMocks()
    existing_ssm(mocks, privateDnsEnabled=False)
    run = build(args(services=["s3"], existing_services=["ssm"]), mocks=mocks, capture_error=True)
    assert str(run.raised(InputError)) == (
        "The existing 'ssm' endpoint vpce-0existing has private DNS off, so the AWS SDKs on the "
        "instance would not use it. Turn it on (aws ec2 modify-vpc-endpoint --vpc-endpoint-id "
        "vpce-0existing --private-dns-enabled) or create one here."
    )


# --- the record of a network the stack does not manage ----------------------------------------


def test_default_subnet_uses_its_vpcs_main_route_table_and_its_internet_gateway():
    facts = run_program(look_up_network).returned
    assert facts.subnet_id == min(default_subnets(AwsTarget()))
    assert facts.vpc_id == DEFAULT_VPC
    assert facts.default_for_az is True
    assert facts.route_table_id.startswith("rtb-")
    assert facts.routes_to_internet_gateway


def test_subnet_with_its_own_route_table_reports_that_tables_default_route():
    # The mocks give the subnet's own table a NAT route and its VPC's main table none, so only
    # the explicit association gives this answer.
    mocks = AwsMocks()
    facts = run_program(lambda: look_up_network(SUBNET), mocks=mocks).returned
    (association,) = [c for c in mocks.calls if c.token == "aws:ec2/getRouteTables:getRouteTables"]
    assert association.args["filters"] == [{"name": "association.subnet-id", "values": [SUBNET]}]
    assert facts.route_table_id == "rtb-0" + hashlib.sha256(SUBNET.encode()).hexdigest()[:16]
    assert facts.default_route == NAT_GATEWAY
    assert not facts.default_for_az


def test_subnet_without_its_own_route_table_uses_its_vpcs_main_one(monkeypatch):
    mocks = AwsMocks()
    monkeypatch.setattr(mocks, "_getRouteTables", lambda request: {"id": "x", "ids": []})
    facts = run_program(lambda: look_up_network(SUBNET), mocks=mocks).returned
    assert facts.route_table_id == mocks._getVpc({"id": OWN_VPC})["mainRouteTableId"]
    assert facts.default_route is None


def test_subnet_of_another_vpc_is_refused():
    subnet = min(default_subnets(AwsTarget()))
    run = build(args(subnet_ids=[subnet]), capture_error=True)
    assert str(run.raised(InputError)) == (
        f"subnet_ids holds {subnet}, which is in {DEFAULT_VPC}, not in vpc_id {VPC}; an "
        f"endpoint's subnets are in its VPC. Give subnets of {VPC}."
    )
    assert not run.registrations


def test_region_without_a_default_subnet_is_refused_with_the_fix(monkeypatch):
    mocks = AwsMocks()
    monkeypatch.setattr(mocks, "_getSubnets", lambda request: {"id": "x", "ids": []})
    run = run_program(look_up_network, mocks=mocks, capture_error=True)
    assert str(run.raised(InputError)) == (
        "No subnet is configured and this region has no default VPC subnet (the default VPC may "
        "have been deleted). Set subnetId (subnet_id) to the subnet the instance should run in, "
        "or recreate the default VPC with `aws ec2 create-default-vpc`."
    )


def test_malformed_subnet_id_is_refused_before_any_lookup():
    run = run_program(lambda: look_up_network("subnet-x"), capture_error=True)
    assert str(run.raised(InputError)) == (
        "subnet_id 'subnet-x' is not a valid ID (for example 'subnet-0123456789abcdef0')."
    )
    assert not [c for c in run.mocks.calls if c.token.startswith("aws:ec2")]


def test_record_registers_the_facts_as_outputs_and_no_aws_resource():
    run = run_program(lambda: ExistingNetwork("net", look_up_network()))
    (record,) = run.registrations
    assert not record.custom
    assert record.outputs["default_route"].startswith("igw-")
    assert record.outputs["subnet_id"] == min(default_subnets(AwsTarget()))


# --- endpoints made elsewhere that would clash, errors that are not answers -------------------


def test_existing_private_dns_endpoint_for_a_service_to_create_is_refused_with_the_fix():
    mocks = AwsMocks()
    existing_ssm(mocks, vpcEndpointType="Interface")
    run = build(args(services=["ssm"]), mocks=mocks, capture_error=True)
    assert str(run.raised(InputError)) == (
        f"{VPC} already has vpce-0existing with private DNS for com.amazonaws.eu-west-1.ssm, so "
        "AWS would refuse another. Use it: list 'ssm' in existing_services (the stack setting "
        "existingEndpointServices)."
    )
    assert not run.registrations


def test_own_endpoint_under_an_earlier_name_gets_the_retag_command():
    mocks = AwsMocks()
    existing_ssm(
        mocks,
        vpcEndpointType="Interface",
        tags={"ec2-instance-role:owner": "ec2-instance-role/old-stack/net"},
    )
    run = build(args(services=["ssm"]), mocks=mocks, capture_error=True)
    message = str(run.raised(InputError))
    assert "made by the VpcEndpoints 'ec2-instance-role/old-stack/net'" in message
    assert (
        "aws ec2 create-tags --resources vpce-0existing --tags "
        "Key=ec2-instance-role:owner,Value=ec2-instance-role/test/net" in message
    )


def test_own_endpoint_from_an_earlier_run_is_no_clash():
    mocks = AwsMocks()
    existing_ssm(
        mocks,
        vpcEndpointType="Interface",
        tags={"ec2-instance-role:owner": "ec2-instance-role/test/net"},
    )
    assert build(args(services=["ssm"]), mocks=mocks).named("net-ssm")


def test_existing_endpoint_without_private_dns_does_not_clash():
    mocks = AwsMocks()
    existing_ssm(mocks, vpcEndpointType="Interface", privateDnsEnabled=False)
    assert build(args(services=["ssm"]), mocks=mocks).named("net-ssm")


def existing_s3(mocks, tables):
    name = "com.amazonaws.eu-west-1.s3"
    mocks.existing_endpoints[name] = {
        "id": "vpce-0s3",
        "vpcId": VPC,
        "serviceName": name,
        "vpcEndpointType": "Gateway",
        "privateDnsEnabled": False,
        "securityGroupIds": [],
        "routeTableIds": tables,
        "prefixListId": "pl-0123abcd",
    }


def test_existing_gateway_endpoint_on_the_same_route_table_is_refused():
    mocks = AwsMocks()
    existing_s3(mocks, [TABLE])
    run = build(args(services=["s3"]), mocks=mocks, capture_error=True)
    assert f"on route table(s) {TABLE}" in str(run.raised(InputError))


def test_existing_gateway_endpoint_on_another_route_table_does_not_clash():
    mocks = AwsMocks()
    existing_s3(mocks, ["rtb-0aaaaaaaaaaaaaaaa"])
    assert build(args(services=["s3"]), mocks=mocks).named("net-s3")


def test_several_existing_endpoints_for_a_shared_service_are_refused(monkeypatch):
    mocks = AwsMocks()
    monkeypatch.setattr(
        mocks,
        "_getVpcEndpoint",
        lambda request: (_ for _ in ()).throw(ProviderError("multiple EC2 VPC Endpoints matched")),
    )
    run = build(args(services=[], existing_services=["ssm"]), mocks=mocks, capture_error=True)
    assert "several available Interface endpoints" in str(run.raised(InputError))


def test_a_failed_lookup_that_is_not_a_no_is_not_turned_into_one(monkeypatch):
    mocks = AwsMocks()

    def throttled(request):
        raise ProviderError("Throttling: Rate exceeded")

    monkeypatch.setattr(mocks, "_getVpcEndpointService", throttled)
    run = build(args(services=["ssm", "ec2messages"]), mocks=mocks, capture_error=True)
    assert "Rate exceeded" in str(run.error)
    with pytest.raises(AssertionError, match="did not raise InputError"):
        run.raised(InputError)


def test_hosts_of_allowed_ranges_get_their_own_ingress_rule():
    rule = build(args(allowed_cidr_blocks=["172.31.0.0/16"])).named("net-https-from-172.31.0.0-16")
    assert rule.inputs["cidrIpv4"] == "172.31.0.0/16"
    assert "referencedSecurityGroupId" not in rule.inputs


@pytest.mark.parametrize("cidr", ["everyone", "10.0.0.1"])
def test_an_allowed_range_that_is_not_an_ipv4_range_is_refused(cidr):
    run = build(args(allowed_cidr_blocks=[cidr]), capture_error=True)
    assert f"allowed_cidr_blocks holds {cidr!r}" in str(run.raised(InputError))
    assert not run.registrations


def test_an_allowed_range_given_twice_is_refused():
    run = build(args(allowed_cidr_blocks=["10.0.0.0/16", "10.0.0.0/16"]), capture_error=True)
    assert "names a range twice" in str(run.raised(InputError))


def test_lookups_ask_the_aws_provider_among_providers():
    import pulumi
    import pulumi_aws as aws

    def program():
        east = aws.Provider("east", region="us-east-1")
        VpcEndpoints("net", args(services=["ssm"]), pulumi.ResourceOptions(providers=[east]))

    mocks = AwsMocks()
    run_program(program, mocks=mocks)
    lookups = [c for c in mocks.calls if c.token.startswith("aws:ec2/getVpcEndpoint")]
    assert lookups
    assert all(c.provider and "east" in c.provider for c in lookups), [c.provider for c in lookups]


def test_default_route_through_a_firewall_endpoint_is_recorded_as_that_endpoint(monkeypatch):
    mocks = AwsMocks()
    answer = mocks._getRouteTable

    def through_firewall(request):
        return {
            **answer(request),
            "routes": [{"cidrBlock": "0.0.0.0/0", "vpcEndpointId": "vpce-0fw"}],
        }

    monkeypatch.setattr(mocks, "_getRouteTable", through_firewall)
    assert run_program(lambda: look_up_network(SUBNET), mocks=mocks).returned.default_route == (
        "vpce-0fw"
    )


def test_the_component_takes_its_options_from_the_caller():
    import pulumi

    def program():
        parent = pulumi.ComponentResource("test:index:Network", "shared")
        VpcEndpoints("net", args(), pulumi.ResourceOptions(parent=parent))
        return {}

    run = run_program(program)
    component = run.one("ec2-instance-role:index:VpcEndpoints")
    assert component.parent == run.one("test:index:Network").urn
    assert component.name == "net"
