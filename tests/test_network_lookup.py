"""The default subnet ``look_up_network`` picks for an instance type
(components/network/existing.py): only zones that offer the type, the lowest ID among them, the
provider it is given, and the refusal when no zone offers it."""

import hashlib
from types import SimpleNamespace

import pulumi
import pulumi_aws as aws
import pytest

from components.network import ExistingNetwork, look_up_network
from components.network.existing import look_up_network_output
from components.validation import InputError
from offline.mocks import (
    DEFAULT_VPC,
    NAT_GATEWAY,
    OWN_VPC,
    AwsMocks,
    AwsTarget,
    default_subnets,
    run_program,
)

OFFERINGS = "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings"
SUBNETS = "aws:ec2/getSubnets:getSubnets"
#: The mocks' default subnets by zone (``default_subnets`` lists them for zones c, a, b).
BY_ZONE = dict(zip("cab", default_subnets(AwsTarget()), strict=True))


def _calls(mocks, token):
    return [c for c in mocks.calls if c.token == token]


def test_the_default_subnet_for_a_type_is_the_lowest_id_in_a_zone_that_offers_it():
    mocks = AwsMocks()
    lowest_zone = min(BY_ZONE, key=BY_ZONE.__getitem__)
    mocks.zones_without = {f"eu-west-1{lowest_zone}"}
    offered = [subnet for zone, subnet in BY_ZONE.items() if zone != lowest_zone]
    facts = run_program(lambda: look_up_network(instance_type="t3.micro"), mocks=mocks).returned
    assert facts.subnet_id == min(offered)


def test_the_offerings_are_asked_for_the_type_by_zone():
    mocks = AwsMocks()
    run_program(lambda: look_up_network(instance_type="t3.micro"), mocks=mocks)
    (offerings,) = _calls(mocks, OFFERINGS)
    assert offerings.args == {
        "filters": [{"name": "instance-type", "values": ["t3.micro"]}],
        "locationType": "availability-zone",
    }


def test_the_subnets_are_asked_for_in_the_zones_that_offer_the_type():
    mocks = AwsMocks()
    mocks.zones_without = {"eu-west-1b"}
    run_program(lambda: look_up_network(instance_type="t3.micro"), mocks=mocks)
    (subnets,) = _calls(mocks, SUBNETS)
    assert subnets.args == {
        "filters": [
            {"name": "default-for-az", "values": ["true"]},
            {"name": "availability-zone", "values": ["eu-west-1a", "eu-west-1c"]},
        ]
    }


def test_without_a_type_every_default_subnet_counts_and_no_offering_is_asked():
    mocks = AwsMocks()
    facts = run_program(look_up_network, mocks=mocks).returned
    assert facts.subnet_id == min(BY_ZONE.values())
    assert not _calls(mocks, OFFERINGS)
    (subnets,) = _calls(mocks, SUBNETS)
    assert subnets.args == {"filters": [{"name": "default-for-az", "values": ["true"]}]}


def test_no_zone_offering_the_type_is_refused_naming_it_without_asking_for_subnets():
    mocks = AwsMocks()
    mocks.zones_without = {"eu-west-1a", "eu-west-1b", "eu-west-1c"}
    run = run_program(
        lambda: look_up_network(instance_type="t3.micro"), mocks=mocks, capture_error=True
    )
    assert str(run.raised(InputError)) == (
        "No default VPC subnet is in an Availability Zone that offers t3.micro (aws ec2 "
        "describe-instance-type-offerings --location-type availability-zone). Set subnetId "
        "(subnet_id) to a subnet in a zone that does, or choose another instance type."
    )
    assert not _calls(mocks, SUBNETS)


@pytest.mark.parametrize("token", [OFFERINGS, SUBNETS])
def test_the_default_subnet_lookups_ask_the_provider_given(token):
    mocks = AwsMocks()

    def program():
        provider = aws.Provider("elsewhere", region="eu-west-1")
        opts = pulumi.InvokeOptions(provider=provider)
        return look_up_network(instance_type="t3.micro", opts=opts).subnet_id

    run = run_program(program, mocks=mocks)
    (call,) = _calls(mocks, token)
    assert call.provider.startswith(run.named("elsewhere").urn + "::")


# --- a subnet known only at deploy time (look_up_network_output) --------------------------------

OWN_SUBNET = "subnet-0123456789abcdef0"


def _facts_of_output(subnet, mocks=None, opts=None):
    def program():
        return look_up_network_output(pulumi.Output.from_input(subnet), opts=opts)

    return run_program(program, mocks=mocks).returned


def test_a_subnet_with_a_route_table_of_its_own_is_described_by_that_table():
    facts = _facts_of_output(OWN_SUBNET)
    own_table = "rtb-0" + hashlib.sha256(OWN_SUBNET.encode()).hexdigest()[:16]
    assert (facts.subnet_id, facts.vpc_id, facts.route_table_id, facts.default_route) == (
        OWN_SUBNET,
        OWN_VPC,
        own_table,
        NAT_GATEWAY,
    )


