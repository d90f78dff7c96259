"""Which AWS service endpoints an instance calls, derived from what its role is granted.

Pure functions, no Pulumi runtime. An instance with no route to the internet reaches an AWS API
only through a VPC endpoint for that API, so the endpoints a private instance needs follow from
its permissions: the service prefix of each action its policies allow, what Session Manager
needs when it is on, and what the AWS managed policies it carries are for.

The IAM action prefix is not always the endpoint's name (``cloudwatch`` is served by
``monitoring``). The mapping comes from botocore's service models, a kept source that ships with
boto3: the model named like the IAM prefix gives ``metadata.endpointPrefix``, which is the last
part of the VPC endpoint service name (``com.amazonaws.<region>.<endpointPrefix>``). Session
Manager's two message services have no botocore model; their endpoint names are the ones AWS's
Systems Manager guide lists ("Improve the security of EC2 instances by using VPC endpoints for
Systems Manager": ``ssm``, ``ssmmessages``, ``ec2messages``).
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .._values import UNKNOWN, as_list
from ..validation import InputError

#: The endpoints Session Manager needs on an instance without internet access (AWS Systems
#: Manager user guide, "VPC endpoints for Systems Manager"). SSM Agent 3.3.40.0 and later use
#: ssmmessages instead of ec2messages where it is reachable; older agents need all three.
SESSION_MANAGER_ENDPOINTS: Final = ("ssm", "ssmmessages", "ec2messages")

#: Endpoints an instance can do without where the region does not offer them: SSM Agent 3.3.40.0
#: and later use ssmmessages instead of ec2messages when it is reachable, and AWS offers
#: ec2messages only in Regions launched before 2024 (Systems Manager user guide, "Reference:
#: ec2messages, ssmmessages, and other API operations").
OPTIONAL_ENDPOINTS: Final = frozenset({"ec2messages"})

#: Services reached through a gateway endpoint (a route-table entry, no hourly charge) rather
#: than an interface endpoint (AWS PrivateLink guide, "Gateway endpoints").
GATEWAY_ENDPOINTS: Final = frozenset({"s3", "dynamodb"})

#: The IAM service prefixes that the AWS managed policies this project knows are for, by policy
#: name. Each is a subset of the prefixes in the policy's own document (a test holds them to
#: moto's copy of the AWS managed policies). CloudWatchAgentServerPolicy and
#: CloudWatchAgentAdminPolicy also grant X-Ray actions, which the agent uses only when its
#: configuration forwards traces; they are left out so that a default agent does not pay for an
#: X-Ray endpoint. Add `xray` through extra services when you forward traces.
MANAGED_POLICY_SERVICES: Final[Mapping[str, tuple[str, ...]]] = {
    "AmazonSSMManagedInstanceCore": SESSION_MANAGER_ENDPOINTS,
    "AmazonSSMManagedEC2InstanceDefaultPolicy": SESSION_MANAGER_ENDPOINTS,
    "CloudWatchAgentServerPolicy": ("cloudwatch", "logs", "ec2", "ssm"),
    "CloudWatchAgentAdminPolicy": ("cloudwatch", "logs", "ec2", "ssm"),
}

#: IAM prefixes whose endpoints are not named by botocore's ``endpointPrefix``, with the
#: endpoint names the AWS PrivateLink guide lists for them ("AWS services that integrate with
#: AWS PrivateLink", docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support
#: .html): botocore says ``api.ecr`` and ``kinesis``, PrivateLink ``ecr.api`` and
#: ``kinesis-streams``. ECR pulls need both of its endpoints (and S3, for the image layers).
ENDPOINT_OVERRIDES: Final[Mapping[str, tuple[str, ...]]] = {
    "ecr": ("ecr.api", "ecr.dkr"),
    "execute-api": ("execute-api",),
    "kinesis": ("kinesis-streams",),
    "sagemaker": ("sagemaker.api", "sagemaker.runtime"),
}

#: Actions that are permission checks, not API calls the instance makes: iam:PassRole is checked
#: when the instance calls another service with a role ARN (IAM user guide, "Grant a user
#: permissions to pass a role to an AWS service": "PassRole is a permission, not an API action").
PERMISSION_ONLY_ACTIONS: Final = frozenset({"iam:passrole"})


@dataclass(frozen=True)
class ServiceNeeds:
    """The endpoints an instance needs, and why."""

    reasons: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Endpoint name (``ssm``, ``monitoring``, ``s3``) -> what needs it (``action sqs:SendMessage
    in AppAccess``, ``Session Manager``, ``managed policy CloudWatchAgentServerPolicy``)."""

    unresolved: tuple[str, ...] = ()
    """What the endpoints could not be derived from, each with the fix (a customer managed
    policy, an IAM prefix with no known endpoint, a document known only at deploy time)."""

    @property
    def endpoints(self) -> tuple[str, ...]:
        """The endpoint names, sorted."""
        return tuple(sorted(self.reasons))

    def check_resolved(self) -> None:
        """Raises :class:`InputError` listing what could not be resolved."""
        if self.unresolved:
            raise InputError(
                "Cannot tell which AWS service endpoints the instance needs: "
                + "; ".join(self.unresolved)
            )


