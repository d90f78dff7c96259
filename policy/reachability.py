"""Can each instance reach every AWS service its role uses? The analysis behind the
reachability rules of the policy pack and the review's reachability lines.

An instance reaches an AWS API over one of three paths: a public IPv4 in a subnet whose default
route goes to an internet gateway; a subnet whose default route goes to a NAT gateway; or a VPC
endpoint for that service in its VPC (an interface endpoint with private DNS, or a gateway
endpoint on the subnet's route table). The services come from the role behind the instance's
profile (``components.network.needed_endpoints``: its policies' action prefixes, Session
Manager's, the AWS managed policies').

The routes of a subnet are visible when the stack manages the subnet and its route table, or
when it recorded the subnet with ``components.network.ExistingNetwork`` (what AWS reported at
preview). Otherwise the rule cannot see them and says so instead of guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from components._values import truthy
from components.network.services import OPTIONAL_ENDPOINTS, ServiceNeeds, needed_endpoints
from policy.tokens import (
    ASSOCIATION,
    ATTACHMENT,
    AUTOSCALING_GROUP,
    ENDPOINT,
    EXISTING_NETWORK,
    INSTANCE,
    INTERNET_GATEWAY,
    LAUNCH_TEMPLATE,
    NAT_GATEWAY,
    PROFILE,
    ROLE,
    ROLE_POLICY,
    ROUTE,
    ROUTE_TABLE,
    SECURITY_GROUP,
    SUBNET,
)

_REGION_RE: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


@dataclass
class Subnet:
    """What the rule can see of an instance's subnet."""

    id: str
    vpc_id: str | None = None
    route_table_id: str | None = None
    default_route: str | None = None
    """``igw-...``, ``nat-...``, another target, or ``None`` for no default route."""
    routes_seen: bool = False
    """Whether the default route above is known (managed or recorded subnet)."""
    endpoints: dict[str, str] = field(default_factory=dict)
    """Endpoints made elsewhere that the record names: endpoint name -> id."""


@dataclass
class Reachability:
    """One instance's verdict."""

    instance: PolicyResource
    needs: Mapping[str, tuple[str, ...]]
    """Endpoint name -> what needs it."""
    paths: dict[str, str]
    """Endpoint name -> how the instance reaches it."""
    unreachable: list[str]
    subnet: Subnet
    unresolved: tuple[str, ...] = ()
    public: bool = False
    """Whether the instances get a public IPv4 address."""

    @property
    def routes_seen(self) -> bool:
        """Whether the rule can tell where the subnet's traffic for AWS goes: a route it does not
        follow (a transit gateway, a NAT instance, a firewall endpoint) counts as unseen."""
        route = self.subnet.default_route
        followed = route is None or route.startswith(("igw-", "nat-"))
        return self.subnet.routes_seen and followed


def known(value: Any) -> Any:
    """``value`` copied into plain dicts and lists with what is not known yet left out: a key
    whose value is unknown is dropped, an unknown list item becomes ``None``. During a preview the
    policy SDK's proxies raise on any unknown value (a new resource's id or ARN), which would
    otherwise stop the rule on properties it never reads."""
    if isinstance(value, Mapping):
        copied: dict[str, Any] = {}
        for key in list(value.keys()):
            try:
                item = value[key]
            except UnknownValueError:
                continue
            copied[key] = known(item)
        return copied
    if isinstance(value, Sequence) and not isinstance(value, str):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                items.append(known(value[index]))
            except UnknownValueError:
                items.append(None)
        return items
    return value


def _props(resource: PolicyResource) -> dict[str, Any]:
    return known(resource.props)


def _refers(resource: PolicyResource, prop: str, target: PolicyResource, *values: Any) -> bool:
    """Whether ``resource``'s ``prop`` points at ``target``: through the property's
    dependencies (known during a preview), else by one of ``values`` (its name or id)."""
    if any(dep.urn == target.urn for dep in resource.property_dependencies.get(prop, [])):
        return True
    value = _props(resource).get(prop)
    return bool(value) and value in [v for v in values if v]


def _by_type(resources: Iterable[PolicyResource], type_: str) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type == type_]


