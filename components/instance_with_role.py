"""InstanceWithRole: an EC2 instance that gets AWS access from its role, never from keys.

Instance metadata requires IMDSv2 session tokens on every instance this creates; no input changes
that. The role, its policies and its profile come from an :class:`InstanceRole`, new or shared.
"""

# No `from __future__ import annotations` here: the component host's schema analyzer reads the
# annotations of InstanceWithRoleArgs and InstanceWithRole at runtime and needs them as types.
from collections.abc import Mapping, Sequence
from typing import Final, TypedDict

import pulumi
import pulumi_aws as aws

from . import validation as v
from ._inputs import (
    DeployTimeChecks,
    checked,
    deferred,
    is_known,
    known_or_none,
    with_whole_numbers,
)
from ._lookups import shared
from ._meta import PACKAGE_NAME
from .instance_role import InstanceRole, InstanceRoleArgs, check_instance_role_args
from .network.existing import (
    ExistingNetwork,
    NetworkFacts,
    default_subnet_filters,
    first_default_subnet,
    look_up_network_output,
    offering_filters,
)

#: IMDSv2 only: a metadata request without a session token gets HTTP 401. Not an input.
METADATA_HTTP_TOKENS: Final = "required"
METADATA_HTTP_ENDPOINT: Final = "enabled"
#: One hop: a token is usable on the instance itself but not from a container behind a bridge.
DEFAULT_METADATA_HOP_LIMIT: Final = 1
DEFAULT_INSTANCE_TYPE: Final = "t3.micro"
DEFAULT_ROOT_VOLUME_TYPE: Final = "gp3"
# io1 and io2 need provisioned IOPS, which this component does not take.
ROOT_VOLUME_TYPES: Final = ("gp3", "gp2", "standard")
#: The public SSM parameter AWS keeps pointing at the newest Amazon Linux 2023 AMI.
DEFAULT_AMI_SSM_PARAMETER: Final = (
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
)