def endpoint_type(endpoint: str) -> str:
    """``Gateway`` for S3 and DynamoDB, ``Interface`` for every other service."""
    return "Gateway" if endpoint in GATEWAY_ENDPOINTS else "Interface"


#: How much of a model file holds its ``metadata``: it comes before ``operations`` in every
#: model botocore ships, which starts within the first 1.4 KB of each (botocore 1.44), and its
#: encoding (JSON text is UTF-8, RFC 8259 section 8.1).
_MODEL_HEAD_CHARACTERS: Final = 16384
_MODEL_ENCODING: Final = "utf-8"


def _model_metadata(loader: Any, service: str) -> Mapping[str, Any] | None:
    """The ``metadata`` object of botocore's newest model of ``service``, read from the head of
    the file: it comes before the operations, which for EC2 are megabytes to parse for nothing.
    ``None`` when botocore has no such model."""
    from botocore.exceptions import DataNotFoundError

    try:
        versions = loader.list_api_versions(service, "service-2")
    except DataNotFoundError:
        return None
    if not versions:
        return None
    version = sorted(versions)[-1]
    for root in loader.search_paths:
        for name, opener in (("service-2.json.gz", gzip.open), ("service-2.json", open)):
            path = Path(root) / service / version / name
            if not path.is_file():
                continue
            with opener(path, "rt", encoding=_MODEL_ENCODING) as model:
                head = model.read(_MODEL_HEAD_CHARACTERS)
            try:
                key = head.index('"metadata"')
                metadata, _ = json.JSONDecoder().raw_decode(head, head.index("{", key))
            except ValueError:
                break  # not where it usually is: read the whole model below
            return metadata  # an object: the decoding starts at its "{"
    return loader.load_service_model(service, "service-2", version)["metadata"]


@functools.cache
def _botocore_endpoint_prefix(iam_prefix: str) -> str | None:
    from botocore.loaders import Loader

    metadata = _model_metadata(Loader(), iam_prefix)
    prefix = metadata.get("endpointPrefix") if metadata else None
    return str(prefix) if prefix else None


@functools.cache
def _botocore_endpoint_names() -> frozenset[str]:
    """Every endpoint prefix in botocore's partition data (endpoints.json)."""
    from botocore.loaders import Loader

    data = Loader().load_data("endpoints")
    return frozenset(name for p in data["partitions"] for name in p.get("services", {}))


def endpoints_for_prefix(iam_prefix: str) -> tuple[str, ...]:
    """The VPC endpoint names that serve the actions of an IAM service prefix; empty when none
    is known."""
    prefix = iam_prefix.lower()
    if prefix in ENDPOINT_OVERRIDES:
        return ENDPOINT_OVERRIDES[prefix]
    if prefix in SESSION_MANAGER_ENDPOINTS:
        return (prefix,)
    if (endpoint := _botocore_endpoint_prefix(prefix)) is not None:
        return (endpoint,)
    # No model by that name, but an endpoint of that very name (states, elasticloadbalancing).
    return (prefix,) if prefix in _botocore_endpoint_names() else ()


def endpoint_for_prefix(iam_prefix: str) -> str | None:
    """The first of :func:`endpoints_for_prefix`, or ``None``."""
    found = endpoints_for_prefix(iam_prefix)
    return found[0] if found else None


