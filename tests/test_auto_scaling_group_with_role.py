"""AutoScalingGroupWithRole under mocks: the launch template, the group, the role and the
checks it shares with InstanceWithRole."""

import base64

import pytest

from components import (
    AutoScalingGroupWithRole,
    InstanceRole,
    InstanceWithRole,
    check_auto_scaling_group_with_role_args,
    check_instance_with_role_args,
)
from components.auto_scaling_group_with_role import FLEET_SETTINGS
from components.validation import InputError
from offline.mocks import AwsMocks, AwsTarget, default_subnets, run_program, unknown_output

from conftest import role_named, type_not_in_zone_a

TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
GROUP = "aws:autoscaling/group:Group"
RECORD = "ec2-instance-role:index:ExistingNetwork"
POLICY_TYPES = (
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
)
DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}
    ],
}
SSM = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"


def build(args=None, **kwargs):
    def program():
        fleet = AutoScalingGroupWithRole("web", args or {})
        return {
            "autoscaling_group_name": fleet.autoscaling_group_name,
            "autoscaling_group_arn": fleet.autoscaling_group_arn,
            "launch_template_id": fleet.launch_template_id,
            "launch_template_version": fleet.launch_template_version,
            "role_name": fleet.role_name,
            "role_arn": fleet.role_arn,
            "instance_profile_name": fleet.instance_profile_name,
            "instance_profile_arn": fleet.instance_profile_arn,
        }

    return run_program(program, **kwargs)


def template(args=None):
    return build(args).one(TEMPLATE).inputs


def group(args=None):
    return build(args).one(GROUP).inputs


def test_template_requires_imdsv2_tokens():
    options = template()["metadataOptions"]
    assert (options["httpTokens"], options["httpEndpoint"]) == ("required", "enabled")


def test_template_hop_limit_defaults_to_one():
    assert template()["metadataOptions"]["httpPutResponseHopLimit"] == 1


def test_template_takes_a_hop_limit_of_two():
    assert template({"metadata_hop_limit": 2})["metadataOptions"]["httpPutResponseHopLimit"] == 2


def test_hop_limit_above_two_is_refused_without_the_opt_in():
    with pytest.raises(InputError, match="allow_metadata_hop_limit_above_2"):
        build({"metadata_hop_limit": 3})


def test_hop_limit_above_two_is_taken_with_the_opt_in():
    args = {"metadata_hop_limit": 3, "allow_metadata_hop_limit_above_2": True}
    assert template(args)["metadataOptions"]["httpPutResponseHopLimit"] == 3


def test_template_encrypts_the_root_volume_as_gp3_on_the_amis_root_device():
    (mapping,) = template()["blockDeviceMappings"]
    assert mapping["deviceName"] == "/dev/xvda"
    assert (mapping["ebs"]["encrypted"], mapping["ebs"]["volumeType"]) == ("true", "gp3")


def test_template_root_volume_takes_a_kms_key_arn():
    key = "arn:aws:kms:eu-west-1:123456789012:key/0b4d8a8f-2f1c-4a9e-9d4e-1a2b3c4d5e6f"
    (mapping,) = template({"root_volume_kms_key_id": key})["blockDeviceMappings"]
    assert mapping["ebs"]["kmsKeyId"] == key


def test_template_gives_no_public_ip_by_default():
    (interface,) = template()["networkInterfaces"]
    assert interface["associatePublicIpAddress"] == "false"


def test_template_gives_a_public_ip_when_asked():
    (interface,) = template({"associate_public_ip_address": True})["networkInterfaces"]
    assert interface["associatePublicIpAddress"] == "true"


def test_template_puts_the_security_groups_on_its_interface():
    groups = ["sg-0123456789abcdef0"]
    (interface,) = template({"vpc_security_group_ids": groups})["networkInterfaces"]
    assert interface["securityGroups"] == groups


def test_template_launches_with_the_roles_profile():
    run = build()
    profile = run.one("aws:iam/instanceProfile:InstanceProfile")
    assert run.one(TEMPLATE).inputs["iamInstanceProfile"] == {"name": profile.state["name"]}


