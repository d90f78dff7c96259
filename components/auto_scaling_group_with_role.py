"""AutoScalingGroupWithRole: a fleet of EC2 instances that AWS Auto Scaling runs across
Availability Zones, every one of them with the invariants of InstanceWithRole.

A launch template carries what each instance boots with: IMDSv2 required (no input changes that),
an encrypted root volume, no public IP unless asked, the role's instance profile. Its version is
made only after every policy of the role exists, so no instance of the fleet boots without its
permissions. The group launches from the template's newest version, so a change of the template
rolls the fleet through an instance refresh.

What the provider does, from terraform-provider-aws (pulumi-aws is bridged from it):
- ``aws_launch_template``: an update makes a new version in place (CreateLaunchTemplateVersion);
  ``latest_version`` is that version's number, and ``update_default_version`` makes it the
  template's default too (what a console launch and moto's Auto Scaling use).
- ``aws_autoscaling_group``: a change of ``launch_template`` (its version included) starts the
  ``instance_refresh`` (internal/service/autoscaling/group.go, resourceGroupUpdate:
  ``shouldRefreshInstances`` on ``launch_template``); the group's ``version`` is the number, not
  ``$Latest``, since ``$Latest`` never changes and so never starts a refresh (the
  terraform-aws-modules autoscaling issues #143 and #155). ``desired_capacity`` is Optional and
  Computed: left out, a create starts at ``min_size`` and no later `up` undoes what a scaling
  policy did. ``wait_for_capacity_timeout`` (10 minutes by default) makes `up` wait until
  ``min_size`` instances are InService.
"""

# No `from __future__ import annotations` here: the component host's schema analyzer reads the
# annotations of the Args and the component at runtime and needs them as types.
import base64
from collections.abc import Mapping, Sequence
from typing import Final, TypedDict

import pulumi
import pulumi_aws as aws

from . import validation as v
from ._inputs import DeployTimeChecks, checked, known_or_none, with_whole_numbers
from ._launch import (
    DEFAULT_AMI_SSM_PARAMETER,
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_METADATA_HOP_LIMIT,
    DEFAULT_ROOT_VOLUME_TYPE,
    METADATA_HTTP_ENDPOINT,
    METADATA_HTTP_TOKENS,
    RoleOutputs,
    ami_of,
    check_id_list,
    check_launch_settings,
    check_user_data,
    kms_key_arn,
    role_and_profile,
)
from ._lookups import shared
from ._meta import PACKAGE_NAME
from .instance_role import InstanceRole, InstanceRoleArgs
from .network.existing import ExistingNetwork, default_subnets, look_up_network_output

DEFAULT_MIN_SIZE: Final = 1
DEFAULT_HEALTH_CHECK_GRACE_PERIOD: Final = 300
DEFAULT_MIN_HEALTHY_PERCENTAGE: Final = 90
HEALTH_CHECK_TYPES: Final = ("EC2", "ELB")


