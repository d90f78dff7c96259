"""The prod stack (networkMode vpc-endpoints, a fleet of two) applied against moto: no public
IP, one endpoint per service the role uses (private DNS on, an interface in each zone of the
fleet), the S3 gateway endpoint on the fleet's route table, security groups that admit HTTPS only
between the instances and the endpoints, and a teardown that leaves nothing behind."""

import json

import pytest
from test_emulator_apply import emulated

from components.validation import InputError
from offline.emulator import MotoMocks, teardown
from offline.mocks import run_program
from offline.stack_config import merged_config, run_stack_program

REGION = "us-east-1"  # Pulumi.prod.yaml's aws:region
#: What the prod role uses: its AppAccess policy (S3, SQS, Secrets Manager), the CloudWatch agent
#: (metrics, logs, EC2, SSM), Session Manager (ssm, ssmmessages, ec2messages) and, for the
#: verifier, STS.
INTERFACE_SERVICES = [
    "ec2",
    "ec2messages",
    "logs",
    "monitoring",
    "secretsmanager",
    "sqs",
    "ssm",
    "ssmmessages",
    "sts",
]


@pytest.fixture(scope="module")
def applied():
    with emulated(REGION) as mocks:
        run = run_program(
            run_stack_program, config=merged_config("prod"), stack="prod", mocks=mocks
        )
        yield run, mocks


def fleet_instances(run, mocks):
    """The instances the prod group launched, as EC2 describes them."""
    (group,) = mocks.autoscaling.describe_auto_scaling_groups(
        AutoScalingGroupNames=[run.outputs["autoScalingGroupName"]]
    )["AutoScalingGroups"]
    ids = [i["InstanceId"] for i in group["Instances"]]
    reservations = mocks.ec2.describe_instances(InstanceIds=ids)["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    assert len(instances) == 2, "prod runs a fleet of two"
    return instances, group


def endpoints(mocks, kind):
    return [
        e
        for e in mocks.ec2.describe_vpc_endpoints()["VpcEndpoints"]
        if e["VpcEndpointType"] == kind and e["State"] != "deleted"
    ]


def short(endpoint):
    return endpoint["ServiceName"].removeprefix(f"com.amazonaws.{REGION}.")


def test_fleet_instances_have_no_public_ip(applied):
    run, mocks = applied
    instances, _ = fleet_instances(run, mocks)
    assert [i.get("PublicIpAddress") for i in instances] == [None, None]


def test_fleet_instances_run_with_the_profile_and_require_imdsv2(applied):
    run, mocks = applied
    instances, _ = fleet_instances(run, mocks)
    assert {i["IamInstanceProfile"]["Arn"] for i in instances} == {
        run.outputs["instanceProfileArn"]
    }
    assert {i["MetadataOptions"]["HttpTokens"] for i in instances} == {"required"}


def test_one_interface_endpoint_per_service_the_instance_calls(applied):
    _, mocks = applied
    assert sorted(short(e) for e in endpoints(mocks, "Interface")) == INTERFACE_SERVICES


def test_interface_endpoints_have_private_dns_in_each_subnet_of_the_fleet(applied):
    run, mocks = applied
    instances, group = fleet_instances(run, mocks)
    subnets = sorted(group["VPCZoneIdentifier"].split(","))
    assert len(subnets) >= 2
    for endpoint in endpoints(mocks, "Interface"):
        assert endpoint["PrivateDnsEnabled"] is True, short(endpoint)
        assert endpoint["VpcId"] == instances[0]["VpcId"], short(endpoint)
        assert sorted(endpoint["SubnetIds"]) == subnets, short(endpoint)


def test_s3_gateway_endpoint_is_on_the_fleets_route_table(applied):
    run, mocks = applied
    instance = fleet_instances(run, mocks)[0][0]
    (gateway,) = endpoints(mocks, "Gateway")
    assert short(gateway) == "s3"
    # A default subnet has no explicit association: it uses its VPC's main route table.
    (main,) = mocks.ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [instance["VpcId"]]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"]
    assert gateway["RouteTableIds"] == [main["RouteTableId"]]


def groups(mocks, *ids):
    return mocks.ec2.describe_security_groups(GroupIds=list(ids))["SecurityGroups"]


def test_endpoint_group_admits_https_only_from_the_instances_group(applied):
    run, mocks = applied
    instance = fleet_instances(run, mocks)[0][0]
    (instance_group,) = [g["GroupId"] for g in instance["NetworkInterfaces"][0]["Groups"]]
    endpoint_groups = {g["GroupId"] for e in endpoints(mocks, "Interface") for g in e["Groups"]}
    (endpoint_group,) = groups(mocks, *endpoint_groups)
    assert [
        (p["IpProtocol"], p["FromPort"], p["ToPort"], [u["GroupId"] for u in p["UserIdGroupPairs"]])
        for p in endpoint_group["IpPermissions"]
    ] == [("tcp", 443, 443, [instance_group])]
    assert not any(p.get("IpRanges") for p in endpoint_group["IpPermissions"])


def test_instance_group_admits_nothing_and_sends_https_only_to_the_endpoints(applied):
    run, mocks = applied
    instance = fleet_instances(run, mocks)[0][0]
    (ref,) = instance["NetworkInterfaces"][0]["Groups"]
    (group,) = groups(mocks, ref["GroupId"])
    assert group["IpPermissions"] == []
    (endpoint_group,) = {g["GroupId"] for e in endpoints(mocks, "Interface") for g in e["Groups"]}
    (gateway,) = endpoints(mocks, "Gateway")
    (s3_prefix_list,) = mocks.ec2.describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [gateway["ServiceName"]]}]
    )["PrefixLists"]
    # AWS folds rules of one protocol and port range into one permission with several targets.
    destinations = sorted(
        (p["IpProtocol"], p["FromPort"], p["ToPort"], target)
        for p in group["IpPermissionsEgress"]
        for target in [
            *[u["GroupId"] for u in p.get("UserIdGroupPairs", [])],
            *[x["PrefixListId"] for x in p.get("PrefixListIds", [])],
            *[r["CidrIp"] for r in p.get("IpRanges", [])],
        ]
    )
    assert destinations == sorted(
        [("tcp", 443, 443, endpoint_group), ("tcp", 443, 443, s3_prefix_list["PrefixListId"])]
    )