def test_a_default_subnet_is_described_by_its_vpcs_main_route_table():
    subnet = min(BY_ZONE.values())
    facts = _facts_of_output(subnet)
    main_table = "rtb-0" + hashlib.sha256(f"main-{DEFAULT_VPC}".encode()).hexdigest()[:16]
    assert (facts.vpc_id, facts.route_table_id, facts.default_for_az) == (
        DEFAULT_VPC,
        main_table,
        True,
    )


def test_both_lookups_describe_a_subnet_alike():
    plain = run_program(lambda: look_up_network(OWN_SUBNET)).returned
    assert _facts_of_output(OWN_SUBNET) == plain


@pytest.mark.parametrize("known", [True, False], ids=["known", "at deployment"])
def test_every_lookup_of_a_subnet_asks_the_provider_given(known):
    mocks = AwsMocks()

    def program():
        provider = aws.Provider("elsewhere", region="eu-west-1")
        if known:
            return look_up_network(OWN_SUBNET, opts=pulumi.InvokeOptions(provider=provider))
        opts = pulumi.InvokeOutputOptions(provider=provider)
        return look_up_network_output(pulumi.Output.from_input(OWN_SUBNET), opts=opts)

    run = run_program(program, mocks=mocks)
    provider = run.named("elsewhere").urn
    assert sorted(c.token.rsplit(":", 1)[-1] for c in mocks.calls) == [
        "getRouteTable",
        "getRouteTables",
        "getSubnet",
        "getVpc",
    ]
    assert [c.token for c in mocks.calls if not c.provider.startswith(provider + "::")] == []


class _NoDefaultSubnets(AwsMocks):
    """A region whose zones offer every type but whose default VPC has no subnet left."""

    def _getSubnets(self, args: dict) -> dict:
        return {**super()._getSubnets(args), "ids": []}


def test_no_default_subnet_in_the_zones_offering_the_type_is_refused_naming_the_type():
    run = run_program(
        lambda: look_up_network(instance_type="t3.micro"),
        mocks=_NoDefaultSubnets(),
        capture_error=True,
    )
    assert str(run.raised(InputError)).startswith(
        "No default VPC subnet is in an Availability Zone that offers t3.micro "
    )


def test_no_default_subnet_at_all_is_refused_saying_how_to_recreate_the_default_vpc():
    run = run_program(look_up_network, mocks=_NoDefaultSubnets(), capture_error=True)
    assert str(run.raised(InputError)) == (
        "No subnet is configured and this region has no default VPC subnet (the default VPC "
        "may have been deleted). Set subnetId (subnet_id) to the subnet the instance should run "
        "in, or recreate the default VPC with `aws ec2 create-default-vpc`."
    )


def test_a_record_keeps_the_facts_known_as_the_program_ran():
    def program():
        facts = look_up_network(OWN_SUBNET)
        return ExistingNetwork("net", facts).facts == facts

    assert run_program(program).returned is True


def test_a_record_of_facts_known_only_at_deployment_keeps_none():
    def program():
        facts = look_up_network_output(pulumi.Output.from_input(OWN_SUBNET))
        return ExistingNetwork("net", facts).facts is None

    assert run_program(program).returned is True


def test_a_record_of_anything_else_is_refused_naming_what_it_takes():
    run = run_program(lambda: ExistingNetwork("net", {"subnet_id": OWN_SUBNET}), capture_error=True)  # type: ignore[arg-type]
    assert str(run.raised(InputError)) == (
        "ExistingNetwork 'net' takes the NetworkFacts that look_up_network (or "
        "look_up_network_output) returns; got dict."
    )
    assert run.registrations == []


@pytest.mark.parametrize(
    "target",
    [
        "gateway_id",
        "nat_gateway_id",
        "transit_gateway_id",
        "network_interface_id",
        "vpc_endpoint_id",
        "vpc_peering_connection_id",
        "instance_id",
        "egress_only_gateway_id",
        "local_gateway_id",
        "carrier_gateway_id",
        "core_network_arn",
        "odb_network_arn",
    ],
)
def test_the_default_route_is_recorded_by_its_target_of_any_kind_after_other_routes(target):
    from components.network.existing import _default_route

    local = SimpleNamespace(cidr_block="172.31.0.0/16", gateway_id="local")
    default = SimpleNamespace(cidr_block="0.0.0.0/0", **{target: "target-0123"})
    assert _default_route([local, default]) == "target-0123"


@pytest.mark.parametrize("known", [True, False], ids=["known", "at deployment"])
def test_a_record_gives_its_subnet_and_vpc_ids(known):
    def program():
        subnet = OWN_SUBNET if known else pulumi.Output.from_input(OWN_SUBNET)
        facts = look_up_network(OWN_SUBNET) if known else look_up_network_output(subnet)
        record = ExistingNetwork("net", facts)
        return [record.subnet_id, record.vpc_id]

    assert run_program(program).returned == [OWN_SUBNET, OWN_VPC]
