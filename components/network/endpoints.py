"""VpcEndpoints: the VPC endpoints that let instances without internet access reach AWS APIs.

One interface endpoint (AWS PrivateLink, private DNS on) per service in the given subnets, and
a gateway endpoint on the given route tables for S3 and DynamoDB. With private DNS the usual
regional names (``ssm.<region>.amazonaws.com``) resolve to the endpoints inside the VPC, so the
AWS SDKs, the SSM Agent and the AWS CLI need no configuration.

Two security groups come with them: the endpoints' group admits HTTPS only from the clients'
group (and from any other group named in ``allowed_security_group_ids``); the clients' group,
for the instances, admits nothing and allows HTTPS out only to the endpoints (and to S3 or
DynamoDB through their gateway's prefix list).

Every lookup happens before anything is registered, so a service the region does not offer
fails the preview with nothing created.
"""

# No `from __future__ import annotations`: the Args TypedDict's annotations stay types at runtime.
import hashlib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypedDict

import pulumi
import pulumi_aws as aws

from .._inputs import known_or_none
from .._meta import PACKAGE_NAME
from ..validation import InputError, check_tags, is_resource_id
from .services import OPTIONAL_ENDPOINTS, endpoint_type

HTTPS: Final = 443
_ENDPOINT_NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9.-]*\Z")

NO_ENDPOINT_FIX: Final = (
    "Without an endpoint the instance can reach it only over the internet: give it a public IP "
    "in a subnet routed to an internet gateway (networkMode public-egress), or a subnet routed "
    "to a NAT gateway (networkMode own-subnet); or drop the permission that needs the service."
)


class VpcEndpointsArgs(TypedDict, total=False):
    """Settings of :class:`VpcEndpoints`. `vpc_id` and `services` are required."""

    vpc_id: pulumi.Input[str]
    """Required. The VPC the endpoints serve."""

    services: Sequence[str]
    """Required. Endpoint names, as in `com.amazonaws.<region>.<name>` (for example `ssm`,
    `monitoring`, `s3`): `needed_endpoints_for_role` derives them from a role's settings. S3
    and DynamoDB get gateway endpoints, every other service an interface endpoint. `ec2messages`
    is left out where the region does not offer it (see `skipped_services`)."""

    subnet_ids: Sequence[pulumi.Input[str]]
    """Optional. Defaults to none; needed when a service gets an interface endpoint. The
    subnets (at most one per Availability Zone) that hold the endpoints' network interfaces;
    each interface endpoint costs per hour and per subnet."""

    route_table_ids: Sequence[pulumi.Input[str]]
    """Optional. Defaults to none; needed when S3 or DynamoDB is among the services. The route
    tables of the instances' subnets, which get a route to the gateway endpoint."""

    existing_services: Sequence[str]
    """Optional. Defaults to none. Endpoint names whose endpoints already exist in the VPC (made
    by another stack, shared by several): each is looked up (it must be available, with private
    DNS on, or for a gateway cover `route_table_ids`), not created, and the clients' group may
    reach it. Its security groups must admit the clients' group; that is the owner's to set."""

    allowed_cidr_blocks: Sequence[str]
    """Optional. Defaults to none. IPv4 ranges (for example the VPC's CIDR) whose hosts may reach
    the interface endpoints over HTTPS. With private DNS the services' names resolve to the
    endpoints for every host of the VPC, so in a VPC shared with other workloads, admit the VPC's
    range here or those workloads lose these services."""

    allowed_security_group_ids: Sequence[str]
    """Optional. Defaults to none. Security groups, besides the clients' group this component
    makes, whose members may reach the interface endpoints over HTTPS."""

    tags: Mapping[str, pulumi.Input[str]]
    """Optional. Defaults to none. Tags of the endpoints and security groups."""


@dataclass(frozen=True)
class ExistingEndpoint:
    """An endpoint made elsewhere, as the VPC has it."""

    endpoint: str
    id: str
    service_type: str
    security_group_ids: tuple[str, ...]
    prefix_list_id: str | None


@dataclass(frozen=True)
class EndpointService:
    """A VPC endpoint service as the region offers it."""

    endpoint: str
    service_name: str
    service_type: str
    availability_zones: tuple[str, ...]