def test_role_carries_the_credential_guard(applied):
    run, mocks = applied
    role = run.outputs["roleName"]
    assert sorted(mocks.iam.list_role_policies(RoleName=role)["PolicyNames"]) == [
        "AppAccess",
        "DenyCredentialUseOutsideItsInstance",
    ]
    guard = mocks.iam.get_role_policy(
        RoleName=role, PolicyName="DenyCredentialUseOutsideItsInstance"
    )["PolicyDocument"]
    guard = json.loads(guard) if isinstance(guard, str) else guard
    conditions = [s["Condition"]["StringNotEquals"] for s in guard["Statement"]]
    assert conditions == [
        {"aws:SourceVpc": "${aws:Ec2InstanceSourceVpc}"},
        {"aws:Ec2InstanceSourcePrivateIPv4": "${aws:VpcSourceIp}"},
    ]
    assert {s["Effect"] for s in guard["Statement"]} == {"Deny"}


def test_stack_exports_the_endpoint_services(applied):
    run, mocks = applied
    created = sorted(e["ServiceName"] for e in mocks.ec2.describe_vpc_endpoints()["VpcEndpoints"])
    assert run.outputs["vpcEndpointServices"] == created


def preview_prod(stack):
    """What a pull request's `pulumi preview` does once prod is deployed: prod's program with
    prod's config, under stack name ``stack``, its data sources read from the account that now
    holds prod's endpoints, nothing created."""
    return run_program(
        run_stack_program,
        config=merged_config("prod"),
        stack=stack,
        mocks=MotoMocks(REGION, preview=True),
        capture_error=True,
    )


def test_a_preview_after_the_first_up_finds_the_stacks_own_endpoints_no_clash(applied):
    _, mocks = applied
    run = preview_prod("prod")
    assert run.error is None, run.error
    assert len(endpoints(mocks, "Interface")) == len(INTERFACE_SERVICES), "nothing new was made"


def test_an_endpoint_another_stack_made_is_refused_as_a_clash(applied):
    assert applied, "prod's endpoints are in the emulated account"
    message = str(preview_prod("other").raised(InputError))
    assert "already has vpce-" in message
    assert "existingEndpointServices" in message


# Last in this module on purpose: it deletes what the shared apply created.
def test_teardown_leaves_no_endpoint_group_role_or_running_instance(applied):
    _, mocks = applied
    teardown(mocks)
    assert endpoints(mocks, "Interface") == endpoints(mocks, "Gateway") == []
    assert {g["GroupName"] for g in mocks.ec2.describe_security_groups()["SecurityGroups"]} == {
        "default"
    }
    assert mocks.iam.list_roles()["Roles"] == []
    instances = [i for r in mocks.ec2.describe_instances()["Reservations"] for i in r["Instances"]]
    assert {i["State"]["Name"] for i in instances} == {"terminated"}