class _Collector:
    def __init__(self) -> None:
        self.reasons: dict[str, list[str]] = {}
        self.unresolved: list[str] = []

    def add(self, endpoint: str, reason: str) -> None:
        reasons = self.reasons.setdefault(endpoint, [])
        if reason not in reasons:
            reasons.append(reason)

    def add_prefix(self, prefix: str, reason: str) -> None:
        endpoints = endpoints_for_prefix(prefix)
        if not endpoints:
            self.unresolved.append(
                f"{reason} names service {prefix!r}, which has no known VPC endpoint; reach it "
                "through a NAT gateway or public egress, or name its endpoint explicitly"
            )
        for endpoint in endpoints:
            self.add(endpoint, reason)

    def result(self) -> ServiceNeeds:
        return ServiceNeeds(
            reasons={k: tuple(v) for k, v in sorted(self.reasons.items())},
            unresolved=tuple(self.unresolved),
        )


def _allowed_actions(document: Mapping[str, Any], where: str, found: _Collector) -> None:
    statements = document.get("Statement")
    if statements is UNKNOWN:
        found.unresolved.append(f"{where} has statements known only at deploy time")
        return
    for statement in as_list(statements):
        if not isinstance(statement, Mapping) or statement.get("Effect") == "Deny":
            continue
        if "NotAction" in statement:
            found.unresolved.append(
                f"{where} allows NotAction, which grants every other service; name the "
                "endpoints explicitly"
            )
            continue
        for action in as_list(statement.get("Action", [])):
            if action is UNKNOWN or not isinstance(action, str):
                found.unresolved.append(f"{where} has an action known only at deploy time")
            elif action == "*":
                found.unresolved.append(
                    f"{where} allows Action '*', which names no service; name the endpoints "
                    "explicitly"
                )
            elif action.lower() not in PERMISSION_ONLY_ACTIONS:
                prefix = action.partition(":")[0]
                found.add_prefix(prefix, f"{action} in {where}")


def _managed(arn: Any, where: str, found: _Collector) -> None:
    # The name after the AWS-managed prefix, path included: a policy under a path is another
    # policy than the table's of the same last segment.
    name = arn.partition(":iam::aws:policy/")[2] if isinstance(arn, str) else ""
    if name not in MANAGED_POLICY_SERVICES:
        shown = arn if isinstance(arn, str) else "a value known only at deploy time"
        found.unresolved.append(
            f"{where} attaches {shown}, whose services this project does not know; name the "
            "endpoints it needs explicitly"
        )
        return
    for prefix in MANAGED_POLICY_SERVICES[name]:
        found.add_prefix(prefix, f"managed policy {name}")


def needed_endpoints(
    documents: Mapping[str, Mapping[str, Any]],
    managed_policy_arns: Mapping[str, Any],
    *,
    session_manager: bool = False,
    extra: Iterable[str] = (),
) -> ServiceNeeds:
    """The endpoints an instance needs for permission policies ``documents`` (parsed, by name;
    values may hold :data:`~components._values.UNKNOWN`), managed policies
    ``managed_policy_arns`` (by key), Session Manager, and ``extra`` endpoint names (for calls
    no policy shows, such as STS ``GetCallerIdentity``, which needs no permission)."""
    found = _Collector()
    for name, document in documents.items():
        if not isinstance(document, Mapping):
            found.unresolved.append(f"policy {name!r} is known only at deploy time")
            continue
        _allowed_actions(document, f"policy {name!r}", found)
    for key, arn in managed_policy_arns.items():
        _managed(arn, f"managed_policy_arns[{key!r}]", found)
    if session_manager:
        for endpoint in SESSION_MANAGER_ENDPOINTS:
            found.add(endpoint, "Session Manager")
    for endpoint in extra:
        found.add(endpoint, "requested explicitly")
    return found.result()


def needed_endpoints_for_role(
    role: Mapping[str, Any], *, extra: Iterable[str] = ()
) -> ServiceNeeds:
    """:func:`needed_endpoints` for the settings of an :class:`~components.InstanceRole`
    (``InstanceRoleArgs``): its inline policies, managed policies and Session Manager."""
    from .. import policy_documents as docs
    from .._inputs import known_or_none, with_unknowns

    documents: dict[str, Any] = {}
    for key, document in (role.get("inline_policies") or {}).items():
        plain = known_or_none(document)
        documents[key] = (
            None
            if plain is None
            else with_unknowns(docs.parse_document(plain, input_name=f"inline_policies[{key!r}]"))
        )
    managed = {
        key: known_or_none(arn) for key, arn in (role.get("managed_policy_arns") or {}).items()
    }
    return needed_endpoints(
        documents,
        managed,
        session_manager=bool(role.get("enable_session_manager")),
        extra=extra,
    )