class AutoScalingGroupWithRoleArgs(TypedDict, total=False):
    """Settings of an :class:`AutoScalingGroupWithRole`. Every field is optional."""

    role: InstanceRoleArgs
    """Optional. Defaults to a new role with no permissions beyond what is set here. Settings of
    the new `InstanceRole` (policies, names, Session Manager). Conflicts with
    `existing_instance_profile_name`."""

    existing_instance_profile_name: pulumi.Input[str]
    """Optional. Defaults to none (a new role and profile are created). The name of an instance
    profile made elsewhere: pass an `InstanceRole`'s `instance_profile_name`, and the template
    waits for that role's policies. Conflicts with `role`."""

    ami: pulumi.Input[str]
    """Optional. Defaults to the AMI named by `ami_ssm_parameter`. The AMI ID to launch.
    Conflicts with `ami_ssm_parameter`."""

    ami_ssm_parameter: str
    """Optional. Defaults to
    `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`. A public SSM
    parameter that holds an AMI ID. Conflicts with `ami`."""

    refresh_on_ami_change: bool
    """Optional. Defaults to `false`: the template keeps the AMI it was created with, so a newer
    image behind the SSM parameter does not roll the fleet. Set `true` to put each new AMI (or
    a changed `ami`) into a new template version, which replaces the instances through an
    instance refresh."""

    instance_type: pulumi.Input[str]
    """Optional. Defaults to `t3.micro`. The EC2 instance type (`<family>.<size>`); a plain
    value when `subnet_ids` is not given."""

    subnet_ids: Sequence[pulumi.Input[str]]
    """Optional. Defaults to the default VPC's default subnets in every Availability Zone that
    offers `instance_type` (recorded for the policy pack's reachability rules). The subnets the
    group launches into, one or more, ideally in different Availability Zones."""

    min_size: int
    """Optional. Defaults to 1. The fewest instances the group keeps running (0 or more)."""

    max_size: int
    """Optional. Defaults to `min_size` (or 1 when that is 0). The most instances the group
    may run; at least `min_size` and at least 1."""

    desired_capacity: int
    """Optional. Defaults to none: the group starts at `min_size`, and a later `up` never resets
    what scaling policies or an operator set. A number between `min_size` and `max_size` makes
    Pulumi hold the group at it on every `up`."""

    health_check_type: str
    """Optional. Defaults to `EC2`. `EC2` (the instance's status checks) or `ELB` (the load
    balancer's, which needs `target_group_arns`)."""

    health_check_grace_period: int
    """Optional. Defaults to 300. Seconds after an instance starts before its health checks
    count (0 or more)."""

    target_group_arns: Sequence[pulumi.Input[str]]
    """Optional. Defaults to none. Load balancer target groups the instances register with."""

    instance_refresh_min_healthy_percentage: int
    """Optional. Defaults to 90. During a rolling instance refresh (started by a new template
    version), the share of the group's capacity that stays in service, 0 to 100."""

    vpc_security_group_ids: Sequence[pulumi.Input[str]]
    """Optional. Defaults to the VPC's default security group. Security groups of the instances,
    at most 16 (5 unless the account's quota was raised)."""

    associate_public_ip_address: bool
    """Optional. Defaults to `false`. Give each instance a public IPv4 address: its way to AWS's
    APIs through a subnet routed to an internet gateway, where it has no NAT route or VPC
    endpoints. Its security groups, not the address, decide what may connect in."""

    key_name: pulumi.Input[str]
    """Optional. Defaults to none. An EC2 key pair for SSH (1 to 255 ASCII characters); Session
    Manager (`role.enable_session_manager`) needs no key and no open port."""

    user_data: pulumi.Input[str]
    """Optional. Defaults to none. User data (cloud-init) run at each instance's first boot, at
    most 16 KB before base64 (the component encodes it). A change makes a new template version
    and so rolls the fleet."""

    detailed_monitoring: bool
    """Optional. Defaults to `false`. One-minute CloudWatch metrics (charged) instead of
    five-minute ones."""

    ebs_optimized: bool
    """Optional. Defaults to the instance type's own setting (on for current generations). EBS
    optimisation."""

    root_volume_size: int
    """Optional. Defaults to the AMI's size. Root volume size in GiB: 1 to 65536 for gp3, 1 to
    16384 for gp2, 1 to 1024 for standard, and at least the AMI's size."""

    root_volume_type: str
    """Optional. Defaults to `gp3`. Root volume type: gp3, gp2 or standard."""

    root_volume_kms_key_id: pulumi.Input[str]
    """Optional. Defaults to the account's AWS managed key for EBS (`aws/ebs`). The KMS key that
    encrypts each root volume (it is encrypted either way): its key ARN, key ID, alias or alias
    ARN; any but the key ARN is looked up (kms:DescribeKey) and written into the template as
    the key ARN."""

    metadata_hop_limit: int
    """Optional. Defaults to 1. Hops an IMDSv2 token response may travel (1 to 64). Use 2 on
    hosts whose containers need the instance's credentials. Above 2 only with
    `allow_metadata_hop_limit_above_2`."""

    allow_metadata_hop_limit_above_2: bool
    """Optional. Defaults to `false`. Accept a `metadata_hop_limit` above 2: an explicit, visible
    opt-in."""

    instance_metadata_tags: bool
    """Optional. Defaults to `false`. Expose each instance's tags through the metadata service
    (tag keys must then avoid spaces and `/`)."""

    tags: Mapping[str, pulumi.Input[str]]
    """Optional. Defaults to `{"Name": <component name>}`. Tags of the group, the template, and
    every instance and root volume it launches; a `Name` given here wins over the default."""


FLEET_SETTINGS: tuple[str, ...] = tuple(AutoScalingGroupWithRoleArgs.__annotations__)
BOOLEAN_SETTINGS: tuple[str, ...] = tuple(
    k for k, t in AutoScalingGroupWithRoleArgs.__annotations__.items() if t is bool
)
WHOLE_NUMBER_SETTINGS: Final = (
    "metadata_hop_limit",
    "root_volume_size",
    "min_size",
    "max_size",
    "desired_capacity",
    "health_check_grace_period",
    "instance_refresh_min_healthy_percentage",
)