def look_up_endpoint_service(
    endpoint: str, *, opts: pulumi.InvokeOptions | None = None
) -> EndpointService:
    """The region's endpoint service for ``endpoint`` (``aws.ec2.get_vpc_endpoint_service``).
    Raises :class:`InputError` naming the service and the alternatives when the region has none.

    The provider builds the name as ``com.amazonaws.<region>.<endpoint>`` whatever the
    partition (terraform-provider-aws ``vpc_endpoint_service_data_source.go``); services named
    otherwise, as some are in the China regions, are not found this way and fail here, at
    preview, with this message."""
    service_type = endpoint_type(endpoint)
    try:
        found = aws.ec2.get_vpc_endpoint_service(
            service=endpoint, service_type=service_type, opts=opts
        )
    except Exception as error:
        if not _not_found(error):
            raise  # credentials, throttling: not an answer about the service
        raise InputError(
            f"AWS offers no {service_type} VPC endpoint for service {endpoint!r} in this "
            f"region ({error}). {NO_ENDPOINT_FIX}"
        ) from error
    return EndpointService(
        endpoint=endpoint,
        service_name=found.service_name,
        service_type=service_type,
        availability_zones=tuple(found.availability_zones or ()),
    )


#: How the provider's singular data sources say that nothing matched: "no matching EC2 VPC
#: Endpoint Service found", "no matching EC2 VPC Endpoint found", and for a service name AWS
#: refuses (InvalidServiceName) "couldn't find resource" (terraform-provider-aws
#: vpc_endpoint_service_data_source.go, tfresource.SingularDataSourceFindError).
_NOT_FOUND: Final = ("no matching", "couldn't find resource", "InvalidServiceName")
_SEVERAL: Final = "multiple EC2 VPC Endpoints matched"


def _not_found(error: Exception) -> bool:
    return any(marker in str(error) for marker in _NOT_FOUND)


def invoke_options(opts: pulumi.ResourceOptions | None) -> pulumi.InvokeOptions:
    """The invoke options that ask the provider a component's children will use: its explicit
    ``provider``, or the ``aws`` one among ``providers``, else the parent's (and so the
    default) provider."""
    if opts is None:
        return pulumi.InvokeOptions()
    provider = opts.provider
    providers = opts.providers
    if provider is None and providers:
        candidates = providers.values() if isinstance(providers, Mapping) else providers
        provider = next(
            (
                p
                for p in candidates
                if isinstance(p, pulumi.ProviderResource) and p.package == "aws"
            ),
            None,
        )
    return pulumi.InvokeOptions(parent=opts.parent, provider=provider)


def _check_ids(values: object, *, input_name: str, prefix: str) -> None:
    if values is None:
        return
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InputError(f"{input_name} must be a list of IDs; got {values!r}.")
    for known in _known(values):
        if not is_resource_id(known, prefix):
            raise InputError(f"{input_name} holds {known!r}, which is not a valid ID.")


def _known(values: Sequence[Any] | None) -> list[Any]:
    """The values of ``values`` known now; those known only at deploy time left out."""
    return [known for value in values or [] if (known := known_or_none(value)) is not None]


