"""What every launcher of this package (an instance, a launch template) shares: the settings of
what an instance boots with, their checks, and the lookups that fill in their defaults.

InstanceWithRole and AutoScalingGroupWithRole both take these settings under the same names and
refuse the same bad values with the same messages, from here.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from . import validation as v
from ._inputs import checked, deferred, is_known, known_or_none
from ._lookups import shared
from .instance_role import InstanceRole, InstanceRoleArgs, check_instance_role_args
from .network.existing import (
    default_subnet_filters,
    first_default_subnet,
    offering_filters,
)

#: IMDSv2 only: a metadata request without a session token gets HTTP 401. Not an input.
METADATA_HTTP_TOKENS: Final = "required"
METADATA_HTTP_ENDPOINT: Final = "enabled"
#: One hop: a token is usable on the instance itself but not from a container behind a bridge.
DEFAULT_METADATA_HOP_LIMIT: Final = 1
DEFAULT_INSTANCE_TYPE: Final = "t3.micro"
DEFAULT_ROOT_VOLUME_TYPE: Final = "gp3"
# io1 and io2 need provisioned IOPS, which these components do not take.
ROOT_VOLUME_TYPES: Final = ("gp3", "gp2", "standard")
#: The public SSM parameter AWS keeps pointing at the newest Amazon Linux 2023 AMI.
DEFAULT_AMI_SSM_PARAMETER: Final = (
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
)


def check_launch_settings(
    name: str, args: Mapping[str, Any], *, boolean_settings: Sequence[str]
) -> None:
    """Raises InputError for the settings every launcher shares (role or existing profile, AMI,
    instance type, metadata, root volume, key, user data, security groups, tags) that are
    bad; the ones known only at deploy time are checked when they resolve."""
    existing = args.get("existing_instance_profile_name")
    if existing is not None:
        if isinstance(existing, pulumi.Resource):
            raise v.InputError(
                "existing_instance_profile_name must be a profile name; got a resource "
                f"({type(existing).__name__}). Pass its instance_profile_name (or name)."
            )
        if "role" in args:
            given = ", ".join(sorted(args["role"])) or "an empty dict"
            raise v.InputError(
                f"Both existing_instance_profile_name and role settings ({given}) are given; the "
                "settings would be silently ignored. Put them on the InstanceRole that owns the "
                "profile, or drop existing_instance_profile_name to create a new role."
            )
        if (profile := known_or_none(existing)) is not None:
            check_profile_name(profile)
    if "ami" in args and "ami_ssm_parameter" in args:
        raise v.InputError(
            "Both ami and ami_ssm_parameter are set; they conflict. Set ami to pin an image, or "
            "ami_ssm_parameter to follow one."
        )
    if (ami := known_or_none(args.get("ami"))) is not None:
        check_ami(ami)
    for flag in boolean_settings:
        if flag in args:
            v.check_bool(args[flag], input_name=flag)
    if "metadata_hop_limit" in args:
        v.check_metadata_hop_limit(args["metadata_hop_limit"], input_name="metadata_hop_limit")
        v.check_metadata_hop_limit_opt_in(
            args["metadata_hop_limit"],
            allowed=bool(args.get("allow_metadata_hop_limit_above_2")),
            input_name="metadata_hop_limit",
        )
    volume_type = args.get("root_volume_type", DEFAULT_ROOT_VOLUME_TYPE)
    if volume_type not in ROOT_VOLUME_TYPES:
        raise v.InputError(
            f"root_volume_type {volume_type!r} cannot be a root volume. Use one of "
            f"{', '.join(ROOT_VOLUME_TYPES)}."
        )
    if (size := args.get("root_volume_size")) is not None:
        v.check_root_volume_size(size, volume_type, input_name="root_volume_size")
    if (key := known_or_none(args.get("root_volume_kms_key_id"))) is not None:
        v.check_kms_key_id(key, input_name="root_volume_kms_key_id")
    if (user_data := known_or_none(args.get("user_data"))) is not None:
        check_user_data(user_data)
    if (key_name := known_or_none(args.get("key_name"))) is not None:
        v.check_key_name(key_name, input_name="key_name")
    if (instance_type := known_or_none(args.get("instance_type"))) is not None:
        v.check_instance_type(instance_type, input_name="instance_type")
    if "ami_ssm_parameter" in args:
        v.check_ssm_parameter_name(
            args["ami_ssm_parameter"],
            input_name="ami_ssm_parameter",
            example=DEFAULT_AMI_SSM_PARAMETER,
        )
    check_id_list(
        args.get("vpc_security_group_ids"),
        input_name="vpc_security_group_ids",
        what="security group IDs",
        prefix="sg",
        example="sg-0123456789abcdef0",
    )
    groups = args.get("vpc_security_group_ids")
    if groups is not None:
        if len(groups) > v.SECURITY_GROUPS_MAX:
            raise v.InputError(
                f"vpc_security_group_ids has {len(groups)} groups; EC2 attaches at most "
                f"{v.SECURITY_GROUPS_MAX} to a network interface. Merge some of their rules."
            )
        if len(groups) > v.SECURITY_GROUPS_DEFAULT_QUOTA:
            pulumi.log.warn(
                f"vpc_security_group_ids has {len(groups)} groups; the default quota is "
                f"{v.SECURITY_GROUPS_DEFAULT_QUOTA} per network interface. Raise the quota "
                "first or the launch fails."
            )
    if "tags" in args:
        tags = args["tags"]
        if isinstance(tags, Mapping):
            tags = {"Name": "", **tags}  # the Name tag every launcher adds counts too
        v.check_tags(tags, input_name="tags")
        if args.get("instance_metadata_tags"):
            for key in args["tags"]:
                v.check_metadata_tag_key(key, input_name="tags")
    # The new role's settings are checked by InstanceRole before it registers anything; doing
    # it here too keeps the launcher's own component from registering first.
    if existing is None:
        role = args.get("role", InstanceRoleArgs())
        if not isinstance(role, Mapping):
            raise v.InputError(
                f"role must be a dict of InstanceRole settings (InstanceRoleArgs); got {role!r}. "
                "Omit it for a role with no policies."
            )
        check_instance_role_args(name, InstanceRoleArgs(**role))


def check_id_list(values: object, *, input_name: str, what: str, prefix: str, example: str) -> None:
    """A list of resource IDs (each known now checked), none twice."""
    if values is None:
        return
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise v.InputError(f"{input_name} must be a list of {what}; got {values!r}.")
    seen: set[str] = set()
    for value in values:
        if (plain := known_or_none(value)) is not None:
            check_id(plain, prefix, f"{input_name} entry", example)
            if plain in seen:
                raise v.InputError(f"{input_name} lists {plain} twice. Keep one of them.")
            seen.add(plain)


def check_profile_name(value: str) -> None:
    if isinstance(value, str) and value.startswith("arn:"):
        raise v.InputError(
            f"existing_instance_profile_name {value!r} is an ARN; EC2 takes the profile's name "
            f"here. Pass {value.rpartition('/')[2]!r}."
        )
    v.check_iam_name(
        value, input_name="existing_instance_profile_name", max_length=v.INSTANCE_PROFILE_NAME_MAX
    )


def check_user_data(value: str) -> None:
    v.check_user_data(value, input_name="user_data")


def check_ami(value: str) -> None:
    check_id(value, "ami", "ami", "ami-0123456789abcdef0")


def check_id(value: str, prefix: str, input_name: str, example: str) -> None:
    if not v.is_resource_id(value, prefix):
        raise v.InputError(f"{input_name} {value!r} is not a valid ID (for example {example!r}).")


def role_and_profile(
    parent: pulumi.Resource, name: str, args: Mapping[str, Any]
) -> tuple[InstanceRole | None, pulumi.Input[str]]:
    """The new role (``None`` with ``existing_instance_profile_name``) and the profile name to
    launch with, which resolves only after every policy resource of the role exists."""
    existing = args.get("existing_instance_profile_name")
    if existing is None:
        role = InstanceRole(
            name, args.get("role", InstanceRoleArgs()), pulumi.ResourceOptions(parent=parent)
        )
        return role, role.instance_profile_name
    return None, checked(existing, check_profile_name)


class RoleOutputs:
    """The role outputs every launcher reports: the profile it launches with, and the new
    role's name and ARNs (`None` for a profile made elsewhere: its role and ARN are its owner's
    to report; looking them up right after the profile is created could race IAM's eventual
    consistency, which the provider's data source does not retry)."""

    def __init__(self, role: InstanceRole | None, profile_name: pulumi.Input[str]) -> None:
        self.instance_profile_name = pulumi.Output.from_input(profile_name)
        none: pulumi.Output[str | None] = pulumi.Output.from_input(None)
        self.role_name = role.role_name if role is not None else none
        self.role_arn = role.role_arn if role is not None else none
        self.instance_profile_arn = role.instance_profile_arn if role is not None else none