class AutoScalingGroupWithRole(pulumi.ComponentResource):
    """An Auto Scaling group whose instances require IMDSv2 and run as an IAM role, launched from
    a template whose every version waits for the role's policies."""

    autoscaling_group_name: pulumi.Output[str]
    """Name of the Auto Scaling group."""

    autoscaling_group_arn: pulumi.Output[str]
    """ARN of the Auto Scaling group."""

    launch_template_id: pulumi.Output[str]
    """ID of the launch template."""

    launch_template_version: pulumi.Output[int]
    """The template's newest version, which the group launches from."""

    role_name: pulumi.Output[str | None]
    """Name of the IAM role the instances run as; not set with
    `existing_instance_profile_name`."""

    role_arn: pulumi.Output[str | None]
    """ARN of the IAM role the instances run as; not set with
    `existing_instance_profile_name`."""

    instance_profile_name: pulumi.Output[str]
    """Name of the instance profile in the launch template."""

    instance_profile_arn: pulumi.Output[str | None]
    """ARN of the instance profile; not set with `existing_instance_profile_name`."""

    def __init__(
        self,
        name: str,
        # Not Optional: the schema analyzer takes the inputs from this annotation. Pass `{}` for
        # every default.
        args: AutoScalingGroupWithRoleArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        args = _checked_args(name, args)
        gate = DeployTimeChecks()
        with gate.active():
            super().__init__(f"{PACKAGE_NAME}:index:AutoScalingGroupWithRole", name, None, opts)
            ami = ami_of(self, args)
            key_arn = kms_key_arn(
                self, args.get("root_volume_kms_key_id"), opts.depends_on if opts else None
            )
            user_data = checked(args["user_data"], check_user_data) if "user_data" in args else None
            instance_type = args.get("instance_type", DEFAULT_INSTANCE_TYPE)
            given_subnets = args.get("subnet_ids")
            # Known now: the group needs the list, and each default subnet gets its record. A
            # region with no default subnet for the type fails here, before the role exists.
            subnet_ids: Sequence[pulumi.Input[str]] = (
                list(given_subnets)
                if given_subnets is not None
                else _default_subnets(self, str(instance_type))
            )
            self.instance_role: InstanceRole | None
            """The new role, its policies and its profile (escape hatch); `None` with
            `existing_instance_profile_name`."""
            self.instance_role, profile_name = role_and_profile(self, name, args)
            root_device = _root_device_name(self, ami, args)

        child = pulumi.ResourceOptions(parent=self, depends_on=gate.barrier())
        self.networks: list[ExistingNetwork] = []
        """The records of the default subnets this chose, for the policy pack's reachability
        rules (escape hatch); empty when `subnet_ids` is given."""
        if given_subnets is None:
            self.networks = [_network_record(self, name, str(s), child) for s in subnet_ids]

        tags: dict[str, pulumi.Input[str]] = {"Name": name, **args.get("tags", {})}
        ebs_optimized = args.get("ebs_optimized")
        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-template",
            image_id=ami,
            instance_type=instance_type,
            # The name carries a dependency on every policy resource of the role
            # (InstanceRole.instance_profile_name): no version of the template, and so no
            # instance of the group, exists before the role has all its permissions.
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(name=profile_name),
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_tokens=METADATA_HTTP_TOKENS,
                http_endpoint=METADATA_HTTP_ENDPOINT,
                http_put_response_hop_limit=args.get(
                    "metadata_hop_limit", DEFAULT_METADATA_HOP_LIMIT
                ),
                instance_metadata_tags=(
                    "enabled" if args.get("instance_metadata_tags") else "disabled"
                ),
            ),
            # The AMI's own root device name: a mapping under another name would add an empty
            # volume and leave the root volume as the AMI's snapshot has it.
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=root_device,
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        encrypted="true",
                        kms_key_id=key_arn,
                        volume_type=args.get("root_volume_type", DEFAULT_ROOT_VOLUME_TYPE),
                        volume_size=args.get("root_volume_size"),
                        delete_on_termination="true",
                    ),
                )
            ],
            # Interface 0 says "no public IP" explicitly, whatever the subnet's
            # map-public-IP-on-launch; with an interface, the groups go on it (EC2 refuses them
            # beside it). The group supplies the subnet.
            network_interfaces=[
                aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                    device_index=0,
                    associate_public_ip_address=(
                        "true" if args.get("associate_public_ip_address") else "false"
                    ),
                    security_groups=args.get("vpc_security_group_ids"),
                    delete_on_termination="true",
                )
            ],
            key_name=args.get("key_name"),
            user_data=None
            if user_data is None
            else pulumi.Output.from_input(user_data).apply(_base64),
            monitoring=aws.ec2.LaunchTemplateMonitoringArgs(
                enabled=args.get("detailed_monitoring", False)
            ),
            ebs_optimized=None if ebs_optimized is None else str(ebs_optimized).lower(),
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=tags)
                for kind in ("instance", "volume", "network-interface")
            ],
            tags=tags,
            update_default_version=True,
            opts=pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(
                    ignore_changes=(None if args.get("refresh_on_ami_change") else ["imageId"])
                ),
            ),
        )
        """The launch template (escape hatch)."""

        desired = args.get("desired_capacity")
        self.group = aws.autoscaling.Group(
            f"{name}-group",
            vpc_zone_identifiers=subnet_ids,
            min_size=args.get("min_size", DEFAULT_MIN_SIZE),
            max_size=_max_size(args),
            desired_capacity=desired,
            health_check_type=args.get("health_check_type", "EC2"),
            health_check_grace_period=args.get(
                "health_check_grace_period", DEFAULT_HEALTH_CHECK_GRACE_PERIOD
            ),
            target_group_arns=args.get("target_group_arns"),
            # `up` waits for min_size instances in service (wait_for_capacity_timeout, 10
            # minutes) and, by default, gives up at the first failed scaling activity
            # (terraform-provider-aws waitGroupCapacitySatisfied). Right after the profile is
            # created, EC2 may not know it yet ("Invalid IAM Instance Profile"): Auto Scaling
            # retries that launch, so the wait should too, and a lasting failure still ends it
            # at the timeout.
            ignore_failed_scaling_activities=True,
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                id=self.launch_template.id,
                # The number, not "$Latest": a new number is a change of the group, which
                # starts the instance refresh.
                version=self.launch_template.latest_version.apply(str),
            ),
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy="Rolling",
                preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                    min_healthy_percentage=args.get(
                        "instance_refresh_min_healthy_percentage", DEFAULT_MIN_HEALTHY_PERCENTAGE
                    ),
                ),
            ),
            # The template tags the instances and volumes; these tag the group itself.
            tags=[
                aws.autoscaling.GroupTagArgs(key=k, value=value, propagate_at_launch=False)
                for k, value in tags.items()
            ],
            opts=child,
        )
        """The Auto Scaling group (escape hatch)."""

        self.autoscaling_group_name = self.group.name
        self.autoscaling_group_arn = self.group.arn
        self.launch_template_id = self.launch_template.id
        self.launch_template_version = self.launch_template.latest_version
        outputs = RoleOutputs(self.instance_role, profile_name)
        self.instance_profile_name = outputs.instance_profile_name
        self.role_name = outputs.role_name
        self.role_arn = outputs.role_arn
        self.instance_profile_arn = outputs.instance_profile_arn
        self.register_outputs(
            {
                "autoscaling_group_name": self.autoscaling_group_name,
                "autoscaling_group_arn": self.autoscaling_group_arn,
                "launch_template_id": self.launch_template_id,
                "launch_template_version": self.launch_template_version,
                "role_name": self.role_name,
                "role_arn": self.role_arn,
                "instance_profile_name": self.instance_profile_name,
                "instance_profile_arn": self.instance_profile_arn,
            }
        )


