"""InstanceWithRole: an EC2 instance that gets AWS access from its role, never from keys.

Instance metadata requires IMDSv2 session tokens on every instance this creates; no input changes
that. The role, its policies and its profile come from an :class:`InstanceRole`, new or shared.
"""

# No `from __future__ import annotations` here: the component host's schema analyzer reads the
# annotations of InstanceWithRoleArgs and InstanceWithRole at runtime and needs them as types.
from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from . import validation as v
from ._inputs import DeployTimeChecks, checked, deferred, known_or_none, with_whole_numbers
from ._launch import (
    DEFAULT_AMI_SSM_PARAMETER,
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_METADATA_HOP_LIMIT,
    DEFAULT_ROOT_VOLUME_TYPE,
    METADATA_HTTP_ENDPOINT,
    METADATA_HTTP_TOKENS,
    ROOT_VOLUME_TYPES,
    RoleOutputs,
    ami_of,
    check_id,
    check_launch_settings,
    check_user_data,
    default_subnet,
    kms_key_arn,
    role_and_profile,
)
from ._lookups import shared
from ._meta import PACKAGE_NAME
from .instance_role import InstanceRole, InstanceRoleArgs
from .network.existing import ExistingNetwork, look_up_network_output

__all__ = [
    "DEFAULT_AMI_SSM_PARAMETER",
    "DEFAULT_INSTANCE_TYPE",
    "DEFAULT_METADATA_HOP_LIMIT",
    "DEFAULT_ROOT_VOLUME_TYPE",
    "METADATA_HTTP_ENDPOINT",
    "METADATA_HTTP_TOKENS",
    "ROOT_VOLUME_TYPES",
    "InstanceWithRole",
    "InstanceWithRoleArgs",
    "check_instance_with_role_args",
]


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

            ami = ami_of(self, args)
            key_arn = kms_key_arn(
                self, args.get("root_volume_kms_key_id"), opts.depends_on if opts else None
            )
            user_data = checked(args["user_data"], check_user_data) if "user_data" in args else None

            given_subnet = args.get("subnet_id")
            instance_type = args.get("instance_type", DEFAULT_INSTANCE_TYPE)
            subnet_id: pulumi.Input[str]
            if given_subnet is not None:
                subnet_id = given_subnet
            else:
                # A region with no default subnet for the instance type fails here, before
                # the role is created.
                subnet_id = deferred(default_subnet(self, instance_type))

            self.instance_role: InstanceRole | None
            """The new role, its policies and its profile (escape hatch); `None` with
            `existing_instance_profile_name`."""
            self.instance_role, profile_name = role_and_profile(self, name, args)

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
                    "enabled" if args.get("instance_metadata_tags") else "disabled"
                ),
            ),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                encrypted=True,
                kms_key_id=key_arn,
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
                    ignore_changes=None if args.get("replace_on_ami_change") else ["ami"],
                    # The provider lifts EC2's termination protection before it terminates
                    # (terraform-provider-aws resourceInstanceDelete: disableInstanceAPITermination,
                    # then TerminateInstances), so without this a replacement (subnet, key, KMS
                    # key, user data, AMI when followed) or a destroy would terminate a protected
                    # instance. The engine refuses to replace a resource protected before and
                    # after, and to delete one protected before (pulumi step_generator.go,
                    # step.go), at preview too; a replacement goes ahead in the update that turns
                    # termination_protection off (the engine checks old and new protect).
                    protect=True if args.get("termination_protection") else None,
                ),
            ),
        )
        """The EC2 instance (escape hatch)."""

        self.instance_id = self.instance.id
        self.instance_arn = self.instance.arn
        self.private_ip = self.instance.private_ip
        outputs = RoleOutputs(self.instance_role, profile_name)
        self.instance_profile_name = outputs.instance_profile_name
        self.role_name = outputs.role_name
        self.role_arn = outputs.role_arn
        self.instance_profile_arn = outputs.instance_profile_arn
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


def _default_network_record(
    parent: pulumi.Resource,
    name: str,
    instance_type: pulumi.Input[str],
    subnet_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> ExistingNetwork:
    """The record of the default subnet (see _launch.default_subnet), with what AWS says of its
    network, asked once per instance type and program like the subnet. The policy pack finds a
    record by its subnet ID, whichever component it sits under, so one per subnet is enough; a
    record per instance cost a component and a dozen outputs each."""

    def record() -> ExistingNetwork:
        facts = look_up_network_output(subnet_id, opts=pulumi.InvokeOutputOptions(parent=parent))
        return ExistingNetwork(f"{name}-network", facts, opts)

    if isinstance(instance_type, str):
        return shared(parent, (_default_network_record, instance_type), record)
    return record()


def _normalized(name: str, args: InstanceWithRoleArgs) -> InstanceWithRoleArgs:
    """``args`` as a dict, whole numbers from other languages as ints (see with_whole_numbers);
    the new role's settings are InstanceRole's to normalize."""
    v.check_args_mapping(args, component="InstanceWithRole", name=name)
    return InstanceWithRoleArgs(
        **with_whole_numbers(args, ("metadata_hop_limit", "root_volume_size"))
    )


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
            f"InstanceWithRole {name!r} got unknown argument(s) {', '.join(unknown)}. Known: "
            f"{', '.join(INSTANCE_SETTINGS)}."
        )
    check_launch_settings(name, args, boolean_settings=BOOLEAN_SETTINGS)
    if (subnet := known_or_none(args.get("subnet_id"))) is not None:
        check_id(subnet, "subnet", "subnet_id", "subnet-0123456789abcdef0")
    return args