def test_template_waits_for_every_policy_resource_of_the_role():
    run = build({"role": {"inline_policies": {"app": DOC}, "managed_policy_arns": {"ssm": SSM}}})
    waits_on = set(run.one(TEMPLATE).property_dependencies["iamInstanceProfile"])
    policies = [r for r in run.registrations if r.type in POLICY_TYPES]
    assert len(policies) == 4
    assert {p.urn for p in policies} <= waits_on


def test_template_waits_for_the_policies_of_a_shared_role():
    def program():
        role = InstanceRole("shared", {"inline_policies": {"app": DOC}})
        AutoScalingGroupWithRole(
            "web", {"existing_instance_profile_name": role.instance_profile_name}
        )

    run = run_program(program)
    waits_on = set(run.one(TEMPLATE).property_dependencies["iamInstanceProfile"])
    assert run.one("aws:iam/rolePolicy:RolePolicy").urn in waits_on


def test_template_encodes_the_user_data_in_base64():
    script = "#!/bin/sh\necho hello\n"
    encoded = template({"user_data": script})["userData"]
    assert base64.b64decode(encoded).decode() == script


def test_template_tags_instances_volumes_and_interfaces():
    specs = template({"tags": {"team": "web"}})["tagSpecifications"]
    assert {s["resourceType"] for s in specs} == {"instance", "volume", "network-interface"}
    assert all(s["tags"] == {"Name": "web", "team": "web"} for s in specs)


def test_template_becomes_the_default_version_on_each_change():
    assert template()["updateDefaultVersion"] is True


def test_template_keeps_its_ami_unless_asked_to_refresh():
    assert build().one(TEMPLATE).ignore_changes == ["imageId"]


def test_template_follows_the_ami_with_refresh_on_ami_change():
    assert build({"refresh_on_ami_change": True}).one(TEMPLATE).ignore_changes == []


def _launch_settings(inputs):
    """The template's inputs without what other tests check: the profile, the AMI and the tags."""
    skipped = {"iamInstanceProfile", "imageId", "tags", "tagSpecifications"}
    return {k: v for k, v in inputs.items() if k not in skipped}


def test_template_launch_settings_by_default():
    assert _launch_settings(template()) == {
        "instanceType": "t3.micro",
        "metadataOptions": {
            "httpTokens": "required",
            "httpEndpoint": "enabled",
            "httpPutResponseHopLimit": 1,
            "instanceMetadataTags": "disabled",
        },
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "ebs": {"encrypted": "true", "volumeType": "gp3", "deleteOnTermination": "true"},
            }
        ],
        "networkInterfaces": [
            {"deviceIndex": 0, "associatePublicIpAddress": "false", "deleteOnTermination": "true"}
        ],
        "monitoring": {"enabled": False},
        "updateDefaultVersion": True,
    }


def test_template_takes_the_optional_launch_settings():
    inputs = template(
        {
            "instance_type": "t3.small",
            "key_name": "ops",
            "detailed_monitoring": True,
            "ebs_optimized": True,
            "root_volume_size": 30,
            "root_volume_type": "gp2",
            "instance_metadata_tags": True,
        }
    )
    assert _launch_settings(inputs) == {
        "instanceType": "t3.small",
        "keyName": "ops",
        "metadataOptions": {
            "httpTokens": "required",
            "httpEndpoint": "enabled",
            "httpPutResponseHopLimit": 1,
            "instanceMetadataTags": "enabled",
        },
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "ebs": {
                    "encrypted": "true",
                    "volumeType": "gp2",
                    "volumeSize": 30,
                    "deleteOnTermination": "true",
                },
            }
        ],
        "networkInterfaces": [
            {"deviceIndex": 0, "associatePublicIpAddress": "false", "deleteOnTermination": "true"}
        ],
        "monitoring": {"enabled": True},
        "ebsOptimized": "true",
        "updateDefaultVersion": True,
    }


def test_template_says_so_when_ebs_optimization_is_turned_off():
    assert template({"ebs_optimized": False})["ebsOptimized"] == "false"


def test_template_tags_itself_as_it_tags_what_it_launches():
    assert template({"tags": {"team": "web"}})["tags"] == {"Name": "web", "team": "web"}


def test_group_checks_ec2_health_after_five_minutes_by_default():
    inputs = group()
    assert (inputs["healthCheckType"], inputs["healthCheckGracePeriod"]) == ("EC2", 300)
    assert "targetGroupArns" not in inputs