class InstanceWithRoleArgs(TypedDict, total=False):
    """Settings of an :class:`InstanceWithRole`. Every field is optional."""

    role: InstanceRoleArgs
    """Optional. Defaults to a new role with no permissions beyond what is set here. Settings of
    the new `InstanceRole` (policies, names, Session Manager). Conflicts with
    `existing_instance_profile_name`."""

    existing_instance_profile_name: pulumi.Input[str]
    """Optional. Defaults to none (a new role and profile are created). The name of an instance
    profile made elsewhere, to share one role among several instances: pass an `InstanceRole`'s
    `instance_profile_name`, and the instance waits for that role's policies. Conflicts with
    `role`. The outputs `role_name`, `role_arn` and `instance_profile_arn` are then not set."""

    ami: pulumi.Input[str]
    """Optional. Defaults to the AMI named by `ami_ssm_parameter`. The AMI ID to launch.
    Conflicts with `ami_ssm_parameter`."""

    ami_ssm_parameter: str
    """Optional. Defaults to
    `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64` (the newest Amazon
    Linux 2023 for x86_64). A public SSM parameter that holds an AMI ID. Conflicts with `ami`."""

    replace_on_ami_change: bool
    """Optional. Defaults to `false`. A new AMI (a newer image behind the SSM parameter, or a
    changed `ami`) applies only to instances created from then on; a running instance is never
    replaced for it, and one replaced for another reason (a new subnet, key or KMS key) keeps
    the AMI it was launched with. Set `true` to replace the instance whenever the AMI
    changes."""

    instance_type: pulumi.Input[str]
    """Optional. Defaults to `t3.micro`. The EC2 instance type (`<family>.<size>`)."""

    subnet_id: pulumi.Input[str]
    """Optional. Defaults to the default VPC's default subnet with the lowest ID among those in
    an Availability Zone that offers `instance_type` (recorded for the policy pack's
    reachability rules). The subnet to launch into."""

    vpc_security_group_ids: Sequence[pulumi.Input[str]]
    """Optional. Defaults to the VPC's default security group. Security groups of the instance,
    at most 16 (5 unless the account's quota was raised)."""

    associate_public_ip_address: bool
    """Optional. Defaults to `false`. Give the instance a public IPv4 address: its way to AWS's
    APIs through a subnet routed to an internet gateway, where it has no NAT route or VPC
    endpoints. Its security groups, not the address, decide what may connect in."""

    key_name: pulumi.Input[str]
    """Optional. Defaults to none. An EC2 key pair for SSH (1 to 255 ASCII characters); Session
    Manager (`role.enable_session_manager`) needs no key and no open port. Changing it replaces
    the instance."""

    user_data: pulumi.Input[str]
    """Optional. Defaults to none. User data (cloud-init) run at first boot, at most 16 KB
    before base64. See `replace_on_user_data_change`."""

    replace_on_user_data_change: bool
    """Optional. Defaults to `true`. Replace the instance when `user_data` changes, so that the
    new script runs: cloud-init runs user data at first boot only, and with `false` a change
    stops the instance, swaps the user data and starts it again without running it. With
    `termination_protection` a replacement is refused at preview, so a changed script needs
    protection turned off first (or this set to `false`)."""

    detailed_monitoring: bool
    """Optional. Defaults to `false`. One-minute CloudWatch metrics (charged) instead of
    five-minute ones."""

    ebs_optimized: bool
    """Optional. Defaults to the instance type's own setting (on for current generations). EBS
    optimisation."""

    termination_protection: bool
    """Optional. Defaults to `false`. Refuse TerminateInstances, and mark the instance
    `protect`ed in Pulumi, so that a preview refuses to replace or delete it (the provider
    would lift EC2's protection itself and terminate it). To replace it, set this to `false`
    in the same update; to destroy it, `pulumi up` with `false` first."""

    root_volume_size: int
    """Optional. Defaults to the AMI's size. Root volume size in GiB: 1 to 65536 for gp3, 1 to
    16384 for gp2, 1 to 1024 for standard, and at least the AMI's size."""

    root_volume_type: str
    """Optional. Defaults to `gp3`. Root volume type: gp3, gp2 or standard (io1 and io2 need
    provisioned IOPS, which this component does not set)."""

    root_volume_kms_key_id: pulumi.Input[str]
    """Optional. Defaults to the account's AWS managed key for EBS (`aws/ebs`). The KMS key that
    encrypts the root volume (it is encrypted either way): its key ARN, key ID, alias
    (`alias/<name>`) or alias ARN; any but the key ARN is looked up (kms:DescribeKey) and
    given to EC2 as the key ARN, which is what the instance reads back, so it never shows as a
    change. Changing the key replaces the instance. A key ARN is not looked up: one that does
    not exist fails at RunInstances."""

    metadata_hop_limit: int
    """Optional. Defaults to 1. Hops an IMDSv2 token response may travel (1 to 64). Use 2 on
    hosts whose containers need the instance's credentials, accepting that every container on
    the host can then read them. Above 2 only with `allow_metadata_hop_limit_above_2`."""

    allow_metadata_hop_limit_above_2: bool
    """Optional. Defaults to `false`. Accept a `metadata_hop_limit` above 2, which lets the
    role's credentials reach further than a container on the instance: an explicit, visible
    opt-in."""

    instance_metadata_tags: bool
    """Optional. Defaults to `false`. Expose the instance's tags through the metadata service
    (tag keys must then avoid spaces and `/`)."""

    tags: Mapping[str, pulumi.Input[str]]
    """Optional. Defaults to `{"Name": <component name>}`. Tags of the instance and its root
    volume; a `Name` given here wins over the default."""


INSTANCE_SETTINGS: tuple[str, ...] = tuple(InstanceWithRoleArgs.__annotations__)
BOOLEAN_SETTINGS: tuple[str, ...] = tuple(
    k for k, t in InstanceWithRoleArgs.__annotations__.items() if t is bool
)