def _profile_role(
    instance: PolicyResource, resources: list[PolicyResource]
) -> PolicyResource | None:
    given = _props(instance).get("iamInstanceProfile")
    if isinstance(given, Mapping):  # a launch template's {name} or {arn}
        given = given.get("name") or str(given.get("arn") or "").rsplit("/", 1)[-1]
    for profile in _by_type(resources, PROFILE):
        name = _props(profile).get("name")
        linked = any(
            d.urn == profile.urn
            for d in instance.property_dependencies.get("iamInstanceProfile", [])
        )
        if linked or (name and given == name):
            for role in _by_type(resources, ROLE):
                if _refers(profile, "role", role, _props(role).get("name")):
                    return role
            return None
    return None


def _documents_and_arns(
    role: PolicyResource, resources: list[PolicyResource]
) -> tuple[dict[str, Any], dict[str, Any]]:
    role_props = _props(role)
    names = (role_props.get("name"), role_props.get("id"))
    documents: dict[str, Any] = {}
    for policy in _by_type(resources, ROLE_POLICY):
        if _refers(policy, "role", role, *names):
            props = _props(policy)
            documents[str(props.get("name") or policy.name)] = _parsed(props.get("policy"))
    for index, inline in enumerate(role_props.get("inlinePolicies") or []):
        documents[f"inlinePolicies[{index}]"] = _parsed((inline or {}).get("policy"))
    arns: dict[str, Any] = {}
    for attachment in _by_type(resources, ATTACHMENT):
        if _refers(attachment, "role", role, *names):
            arns[attachment.name] = _props(attachment).get("policyArn")
    for index, arn in enumerate(role_props.get("managedPolicyArns") or []):
        arns[f"managedPolicyArns[{index}]"] = arn
    return documents, arns


def _parsed(document: Any) -> Any:
    if isinstance(document, str):
        try:
            return json.loads(document)
        except ValueError:
            return None
    return document if isinstance(document, Mapping) else None


def endpoint_name(service_name: str) -> str:
    """``com.amazonaws.us-east-1.ecr.api`` -> ``ecr.api``: what follows the region."""
    parts = service_name.split(".")
    for index, part in enumerate(parts):
        if _REGION_RE.match(part):
            return ".".join(parts[index + 1 :])
    return parts[-1]


def _route_target(route: Mapping[str, Any]) -> str | None:
    for key in (
        "gatewayId",
        "natGatewayId",
        "transitGatewayId",
        "networkInterfaceId",
        "vpcPeeringConnectionId",
    ):
        if value := route.get(key):
            return str(value)
    return None


def _managed_default_route(table: PolicyResource, resources: list[PolicyResource]) -> str | None:
    props = _props(table)
    table_id = props.get("id")
    candidates = [r for r in props.get("routes") or [] if isinstance(r, Mapping)]
    for route in _by_type(resources, ROUTE):
        if _refers(route, "routeTableId", table, table_id):
            route_props = _props(route)
            target = _route_target(route_props)
            # A target that is a resource of the stack: its type says what it is.
            for kind, prefix in ((INTERNET_GATEWAY, "igw-"), (NAT_GATEWAY, "nat-")):
                key = "gatewayId" if kind == INTERNET_GATEWAY else "natGatewayId"
                if route.property_dependencies.get(key) and any(
                    d.resource_type == kind for d in route.property_dependencies[key]
                ):
                    target = prefix + (target or "managed")
            candidates.append({**route_props, "_target": target})
    for route in candidates:
        if route.get("cidrBlock", route.get("destinationCidrBlock")) == "0.0.0.0/0":
            return route.get("_target") or _route_target(route)
    return None


def _subnet(
    subnet_id: str,
    subnet_deps: list[PolicyResource],
    group_deps: list[PolicyResource],
    resources: list[PolicyResource],
) -> Subnet:
    """What the rule can see of the subnet ``subnet_id`` (or of the managed subnet among
    ``subnet_deps``, the resources the placing property depends on)."""
    found = Subnet(id=subnet_id)
    for record in _by_type(resources, EXISTING_NETWORK):
        facts = _props(record)
        if subnet_id and facts.get("subnet_id") == subnet_id:
            found.vpc_id = facts.get("vpc_id")
            found.route_table_id = facts.get("route_table_id")
            found.default_route = facts.get("default_route")
            found.endpoints = dict(facts.get("vpc_endpoints") or {})
            found.routes_seen = True
            return found
    for subnet in _by_type(resources, SUBNET):
        managed_id = _props(subnet).get("id")
        if not (any(d.urn == subnet.urn for d in subnet_deps) or (managed_id == subnet_id != "")):
            continue
        found.vpc_id = _props(subnet).get("vpcId")
        for association in _by_type(resources, ASSOCIATION):
            if _refers(association, "subnetId", subnet, managed_id):
                for table in _by_type(resources, ROUTE_TABLE):
                    if _refers(association, "routeTableId", table, _props(table).get("id")):
                        found.route_table_id = _props(table).get("id") or table.urn
                        found.default_route = _managed_default_route(table, resources)
                        found.routes_seen = True
        return found
    # Not seen: the security groups still tell the VPC.
    for group in _by_type(resources, SECURITY_GROUP):
        if any(d.urn == group.urn for d in group_deps):
            found.vpc_id = _props(group).get("vpcId")
    return found