def test_group_takes_elb_health_checks_from_its_target_groups():
    arns = ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"]
    inputs = group(
        {"health_check_type": "ELB", "health_check_grace_period": 60, "target_group_arns": arns}
    )
    assert (inputs["healthCheckType"], inputs["healthCheckGracePeriod"]) == ("ELB", 60)
    assert inputs["targetGroupArns"] == arns


def test_group_tags_itself_without_passing_its_tags_to_the_instances():
    """The template tags what the group launches; these tag the group itself."""
    assert group({"tags": {"team": "web"}})["tags"] == [
        {"key": "Name", "value": "web", "propagateAtLaunch": False},
        {"key": "team", "value": "web", "propagateAtLaunch": False},
    ]


def test_group_launches_from_the_templates_latest_version_number():
    run = build()
    spec = run.one(GROUP).inputs["launchTemplate"]
    assert spec == {"id": run.one(TEMPLATE).id, "version": "1"}


def test_group_refreshes_its_instances_rolling_with_ninety_percent_healthy():
    refresh = group()["instanceRefresh"]
    assert refresh == {"strategy": "Rolling", "preferences": {"minHealthyPercentage": 90}}


def test_group_takes_the_minimum_healthy_percentage():
    refresh = group({"instance_refresh_min_healthy_percentage": 50})["instanceRefresh"]
    assert refresh["preferences"]["minHealthyPercentage"] == 50


def test_group_spans_one_default_subnet_per_zone_that_offers_the_type():
    mocks = AwsMocks()
    mocks.zones_without = {"eu-west-1b"}
    run = build(mocks=mocks)
    subnets = zip(default_subnets(AwsTarget()), "cab", strict=True)
    offered = [subnet for subnet, zone in subnets if zone != "b"]
    assert run.one(GROUP).inputs["vpcZoneIdentifiers"] == sorted(offered)


def test_each_default_subnet_of_the_group_is_recorded_once():
    run = build()
    recorded = sorted(r.outputs["subnet_id"] for r in run.of_type(RECORD))
    assert recorded == run.one(GROUP).inputs["vpcZoneIdentifiers"]


def test_group_takes_the_subnets_given_and_records_none():
    subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    run = build({"subnet_ids": subnets})
    assert run.one(GROUP).inputs["vpcZoneIdentifiers"] == subnets
    assert run.of_type(RECORD) == []


def test_group_sizes_default_to_one_instance():
    inputs = group()
    assert (inputs["minSize"], inputs["maxSize"]) == (1, 1)


def test_group_leaves_desired_capacity_to_scaling_when_not_given():
    assert "desiredCapacity" not in group({"min_size": 2, "max_size": 4})


def test_group_holds_a_desired_capacity_that_is_given():
    assert group({"min_size": 1, "max_size": 4, "desired_capacity": 3})["desiredCapacity"] == 3


def test_max_size_defaults_to_min_size():
    assert group({"min_size": 3})["maxSize"] == 3


def test_max_size_of_a_fleet_that_may_scale_to_zero_defaults_to_one():
    assert group({"min_size": 0})["maxSize"] == 1