def check_vpc_endpoints_args(name: str, args: VpcEndpointsArgs) -> list[str]:
    """The endpoint names of ``args``, checked; raises :class:`InputError`. Registers
    nothing and asks AWS nothing."""
    if not isinstance(args, Mapping):
        raise InputError(f"VpcEndpoints {name!r} got args={args!r}; pass a dict of settings.")
    unknown = sorted(set(args) - set(VpcEndpointsArgs.__annotations__))
    if unknown:
        raise InputError(
            f"VpcEndpoints {name!r} got unknown argument(s) {', '.join(unknown)}. Known: "
            f"{', '.join(VpcEndpointsArgs.__annotations__)}."
        )
    if "vpc_id" not in args:
        raise InputError(f"VpcEndpoints {name!r} needs vpc_id: the VPC the endpoints serve.")
    vpc = known_or_none(args["vpc_id"])
    if vpc is not None and not is_resource_id(vpc, "vpc"):
        raise InputError(f"vpc_id {vpc!r} is not a valid ID (for example 'vpc-0123456789abcdef0').")
    services = args.get("services")
    existing = args.get("existing_services", [])
    if isinstance(services, str) or not isinstance(services, Sequence):
        raise InputError(
            f"VpcEndpoints {name!r} needs services: a list of endpoint names such as "
            "['ssm', 'ssmmessages', 's3']. needed_endpoints_for_role derives them from a role."
        )
    if isinstance(existing, str) or not isinstance(existing, Sequence):
        raise InputError("existing_services must be a list of endpoint names.")
    if not services and not existing:
        raise InputError(
            f"VpcEndpoints {name!r} got no services and no existing_services; name at least one."
        )
    if isinstance(args["vpc_id"], str) is False and existing:
        raise InputError(
            "existing_services are looked up in vpc_id, which must then be a plain VPC ID, not a "
            "value known only at deploy time."
        )
    seen: set[str] = set()
    for service in [*services, *existing]:
        if not isinstance(service, str) or not _ENDPOINT_NAME_RE.match(service):
            raise InputError(
                f"services holds {service!r}; each entry is the last part of an endpoint service "
                "name, such as 'ssm' or 'monitoring' (for com.amazonaws.<region>.monitoring)."
            )
        if service.startswith(("com.amazonaws.", "cn.com.amazonaws.")):
            # What follows the prefix and the region: com.amazonaws.<region>.<last part>.
            last = service.removeprefix("cn.").removeprefix("com.amazonaws.").partition(".")[2]
            raise InputError(
                f"services holds the full service name {service!r}; give only its last part "
                f"({last!r}): the region's own name is looked up."
            )
        if service in seen:
            raise InputError(f"services and existing_services name {service!r} twice. Keep one.")
        seen.add(service)
    interface = [s for s in services if endpoint_type(s) == "Interface"]
    gateway = [s for s in [*services, *existing] if endpoint_type(s) == "Gateway"]
    if interface and not args.get("subnet_ids"):
        raise InputError(
            f"services {', '.join(interface)} need interface endpoints, which live in subnets: "
            "set subnet_ids (the instances' subnet, or one subnet per Availability Zone)."
        )
    if gateway and not args.get("route_table_ids"):
        raise InputError(
            f"services {', '.join(gateway)} get gateway endpoints, which work through route "
            "tables: set route_table_ids to the route tables of the instances' subnets."
        )
    _check_ids(args.get("subnet_ids"), input_name="subnet_ids", prefix="subnet")
    _check_ids(args.get("route_table_ids"), input_name="route_table_ids", prefix="rtb")
    groups = args.get("allowed_security_group_ids", [])
    if isinstance(groups, str) or not isinstance(groups, Sequence):
        raise InputError("allowed_security_group_ids must be a list of security group IDs.")
    for group in groups:
        if not is_resource_id(group, "sg"):
            raise InputError(
                f"allowed_security_group_ids holds {group!r}; give plain security group IDs "
                "(for example 'sg-0123456789abcdef0')."
            )
    cidrs = args.get("allowed_cidr_blocks", [])
    if isinstance(cidrs, str) or not isinstance(cidrs, Sequence):
        raise InputError("allowed_cidr_blocks must be a list of IPv4 ranges.")
    for cidr in cidrs:
        if not _ipv4_range(cidr):
            raise InputError(
                f"allowed_cidr_blocks holds {cidr!r}, which is not an IPv4 range (for example "
                "'172.31.0.0/16')."
            )
    if len(set(cidrs)) != len(cidrs):
        raise InputError("allowed_cidr_blocks names a range twice. Keep one.")
    if "tags" in args:
        check_tags(args["tags"], input_name="tags")
    return list(services)


def _ipv4_range(cidr: Any) -> bool:
    try:
        ipaddress.IPv4Network(cidr)
        return "/" in cidr  # the provider refuses cidr_ipv4 without a prefix length
    except (TypeError, ValueError):
        return False


def _available_endpoint(
    service: EndpointService, vpc_id: str, opts: pulumi.InvokeOptions | None
) -> aws.ec2.GetVpcEndpointResult:
    """The one available endpoint of ``service``'s type for it in ``vpc_id``; the provider
    fails the lookup for none ("no matching") and for several ("multiple ... matched")."""
    return aws.ec2.get_vpc_endpoint(
        vpc_id=vpc_id,
        service_name=service.service_name,
        vpc_endpoint_type=service.service_type,
        state="available",
        opts=opts,
    )


