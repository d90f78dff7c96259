"""A subnet and VPC this stack does not manage, as AWS describes them when the program runs.

:func:`look_up_network` asks AWS (through the provider's data sources, during a preview too)
where a subnet's default route goes, which VPC it is in and whether that VPC resolves private
DNS names; :class:`ExistingNetwork` records the answer in the stack's state. It creates nothing in
AWS: the reachability rule of the policy pack and ``make review`` read the record, because they
see only resources and could not otherwise tell a subnet routed to an internet gateway from one
routed nowhere.

A subnet with no explicit route-table association uses its VPC's main route table (VPC user
guide, "Subnet route tables"); the lookup follows that rule, as the default VPC's subnets need
(the provider's ``aws.ec2.get_route_table`` by subnet does not: it fails for such a subnet).
Routes propagated from a virtual private gateway are not in what the provider reads, so a
default route learnt that way reads as none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from .._meta import PACKAGE_NAME
from ..validation import InputError

_SUBNET_ID_RE: Final = re.compile(r"^subnet-[0-9a-f]{8,17}$")
#: The destination that is the subnet's way out of the VPC.
DEFAULT_ROUTE: Final = "0.0.0.0/0"


@dataclass(frozen=True)
class NetworkFacts:
    """What AWS reported about a subnet, its route table and its VPC."""

    subnet_id: str
    vpc_id: str
    availability_zone: str
    default_for_az: bool
    """A default subnet (of the account's default VPC)."""
    vpc_cidr: str
    vpc_dns_support: bool
    vpc_dns_hostnames: bool
    route_table_id: str
    default_route: str | None
    """Where 0.0.0.0/0 goes: an ``igw-``, ``nat-``, ``tgw-``, ``eni-``... id, or ``None``."""
    vpc_endpoints: Mapping[str, str] = field(default_factory=dict)
    """Endpoints made elsewhere that this stack relies on: endpoint name -> endpoint id."""

    @property
    def routes_to_internet_gateway(self) -> bool:
        return (self.default_route or "").startswith("igw-")

    def as_outputs(self) -> dict[str, Any]:
        return {
            "subnet_id": self.subnet_id,
            "vpc_id": self.vpc_id,
            "availability_zone": self.availability_zone,
            "default_for_az": self.default_for_az,
            "vpc_cidr": self.vpc_cidr,
            "vpc_dns_support": self.vpc_dns_support,
            "vpc_dns_hostnames": self.vpc_dns_hostnames,
            "route_table_id": self.route_table_id,
            "default_route": self.default_route,
            "vpc_endpoints": dict(self.vpc_endpoints),
        }


def _default_route(routes: Any) -> str | None:
    for route in routes or []:
        if getattr(route, "cidr_block", "") != DEFAULT_ROUTE:
            continue
        for target in (
            "gateway_id",
            "nat_gateway_id",
            "transit_gateway_id",
            "network_interface_id",
            "vpc_endpoint_id",  # a Gateway Load Balancer endpoint
            "vpc_peering_connection_id",
            "instance_id",
            "egress_only_gateway_id",
            "local_gateway_id",
            "carrier_gateway_id",
            "core_network_arn",
        ):
            if value := getattr(route, target, None):
                return str(value)
    return None


def _default_subnet(opts: pulumi.InvokeOptions | None) -> str:
    ids = aws.ec2.get_subnets(
        filters=[aws.ec2.GetSubnetsFilterArgs(name="default-for-az", values=["true"])], opts=opts
    ).ids
    if not ids:
        raise InputError(
            "No subnet is configured and this region has no default VPC subnet (the default VPC "
            "may have been deleted). Set subnetId (subnet_id) to the subnet the instance should "
            "run in, or recreate the default VPC with `aws ec2 create-default-vpc`."
        )
    # The lowest ID: stable from one run to the next, as InstanceWithRole chooses it.
    return sorted(ids)[0]


def look_up_network(
    subnet_id: str | None = None, *, opts: pulumi.InvokeOptions | None = None
) -> NetworkFacts:
    """The facts of ``subnet_id`` (a plain ID), or of the default VPC's default subnet with the
    lowest ID when it is ``None``. Raises :class:`InputError` for a malformed ID or a region
    without a default subnet; a subnet AWS does not know fails the provider's lookup."""
    if subnet_id is not None and (
        not isinstance(subnet_id, str) or not _SUBNET_ID_RE.match(subnet_id)
    ):
        raise InputError(
            f"subnet_id {subnet_id!r} is not a valid ID (for example 'subnet-0123456789abcdef0')."
        )
    subnet_id = subnet_id or _default_subnet(opts)
    subnet = aws.ec2.get_subnet(id=subnet_id, opts=opts)
    vpc = aws.ec2.get_vpc(id=subnet.vpc_id, opts=opts)
    explicit = aws.ec2.get_route_tables(
        filters=[
            aws.ec2.GetRouteTablesFilterArgs(name="association.subnet-id", values=[subnet_id])
        ],
        opts=opts,
    ).ids
    table_id = explicit[0] if explicit else vpc.main_route_table_id
    table = aws.ec2.get_route_table(route_table_id=table_id, opts=opts)
    return NetworkFacts(
        subnet_id=subnet_id,
        vpc_id=subnet.vpc_id,
        availability_zone=subnet.availability_zone,
        default_for_az=bool(subnet.default_for_az),
        vpc_cidr=vpc.cidr_block,
        vpc_dns_support=bool(vpc.enable_dns_support),
        vpc_dns_hostnames=bool(vpc.enable_dns_hostnames),
        route_table_id=table_id,
        default_route=_default_route(table.routes),
    )


class ExistingNetwork(pulumi.ComponentResource):
    """The record of a subnet (and the endpoints in its VPC) that the stack uses but does not
    manage, as :func:`look_up_network` found it. Registers no AWS resource."""

    def __init__(
        self, name: str, facts: NetworkFacts, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if not isinstance(facts, NetworkFacts):
            raise InputError(
                f"ExistingNetwork {name!r} takes the NetworkFacts that look_up_network returns; "
                f"got {type(facts).__name__}."
            )
        super().__init__(f"{PACKAGE_NAME}:index:ExistingNetwork", name, None, opts)
        self.facts = facts
        """What AWS reported."""
        self.subnet_id: pulumi.Output[str] = pulumi.Output.from_input(facts.subnet_id)
        self.vpc_id: pulumi.Output[str] = pulumi.Output.from_input(facts.vpc_id)
        self.register_outputs(facts.as_outputs())