SUBNET = "subnet-0123456789abcdef0"
REFUSED = {
    "max below min": (
        {"min_size": 2, "max_size": 1},
        "max_size 1 is below min_size 2. Raise max_size or lower min_size.",
    ),
    "desired above max": (
        {"min_size": 1, "max_size": 4, "desired_capacity": 5},
        "desired_capacity 5 is outside min_size 1 to max_size 4. Set it between them, or leave "
        "it out to let the group start at min_size.",
    ),
    "desired below min": (
        {"min_size": 2, "max_size": 4, "desired_capacity": 1},
        "desired_capacity 1 is outside min_size 2 to max_size 4. Set it between them, or leave "
        "it out to let the group start at min_size.",
    ),
    "fractional size": ({"min_size": 1.5}, "min_size must be a whole number; got 1.5."),
    "boolean size": ({"max_size": True}, "max_size must be a whole number; got True."),
    "negative min": ({"min_size": -1}, "min_size is -1; it must be 0 or more."),
    "zero max": ({"max_size": 0}, "max_size is 0; it must be 1 or more."),
    "negative desired": ({"desired_capacity": -1}, "desired_capacity is -1; it must be 0 or more."),
    "negative grace": (
        {"health_check_grace_period": -1},
        "health_check_grace_period is -1; it must be 0 or more.",
    ),
    "percentage above 100": (
        {"instance_refresh_min_healthy_percentage": 101},
        "instance_refresh_min_healthy_percentage is 101; it must be 0 to 100.",
    ),
    "negative percentage": (
        {"instance_refresh_min_healthy_percentage": -1},
        "instance_refresh_min_healthy_percentage is -1; it must be 0 to 100.",
    ),
    "ELB without target groups": (
        {"health_check_type": "ELB"},
        "health_check_type ELB takes its health from load balancer target groups, and no "
        "target_group_arns are given: every instance would count as healthy. Set "
        "target_group_arns, or use EC2.",
    ),
    "unknown health check": (
        {"health_check_type": "EC3"},
        "health_check_type 'EC3' is not one of EC2, ELB.",
    ),
    "no subnets": (
        {"subnet_ids": []},
        "subnet_ids is empty; the group needs at least one subnet. Leave it out to use the "
        "default VPC's default subnets.",
    ),
    "one subnet ID as a string": (
        {"subnet_ids": SUBNET},
        f"subnet_ids must be a list of subnet IDs; got {SUBNET!r}.",
    ),
    "a bad subnet ID": (
        {"subnet_ids": ["sub-1"]},
        "subnet_ids entry 'sub-1' is not a valid ID (for example 'subnet-0123456789abcdef0').",
    ),
    "a subnet twice": (
        {"subnet_ids": [SUBNET, SUBNET]},
        f"subnet_ids lists {SUBNET} twice. Keep one of them.",
    ),
    "unknown settings": (
        {"zeta": 1, "subnet_id": SUBNET},
        f"AutoScalingGroupWithRole 'web' got unknown argument(s) subnet_id, zeta. Known: "
        f"{', '.join(FLEET_SETTINGS)}.",
    ),
}