def ami_of(parent: pulumi.Resource, args: Mapping[str, Any]) -> pulumi.Input[str]:
    """The AMI to launch: ``ami`` (checked), or the value of the SSM parameter, asked once per
    program and provider."""
    if "ami" in args:
        return checked(args["ami"], check_ami)
    parameter = args.get("ami_ssm_parameter", DEFAULT_AMI_SSM_PARAMETER)
    return shared(
        parent,
        (ami_of, parameter),
        lambda: (
            aws.ssm.get_parameter_output(
                name=parameter, opts=pulumi.InvokeOutputOptions(parent=parent)
            ).insecure_value
        ),
    )


def kms_key_arn(
    parent: pulumi.Resource,
    key: pulumi.Input[str] | None,
    depends_on: pulumi.Input[Sequence[pulumi.Input[pulumi.Resource]] | pulumi.Resource] | None,
) -> pulumi.Input[str] | None:
    """The key's ARN: the provider reads an instance's volume key back as its ARN
    (DescribeVolumes KmsKeyId) and ``root_block_device.kms_key_id`` forces a new instance
    (terraform-provider-aws aws_instance schema, no diff suppression), so any other form would
    replace the instance on every `up`; a launch template gets the ARN too, so that a key that
    does not exist fails the `up` rather than every launch. Any other form is looked up
    (kms:DescribeKey) after the component's ``depends_on`` (an alias created in the same
    program), and every child waits for it."""
    if key is None:
        return None
    opts = pulumi.InvokeOutputOptions(parent=parent, depends_on=depends_on)

    def arn_of(value: str) -> pulumi.Input[str]:
        v.check_kms_key_id(value, input_name="root_volume_kms_key_id")
        if v.is_kms_key_arn(value):
            return value
        return aws.kms.get_key_output(key_id=value, opts=opts).arn

    if is_known(key):
        # A bad key is refused now; a lookup's failure holds back every child, as below.
        return deferred(pulumi.Output.from_input(arn_of(key)))  # type: ignore[arg-type]
    return deferred(pulumi.Output.from_input(key).apply(arn_of))


