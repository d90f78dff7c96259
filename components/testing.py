"""A test kit for programs that use the components: Pulumi mocks that behave like the engine
and the AWS provider where it matters, and helpers to find what a program registered.

:func:`run_program` runs a program under :class:`AwsMocks`, which answer every data source the
components call (partition, region, caller identity, service principal, the AMI parameter,
default subnets and instance type offerings, VPC, route tables, endpoint services, KMS keys)
with engine-like values for an :class:`AwsTarget` (partition, region, account), and give each
resource a non-empty ID, the provider's auto-name and an ARN. A resource type or function they
do not know fails the run (:class:`UnmockedCallError`) instead of answering ``{}``, so no
assertion passes on an empty answer. The returned :class:`Run` holds every registration
(:meth:`Run.of_type`, :meth:`Run.one`, :meth:`Run.named`), the stack's outputs and the error,
with ``capture_error=True``.

For example, with pytest::

    from ec2_instance_role import InstanceWithRole
    from ec2_instance_role.testing import AwsTarget, run_program

    def test_my_instance_requires_imdsv2():
        run = run_program(
            lambda: InstanceWithRole("app", {}),
            target=AwsTarget(region="eu-central-1", account_id="111122223333"),
        )
        instance = run.one("aws:ec2/instance:Instance")
        assert instance.inputs["metadataOptions"]["httpTokens"] == "required"

Extend :class:`AwsMocks` (a method ``_<Type>`` per resource type, ``_<function>`` per data
source) for the other resources of your program.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.stack import Stack, run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from . import _lookups

__all__ = [
    "AL2023_PARAMETER",
    "CHINA",
    "DEFAULT_VPC",
    "NAT_GATEWAY",
    "OWN_VPC",
    "PROJECT",
    "AwsMocks",
    "AwsTarget",
    "ProviderError",
    "RecordingMonitor",
    "Registration",
    "Run",
    "UnmockedCallError",
    "default_subnets",
    "run_program",
    "service_principal",
    "unknown_output",
]

PROJECT = "ec2-instance-role"
AL2023_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _uuid(seed: str) -> str:
    h = _hex(seed, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class UnmockedCallError(AssertionError):
    """The code asked for something these mocks do not model."""


class ProviderError(Exception):
    """What the provider answers for a lookup that finds nothing: a failed invoke, which the
    SDK raises in the program as ``Exception("invoke of <token> failed: ...")``."""


@dataclass(frozen=True)
class AwsTarget:
    partition: str = "aws"
    dns_suffix: str = "amazonaws.com"
    region: str = "eu-west-1"
    account_id: str = "123456789012"


CHINA = AwsTarget(
    partition="aws-cn",
    dns_suffix="amazonaws.com.cn",
    region="cn-north-1",
    account_id="210987654321",
)


#: The services whose principal ends in the partition's DNS suffix instead of amazonaws.com, by
#: partition: terraform-provider-aws ``internal/service/meta/service_principal_data_source.go``
#: (after AWS CDK's region-info), the table behind ``aws.get_service_principal``.
_PARTITIONAL_PRINCIPALS = {
    "aws-iso": ("c2s.ic.gov", {"cloudhsm", "config", "logs", "workspaces"}),
    "aws-iso-b": ("sc2s.sgov.gov", {"dms", "logs"}),
    "aws-cn": ("amazonaws.com.cn", {"codedeploy", "elasticmapreduce", "logs"}),
}


def service_principal(service: str, partition: str, region: str) -> dict[str, str]:
    """What ``aws.get_service_principal`` returns (a lookup in the provider, no AWS call)."""
    partitional = _PARTITIONAL_PRINCIPALS.get(partition)
    suffix = partitional[0] if partitional and service in partitional[1] else "amazonaws.com"
    return {
        "id": f"{service}.{region}.{suffix}",
        "name": f"{service}.{suffix}",
        "serviceName": service,
        "suffix": suffix,
        "region": region,
    }


def _documents_as_json(inputs: dict[str, Any]) -> dict[str, Any]:
    """pulumi-aws accepts an IAM document as an object too; its state holds the JSON string."""
    return {
        k: json.dumps(v) if k in ("policy", "assumeRolePolicy") and isinstance(v, dict) else v
        for k, v in inputs.items()
    }


def default_subnets(target: AwsTarget) -> list[str]:
    """The default VPC's default subnets, one per zone, in no particular order."""
    return list(_default_subnets_by_zone(target).values())