class InstanceWithRole(pulumi.ComponentResource):
    """An EC2 instance that requires IMDSv2 and runs as an IAM role through an instance
    profile, launched only once every policy of the role is in place."""

    instance_id: pulumi.Output[str]
    """ID of the EC2 instance."""

    instance_arn: pulumi.Output[str]
    """ARN of the EC2 instance."""

    private_ip: pulumi.Output[str]
    """Private IPv4 address of the instance."""

    role_name: pulumi.Output[str | None]
    """Name of the IAM role the instance runs as; not set with `existing_instance_profile_name`
    (read it from the `InstanceRole` that owns the profile)."""

    role_arn: pulumi.Output[str | None]
    """ARN of the IAM role the instance runs as; not set with `existing_instance_profile_name`
    (read it from the `InstanceRole` that owns the profile)."""

    instance_profile_name: pulumi.Output[str]
    """Name of the instance profile attached to the instance."""

    instance_profile_arn: pulumi.Output[str | None]
    """ARN of the instance profile attached to the instance; not set with
    `existing_instance_profile_name`."""

    def __init__(
        self,
        name: str,
        # Not Optional: the schema analyzer takes the inputs from this annotation. Pass `{}` for
        # every default.
        args: InstanceWithRoleArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        args = _checked_args(name, args)
        # Values known only at deploy time are checked when they resolve; every child, the
        # role's included, waits for those checks (see DeployTimeChecks).
        gate = DeployTimeChecks()
        with gate.active():
            super().__init__(f"{PACKAGE_NAME}:index:InstanceWithRole", name, None, opts)

            ami: pulumi.Input[str]
            if "ami" in args:
                ami = checked(args["ami"], _check_ami)
            else:
                parameter = args.get("ami_ssm_parameter", DEFAULT_AMI_SSM_PARAMETER)
                ami = shared(
                    self,
                    ("ami", parameter),
                    lambda: (
                        aws.ssm.get_parameter_output(
                            name=parameter, opts=pulumi.InvokeOutputOptions(parent=self)
                        ).insecure_value
                    ),
                )

            kms_key_arn = _kms_key_arn(
                self, args.get("root_volume_kms_key_id"), opts.depends_on if opts else None
            )
            user_data = (
                checked(args["user_data"], _check_user_data) if "user_data" in args else None
            )

            given_subnet = args.get("subnet_id")
            instance_type = args.get("instance_type", DEFAULT_INSTANCE_TYPE)
            subnet_id: pulumi.Input[str]
            if given_subnet is not None:
                subnet_id = given_subnet
            else:
                # A region with no default subnet for the instance type fails here, before
                # the role is created.
                subnet_id = deferred(_default_subnet(self, instance_type))

            existing_profile = args.get("existing_instance_profile_name")
            self.instance_role: InstanceRole | None = None
            """The new role, its policies and its profile (escape hatch); `None` with
            `existing_instance_profile_name`."""
            profile_name: pulumi.Input[str]
            if existing_profile is None:
                self.instance_role = InstanceRole(
                    name, args.get("role", InstanceRoleArgs()), pulumi.ResourceOptions(parent=self)
                )
                # Resolves only after every policy resource of the role: RunInstances waits for
                # them.
                profile_name = self.instance_role.instance_profile_name
            else:
                profile_name = checked(existing_profile, _check_profile_name)

        child = pulumi.ResourceOptions(parent=self, depends_on=gate.barrier())
        self.network: ExistingNetwork | None = None
        """The record of the default subnet this chose, for the policy pack's reachability
        rules (escape hatch); `None` when `subnet_id` is given. One record per default subnet
        and program: the first instance that launches into it (for a plain instance type) owns
        it, as `<name>-network`, and the others share it."""
        if given_subnet is None:
            self.network = _default_network_record(self, name, instance_type, subnet_id, child)
        tags: dict[str, pulumi.Input[str]] = {"Name": name, **args.get("tags", {})}
        self.instance = aws.ec2.Instance(
            f"{name}-instance",
            ami=ami,
            instance_type=args.get("instance_type", DEFAULT_INSTANCE_TYPE),
            iam_instance_profile=profile_name,
            subnet_id=subnet_id,
            vpc_security_group_ids=args.get("vpc_security_group_ids"),
            # Sent only with a subnet_id (terraform-provider-aws buildInstanceOpts); without one
            # a default subnet's map-public-IP-on-launch would give the instance a public IP
            # anyway, hence _default_subnet.
            associate_public_ip_address=args.get("associate_public_ip_address", False),
            key_name=args.get("key_name"),
            user_data=user_data,
            # Without it the provider stops the instance, swaps the user data and starts it,
            # and cloud-init does not run it again (terraform-provider-aws aws_instance:
            # CustomizeDiff ForceNewIf user_data when user_data_replace_on_change).
            user_data_replace_on_change=args.get("replace_on_user_data_change", True),
            monitoring=args.get("detailed_monitoring", False),
            ebs_optimized=args.get("ebs_optimized"),
            disable_api_termination=args.get("termination_protection", False),
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_tokens=METADATA_HTTP_TOKENS,
                http_endpoint=METADATA_HTTP_ENDPOINT,
                http_put_response_hop_limit=args.get(
                    "metadata_hop_limit", DEFAULT_METADATA_HOP_LIMIT
                ),
                instance_metadata_tags=(
                    "enabled" if args.get("instance_metadata_tags", False) else "disabled"
                ),
            ),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                encrypted=True,
                kms_key_id=kms_key_arn,
                volume_type=args.get("root_volume_type", DEFAULT_ROOT_VOLUME_TYPE),
                volume_size=args.get("root_volume_size"),
                tags=tags,
            ),
            tags=tags,
            opts=pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(
                    # The application must have every permission at first boot: RunInstances waits
                    # for the inline policies and attachments, not only for the profile, through the
                    # dependencies the profile name carries (InstanceRole.instance_profile_name). A
                    # profile that IAM has not yet propagated to EC2 needs no sleep here: the
                    # provider (terraform-provider-aws underneath) retries RunInstances on "Invalid
                    # IAM Instance Profile" and "has no associated IAM Roles".
                    # ignore_changes keeps the AMI the instance was launched with; without it a
                    # newer image behind the SSM parameter would replace the instance.
                    ignore_changes=None if args.get("replace_on_ami_change", False) else ["ami"],
                    # The provider lifts EC2's termination protection before it terminates
                    # (terraform-provider-aws resourceInstanceDelete: disableInstanceAPITermination,
                    # then TerminateInstances), so without this a replacement (subnet, key, KMS
                    # key, user data, AMI when followed) or a destroy would terminate a protected
                    # instance. The engine refuses to replace a resource protected before and
                    # after, and to delete one protected before (pulumi step_generator.go,
                    # step.go), at preview too; a replacement goes ahead in the update that turns
                    # termination_protection off (the engine checks old and new protect).
                    protect=True if args.get("termination_protection", False) else None,
                ),
            ),
        )
        """The EC2 instance (escape hatch)."""

        self.instance_id = self.instance.id
        self.instance_arn = self.instance.arn
        self.private_ip = self.instance.private_ip
        self.instance_profile_name = (
            profile_name
            if isinstance(profile_name, pulumi.Output)
            else pulumi.Output.from_input(profile_name)
        )
        if self.instance_role is not None:
            self.role_name = self.instance_role.role_name
            self.role_arn = self.instance_role.role_arn
            self.instance_profile_arn = self.instance_role.instance_profile_arn
        else:
            # A profile made elsewhere: its role and ARN are its owner's to report. Looking them
            # up (aws.iam.get_instance_profile) right after the profile is created could race
            # IAM's eventual consistency, which the provider's data source does not retry.
            self.role_name = pulumi.Output.from_input(None)
            self.role_arn = pulumi.Output.from_input(None)
            self.instance_profile_arn = pulumi.Output.from_input(None)
        self.register_outputs(
            {
                "instance_id": self.instance_id,
                "instance_arn": self.instance_arn,
                "private_ip": self.private_ip,
                "role_name": self.role_name,
                "role_arn": self.role_arn,
                "instance_profile_name": self.instance_profile_name,
                "instance_profile_arn": self.instance_profile_arn,
            }
        )