def default_subnet(parent: pulumi.Resource, instance_type: pulumi.Input[str]) -> pulumi.Output[str]:
    """The default VPC's default subnet with the lowest ID (stable from one run to the next)
    among those in an Availability Zone that offers ``instance_type``; asked once per program
    for a plain instance type."""
    if isinstance(instance_type, str):
        return shared(
            parent,
            (default_subnet, instance_type),
            lambda: _look_up_default_subnet(parent, instance_type),
        )
    return _look_up_default_subnet(parent, instance_type)


def _look_up_default_subnet(
    parent: pulumi.Resource, instance_type: pulumi.Input[str]
) -> pulumi.Output[str]:
    opts = pulumi.InvokeOutputOptions(parent=parent)

    def in_offering_zones(kind: str) -> pulumi.Output[str]:
        zones = aws.ec2.get_instance_type_offerings_output(
            filters=offering_filters(kind), location_type="availability-zone", opts=opts
        ).locations
        ids = zones.apply(
            # An empty value list would match any zone in EC2's filters, not none.
            lambda z: (
                aws.ec2.get_subnets_output(filters=default_subnet_filters(z), opts=opts).ids
                if z
                else []
            )
        )
        return ids.apply(lambda found: first_default_subnet(found, kind))

    return pulumi.Output.from_input(instance_type).apply(in_offering_zones)