def look_up_existing_endpoint(
    service: EndpointService,
    vpc_id: str,
    route_table_ids: Sequence[str],
    *,
    opts: pulumi.InvokeOptions | None = None,
) -> ExistingEndpoint:
    """The available endpoint for ``service`` in ``vpc_id``; raises :class:`InputError` when
    there is none, or when it could not serve instances (private DNS off, route tables not
    covered)."""
    try:
        found = _available_endpoint(service, vpc_id, opts)
    except Exception as error:
        if _SEVERAL in str(error):
            raise InputError(
                f"existing_services names {service.endpoint!r}, and {vpc_id} has several "
                f"available {service.service_type} endpoints for {service.service_name}; this "
                "stack cannot tell which serves the instance. Keep one of them."
            ) from error
        if not _not_found(error):
            raise
        raise InputError(
            f"existing_services names {service.endpoint!r}, but {vpc_id} has no available "
            f"{service.service_type} endpoint for {service.service_name}. Remove it from "
            "existing_services to create one here."
        ) from error
    if service.service_type == "Interface" and not found.private_dns_enabled:
        raise InputError(
            f"The existing {service.endpoint!r} endpoint {found.id} has private DNS off, so the "
            f"AWS SDKs on the instance would not use it. Turn it on (aws ec2 modify-vpc-endpoint "
            f"--vpc-endpoint-id {found.id} --private-dns-enabled) or create one here."
        )
    uncovered = sorted(set(route_table_ids) - set(found.route_table_ids or ()))
    if service.service_type == "Gateway" and uncovered:
        raise InputError(
            f"The existing {service.endpoint!r} gateway endpoint {found.id} is not on route "
            f"table(s) {', '.join(uncovered)}, so the instance's subnet would not use it. Add "
            "them to the endpoint, or create one here."
        )
    return ExistingEndpoint(
        endpoint=service.endpoint,
        id=found.id,
        service_type=service.service_type,
        security_group_ids=tuple(found.security_group_ids or ()),
        prefix_list_id=found.prefix_list_id or None,
    )


def look_up_existing_endpoints(
    endpoints: Sequence[str],
    vpc_id: str,
    route_table_ids: Sequence[str],
    *,
    opts: pulumi.InvokeOptions | None = None,
) -> list[ExistingEndpoint]:
    """:func:`look_up_existing_endpoint` for each endpoint name: for a program that uses
    endpoints made elsewhere without a :class:`VpcEndpoints` of its own."""
    return [
        look_up_existing_endpoint(
            look_up_endpoint_service(endpoint, opts=opts), vpc_id, route_table_ids, opts=opts
        )
        for endpoint in endpoints
    ]


#: The tag that marks the endpoints a VpcEndpoints made, with the component's stack and name as
#: its value: the one this component made on an earlier run is its own, not a clash.
OWNER_TAG: Final = f"{PACKAGE_NAME}:owner"


def owner_tag(name: str) -> str:
    """The :data:`OWNER_TAG` value of the VpcEndpoints named ``name`` in this stack (a hash of
    it past AWS's 256 characters for a tag value)."""
    value = f"{pulumi.get_project()}/{pulumi.get_stack()}/{name}"
    return value if len(value) <= 256 else hashlib.sha256(value.encode()).hexdigest()


def check_no_conflicting_endpoint(
    service: EndpointService,
    vpc_id: str,
    route_table_ids: Sequence[str],
    *,
    owner: str,
    opts: pulumi.InvokeOptions | None = None,
) -> None:
    """Raises :class:`InputError` when an endpoint made elsewhere would make this one fail at
    creation: AWS allows one private-DNS interface endpoint per service and VPC, and one gateway
    endpoint per service and route table. An endpoint tagged with ``owner`` is this component's
    own, from an earlier run, and never a clash. Where several endpoints match, it cannot tell,
    and leaves the judgement to AWS."""
    try:
        found = _available_endpoint(service, vpc_id, opts)
    except Exception as error:
        if _not_found(error) or _SEVERAL in str(error):
            return
        raise
    tagged = (found.tags or {}).get(OWNER_TAG)
    if tagged == owner:
        return
    shared = sorted(set(route_table_ids) & set(found.route_table_ids or ()))
    conflict = found.private_dns_enabled if service.service_type == "Interface" else bool(shared)
    if conflict:
        what = (
            f"{found.id} on route table(s) {', '.join(shared)}"
            if shared
            else f"{found.id} with private DNS"
        )
        if tagged is not None:
            # Made by a VpcEndpoints: this one under an earlier name (a renamed stack, project
            # or component), or another stack's.
            raise InputError(
                f"{vpc_id} already has {what} for {service.service_name}, made by the "
                f"VpcEndpoints {tagged!r}, so AWS would refuse another. If that is this "
                "component under an earlier name (a renamed stack, project or component), "
                f"retag it: aws ec2 create-tags --resources {found.id} --tags "
                f"Key={OWNER_TAG},Value={owner}. If it is another stack's, list "
                f"{service.endpoint!r} in existing_services (existingEndpointServices)."
            )
        raise InputError(
            f"{vpc_id} already has {what} for {service.service_name}, so AWS would refuse "
            f"another. Use it: list {service.endpoint!r} in existing_services (the stack setting "
            "existingEndpointServices)."
        )


