"""The attach-to-an-existing-instance resource's provider against moto: create, update to
another profile, delete, read (drift after a manual disassociation), a missing instance, and an
instance that already has another profile."""

import json
import pickle

import boto3
import pytest
from moto import mock_aws

from components.policy_documents import ec2_trust_policy
from components.profile_attachment import AttachmentError, _ProfileAttachmentProvider

from conftest import fake_aws_credentials

REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch):
    fake_aws_credentials(monkeypatch)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        iam = boto3.client("iam", region_name=REGION)
        for name in ("first", "second"):
            iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(ec2_trust_policy("ec2.amazonaws.com")),
            )
            iam.create_instance_profile(InstanceProfileName=name)
            iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
        ssm = boto3.client("ssm", region_name=REGION)
        image = ssm.get_parameter(
            Name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
        )["Parameter"]["Value"]
        instance = ec2.run_instances(
            ImageId=image,
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
        )["Instances"][0]["InstanceId"]
        yield ec2, instance


def props(instance, profile="first", **extra):
    return {
        "instance_id": instance,
        "instance_profile_name": profile,
        "replace_existing": False,
        "require_imdsv2": True,
        "restore_metadata_options": True,
        "region": REGION,
        **extra,
    }


def profile_of(ec2, instance):
    found = ec2.describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [instance]}]
    )
    live = [a for a in found["IamInstanceProfileAssociations"] if a["State"] == "associated"]
    return live[0]["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1] if live else None


def tokens_of(ec2, instance):
    return ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0][
        "MetadataOptions"
    ]["HttpTokens"]


def test_create_associates_the_profile_and_requires_imdsv2(aws):
    ec2, instance = aws
    result = _ProfileAttachmentProvider().create(props(instance))
    assert profile_of(ec2, instance) == "first"
    assert result.id.startswith("iip-assoc-")
    assert tokens_of(ec2, instance) == "required"
    assert result.outs["previous_http_tokens"] == "optional"


def test_update_to_another_profile_replaces_the_association(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    provider.update(created.id, created.outs, props(instance, "second"))
    assert profile_of(ec2, instance) == "second"


def test_delete_disassociates_and_restores_the_metadata_setting(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    provider.delete(created.id, created.outs)
    assert profile_of(ec2, instance) is None
    assert tokens_of(ec2, instance) == "optional"


def test_read_reports_the_attachment_gone_after_a_manual_disassociation(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    assert provider.read(created.id, created.outs).id == created.id
    ec2.disassociate_iam_instance_profile(AssociationId=created.id)
    assert provider.read(created.id, created.outs).id == ""


def test_missing_instance_is_a_clear_error(aws):
    with pytest.raises(
        AttachmentError, match="Instance i-0000000000000dead does not exist in region eu-west-1"
    ):
        _ProfileAttachmentProvider().create(props("i-0000000000000dead"))


def test_instance_with_another_profile_is_refused_without_the_replace_flag(aws):
    ec2, instance = aws
    ec2.associate_iam_instance_profile(InstanceId=instance, IamInstanceProfile={"Name": "second"})
    with pytest.raises(
        AttachmentError, match="already has instance profile 'second'; nothing was changed"
    ):
        _ProfileAttachmentProvider().create(props(instance))
    assert profile_of(ec2, instance) == "second"
    assert tokens_of(ec2, instance) == "optional"


def test_instance_with_another_profile_is_replaced_with_the_flag(aws):
    ec2, instance = aws
    ec2.associate_iam_instance_profile(InstanceId=instance, IamInstanceProfile={"Name": "second"})
    _ProfileAttachmentProvider().create(props(instance, replace_existing=True))
    assert profile_of(ec2, instance) == "first"


def test_changing_the_instance_replaces_the_attachment():
    diff = _ProfileAttachmentProvider().diff("x", props("i-1"), props("i-2"))
    assert diff.replaces == ["instance_id"]


def test_provider_survives_pickling():
    # Pulumi serialises a dynamic provider into the state; it must hold no live client.
    import dill

    restored = pickle.loads(dill.dumps(_ProfileAttachmentProvider()))
    assert isinstance(restored, _ProfileAttachmentProvider)