def _base64(text: str) -> str:
    # A launch template takes user data base64-encoded (EC2 API RequestLaunchTemplateData
    # UserData), unlike an instance, whose provider encodes it.
    return base64.b64encode(text.encode()).decode()


def _max_size(args: AutoScalingGroupWithRoleArgs) -> int:
    return args.get("max_size", max(args.get("min_size", DEFAULT_MIN_SIZE), 1))


def _default_subnets(parent: pulumi.Resource, instance_type: str) -> list[str]:
    """The default subnets in each zone that offers ``instance_type``, asked once per program
    and provider: synchronous lookups, because the group and the records need the list now."""
    return shared(
        parent,
        (_default_subnets, instance_type),
        lambda: default_subnets(pulumi.InvokeOptions(parent=parent), instance_type),
    )


def _network_record(
    parent: pulumi.Resource, name: str, subnet_id: str, opts: pulumi.ResourceOptions
) -> ExistingNetwork:
    """One record per default subnet and program (the policy pack finds it by subnet ID)."""
    return shared(
        parent,
        (_network_record, subnet_id),
        lambda: ExistingNetwork(
            f"{name}-{subnet_id}",
            look_up_network_output(subnet_id, opts=pulumi.InvokeOutputOptions(parent=parent)),
            opts,
        ),
    )