def _check_zones(
    looked_up: Sequence[EndpointService],
    subnet_ids: Sequence[str],
    vpc_id: str | None,
    opts: pulumi.InvokeOptions,
) -> None:
    zones: dict[str, str] = {}
    for subnet in subnet_ids:
        found = aws.ec2.get_subnet(id=subnet, opts=opts)
        if vpc_id is not None and found.vpc_id != vpc_id:
            raise InputError(
                f"subnet_ids holds {subnet}, which is in {found.vpc_id}, not in vpc_id "
                f"{vpc_id}; an endpoint's subnets are in its VPC. Give subnets of {vpc_id}."
            )
        zone = found.availability_zone
        if zone in zones:
            raise InputError(
                f"subnet_ids {zones[zone]} and {subnet} are both in {zone}; an interface "
                "endpoint takes at most one subnet per Availability Zone. Keep one of them."
            )
        zones[zone] = subnet
    for service in looked_up:
        if service.service_type != "Interface" or not service.availability_zones:
            continue
        missing = sorted(z for z in zones if z not in service.availability_zones)
        if missing:
            raise InputError(
                f"The {service.endpoint!r} endpoint service is not offered in "
                f"{', '.join(missing)} (it is in {', '.join(service.availability_zones)}). "
                "Put the instance in a subnet of one of those zones."
            )


