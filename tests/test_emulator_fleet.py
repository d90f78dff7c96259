"""AutoScalingGroupWithRole applied against moto: the launch template and the group the
provider creates, the instances the group launches, and a teardown that leaves nothing.

moto 5.2.5 launches a group's instances at once, from the template version the group names; it
leaves out the template's profile and metadata options, which offline/emulator.py fills in as
AWS applies them (see _launch_templates_apply_profile_and_metadata)."""

import pytest

from components import AutoScalingGroupWithRole
from offline.emulator import teardown
from offline.mocks import run_program
from offline.try_it import emulated_aws

REGION = "eu-west-1"
DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"}
    ],
}


def program():
    fleet = AutoScalingGroupWithRole(
        "web", {"role": {"inline_policies": {"app": DOC}}, "min_size": 2, "max_size": 3}
    )
    return {
        "group": fleet.autoscaling_group_name,
        "template": fleet.launch_template_id,
        "version": fleet.launch_template_version,
        "profile": fleet.instance_profile_name,
        "role": fleet.role_name,
    }


@pytest.fixture(scope="module")
def applied():
    with emulated_aws(REGION) as mocks:
        yield run_program(program, mocks=mocks).returned, mocks


def group_instances(mocks, name):
    (group,) = mocks.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ]
    ids = [i["InstanceId"] for i in group["Instances"]]
    reservations = mocks.ec2.describe_instances(InstanceIds=ids)["Reservations"]
    return [i for r in reservations for i in r["Instances"]]


def test_template_data_requires_imdsv2_tokens(applied):
    out, mocks = applied
    (version,) = mocks.ec2.describe_launch_template_versions(LaunchTemplateId=out["template"])[
        "LaunchTemplateVersions"
    ]
    assert version["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"


def test_group_uses_the_templates_latest_version(applied):
    out, mocks = applied
    (group,) = mocks.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[out["group"]])[
        "AutoScalingGroups"
    ]
    assert group["LaunchTemplate"]["LaunchTemplateId"] == out["template"]
    assert group["LaunchTemplate"]["Version"] == str(out["version"])


def test_group_launches_min_size_instances(applied):
    out, mocks = applied
    assert len(group_instances(mocks, out["group"])) == 2


def test_every_instance_of_the_group_runs_with_the_profile(applied):
    out, mocks = applied
    profile = mocks.iam.get_instance_profile(InstanceProfileName=out["profile"])["InstanceProfile"]
    arns = {i["IamInstanceProfile"]["Arn"] for i in group_instances(mocks, out["group"])}
    assert arns == {profile["Arn"]}
    assert [r["RoleName"] for r in profile["Roles"]] == [out["role"]]


def test_every_instance_of_the_group_requires_imdsv2(applied):
    out, mocks = applied
    options = [i["MetadataOptions"] for i in group_instances(mocks, out["group"])]
    assert {(o["HttpTokens"], o["HttpPutResponseHopLimit"]) for o in options} == {("required", 1)}


def test_every_instance_of_the_group_has_an_encrypted_root_volume(applied):
    out, mocks = applied
    volume_ids = [
        m["Ebs"]["VolumeId"]
        for i in group_instances(mocks, out["group"])
        for m in i["BlockDeviceMappings"]
    ]
    volumes = mocks.ec2.describe_volumes(VolumeIds=volume_ids)["Volumes"]
    assert volumes
    assert {v["Encrypted"] for v in volumes} == {True}


def test_instances_of_the_group_get_no_public_ip(applied):
    out, mocks = applied
    assert [i.get("PublicIpAddress") for i in group_instances(mocks, out["group"])] == [None, None]


# Last in this module on purpose: it deletes what the shared apply created.
def test_teardown_leaves_no_group_template_role_or_running_instance(applied):
    out, mocks = applied
    instances = group_instances(mocks, out["group"])
    teardown(mocks)
    assert mocks.autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert mocks.ec2.describe_launch_templates()["LaunchTemplates"] == []
    assert mocks.iam.list_roles()["Roles"] == []
    states = mocks.ec2.describe_instances(InstanceIds=[i["InstanceId"] for i in instances])
    names = {i["State"]["Name"] for r in states["Reservations"] for i in r["Instances"]}
    assert names == {"terminated"}