def _root_device_name(
    parent: pulumi.Resource, ami: pulumi.Input[str], args: AutoScalingGroupWithRoleArgs
) -> pulumi.Output[str]:
    """The AMI's root device name (ec2:DescribeImages), asked once per AMI and program."""
    opts = pulumi.InvokeOutputOptions(parent=parent)

    def ask() -> pulumi.Output[str]:
        return pulumi.Output.from_input(ami).apply(
            lambda image: (
                aws.ec2.get_ami_output(
                    filters=[aws.ec2.GetAmiFilterArgs(name="image-id", values=[image])], opts=opts
                ).root_device_name
            )
        )

    key = args["ami"] if "ami" in args else args.get("ami_ssm_parameter", DEFAULT_AMI_SSM_PARAMETER)
    if isinstance(key, str):
        return shared(parent, (_root_device_name, key), ask)
    return ask()


def _normalized(name: str, args: AutoScalingGroupWithRoleArgs) -> AutoScalingGroupWithRoleArgs:
    v.check_args_mapping(args, component="AutoScalingGroupWithRole", name=name)
    return AutoScalingGroupWithRoleArgs(**with_whole_numbers(args, WHOLE_NUMBER_SETTINGS))


def check_auto_scaling_group_with_role_args(name: str, args: AutoScalingGroupWithRoleArgs) -> None:
    """Raises :class:`~components.validation.InputError` for settings an
    :class:`AutoScalingGroupWithRole` named ``name`` would refuse; registers nothing."""
    _checked_args(name, args)


def _whole(args: AutoScalingGroupWithRoleArgs, key: str, low: int, high: int | None) -> None:
    if key not in args:
        return
    value = args[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise v.InputError(f"{key} must be a whole number; got {value!r}.")
    if value < low or (high is not None and value > high):
        bounds = f"{low} to {high}" if high is not None else f"{low} or more"
        raise v.InputError(f"{key} is {value}; it must be {bounds}.")


def _checked_args(name: str, args: AutoScalingGroupWithRoleArgs) -> AutoScalingGroupWithRoleArgs:
    args = _normalized(name, args)
    unknown = sorted(set(args) - set(FLEET_SETTINGS))
    if unknown:
        raise v.InputError(
            f"AutoScalingGroupWithRole {name!r} got unknown argument(s) {', '.join(unknown)}. "
            f"Known: {', '.join(FLEET_SETTINGS)}."
        )
    check_launch_settings(name, args, boolean_settings=BOOLEAN_SETTINGS)
    _whole(args, "min_size", 0, None)
    _whole(args, "max_size", 1, None)
    _whole(args, "desired_capacity", 0, None)
    _whole(args, "health_check_grace_period", 0, None)
    _whole(args, "instance_refresh_min_healthy_percentage", 0, 100)
    low, high = args.get("min_size", DEFAULT_MIN_SIZE), _max_size(args)
    if high < low:
        raise v.InputError(
            f"max_size {high} is below min_size {low}. Raise max_size or lower min_size."
        )
    desired = args.get("desired_capacity")
    if desired is not None and not low <= desired <= high:
        raise v.InputError(
            f"desired_capacity {desired} is outside min_size {low} to max_size {high}. Set it "
            "between them, or leave it out to let the group start at min_size."
        )
    check_type = args.get("health_check_type", "EC2")
    if check_type not in HEALTH_CHECK_TYPES:
        raise v.InputError(
            f"health_check_type {check_type!r} is not one of {', '.join(HEALTH_CHECK_TYPES)}."
        )
    if check_type == "ELB" and not args.get("target_group_arns"):
        raise v.InputError(
            "health_check_type ELB takes its health from load balancer target groups, and no "
            "target_group_arns are given: every instance would count as healthy. Set "
            "target_group_arns, or use EC2."
        )
    subnets = args.get("subnet_ids")
    check_id_list(
        subnets,
        input_name="subnet_ids",
        what="subnet IDs",
        prefix="subnet",
        example="subnet-0123456789abcdef0",
    )
    if subnets is not None and len(subnets) == 0:
        raise v.InputError(
            "subnet_ids is empty; the group needs at least one subnet. Leave it out to use the "
            "default VPC's default subnets."
        )
    if subnets is None and known_or_none(args.get("instance_type", DEFAULT_INSTANCE_TYPE)) is None:
        raise v.InputError(
            "instance_type is known only at deploy time, and the default subnets depend on it "
            "(the zones that offer it). Set subnet_ids, or give instance_type as a plain value."
        )
    return args
