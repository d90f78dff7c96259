"""The dev stack (networkMode public-egress) applied against moto: the AWS calls the provider
makes, then the checks the README tells users to run after `pulumi up`, then a teardown that
leaves nothing behind. tests/test_emulator_private.py does the same for prod (vpc-endpoints)."""

import json

import pulumi_aws as aws
import pytest

from components import InstanceRole
from offline.emulator import teardown
from offline.mocks import run_program
from offline.stack_config import merged_config, run_stack_program
from offline.try_it import emulated_aws

REGION = "eu-west-1"  # Pulumi.dev.yaml's aws:region


def emulated(region=REGION):
    """moto with fake credentials and AWS's managed policies loaded (so a misspelled ARN fails
    as in AWS): the same emulator the try-it run (`make try`) applies the stack to."""
    return emulated_aws(region)


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


def described_instance(run, mocks):
    (reservation,) = mocks.ec2.describe_instances(InstanceIds=[run.outputs["instanceId"]])[
        "Reservations"
    ]
    return reservation["Instances"][0]


def test_instance_has_a_public_ip_in_a_subnet_routed_to_an_internet_gateway(applied):
    run, mocks = applied
    instance = described_instance(run, mocks)
    assert instance.get("PublicIpAddress"), "public egress needs a public IPv4"
    assert run.outputs["publicIp"] == instance["PublicIpAddress"]
    subnet = instance["SubnetId"]
    explicit = mocks.ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
    )["RouteTables"]
    (table,) = (
        explicit
        or mocks.ec2.describe_route_tables(
            Filters=[
                {"Name": "vpc-id", "Values": [instance["VpcId"]]},
                {"Name": "association.main", "Values": ["true"]},
            ]
        )["RouteTables"]
    )
    default = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert [r["GatewayId"][:4] for r in default] == ["igw-"]


def test_public_egress_creates_no_vpc_endpoint(applied):
    _, mocks = applied
    assert mocks.ec2.describe_vpc_endpoints()["VpcEndpoints"] == []


def test_security_group_admits_no_inbound_traffic(applied):
    run, mocks = applied
    instance = described_instance(run, mocks)
    # With a subnet and associate_public_ip_address the provider launches through network
    # interface 0, so the groups are the interface's.
    (group_ref,) = instance["NetworkInterfaces"][0]["Groups"]
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