def _default_subnet(
    parent: pulumi.Resource, instance_type: pulumi.Input[str]
) -> pulumi.Output[str]:
    """The default VPC's default subnet with the lowest ID (stable from one run to the next)
    among those in an Availability Zone that offers ``instance_type``; asked once per program
    for a plain instance type."""
    if isinstance(instance_type, str):
        return shared(
            parent,
            ("default-subnet", instance_type),
            lambda: _look_up_default_subnet(parent, instance_type),
        )
    return _look_up_default_subnet(parent, instance_type)


def _default_network(
    parent: pulumi.Resource, instance_type: pulumi.Input[str], subnet_id: pulumi.Input[str]
) -> pulumi.Output[NetworkFacts]:
    """What AWS says of the default subnet's network (see _default_subnet)."""

    def ask() -> pulumi.Output[NetworkFacts]:
        return look_up_network_output(subnet_id, opts=pulumi.InvokeOutputOptions(parent=parent))

    if isinstance(instance_type, str):
        return shared(parent, ("default-network", instance_type), ask)
    return ask()


def _default_network_record(
    parent: pulumi.Resource,
    name: str,
    instance_type: pulumi.Input[str],
    subnet_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> ExistingNetwork:
    """The record of the default subnet (see _default_subnet). The policy pack finds a record
    by its subnet ID, whichever component it sits under, so one per subnet is enough; a record
    per instance cost a component and a dozen outputs each."""

    def record() -> ExistingNetwork:
        return ExistingNetwork(
            f"{name}-network", _default_network(parent, instance_type, subnet_id), opts
        )

    if isinstance(instance_type, str):
        return shared(parent, ("default-network-record", instance_type), record)
    return record()


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


def _normalized(name: str, args: InstanceWithRoleArgs) -> InstanceWithRoleArgs:
    """``args`` as a dict, whole numbers from other languages as ints (see with_whole_numbers);
    the new role's settings are InstanceRole's to normalize."""
    v.check_args_mapping(args, component="InstanceWithRole", name=name)
    return InstanceWithRoleArgs(
        **with_whole_numbers(args, ("metadata_hop_limit", "root_volume_size"))
    )


def _check_profile_name(value: str) -> None:
    if isinstance(value, str) and value.startswith("arn:"):
        raise v.InputError(
            f"existing_instance_profile_name {value!r} is an ARN; EC2 takes the profile's name "
            f"here. Pass {value.rsplit('/', 1)[-1]!r}."
        )
    v.check_iam_name(
        value, input_name="existing_instance_profile_name", max_length=v.INSTANCE_PROFILE_NAME_MAX
    )


def _kms_key_arn(
    parent: pulumi.Resource,
    key: pulumi.Input[str] | None,
    depends_on: pulumi.Input[Sequence[pulumi.Input[pulumi.Resource]] | pulumi.Resource] | None,
) -> pulumi.Input[str] | None:
    """The key's ARN: the provider reads the volume's key back as its ARN (DescribeVolumes
    KmsKeyId) and ``root_block_device.kms_key_id`` forces a new instance (terraform-provider-aws
    aws_instance schema, no diff suppression), so any other form would replace the instance on
    every `up`. Any other form is looked up (kms:DescribeKey) after the component's
    ``depends_on`` (an alias created in the same program), and every child waits for it, so a
    key that does not exist fails the `up` before anything is created."""
    if key is None:
        return None
    opts = pulumi.InvokeOutputOptions(parent=parent, depends_on=depends_on)

    def arn_of(value: str) -> pulumi.Input[str]:
        v.check_kms_key_id(value, input_name="root_volume_kms_key_id")
        if v.is_kms_key_arn(value):
            return value
        return aws.kms.get_key_output(key_id=value, opts=opts).arn

    if is_known(key):
        arn = arn_of(key)  # type: ignore[arg-type]
        return arn if is_known(arn) else deferred(pulumi.Output.from_input(arn))
    return deferred(pulumi.Output.from_input(key).apply(arn_of))


def _check_user_data(value: str) -> None:
    v.check_user_data(value, input_name="user_data")


def _check_ami(value: str) -> None:
    _check_id(value, "ami", "ami", "ami-0123456789abcdef0")


def _check_id(value: str, prefix: str, input_name: str, example: str) -> None:
    if not v.is_resource_id(value, prefix):
        raise v.InputError(f"{input_name} {value!r} is not a valid ID (for example {example!r}).")


def check_instance_with_role_args(name: str, args: InstanceWithRoleArgs) -> None:
    """Raises :class:`~components.validation.InputError` for settings an
    :class:`InstanceWithRole` named ``name`` would refuse; registers nothing. A program that
    creates other resources first (a security group, say) calls this before them."""
    _checked_args(name, args)


def _checked_args(name: str, args: InstanceWithRoleArgs) -> InstanceWithRoleArgs:
    """``args`` normalized (see _normalized) and checked; raises InputError for bad ones."""
    args = _normalized(name, args)
    unknown = sorted(set(args) - set(INSTANCE_SETTINGS))
    if unknown:
        raise v.InputError(
            f"InstanceWithRole got unknown argument(s) {', '.join(unknown)}. Known: "
            f"{', '.join(INSTANCE_SETTINGS)}."
        )
    existing = args.get("existing_instance_profile_name")
    if existing is not None:
        if isinstance(existing, pulumi.Resource):
            raise v.InputError(
                "existing_instance_profile_name must be a profile name; got a "
                f"{type(existing).__name__} resource. Pass its instance_profile_name (or name)."
            )
        if "role" in args:
            given = ", ".join(sorted(args["role"])) or "(empty)"
            raise v.InputError(
                f"Both existing_instance_profile_name and role settings ({given}) are given; the "
                "settings would be silently ignored. Put them on the InstanceRole that owns the "
                "profile, or drop existing_instance_profile_name to create a new role."
            )
        if (profile := known_or_none(existing)) is not None:
            _check_profile_name(profile)
    if "ami" in args and "ami_ssm_parameter" in args:
        raise v.InputError(
            "Both ami and ami_ssm_parameter are set; they conflict. Set ami to pin an image, or "
            "ami_ssm_parameter to follow one."
        )
    if (ami := known_or_none(args.get("ami"))) is not None:
        _check_ami(ami)
    for flag in BOOLEAN_SETTINGS:
        if flag in args:
            v.check_bool(args[flag], input_name=flag)
    if "metadata_hop_limit" in args:
        v.check_metadata_hop_limit(args["metadata_hop_limit"], input_name="metadata_hop_limit")
        v.check_metadata_hop_limit_opt_in(
            args["metadata_hop_limit"],
            allowed=args.get("allow_metadata_hop_limit_above_2", False),
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
        _check_user_data(user_data)
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
    if (subnet := known_or_none(args.get("subnet_id"))) is not None:
        _check_id(subnet, "subnet", "subnet_id", "subnet-0123456789abcdef0")
    groups = args.get("vpc_security_group_ids")
    if groups is not None:
        if isinstance(groups, str) or not isinstance(groups, Sequence):
            raise v.InputError(
                f"vpc_security_group_ids must be a list of security group IDs; got {groups!r}."
            )
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
        seen: set[str] = set()
        for group in groups:
            if (plain := known_or_none(group)) is not None:
                _check_id(
                    plain,
                    "sg",
                    "vpc_security_group_ids entry",
                    "sg-0123456789abcdef0",
                )
                if plain in seen:
                    raise v.InputError(
                        f"vpc_security_group_ids lists {plain} twice. Keep one of them."
                    )
                seen.add(plain)
    if "tags" in args:
        v.check_tags({"Name": "", **args["tags"]}, input_name="tags")
        if args.get("instance_metadata_tags", False):
            for key in args["tags"]:
                v.check_metadata_tag_key(key, input_name="tags")
    # The new role's settings are checked by InstanceRole before it registers anything; doing
    # it here too keeps the instance component itself from registering first.
    if existing is None:
        role = args.get("role", InstanceRoleArgs())
        if not isinstance(role, Mapping):
            raise v.InputError(
                f"role must be a dict of InstanceRole settings (InstanceRoleArgs); got {role!r}. "
                "Omit it for a role with no policies."
            )
        check_instance_role_args(name, role)
    return args