@dataclass
class _Launcher:
    """An instance, or a launch template, with where its instances run."""

    resource: PolicyResource
    public: bool
    placements: list[tuple[str, list[PolicyResource]]]
    """(subnet id, the resources the id was taken from) for each subnet its instances use."""
    groups: list[PolicyResource]


def _launchers(resources: list[PolicyResource]) -> list[_Launcher]:
    found: list[_Launcher] = []
    for instance in _by_type(resources, INSTANCE):
        props = _props(instance)
        found.append(
            _Launcher(
                instance,
                truthy(props.get("associatePublicIpAddress")),
                [
                    (
                        str(props.get("subnetId") or ""),
                        instance.property_dependencies.get("subnetId", []),
                    )
                ],
                instance.property_dependencies.get("vpcSecurityGroupIds", []),
            )
        )
    for template in _by_type(resources, LAUNCH_TEMPLATE):
        props = _props(template)
        interfaces = [i for i in props.get("networkInterfaces") or [] if isinstance(i, Mapping)]
        first = interfaces[0] if interfaces else {}
        deps = template.property_dependencies.get("networkInterfaces", [])
        placements = [(str(first["subnetId"]), deps)] if first.get("subnetId") else []
        for group in _by_type(resources, AUTOSCALING_GROUP):
            if not _uses_template(group, template):
                continue
            zone_deps = group.property_dependencies.get("vpcZoneIdentifiers", [])
            ids = [str(i) for i in _props(group).get("vpcZoneIdentifiers") or []]
            placements += [(i, zone_deps) for i in ids] or [("", zone_deps)]
        found.append(
            _Launcher(
                template,
                truthy(first.get("associatePublicIpAddress")),
                placements or [("", [])],
                [*template.property_dependencies.get("vpcSecurityGroupIds", []), *deps],
            )
        )
    return found


def _uses_template(group: PolicyResource, template: PolicyResource) -> bool:
    if any(d.urn == template.urn for d in group.property_dependencies.get("launchTemplate", [])):
        return True
    spec = _props(group).get("launchTemplate")
    template_id = _props(template).get("id")
    return isinstance(spec, Mapping) and bool(template_id) and spec.get("id") == template_id


def _endpoints_in_reach(subnet: Subnet, resources: list[PolicyResource]) -> dict[str, str]:
    reach: dict[str, str] = {
        name: f"existing endpoint {endpoint_id}" for name, endpoint_id in subnet.endpoints.items()
    }
    for endpoint in _by_type(resources, ENDPOINT):
        props = _props(endpoint)
        in_vpc = (subnet.vpc_id and props.get("vpcId") == subnet.vpc_id) or (
            subnet.id and subnet.id in (props.get("subnetIds") or [])
        )
        if not in_vpc:
            continue
        name = endpoint_name(str(props.get("serviceName") or ""))
        if props.get("vpcEndpointType", "Gateway") == "Gateway":
            tables = props.get("routeTableIds") or []
            if subnet.route_table_id is None or subnet.route_table_id in tables:
                reach[name] = f"gateway endpoint {endpoint.name}"
        elif props.get("privateDnsEnabled") is True:
            reach[name] = f"interface endpoint {endpoint.name} (private DNS)"
    return reach


