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

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from offline.mocks import Registration

#: Pulumi type token -> Terraform resource type, for the types these stacks use and their
#: neighbours. A type not listed is reported as not scanned, never silently dropped.
TERRAFORM_TYPES: Final = {
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/launchConfiguration:LaunchConfiguration": "aws_launch_configuration",
    "aws:autoscaling/group:Group": "aws_autoscaling_group",
    "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults": (
        "aws_ec2_instance_metadata_defaults"
    ),
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "aws_vpc_security_group_ingress_rule"
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
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
#: IAM documents: JSON strings in Terraform whatever form the program gave them.
DOCUMENT_ATTRIBUTES: Final = frozenset({"policy", "assume_role_policy"})
#: Where Pulumi's name for a repeated block differs from Terraform's, by Terraform type: Pulumi
#: pluralises, and some Terraform resources are plural already (aws_launch_template's
#: block_device_mappings and network_interfaces).
BLOCK_NAMES: Final = {
    "aws_instance": {
        "ebs_block_devices": "ebs_block_device",
        "ephemeral_block_devices": "ephemeral_block_device",
        "network_interfaces": "network_interface",
    },
    "aws_launch_template": {
        "license_specifications": "license_specification",
    },
    "aws_iam_role": {"inline_policies": "inline_policy"},
    # Pulumi's list of tags and subnets; Terraform's repeated tag block and subnet set.
    "aws_autoscaling_group": {"tags": "tag", "vpc_zone_identifiers": "vpc_zone_identifier"},
}
TERRAFORM_VERSION: Final = "1.9.8"


def snake(name: str) -> str:
    """camelCase to snake_case, every capital a new word (dnsARecord -> dns_a_record)."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _value(tf_type: str, key: str, value: Any) -> Any:
    if key in DOCUMENT_ATTRIBUTES and isinstance(value, Mapping):
        return json.dumps(value)  # as checkov reads them; as objects every IAM check passes
    if isinstance(value, Mapping):
        if key in MAP_ATTRIBUTES:
            return dict(value)
        return [_object(tf_type, value)]
    if isinstance(value, list):
        return [
            _object(tf_type, v) if isinstance(v, Mapping) else _value(tf_type, "", v) for v in value
        ]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf carries every number as a float
    return value


def _attribute(tf_type: str, key: str) -> str:
    name = snake(key)
    return BLOCK_NAMES.get(tf_type, {}).get(name, name)


def _object(tf_type: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        _attribute(tf_type, k): _value(tf_type, _attribute(tf_type, k), v)
        for k, v in inputs.items()
    }


def values(tf_type: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Pulumi inputs as the Terraform plan values of a resource of ``tf_type``."""
    return _object(tf_type, inputs)


def _address_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def plan(registrations: Iterable[Registration]) -> tuple[dict[str, Any], list[str]]:
    """The plan document, and the URNs of AWS resources it could not render.

    ``configuration`` carries each attribute's references to other resources (from the
    registrations' property dependencies), which checkov's graph checks follow."""
    registrations = sorted(registrations, key=lambda r: r.urn)
    addresses: dict[str, str] = {}
    for r in registrations:
        if r.custom and (tf_type := TERRAFORM_TYPES.get(r.type)):
            address = f"{tf_type}.{_address_name(r.name)}"
            if address in addresses.values():
                raise ValueError(f"two resources render as {address}; rename one of them")
            addresses[r.urn] = address
    resources: list[dict[str, Any]] = []
    configuration: list[dict[str, Any]] = []
    not_scanned: list[str] = []
    for r in registrations:
        if not r.custom:
            continue
        if r.urn not in addresses:
            not_scanned.append(r.urn)
            continue
        tf_type, name = addresses[r.urn].split(".", 1)
        resources.append(
            {
                "address": addresses[r.urn],
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "schema_version": 0,
                "values": values(tf_type, r.inputs),
            }
        )
        expressions = {
            _attribute(tf_type, prop): {
                # Sorted: the SDK gathers a property's dependencies in no stable order, and a
                # plan that differs run to run would defeat the review's checkov cache.
                "references": [
                    ref
                    for urn in sorted(urns)
                    if urn in addresses
                    for ref in (f"{addresses[urn]}.id", addresses[urn])
                ]
            }
            for prop, urns in sorted(r.property_dependencies.items())
            if any(urn in addresses for urn in urns)
        }
        configuration.append(
            {
                "address": addresses[r.urn],
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "expressions": expressions,
            }
        )
    document = {
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": resources}},
        "configuration": {"root_module": {"resources": configuration}},
    }
    return document, not_scanned
