"""The dev stack applied against moto: the AWS calls the provider makes, then the checks the
README tells users to run after `pulumi up`, then a teardown that leaves nothing behind."""

import json
from contextlib import contextmanager

import pulumi_aws as aws
import pytest
from moto import mock_aws

from components import InstanceRole
from offline.mocks import run_program
from offline.stack_config import merged_config, run_stack_program

from conftest import fake_aws_credentials
from moto_engine import MotoMocks, teardown

REGION = "eu-west-1"  # Pulumi.dev.yaml's aws:region


@contextmanager
def emulated():
    with pytest.MonkeyPatch.context() as patch:
        fake_aws_credentials(patch, REGION)
        # AWS managed policies exist in the emulator, so a misspelled ARN fails as in AWS.
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        with mock_aws():
            yield MotoMocks(REGION)


def apply_dev(mocks):
    return run_program(run_stack_program, config=merged_config("dev"), stack="dev", mocks=mocks)


@pytest.fixture(scope="module")
def applied():
    """One apply of the dev stack, shared by the read-only checks below."""
    with emulated() as mocks:
        yield apply_dev(mocks), mocks


def test_instance_runs_with_the_profile_and_requires_imdsv2(applied):
    run, mocks = applied
    (reservation,) = mocks.ec2.describe_instances(InstanceIds=[run.outputs["instanceId"]])[
        "Reservations"
    ]
    instance = reservation["Instances"][0]
    assert instance["IamInstanceProfile"]["Arn"] == run.outputs["instanceProfileArn"]
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert instance["MetadataOptions"]["HttpPutResponseHopLimit"] == 1


def test_role_trust_policy_admits_only_ec2(applied):
    run, mocks = applied
    trust = mocks.iam.get_role(RoleName=run.outputs["roleName"])["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ec2.amazonaws.com"}]


def test_profile_holds_the_role(applied):
    run, mocks = applied
    profile = mocks.iam.get_instance_profile(InstanceProfileName=run.outputs["instanceProfileName"])
    assert [r["RoleName"] for r in profile["InstanceProfile"]["Roles"]] == [run.outputs["roleName"]]


def test_role_has_the_managed_policies_attached(applied):
    run, mocks = applied
    attached = mocks.iam.list_attached_role_policies(RoleName=run.outputs["roleName"])[
        "AttachedPolicies"
    ]
    assert sorted(p["PolicyArn"] for p in attached) == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    ]


def test_each_inline_policy_document_is_the_programs(applied):
    run, mocks = applied
    role = run.outputs["roleName"]
    assert mocks.iam.list_role_policies(RoleName=role)["PolicyNames"] == ["AppAccess"]
    stored = mocks.iam.get_role_policy(RoleName=role, PolicyName="AppAccess")["PolicyDocument"]
    stored = json.loads(stored) if isinstance(stored, str) else stored
    sent = json.loads(run.named("app-inline-AppAccess").inputs["policy"])
    assert stored == sent


def test_security_group_admits_no_inbound_traffic(applied):
    run, mocks = applied
    (instance,) = mocks.ec2.describe_instances(InstanceIds=[run.outputs["instanceId"]])[
        "Reservations"
    ][0]["Instances"]
    (group_ref,) = instance["SecurityGroups"]
    (group,) = mocks.ec2.describe_security_groups(GroupIds=[group_ref["GroupId"]])["SecurityGroups"]
    assert group["IpPermissions"] == []
    assert [
        (p["IpProtocol"], p["FromPort"], p["ToPort"]) for p in group["IpPermissionsEgress"]
    ] == [("tcp", 443, 443)]


def test_misspelled_managed_policy_arn_fails_as_in_aws(applied):
    _, mocks = applied
    typo = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicyy"
    run = run_program(
        lambda: InstanceRole("typo", {"managed_policy_arns": {"cw": typo}}),
        mocks=mocks,
        capture_error=True,
    )
    assert "NoSuchEntity" in str(run.error)


def test_malformed_document_is_refused_as_in_aws(applied):
    _, emulator = applied

    # The component refuses this before AWS sees it; a raw RolePolicy shows the emulator does too.
    def program():
        role = aws.iam.Role(
            "raw",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
        aws.iam.RolePolicy(
            "raw-policy",
            role=role.id,
            name="bad",
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}],
                }
            ),
        )

    run = run_program(program, mocks=emulator, capture_error=True)
    assert "MalformedPolicyDocument" in str(run.error)


def test_emulator_fails_loudly_on_a_call_it_does_not_forward(applied):
    _, emulator = applied
    run = run_program(lambda: aws.sns.Topic("t"), mocks=emulator, capture_error=True)
    assert "no emulator forwarding for aws:sns/topic:Topic" in str(run.error)


# Last in this module on purpose: it deletes what the shared apply created.
def test_teardown_in_reverse_order_leaves_no_iam_or_ec2_resource(applied):
    _, mocks = applied
    teardown(mocks)
    assert mocks.iam.list_roles()["Roles"] == []
    assert mocks.iam.list_instance_profiles()["InstanceProfiles"] == []
    instances = [i for r in mocks.ec2.describe_instances()["Reservations"] for i in r["Instances"]]
    assert instances, "the stack launched an instance"
    assert {i["State"]["Name"] for i in instances} == {"terminated"}
    groups = mocks.ec2.describe_security_groups()["SecurityGroups"]
    assert {g["GroupName"] for g in groups} == {"default"}