def _default_subnets_by_zone(target: AwsTarget) -> dict[str, str]:
    return {target.region + zone: f"subnet-0{_hex(target.region + zone, 16)}" for zone in "cab"}


DEFAULT_VPC: Final = "vpc-0defa017"
#: The default VPC's internet gateway, where its main route table sends 0.0.0.0/0.
DEFAULT_INTERNET_GATEWAY: Final = "igw-0defa017"
#: The VPC of every subnet that is not a default one (a network of the user's own).
OWN_VPC: Final = "vpc-0" + _hex("own", 16)
#: Where a subnet that is not a default one routes 0.0.0.0/0 unless a test says otherwise: the
#: common private subnet behind a NAT gateway, with a route table of its own. The main route
#: tables of such VPCs have no default route.
NAT_GATEWAY: Final = "nat-0123456789abcdef0"
#: Endpoint services these mocks offer in every region (AWS offers many more).
ENDPOINT_SERVICES: Final = frozenset(
    {
        "dynamodb",
        "ec2",
        "ec2messages",
        "kms",
        "logs",
        "monitoring",
        "s3",
        "secretsmanager",
        "sns",
        "sqs",
        "ssm",
        "ssmmessages",
        "sts",
        "xray",
    }
)


class AwsMocks(pulumi_mocks.Mocks):
    """The AWS provider as far as this project uses it."""

    def __init__(self, target: AwsTarget | None = None) -> None:
        self.target = target or AwsTarget()
        self.calls: list[pulumi_mocks.MockCallArgs] = []
        self.endpoint_services = set(ENDPOINT_SERVICES)
        """The endpoint names the region offers."""
        self.vpc_dns = True
        """Whether VPCs have DNS support and DNS hostnames on."""
        self.zones_without: set[str] = set()
        """Availability Zones that offer no instance type (as use1-az3 offers no t3)."""
        self.existing_endpoints: dict[str, dict[str, Any]] = {}
        """Full service name -> the getVpcEndpoint answer for an endpoint made elsewhere."""

    # --- resources -----------------------------------------------------------------------
    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:
            return f"{args.name}-component", {}
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider", dict(args.inputs)
        if args.typ == "pulumi-python:dynamic:Resource":
            # A dynamic provider (ProfileAttachment); its own tests run it against moto.
            state = {k: v for k, v in args.inputs.items() if k != "__provider"}
            return "iip-assoc-" + _hex(args.name, 17), state
        handler = getattr(self, "_" + args.typ.rpartition(":")[2], None)
        if handler is None or not args.typ.startswith("aws:"):
            raise UnmockedCallError(f"no mock for resource type {args.typ} ({args.name})")
        return handler(args.name, dict(args.inputs))

    def _name(self, logical: str, inputs: Mapping[str, Any]) -> str:
        if inputs.get("name"):
            return str(inputs["name"])
        if inputs.get("namePrefix"):
            # The provider appends a 26-character unique suffix to a prefix.
            return str(inputs["namePrefix"]) + "2026" + _hex(logical, 22)
        # Pulumi's auto-name: the logical name, "-", 7 random hex characters.
        return f"{logical}-{_hex(logical, 7)}"

    def _arn(self, service: str, resource: str, *, regional: bool = False) -> str:
        t = self.target
        region = t.region if regional else ""
        return f"arn:{t.partition}:{service}:{region}:{t.account_id}:{resource}"

    def _Role(self, logical: str, inputs: dict) -> tuple[str, dict]:
        inputs = _documents_as_json(inputs)
        name = self._name(logical, inputs)
        path = inputs.get("path", "/")
        state = {
            **inputs,
            "name": name,
            "arn": self._arn("iam", f"role{path}{name}"),
            "uniqueId": "AROA" + _hex(name, 17).upper(),
        }
        return name, state

    def _InstanceProfile(self, logical: str, inputs: dict) -> tuple[str, dict]:
        name = self._name(logical, inputs)
        path = inputs.get("path", "/")
        arn = self._arn("iam", f"instance-profile{path}{name}")
        return name, {**inputs, "name": name, "arn": arn}

    def _RolePolicy(self, logical: str, inputs: dict) -> tuple[str, dict]:
        inputs = _documents_as_json(inputs)
        if isinstance(inputs["policy"], str):  # unknown during a preview
            json.loads(inputs["policy"])  # the provider refuses a document that is not JSON
        name = self._name(logical, inputs)
        return f"{inputs['role']}:{name}", {**inputs, "name": name}

    def _RolePolicyAttachment(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return f"{inputs['role']}-{_hex(inputs['policyArn'], 12)}", dict(inputs)

    def _RolePoliciesExclusive(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return str(inputs["roleName"]), dict(inputs)

    def _RolePolicyAttachmentsExclusive(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return str(inputs["roleName"]), dict(inputs)

    def _Instance(self, logical: str, inputs: dict) -> tuple[str, dict]:
        instance_id = "i-" + _hex(logical, 17)
        state = {
            **inputs,
            "arn": self._arn("ec2", f"instance/{instance_id}", regional=True),
            "privateIp": "172.31." + str(int(_hex(logical, 2), 16)) + ".10",
            "publicIp": "203.0.113.10" if inputs.get("associatePublicIpAddress") else "",
        }
        return instance_id, state

    def _LaunchTemplate(self, logical: str, inputs: dict) -> tuple[str, dict]:
        template_id = "lt-" + _hex(logical, 17)
        arn = self._arn("ec2", f"launch-template/{template_id}", regional=True)
        return template_id, {
            **inputs,
            "arn": arn,
            "latestVersion": 1,
            "name": self._name(logical, inputs),
        }

    def _InstanceMetadataDefaults(self, logical: str, inputs: dict) -> tuple[str, dict]:
        # The provider's id for the account's regional defaults is the account (per Region).
        return self.target.account_id, dict(inputs)

    def _Group(self, logical: str, inputs: dict) -> tuple[str, dict]:
        """An Auto Scaling group, named like the provider names one without a name."""
        name = self._name(logical, inputs)
        arn = self._arn(
            "autoscaling",
            f"autoScalingGroup:{_uuid(logical)}:autoScalingGroupName/{name}",
            regional=True,
        )
        return name, {**inputs, "name": name, "arn": arn}

    def _SecurityGroup(self, logical: str, inputs: dict) -> tuple[str, dict]:
        group_id = "sg-" + _hex(logical, 17)
        arn = self._arn("ec2", f"security-group/{group_id}", regional=True)
        return group_id, {**inputs, "arn": arn, "name": self._name(logical, inputs)}

    def _SecurityGroupEgressRule(self, logical: str, inputs: dict) -> tuple[str, dict]:
        rule_id = "sgr-" + _hex(logical, 17)
        arn = self._arn("ec2", f"security-group-rule/{rule_id}", regional=True)
        return rule_id, {**inputs, "arn": arn, "securityGroupRuleId": rule_id}

    _SecurityGroupIngressRule = _SecurityGroupEgressRule

    def _network(self, prefix: str, logical: str, inputs: dict) -> tuple[str, dict]:
        resource_id = f"{prefix}-0{_hex(logical, 16)}"
        return resource_id, {**inputs, "id": resource_id}

    def _Vpc(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return self._network("vpc", logical, inputs)

    def _Subnet(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return self._network("subnet", logical, inputs)

    def _RouteTable(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return self._network("rtb", logical, inputs)

    def _RouteTableAssociation(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return self._network("rtbassoc", logical, inputs)

    def _Route(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return self._network("r", logical, inputs)

    def _InternetGateway(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return self._network("igw", logical, inputs)

    def _NatGateway(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return self._network("nat", logical, inputs)

    def _VpcEndpoint(self, logical: str, inputs: dict) -> tuple[str, dict]:
        endpoint_id = "vpce-" + _hex(logical, 17)
        arn = self._arn("ec2", f"vpc-endpoint/{endpoint_id}", regional=True)
        state = {**inputs, "arn": arn, "state": "available"}
        if inputs.get("vpcEndpointType") == "Gateway":
            # The provider reads the service's prefix list back for a gateway endpoint.
            state["prefixListId"] = "pl-" + _hex(str(inputs.get("serviceName")), 8)
        return endpoint_id, state

    # --- functions ------------------------------------------------------------------------
    def call(self, args: pulumi_mocks.MockCallArgs) -> Any:
        self.calls.append(args)
        handler = getattr(self, "_" + args.token.rpartition(":")[2], None)
        if handler is None or not args.token.startswith("aws:"):
            raise UnmockedCallError(f"no mock for function {args.token} with {args.args}")
        try:
            return handler(dict(args.args))
        except ProviderError as error:
            return {}, [("", str(error))]

    def _getPartition(self, _: dict) -> dict:
        t = self.target
        return {
            "id": t.partition,
            "partition": t.partition,
            "dnsSuffix": t.dns_suffix,
            "reverseDnsPrefix": ".".join(reversed(t.dns_suffix.split("."))),
        }

    def _getServicePrincipal(self, args: dict) -> dict:
        return service_principal(args["serviceName"], self.target.partition, self.target.region)

    def _getKey(self, args: dict) -> dict:
        """kms:DescribeKey, which takes a key ID, key ARN, alias name or alias ARN; an alias
        named ``alias/missing`` does not exist."""
        key = str(args["keyId"])
        if key.endswith("alias/missing"):
            raise ProviderError(f"reading KMS Key ({key}): NotFoundException: Alias not found")
        if ":key/" in key:
            key_id = key.rpartition("/")[2]
        elif "alias/" in key:
            key_id = _uuid(key)  # the key an alias name or alias ARN points to
        else:
            key_id = key  # a key ID (multi-Region ones start with mrk-), as DescribeKey answers
        arn = self._arn("kms", f"key/{key_id}", regional=True)
        return {"id": key_id, "keyId": key, "arn": arn, "enabled": True, "keyState": "Enabled"}

    def _getRegion(self, _: dict) -> dict:
        return {"id": self.target.region, "region": self.target.region, "name": self.target.region}

    def _getCallerIdentity(self, _: dict) -> dict:
        t = self.target
        return {
            "id": t.account_id,
            "accountId": t.account_id,
            "arn": f"arn:{t.partition}:iam::{t.account_id}:user/deployer",
            "userId": "AIDA" + _hex(t.account_id, 16).upper(),
        }

    def _getParameter(self, args: dict) -> dict:
        if args.get("name") != AL2023_PARAMETER:
            raise UnmockedCallError(f"ParameterNotFound: {args.get('name')}")
        ami = "ami-" + _hex(self.target.region, 17)
        return {
            "id": AL2023_PARAMETER,
            "name": AL2023_PARAMETER,
            "type": "String",
            "value": ami,
            "insecureValue": ami,
            "version": 1,
        }

    def _getVpc(self, args: dict) -> dict:
        vpc = DEFAULT_VPC if args.get("default") is True else args.get("id")
        if not vpc:
            raise UnmockedCallError(f"getVpc mocked only by id or for the default VPC: {args}")
        return {
            "id": vpc,
            "default": vpc == DEFAULT_VPC,
            "cidrBlock": "172.31.0.0/16" if vpc == DEFAULT_VPC else "10.0.0.0/16",
            "mainRouteTableId": "rtb-0" + _hex(f"main-{vpc}", 16),
            "enableDnsSupport": self.vpc_dns,
            "enableDnsHostnames": self.vpc_dns,
        }

    def _getAmi(self, args: dict) -> dict:
        filters = {f["name"]: f["values"] for f in args.get("filters") or []}
        if set(filters) != {"image-id"} or len(filters["image-id"]) != 1:
            raise UnmockedCallError(f"getAmi mocked only by image-id: {args}")
        (image,) = filters["image-id"]
        # Amazon Linux 2023's root device, as DescribeImages reports it.
        return {"id": image, "imageId": image, "rootDeviceName": "/dev/xvda", **args}

    def _getSubnets(self, args: dict) -> dict:
        filters = {f["name"]: f["values"] for f in args.get("filters") or []}
        if filters.get("default-for-az") != ["true"] or set(filters) - {
            "default-for-az",
            "availability-zone",
        }:
            raise UnmockedCallError(f"getSubnets mocked only for default subnets: {args}")
        zones = filters.get("availability-zone")
        ids = [
            subnet
            for zone, subnet in _default_subnets_by_zone(self.target).items()
            if zones is None or zone in zones
        ]
        return {"id": self.target.region, "ids": ids, **args}

    def _getInstanceTypeOfferings(self, args: dict) -> dict:
        if args.get("locationType") != "availability-zone":
            raise UnmockedCallError(f"getInstanceTypeOfferings mocked only by zone: {args}")
        (wanted,) = [f["values"] for f in args.get("filters") or [] if f["name"] == "instance-type"]
        zones = [z for z in (self.target.region + c for c in "abc") if z not in self.zones_without]
        return {
            "id": self.target.region,
            "instanceTypes": wanted * len(zones),
            "locations": zones,
            "locationTypes": ["availability-zone"] * len(zones),
        }

    def _getSubnet(self, args: dict) -> dict:
        subnet = str(args.get("id"))
        zones = {s: zone for zone, s in _default_subnets_by_zone(self.target).items()}
        default = subnet in zones
        return {
            "id": subnet,
            "vpcId": DEFAULT_VPC if default else OWN_VPC,
            "availabilityZone": zones.get(subnet, self.target.region + "a"),
            "defaultForAz": default,
            "mapPublicIpOnLaunch": default,
        }

    def _getRouteTables(self, args: dict) -> dict:
        filters = args.get("filters") or []
        if [f.get("name") for f in filters] != ["association.subnet-id"]:
            raise UnmockedCallError(f"getRouteTables mocked only by subnet association: {args}")
        (subnet,) = filters[0]["values"]
        # Default subnets have no explicit association: they use the main route table.
        ids = [] if subnet in default_subnets(self.target) else ["rtb-0" + _hex(subnet, 16)]
        return {"id": self.target.region, "ids": ids, **args}

    def _getRouteTable(self, args: dict) -> dict:
        table = args.get("routeTableId")
        if not table:
            raise UnmockedCallError(f"getRouteTable mocked only by routeTableId: {args}")
        if table == "rtb-0" + _hex(f"main-{DEFAULT_VPC}", 16):
            routes = [{"cidrBlock": "0.0.0.0/0", "gatewayId": DEFAULT_INTERNET_GATEWAY}]
        elif table.startswith("rtb-0main") or table == "rtb-0" + _hex(f"main-{OWN_VPC}", 16):
            routes = []
        else:
            routes = [{"cidrBlock": "0.0.0.0/0", "natGatewayId": NAT_GATEWAY}]
        return {"id": table, "routeTableId": table, "routes": routes, "associations": []}

    def _getVpcEndpointService(self, args: dict) -> dict:
        service, service_type = args.get("service"), args.get("serviceType")
        if service not in self.endpoint_services:
            # As the provider reports a service the region does not offer.
            raise ProviderError("no matching EC2 VPC Endpoint Service found")
        region = self.target.region
        return {
            "id": service,
            "service": service,
            "serviceName": f"com.amazonaws.{region}.{service}",
            "serviceType": service_type,
            "availabilityZones": [region + zone for zone in "abc"],
            "privateDnsName": f"{service}.{region}.{self.target.dns_suffix}",
        }

    def _getVpcEndpoint(self, args: dict) -> dict:
        found = self.existing_endpoints.get(str(args.get("serviceName")))
        kind = args.get("vpcEndpointType")
        if (
            found is None
            or found.get("vpcId") != args.get("vpcId")
            or (kind and found.get("vpcEndpointType", kind) != kind)
        ):
            raise ProviderError("no matching EC2 VPC Endpoint found")
        return found


def unknown_output() -> pulumi.Output[Any]:
    """A value unknown until deployment, as a preview sees an output of a resource not yet
    created. Call it inside the program (it belongs to that run's event loop)."""
    loop = asyncio.get_event_loop()

    def done(value: Any) -> asyncio.Future[Any]:
        future = loop.create_future()
        future.set_result(value)
        return future

    return pulumi.Output(set(), done(None), is_known=done(False))  # not secret


@dataclass
class Registration:
    """One RegisterResource request, as the engine received it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    ignore_changes: list[str]
    id: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    """protect, replaceOnChanges, deleteBeforeReplace, retainOnDelete and provider, when set."""
    state: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    """A component's registered outputs (``register_outputs``), which stack rules see."""


def _options(request: Any) -> dict[str, Any]:
    options = {
        "protect": bool(request.protect),
        "replaceOnChanges": sorted(request.replaceOnChanges),
        "deleteBeforeReplace": bool(request.deleteBeforeReplace),
        "retainOnDelete": bool(request.retainOnDelete),
        # The provider reference's name and ID, after the URN's stack, project and type ("" for
        # the default provider: the request's field is then empty).
        "provider": request.provider.split("::", 3)[-1],
    }
    return {k: v for k, v in options.items() if v}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """MockMonitor that also keeps parents, dependencies and options of each registration,
    which the stock monitor drops."""

    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self._by_urn: dict[str, Registration] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            registered = self.resources[response.urn]
            self._by_urn[response.urn] = registration = Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=request.custom,
                inputs=rpc.deserialize_properties(request.object),
                dependencies=list(request.dependencies),
                property_dependencies={
                    prop: list(deps.urns) for prop, deps in request.propertyDependencies.items()
                },
                ignore_changes=list(request.ignoreChanges),
                options=_options(request),
                id=registered.id,
                state=dict(registered.state),
            )
            self.registrations.append(registration)
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        outputs = rpc.deserialize_properties(request.outputs)
        if (registration := self._by_urn.get(request.urn)) is not None:
            registration.outputs = dict(outputs)
        return super().RegisterResourceOutputs(request)


@dataclass
class Run:
    """What one program run registered and exported."""

    registrations: list[Registration]
    outputs: dict[str, Any]
    mocks: Any  # AwsMocks, or the mocks a caller passed
    returned: Any = None
    """What the program returned, with every Output in it resolved."""
    error: BaseException | None = None
    """What the program raised, when run with ``capture_error=True``."""

    def raised(self, kind: type[BaseException]) -> BaseException:
        """The ``kind`` exception behind the error the run ended with: a check that fails
        inside an ``apply`` reaches the engine wrapped in the SDK's own ValueErrors."""
        queue = [self.error]
        seen: set[int] = set()
        while queue:
            error = queue.pop(0)
            if error is None or id(error) in seen:
                continue  # exception chains can loop back on themselves
            seen.add(id(error))
            if isinstance(error, kind):
                return error
            queue += [error.__cause__, error.__context__]
        raise AssertionError(f"the run did not raise {kind.__name__}; it raised {self.error!r}")

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str) -> Registration:
        found = self.of_type(type_)
        assert len(found) == 1, f"expected one {type_}, got {[r.name for r in found]}"
        return found[0]

    def named(self, name: str) -> Registration:
        found = [r for r in self.registrations if r.name == name]
        assert len(found) == 1, f"expected one resource named {name!r}, got {len(found)}"
        return found[0]

    def custom(self) -> list[Registration]:
        return [r for r in self.registrations if r.custom]


def run_program(
    program: Callable[[], Any],
    *,
    config: Mapping[str, str] | None = None,
    stack: str = "test",
    project: str = PROJECT,
    target: AwsTarget | None = None,
    preview: bool = False,
    capture_error: bool = False,
    mocks: pulumi_mocks.Mocks | None = None,
) -> Run:
    """Runs ``program`` to completion under fresh mocks; re-raises what it raised.

    Whatever the program returns is resolved (Outputs awaited) into ``Run.returned``. With
    ``capture_error`` an exception is kept in ``Run.error`` instead, beside what was registered.
    """
    mocks = mocks or AwsMocks(target)
    monitor = RecordingMonitor(mocks)
    # A fresh event loop per run: tasks a failed run leaves behind must not run in the next.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # The SDK calls the monitor from executor threads, and pulumi 3.272's MockMonitor gives each
    # such thread an event loop of its own (runtime/mocks.py RegisterResource and Invoke call
    # sync_await._ensure_event_loop), which nothing closes: once the thread ends, the loop is
    # garbage-collected open, and closing it then can fail ("ValueError: Invalid file
    # descriptor: -1" when its self-pipe was finalized first). Each worker gets its loop here
    # instead, and the run closes them.
    worker_loops: list[asyncio.AbstractEventLoop] = []

    def give_worker_a_loop() -> None:
        worker_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(worker_loop)
        worker_loops.append(worker_loop)

    # One worker: a mock call is Python that holds the GIL from start to end (no network to wait
    # on, unlike the engine's gRPC calls), so more workers only contend for the lock, and the
    # contention grows with the number of calls queued: with the default six, a program of 100
    # instances cost 1.4x per instance what one of 50 did (benchmarks/scaling.py), with one it is
    # flat. No mock call waits on another, so one worker cannot deadlock.
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1, initializer=give_worker_a_loop))
    settings.SETTINGS.outputs.clear()  # pyright: ignore[reportAttributeAccessIssue]
    settings.ROOT.set(None)
    pulumi.runtime.set_all_config(dict(config or {}))
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    outputs: dict[str, Any] = {}
    returned: list[Any] = []

    async def body() -> None:
        result = program()
        root = settings.get_root_resource()
        assert isinstance(root, Stack), root  # set_mocks made it
        exported = dict(root.outputs)
        outputs.update(await pulumi.Output.from_input(exported).future() or {})
        returned.append(await pulumi.Output.from_input(result).future())

    error: BaseException | None = None
    # What exists before the run (the modules, the SDK's and the provider's types, the IAM
    # action database) outlives it, so the collector's passes skip it during the run: they
    # re-walked that heap on every full pass, and with a program's own objects growing beside
    # it, a program of 100 instances cost twice per instance what one of 50 did
    # (benchmarks/scaling.py). Thawed when the run ends, so a test session loses nothing to
    # it; a heap its caller froze (offline.review after its first render) stays frozen.
    freezes = not gc.get_freeze_count()
    if freezes:
        gc.freeze()
    # A run allocates in bursts (each registration builds Outputs, futures and tasks that die
    # young): the default young-generation threshold of 700 collected so often that survivors
    # were promoted and walked again by the older passes, a fifth of a program of 100 instances
    # and growing with it. 50,000 keeps the young generation a few megabytes; restored after.
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000)  # the older generations' thresholds stay
    try:
        _sync_await(run_pulumi_func(body))
    except Exception as raised:
        if not capture_error:
            raise
        error = raised
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_default_executor())
        for worker_loop in worker_loops:
            worker_loop.close()
        loop.close()
        _lookups.forget(monitor)
        # The SDK keeps every RPC of the run (and the first failure's traceback), every Output
        # it tracks and the root resource in module state until the next run replaces them:
        # the run's resources, and the futures a failed resource rejected, would outlive it by
        # one run, and a rejected future's "never retrieved" log would land in the next run's.
        settings.SETTINGS.rpc_manager.clear()  # pyright: ignore[reportAttributeAccessIssue]
        settings.SETTINGS.outputs.clear()  # pyright: ignore[reportAttributeAccessIssue]
        settings.ROOT.set(None)
        gc.set_threshold(*thresholds)
        if freezes:
            gc.unfreeze()
    return Run(monitor.registrations, outputs, mocks, returned[0] if returned else None, error)
