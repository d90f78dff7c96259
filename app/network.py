"""How the stack's instance reaches AWS: the network modes and the checks on what AWS reported
about the instance's subnet. Pure functions; the stack program (``__main__.py``) does the lookups.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from components.network import NetworkFacts
from components.validation import InputError

PUBLIC_EGRESS: Final = "public-egress"
VPC_ENDPOINTS: Final = "vpc-endpoints"
OWN_SUBNET: Final = "own-subnet"
NETWORK_MODES: Final = (PUBLIC_EGRESS, VPC_ENDPOINTS, OWN_SUBNET)


def check_network_mode(mode: str, *, subnet_id: str, existing_endpoints: list[str]) -> None:
    """The mode's own settings, before anything is looked up or registered."""
    if mode not in NETWORK_MODES:
        raise InputError(
            f"networkMode {mode!r} is not a network mode. Use {PUBLIC_EGRESS} (a public IP in "
            f"the default VPC), {VPC_ENDPOINTS} (no public IP; the stack creates the VPC "
            f"endpoints the role needs) or {OWN_SUBNET} (your subnetId, with a NAT route or "
            "endpoints of its own)."
        )
    if mode == OWN_SUBNET and not subnet_id:
        raise InputError(
            f"networkMode {OWN_SUBNET} needs subnetId: the subnet (with a NAT route or VPC "
            "endpoints) the instance runs in. Set it, or choose another networkMode."
        )
    if existing_endpoints and mode == PUBLIC_EGRESS:
        raise InputError(
            f"existingEndpointServices is set, but networkMode is {PUBLIC_EGRESS}, whose calls "
            f"leave through the internet gateway. Clear it, or set networkMode to "
            f"{VPC_ENDPOINTS} or {OWN_SUBNET}."
        )


def check_guarded_role_stays_home(*, guarded: bool, existing_instances: list[str]) -> None:
    """The credential guard denies the role's credentials outside the stack's VPC endpoints, so
    instances elsewhere that get the same profile could make no call at all."""
    if guarded and existing_instances:
        raise InputError(
            f"existingInstanceIds ({', '.join(existing_instances)}) would get this role, whose "
            "credentials restrictCredentialsToVpc denies unless they come through a VPC endpoint "
            "of the VPC they were delivered in, from the instance they were delivered to. This "
            "stack cannot see how those instances reach AWS (and its endpoints admit only its "
            "own instance's group). Set restrictCredentialsToVpc to false, or give them a role "
            "of their own."
        )


def check_network_path(mode: str, facts: NetworkFacts) -> None:
    """What the mode needs of the subnet and VPC that AWS described."""
    if mode == PUBLIC_EGRESS and not facts.routes_to_internet_gateway:
        where = f"to {facts.default_route}" if facts.default_route else "nowhere"
        raise InputError(
            f"networkMode {PUBLIC_EGRESS} gives the instance a public IP, but subnet "
            f"{facts.subnet_id} routes 0.0.0.0/0 {where} (route table {facts.route_table_id}), "
            "not to an internet gateway, so the address would reach nothing. Use a subnet "
            f"routed to an internet gateway, or networkMode {VPC_ENDPOINTS} or {OWN_SUBNET}."
        )
    if mode == VPC_ENDPOINTS and not (facts.vpc_dns_support and facts.vpc_dns_hostnames):
        raise InputError(
            f"networkMode {VPC_ENDPOINTS} needs private DNS for its endpoints, but VPC "
            f"{facts.vpc_id} has DNS support {facts.vpc_dns_support} and DNS hostnames "
            f"{facts.vpc_dns_hostnames}. Turn both on (aws ec2 modify-vpc-attribute --vpc-id "
            f"{facts.vpc_id} --enable-dns-hostnames '{{\"Value\":true}}', and the same with "
            "--enable-dns-support)."
        )


def check_one_vpc(placements: Sequence[NetworkFacts]) -> None:
    """A fleet's subnets share one VPC: its endpoints and security groups are per VPC."""
    vpcs = sorted({p.vpc_id for p in placements})
    if len(vpcs) > 1:
        raise InputError(
            f"fleetSubnetIds are in {len(vpcs)} VPCs ({', '.join(vpcs)}); a fleet's subnets "
            "must share one VPC (its security groups and endpoints belong to one). Keep the "
            "subnets of one VPC."
        )


def one_subnet_per_zone(placements: Sequence[NetworkFacts]) -> Iterator[str]:
    """The first subnet of each Availability Zone: an interface endpoint takes at most one."""
    seen: set[str] = set()
    for placement in placements:
        if placement.availability_zone not in seen:
            seen.add(placement.availability_zone)
            yield placement.subnet_id
