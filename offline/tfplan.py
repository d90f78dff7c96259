"""A Terraform-plan-shaped rendering of the AWS resources of a stack, for checkov.

pulumi-aws is bridged from the Terraform AWS provider: its resource types map onto Terraform's
and its camelCase inputs onto Terraform's snake_case attributes. What checkov 3.3.30 needs, found
by running it here: a top-level ``terraform_version`` and ``planned_values.root_module.resources``,
each with ``address``, ``mode: "managed"``, ``type`` and ``values``. Without ``terraform_version``,
or a resource without ``address`` or ``mode``, it silently scans nothing. Policy documents stay
JSON strings (as objects every IAM check silently passes); nested blocks such as
``metadata_options`` are lists of one object, as in Terraform's plan format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from offline.mocks import Registration

#: Pulumi type token -> Terraform resource type, for the types these stacks use and their
#: neighbours. A type not listed is reported as not scanned, never silently dropped.
TERRAFORM_TYPES: Final = {
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "aws_vpc_security_group_ingress_rule"
    ),
    "aws:ebs/volume:Volume": "aws_ebs_volume",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive": "aws_iam_role_policies_exclusive",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": (
        "aws_iam_role_policy_attachments_exclusive"
    ),
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:iam/policy:Policy": "aws_iam_policy",
}

#: Attributes that are maps in Terraform, not nested blocks.
MAP_ATTRIBUTES: Final = frozenset({"tags", "tags_all", "volume_tags"})
#: Pulumi pluralises the names of repeated blocks; Terraform does not.
BLOCK_NAMES: Final = {
    "ebs_block_devices": "ebs_block_device",
    "ephemeral_block_devices": "ephemeral_block_device",
    "network_interfaces": "network_interface",
    "block_device_mappings": "block_device_mapping",
    "inline_policies": "inline_policy",
}
TERRAFORM_VERSION: Final = "1.9.8"


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _attribute(key: str) -> str:
    name = snake(key)
    return BLOCK_NAMES.get(name, name)


def _value(key: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        converted = {
            (k if key in MAP_ATTRIBUTES else _attribute(k)): _value(_attribute(k), v)
            for k, v in value.items()
        }
        return converted if key in MAP_ATTRIBUTES else [converted]
    if isinstance(value, list):
        return [_value("", v) if not isinstance(v, Mapping) else _value("", v)[0] for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf carries every number as a float
    return value


def values(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Pulumi inputs as Terraform plan values."""
    return {_attribute(k): _value(_attribute(k), v) for k, v in inputs.items()}


def _address_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def plan(registrations: Iterable[Registration]) -> tuple[dict[str, Any], list[str]]:
    """The plan document, and the URNs of AWS resources it could not render."""
    resources: list[dict[str, Any]] = []
    not_scanned: list[str] = []
    for r in sorted(registrations, key=lambda r: r.urn):
        if not r.custom:
            continue
        tf_type = TERRAFORM_TYPES.get(r.type)
        if tf_type is None:
            not_scanned.append(r.urn)
            continue
        name = _address_name(r.name)
        resources.append(
            {
                "address": f"{tf_type}.{name}",
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "schema_version": 0,
                "values": values(r.inputs),
            }
        )
    document = {
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": resources}},
    }
    return document, not_scanned