@pytest.mark.parametrize(("settings", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_bad_fleet_settings_are_refused_whole_before_registering_anything(settings, message):
    run = run_program(lambda: AutoScalingGroupWithRole("web", settings), capture_error=True)
    assert str(run.raised(InputError)) == message
    assert run.registrations == []


@pytest.mark.parametrize(
    "settings",
    [
        {"min_size": 0, "max_size": 1},
        {"min_size": 2, "max_size": 4, "desired_capacity": 2},
        {"min_size": 2, "max_size": 4, "desired_capacity": 4},
        {"instance_refresh_min_healthy_percentage": 0},
        {"instance_refresh_min_healthy_percentage": 100},
        {"health_check_grace_period": 0},
    ],
    ids=["min 0", "desired at min", "desired at max", "percentage 0", "percentage 100", "grace 0"],
)
def test_fleet_settings_at_their_limits_are_taken(settings):
    check_auto_scaling_group_with_role_args("web", settings)


def test_a_whole_float_size_from_another_language_is_taken():
    assert group({"min_size": 2.0, "max_size": 2.0})["minSize"] == 2


def test_an_instance_type_known_only_at_deploy_time_needs_subnet_ids():
    run = run_program(
        lambda: AutoScalingGroupWithRole("web", {"instance_type": unknown_output()}),
        capture_error=True,
    )
    assert str(run.raised(InputError)) == (
        "instance_type is known only at deploy time, and the default subnets depend on it (the "
        "zones that offer it). Set subnet_ids, or give instance_type as a plain value."
    )
    assert run.registrations == []


def test_a_bad_setting_registers_nothing():
    run = run_program(
        lambda: AutoScalingGroupWithRole("web", {"root_volume_type": "io2"}), capture_error=True
    )
    assert isinstance(run.raised(InputError), InputError)
    assert run.registrations == []


@pytest.mark.parametrize(
    "settings",
    [
        {"ami": "ami-123"},
        {"root_volume_type": "io2"},
        {"root_volume_size": 0},
        {"key_name": ""},
        {"instance_type": "t3"},
        {"user_data": "x" * 16385},
        {"vpc_security_group_ids": ["sg-1"]},
        {"tags": {"aws:reserved": "x"}},
        {"tags": "team=a"},
        {"role": {"role_name": "has space"}},
        {"role": {"zeta": True}},
        {"existing_instance_profile_name": "arn:aws:iam::123456789012:instance-profile/p"},
    ],
)
def test_shared_settings_are_refused_with_the_same_message_as_an_instance(settings):
    with pytest.raises(InputError) as instance_error:
        check_instance_with_role_args("app", settings)
    with pytest.raises(InputError) as fleet_error:
        check_auto_scaling_group_with_role_args("app", settings)
    assert str(fleet_error.value) == str(instance_error.value)


def test_outputs_name_the_group_the_template_and_the_role():
    run = build()
    assert run.returned["autoscaling_group_name"] == run.one(GROUP).state["name"]
    assert run.returned["launch_template_id"] == run.one(TEMPLATE).id
    assert run.returned["launch_template_version"] == 1
    assert run.returned["role_name"] == run.one("aws:iam/role:Role").state["name"]
    assert run.returned["role_arn"] == run.one("aws:iam/role:Role").state["arn"]
    profile = run.one("aws:iam/instanceProfile:InstanceProfile").state
    assert run.returned["instance_profile_name"] == profile["name"]
    assert run.returned["instance_profile_arn"] == profile["arn"]


def test_the_component_registers_its_outputs_by_their_names():
    run = build()
    registered = run.one("ec2-instance-role:index:AutoScalingGroupWithRole").outputs
    assert registered == run.returned
    assert registered["autoscaling_group_arn"] == run.one(GROUP).state["arn"]


def test_a_fleet_and_an_instance_share_the_program_wide_lookups():
    def program():
        InstanceWithRole("app", {})
        AutoScalingGroupWithRole("web", {})

    run = run_program(program)
    asked = [c for c in run.mocks.calls if c.token == "aws:ssm/getParameter:getParameter"]
    assert len(asked) == 1


def test_a_preview_registers_the_template_and_the_group():
    run = build(preview=True)
    assert [r.type for r in run.custom() if r.type in (TEMPLATE, GROUP)] == [TEMPLATE, GROUP]


def test_group_waits_through_failed_launches_while_the_profile_propagates():
    assert group()["ignoreFailedScalingActivities"] is True


def test_fleets_whose_ami_is_known_only_at_deployment_each_ask_for_its_root_device():
    import pulumi

    image = "ami-0123456789abcdef0"

    def program():
        for name in ("web", "api"):
            late = pulumi.Output.from_input("x").apply(lambda _: image)
            AutoScalingGroupWithRole(name, {"ami": late})

    run = run_program(program)
    asked = [dict(c.args) for c in run.mocks.calls if c.token == "aws:ec2/getAmi:getAmi"]
    assert [a["filters"][0]["values"] for a in asked] == [[image], [image]]
    devices = [
        m["deviceName"] for t in run.of_type(TEMPLATE) for m in t.inputs["blockDeviceMappings"]
    ]
    assert devices == ["/dev/xvda", "/dev/xvda"]


# --- the fleet's provider, and the lookups it shares ---------------------------------------------

LOOKUPS = {
    "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings",
    "aws:ec2/getSubnets:getSubnets",
    "aws:ec2/getSubnet:getSubnet",
    "aws:ec2/getVpc:getVpc",
    "aws:ec2/getAmi:getAmi",
    "aws:ssm/getParameter:getParameter",
    "aws:kms/getKey:getKey",
}


def test_a_fleet_under_its_own_provider_asks_and_creates_through_it():
    import pulumi
    import pulumi_aws as aws

    def program():
        other = aws.Provider("other", region="us-west-2")
        AutoScalingGroupWithRole(
            "web",
            {"root_volume_kms_key_id": "alias/app-volumes"},
            pulumi.ResourceOptions(providers=[other]),
        )

    run = run_program(program)
    asked = [c for c in run.mocks.calls if c.token in LOOKUPS]
    assert {c.token for c in asked} == LOOKUPS
    other = run.named("other").urn + "::"
    assert [c.token for c in asked if not c.provider.startswith(other)] == []
    assert (run.one(TEMPLATE).options["provider"], run.one(GROUP).options["provider"]) == (
        run.named("other").urn.split("::", 3)[-1] + "::" + run.named("other").id,
    ) * 2


def test_a_kms_alias_is_looked_up_after_what_the_fleet_depends_on():
    # An alias created in the same program exists only once its resource is created.
    import pulumi

    def program():
        made_first = role_named("made-first")
        AutoScalingGroupWithRole(
            "web",
            {"root_volume_kms_key_id": "alias/app-volumes"},
            pulumi.ResourceOptions(depends_on=[made_first]),
        )

    run = run_program(program)
    waits_on = set(run.one(TEMPLATE).property_dependencies["blockDeviceMappings"])
    assert run.named("made-first").urn in waits_on


def test_the_group_leaves_out_the_zones_that_lack_its_instance_type():
    subnets = dict(zip("cab", default_subnets(AwsTarget()), strict=True))
    run = build({"instance_type": "m7i.large"}, mocks=type_not_in_zone_a())
    assert run.one(GROUP).inputs["vpcZoneIdentifiers"] == sorted([subnets["b"], subnets["c"]])


def test_each_network_record_is_the_fleets_child():
    run = build()
    fleet = run.one("ec2-instance-role:index:AutoScalingGroupWithRole")
    assert {r.parent for r in run.of_type(RECORD)} == {fleet.urn}


class _SecondAmi(AwsMocks):
    """A second SSM parameter, for an AMI whose root device is /dev/sda1."""

    def _getParameter(self, args: dict) -> dict:
        if args.get("name") != "/my/ami":
            return super()._getParameter(args)
        return {"id": "/my/ami", "name": "/my/ami", "insecureValue": "ami-0123456789abcdef0"}

    def _getAmi(self, args: dict) -> dict:
        answer = super()._getAmi(args)
        if answer["imageId"] == "ami-0123456789abcdef0":
            return {**answer, "rootDeviceName": "/dev/sda1"}
        return answer


def test_fleets_of_two_amis_each_map_their_own_root_device():
    def program():
        AutoScalingGroupWithRole("default-ami", {})
        AutoScalingGroupWithRole("own-ami", {"ami_ssm_parameter": "/my/ami"})

    run = run_program(program, mocks=_SecondAmi())
    devices = {
        t.name: t.inputs["blockDeviceMappings"][0]["deviceName"] for t in run.of_type(TEMPLATE)
    }
    assert devices == {"default-ami-template": "/dev/xvda", "own-ami-template": "/dev/sda1"}


def test_fleets_of_one_ami_ask_for_its_root_device_once():
    run = run_program(lambda: [AutoScalingGroupWithRole(f"web{i}", {}) for i in range(2)])
    assert [c.token for c in run.mocks.calls].count("aws:ec2/getAmi:getAmi") == 1


def test_the_up_front_check_names_the_fleet_it_checks_for():
    with pytest.raises(InputError) as raised:
        check_auto_scaling_group_with_role_args("web", {"zeta": 1})
    assert str(raised.value).startswith(
        "AutoScalingGroupWithRole 'web' got unknown argument(s) zeta."
    )


def test_each_network_record_is_named_after_the_fleet_and_its_subnet():
    run = build()
    names = sorted(r.name for r in run.of_type(RECORD))
    assert names == [f"web-{s}" for s in run.one(GROUP).inputs["vpcZoneIdentifiers"]]


def test_a_fleet_in_the_subnets_given_has_no_network_records():
    def program():
        return AutoScalingGroupWithRole("web", {"subnet_ids": [SUBNET]}).networks

    assert run_program(program).returned == []


def test_the_fleets_role_is_its_child():
    run = build()
    fleet = run.one("ec2-instance-role:index:AutoScalingGroupWithRole")
    assert run.one("ec2-instance-role:index:InstanceRole").parent == fleet.urn


def test_a_bad_key_known_late_at_deployment_leaves_no_record_of_the_default_subnets():
    # The key resolves after another resource is created, long after the fleet built its
    # children: the records (no resource of the key's) wait for the checks too.
    def program():
        other = role_named("other")
        key = other.arn.apply(lambda _: "not a key")
        AutoScalingGroupWithRole("web", {"root_volume_kms_key_id": key})

    run = run_program(program, capture_error=True)
    assert str(run.raised(InputError)).startswith("root_volume_kms_key_id 'not a key'")
    assert run.of_type(RECORD) == []