def analyse(
    resources: list[PolicyResource], *, ignored: frozenset[str] = frozenset()
) -> list[Reachability]:
    """The verdict for every instance and launch template whose role is in the stack, one per
    subnet its instances run in; endpoints in ``ignored`` are not required."""
    verdicts: list[Reachability] = []
    for launcher in _launchers(resources):
        role = _profile_role(launcher.resource, resources)
        if role is None:
            continue  # ec2-profile-role-trusts-only-ec2 reports an instance without one
        documents, arns = _documents_and_arns(role, resources)
        needs = needed_endpoints(documents, arns)
        for subnet_id, deps in launcher.placements:
            subnet = _subnet(subnet_id, deps, launcher.groups, resources)
            verdicts.append(_verdict(launcher, subnet, needs, resources, ignored))
    return verdicts


def _verdict(
    launcher: _Launcher,
    subnet: Subnet,
    needs: ServiceNeeds,
    resources: list[PolicyResource],
    ignored: frozenset[str],
) -> Reachability:
    endpoints = _endpoints_in_reach(subnet, resources)
    route = subnet.default_route or ""
    internet = ""
    if route.startswith("igw-") and launcher.public:
        internet = f"public IP, internet gateway {route}"
    elif route.startswith("nat-"):
        internet = f"NAT gateway {route}"
    paths: dict[str, str] = {}
    for name in needs.endpoints:
        if name in endpoints:
            paths[name] = endpoints[name]
        elif internet:
            paths[name] = internet
    unreachable = [
        name
        for name in needs.endpoints
        if name not in paths
        and name not in ignored
        and not (name in OPTIONAL_ENDPOINTS and "ssmmessages" in paths)
    ]
    return Reachability(
        launcher.resource,
        needs.reasons,
        paths,
        unreachable,
        subnet,
        needs.unresolved,
        public=launcher.public,
    )


def _route_words(subnet: Subnet, public: bool) -> str:
    route = subnet.default_route
    if route is None:
        return f"subnet {subnet.id} has no default route"
    if route.startswith("igw-") and not public:
        return (
            f"subnet {subnet.id} routes 0.0.0.0/0 to internet gateway {route}, but the instance "
            "has no public IP, so it cannot use it"
        )
    return f"subnet {subnet.id} routes 0.0.0.0/0 to {route}, which the rule cannot follow"


def violation(verdict: Reachability) -> str:
    """The message for an instance with unreachable services."""
    name = verdict.instance.name
    # A launch template speaks for the instances it launches.
    what = "Launch template" if verdict.instance.resource_type == LAUNCH_TEMPLATE else "Instance"
    services = ", ".join(verdict.unreachable)
    why = "; ".join(f"{s}: {', '.join(verdict.needs[s][:2])}" for s in verdict.unreachable)
    fix = (
        "Give it a public IP in a subnet routed to an internet gateway, a subnet routed to a NAT "
        "gateway, or a VPC endpoint per service (components.network.VpcEndpoints)."
    )
    if verdict.routes_seen:
        route = _route_words(verdict.subnet, verdict.public)
        return (
            f"{what} {name!r} cannot reach {services}: {route}, and no VPC endpoint of the "
            f"stack serves them in its VPC. Its role needs them ({why}). {fix}"
        )
    return (
        f"{what} {name!r} needs {services} ({why}), which no VPC endpoint of this stack serves, "
        f"and its subnet {verdict.subnet.id or '(unknown)'} is neither managed nor recorded by "
        "this stack, so the rule cannot see its routes: whether a public IP with an internet "
        "gateway, a NAT gateway or endpoints made elsewhere reach them. Record the subnet with "
        "components.network.ExistingNetwork(look_up_network(...)) to have it checked. " + fix
    )


def _kind(path: str) -> str:
    """A path without the resource's own name, so that like paths read as one."""
    for kind in ("interface endpoint", "gateway endpoint", "existing endpoint"):
        if path.startswith(kind):
            return kind + "s" + (" (private DNS)" if "private DNS" in path else "")
    return path


def summary(verdict: Reachability) -> str:
    """One line for the review: how the instance reaches each service."""
    by_path: dict[str, list[str]] = {}
    for service, path in sorted(verdict.paths.items()):
        by_path.setdefault(_kind(path), []).append(service)
    reached = "; ".join(f"{', '.join(s)} via {p}" for p, s in by_path.items()) or "nothing"
    line = f"{verdict.instance.name}: {reached}"
    if verdict.unreachable:
        line += f"; UNREACHABLE: {', '.join(verdict.unreachable)}"
    if not verdict.routes_seen and verdict.unreachable:
        line += " (routes not visible)"
    return line