class VpcEndpoints(pulumi.ComponentResource):
    """Interface and gateway VPC endpoints for a list of AWS services, with a security group
    for the endpoints and one for the instances that use them."""

    security_group_id: pulumi.Output[str]
    """ID of the endpoints' security group (admits HTTPS from the clients)."""

    client_security_group_id: pulumi.Output[str]
    """ID of the group to give the instances: no inbound traffic, HTTPS out to the endpoints
    only. It resolves only once every endpoint exists, so an instance that uses it boots with
    its way to AWS in place."""

    service_names: pulumi.Output[list[str]]
    """The full endpoint service names (`com.amazonaws.<region>.<name>`), sorted."""

    skipped_services: pulumi.Output[list[str]]
    """Optional services the region does not offer, left out (`ec2messages`, which AWS offers
    only in Regions launched before 2024 and SSM Agent 3.3.40.0+ does without)."""

    def __init__(
        self, name: str, args: VpcEndpointsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        services = check_vpc_endpoints_args(name, args)
        # Present: check_vpc_endpoints_args refuses args without it.
        vpc_id: pulumi.Input[str] = args["vpc_id"]  # pyright: ignore[reportTypedDictNotRequiredAccess]
        invoke = invoke_options(opts)
        route_tables: list[str] = _known(args.get("route_table_ids"))
        # Before anything is registered: an unavailable service fails with nothing created.
        looked_up: list[EndpointService] = []
        skipped: list[str] = []
        for service in services:
            try:
                looked_up.append(look_up_endpoint_service(service, opts=invoke))
            except InputError:
                if service not in OPTIONAL_ENDPOINTS:
                    raise
                skipped.append(service)
        if known_or_none(vpc_id) is not None:
            for service in looked_up:
                check_no_conflicting_endpoint(
                    service, str(vpc_id), route_tables, owner=owner_tag(name), opts=invoke
                )
        existing = look_up_existing_endpoints(
            args.get("existing_services", []), str(vpc_id), route_tables, opts=invoke
        )
        self.existing_endpoints: dict[str, ExistingEndpoint] = {e.endpoint: e for e in existing}
        """The endpoints made elsewhere that the clients use, by endpoint name."""
        _check_zones(
            looked_up,
            _known(args.get("subnet_ids")),
            known_or_none(vpc_id),
            invoke,
        )
        super().__init__(f"{PACKAGE_NAME}:index:VpcEndpoints", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.get("tags", {}))

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            description="HTTPS from the clients' security group to the VPC interface endpoints",
            tags={"Name": f"{name}-endpoints", **tags},
            opts=child,
        )
        """The endpoints' security group (escape hatch)."""
        self.client_security_group = aws.ec2.SecurityGroup(
            f"{name}-clients",
            vpc_id=vpc_id,
            description="No inbound traffic; HTTPS out to this VPC's AWS service endpoints only",
            tags={"Name": f"{name}-clients", **tags},
            opts=child,
        )
        """The clients' security group, for the instances (escape hatch)."""

        admitted = {"clients": self.client_security_group.id} | {
            group: group for group in args.get("allowed_security_group_ids", [])
        }
        self.ingress_rules = [
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-https-from-{key}",
                security_group_id=self.security_group.id,
                referenced_security_group_id=group,
                ip_protocol="tcp",
                from_port=HTTPS,
                to_port=HTTPS,
                description="HTTPS from instances that use the endpoints",
                opts=child,
            )
            for key, group in admitted.items()
        ] + [
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-https-from-{cidr.replace('/', '-')}",
                security_group_id=self.security_group.id,
                cidr_ipv4=cidr,
                ip_protocol="tcp",
                from_port=HTTPS,
                to_port=HTTPS,
                description="HTTPS from hosts of this range, which resolve to the endpoints",
                opts=child,
            )
            for cidr in args.get("allowed_cidr_blocks", [])
        ]

        self.endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        """The endpoints by endpoint name (escape hatch)."""
        for service in looked_up:
            interface = service.service_type == "Interface"
            self.endpoints[service.endpoint] = aws.ec2.VpcEndpoint(
                f"{name}-{service.endpoint.replace('.', '-')}",
                vpc_id=vpc_id,
                service_name=service.service_name,
                vpc_endpoint_type=service.service_type,
                private_dns_enabled=True if interface else None,
                subnet_ids=list(args.get("subnet_ids") or []) if interface else None,
                security_group_ids=[self.security_group.id] if interface else None,
                route_table_ids=None if interface else list(args.get("route_table_ids") or []),
                tags={"Name": f"{name}-{service.endpoint}", **tags, OWNER_TAG: owner_tag(name)},
                opts=child,
            )

        self.egress_rules: list[aws.vpc.SecurityGroupEgressRule] = []
        if any(s.service_type == "Interface" for s in looked_up):
            self.egress_rules.append(
                aws.vpc.SecurityGroupEgressRule(
                    f"{name}-clients-https-to-endpoints",
                    security_group_id=self.client_security_group.id,
                    referenced_security_group_id=self.security_group.id,
                    ip_protocol="tcp",
                    from_port=HTTPS,
                    to_port=HTTPS,
                    description="HTTPS to the VPC interface endpoints",
                    opts=child,
                )
            )
        for shared in existing:
            targets = (
                {group: group for group in shared.security_group_ids}
                if shared.service_type == "Interface"
                else {"prefix-list": shared.prefix_list_id}
            )
            for key, target in targets.items():
                self.egress_rules.append(
                    aws.vpc.SecurityGroupEgressRule(
                        f"{name}-clients-https-to-existing-{shared.endpoint}-{key}",
                        security_group_id=self.client_security_group.id,
                        referenced_security_group_id=(
                            target if shared.service_type == "Interface" else None
                        ),
                        prefix_list_id=None if shared.service_type == "Interface" else target,
                        ip_protocol="tcp",
                        from_port=HTTPS,
                        to_port=HTTPS,
                        description=f"HTTPS to the existing {shared.endpoint} endpoint {shared.id}",
                        opts=child,
                    )
                )
        for service in looked_up:
            if service.service_type == "Gateway":
                self.egress_rules.append(
                    aws.vpc.SecurityGroupEgressRule(
                        f"{name}-clients-https-to-{service.endpoint}",
                        security_group_id=self.client_security_group.id,
                        prefix_list_id=self.endpoints[service.endpoint].prefix_list_id,
                        ip_protocol="tcp",
                        from_port=HTTPS,
                        to_port=HTTPS,
                        description=f"HTTPS to {service.endpoint} through its gateway endpoint",
                        opts=child,
                    )
                )

        self.security_group_id = self.security_group.id
        # The URNs are known in a preview, so they delay nothing there; in an update they make
        # whatever uses the group wait for every endpoint and rule.
        waits_for = [*self.endpoints.values(), *self.ingress_rules, *self.egress_rules]
        self.client_security_group_id = pulumi.Output.all(
            self.client_security_group.id, *(r.urn for r in waits_for)
        ).apply(lambda values: str(values[0]))
        self.service_names = pulumi.Output.from_input(sorted(s.service_name for s in looked_up))
        self.skipped_services = pulumi.Output.from_input(sorted(skipped))
        self.register_outputs(
            {
                "skipped_services": self.skipped_services,
                "security_group_id": self.security_group_id,
                "client_security_group_id": self.client_security_group_id,
                "service_names": self.service_names,
            }
        )
