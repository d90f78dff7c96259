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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from .._meta import PACKAGE_NAME
from ..validation import InputError, is_resource_id

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
        if route.cidr_block != DEFAULT_ROUTE:
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
            "odb_network_arn",  # an Oracle Database@AWS network
        ):
            if value := getattr(route, target, None):
                return str(value)
    return None


def default_subnet_filters(zones: Sequence[str] | None) -> list[aws.ec2.GetSubnetsFilterArgs]:
    """The default VPC's default subnets, in ``zones`` when given (never empty: EC2 reads a
    filter without values as matching anything)."""
    filters = [aws.ec2.GetSubnetsFilterArgs(name="default-for-az", values=["true"])]
    if zones is not None:
        filters.append(aws.ec2.GetSubnetsFilterArgs(name="availability-zone", values=list(zones)))
    return filters


def first_default_subnet(ids: Sequence[str], instance_type: str | None) -> str:
    """The lowest ID (stable from one run to the next); raises :class:`InputError` for none."""
    if ids:
        return sorted(ids)[0]
    if instance_type is not None:
        raise InputError(
            f"No default VPC subnet is in an Availability Zone that offers {instance_type} "
            "(aws ec2 describe-instance-type-offerings --location-type availability-zone). Set "
            "subnetId (subnet_id) to a subnet in a zone that does, or choose another instance "
            "type."
        )
    raise InputError(
        "No subnet is configured and this region has no default VPC subnet (the default VPC "
        "may have been deleted). Set subnetId (subnet_id) to the subnet the instance should "
        "run in, or recreate the default VPC with `aws ec2 create-default-vpc`."
    )


def offering_filters(instance_type: str) -> list[aws.ec2.GetInstanceTypeOfferingsFilterArgs]:
    """The Availability Zones that offer ``instance_type``."""
    return [
        aws.ec2.GetInstanceTypeOfferingsFilterArgs(name="instance-type", values=[instance_type])
    ]


def _default_subnet(opts: pulumi.InvokeOptions | None, instance_type: str | None) -> str:
    # Not every zone offers every type (t3 is not offered in use1-az3 of us-east-1), and a
    # default subnet in such a zone would fail RunInstances at `up`, after the role exists.
    zones = (
        None
        if instance_type is None
        else aws.ec2.get_instance_type_offerings(
            filters=offering_filters(instance_type), location_type="availability-zone", opts=opts
        ).locations
    )
    # An empty value list would match any zone in EC2's filters, not none: no zone, no lookup.
    ids = (
        []
        if zones is not None and not zones
        else aws.ec2.get_subnets(filters=default_subnet_filters(zones), opts=opts).ids
    )
    return first_default_subnet(ids, instance_type)


def default_subnets(opts: pulumi.InvokeOptions | None, instance_type: str) -> list[str]:
    """The default VPC's default subnets (one per zone) in the zones that offer
    ``instance_type``, by ID; raises :class:`InputError` for none."""
    zones = aws.ec2.get_instance_type_offerings(
        filters=offering_filters(instance_type), location_type="availability-zone", opts=opts
    ).locations
    ids = aws.ec2.get_subnets(filters=default_subnet_filters(zones), opts=opts).ids if zones else []
    first_default_subnet(ids, instance_type)  # raises for none
    return sorted(ids)


def look_up_network(
    subnet_id: str | None = None,
    *,
    instance_type: str | None = None,
    opts: pulumi.InvokeOptions | None = None,
) -> NetworkFacts:
    """The facts of ``subnet_id`` (a plain ID); when it is ``None``, of the default VPC's default
    subnet with the lowest ID, among those in a zone that offers ``instance_type`` when that is
    given. Raises :class:`InputError` for a malformed ID or no such default subnet; a subnet AWS
    does not know fails the provider's lookup."""
    if subnet_id is not None and not is_resource_id(subnet_id, "subnet"):
        raise InputError(
            f"subnet_id {subnet_id!r} is not a valid ID (for example 'subnet-0123456789abcdef0')."
        )
    subnet_id = subnet_id or _default_subnet(opts, instance_type)
    subnet = aws.ec2.get_subnet(id=subnet_id, opts=opts)
    vpc = aws.ec2.get_vpc(id=subnet.vpc_id, opts=opts)
    explicit = aws.ec2.get_route_tables(filters=_association(subnet_id), opts=opts).ids
    table_id = explicit[0] if explicit else vpc.main_route_table_id
    table = aws.ec2.get_route_table(route_table_id=table_id, opts=opts)
    return _facts(subnet_id, subnet, vpc, table_id, table)


def look_up_network_output(
    subnet_id: pulumi.Input[str], *, opts: pulumi.InvokeOutputOptions | None = None
) -> pulumi.Output[NetworkFacts]:
    """:func:`look_up_network` for a subnet ID that may be known only at deploy time (an
    Output), through the data sources' Output forms: no invoke blocks the program."""

    def of(subnet: str) -> pulumi.Output[NetworkFacts]:
        found = aws.ec2.get_subnet_output(id=subnet, opts=opts)
        vpc = found.vpc_id.apply(lambda v: aws.ec2.get_vpc_output(id=v, opts=opts))
        explicit = aws.ec2.get_route_tables_output(filters=_association(subnet), opts=opts).ids
        table_id = pulumi.Output.all(explicit, vpc.main_route_table_id).apply(
            lambda values: str(values[0][0] if values[0] else values[1])
        )
        table = table_id.apply(
            lambda t: aws.ec2.get_route_table_output(route_table_id=t, opts=opts)
        )
        return pulumi.Output.all(found, vpc, table_id, table).apply(
            lambda values: _facts(subnet, *values)
        )

    return pulumi.Output.from_input(subnet_id).apply(of)


def _association(subnet_id: str) -> list[aws.ec2.GetRouteTablesFilterArgs]:
    return [aws.ec2.GetRouteTablesFilterArgs(name="association.subnet-id", values=[subnet_id])]


def _facts(subnet_id: str, subnet: Any, vpc: Any, table_id: str, table: Any) -> NetworkFacts:
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
        self,
        name: str,
        facts: NetworkFacts | pulumi.Output[NetworkFacts],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if not isinstance(facts, (NetworkFacts, pulumi.Output)):
            raise InputError(
                f"ExistingNetwork {name!r} takes the NetworkFacts that look_up_network (or "
                f"look_up_network_output) returns; got {type(facts).__name__}."
            )
        super().__init__(f"{PACKAGE_NAME}:index:ExistingNetwork", name, None, opts)
        resolved = pulumi.Output.from_input(facts)
        self.facts = facts if isinstance(facts, NetworkFacts) else None
        """What AWS reported, when it was known as the program ran (``look_up_network``)."""
        self.subnet_id: pulumi.Output[str] = resolved.apply(lambda f: f.subnet_id)
        self.vpc_id: pulumi.Output[str] = resolved.apply(lambda f: f.vpc_id)
        if isinstance(facts, NetworkFacts):
            self.register_outputs(facts.as_outputs())
        else:
            self.register_outputs(
                {key: resolved.apply(lambda f, k=key: f.as_outputs()[k]) for key in _OUTPUTS}
            )


_OUTPUTS: Final = tuple(f.name for f in fields(NetworkFacts))
