"""The reachability rules: every instance has a network path to each AWS service its role uses,
tested both ways, on the real stacks, on the configuration this project first shipped with, and
on networks the stack builds itself."""

import dataclasses
import json

import pulumi_aws as aws
import pytest

from components import InstanceRole, InstanceWithRole
from components.network import ExistingNetwork, VpcEndpoints, look_up_network
from offline import review
from offline.mocks import AwsTarget, default_subnets, run_program
from offline.policy_args import stack_resources, stack_violations
from offline.stack_config import merged_config, run_stack_program
from policy import reachability, rules

from conftest import CLOUDWATCH_AGENT, queue_policy

REACHABLE = rules.instances_reach_their_services
VISIBLE = rules.reachability_visible
AMI = "ami-0123456789abcdef0"


def violations(run, policy, config=None):
    return stack_violations(policy, stack_resources(run.registrations), config)


def verdict(run):
    (found,) = reachability.analyse(stack_resources(run.registrations))
    return found


def verdicts(run):
    """One per subnet the stack's instances use: dev's one instance, each zone of prod's fleet."""
    return reachability.analyse(stack_resources(run.registrations))


def stack(name, overrides=None):
    return run_program(run_stack_program, config=merged_config(name, overrides), stack=name)


# --- the stacks --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_stack_reaches_every_service_its_role_uses(name):
    run = stack(name)
    assert not violations(run, REACHABLE)
    found = verdicts(run)
    assert len(found) == {"dev": 1, "prod": 2}[name]
    for each in found:
        assert set(each.paths) == set(each.needs) >= {"ssm", "ssmmessages", "s3", "sqs"}


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_stack_shows_the_rule_everything_it_needs_to_judge(name):
    assert not violations(stack(name), VISIBLE)


def test_dev_reaches_aws_through_its_public_ip_and_the_internet_gateway():
    paths = set(verdict(stack("dev")).paths.values())
    assert len(paths) == 1
    assert paths.pop().startswith("public IP, internet gateway igw-")


def test_prod_reaches_each_service_through_an_endpoint_from_each_zone():
    found = verdicts(stack("prod"))
    assert len({v.subnet.id for v in found}) == 2
    for each in found:
        assert set(each.paths) >= {"s3", "sqs", "ssm", "monitoring"}
        for service, path in each.paths.items():
            expected = "gateway endpoint" if service == "s3" else "interface endpoint"
            assert path.startswith(expected), (service, path)


# --- the configuration this project shipped with ----------------------------------------------


def test_rule_fails_the_shipped_configuration_naming_the_unreachable_services():
    # Default VPC, no public IP, no endpoints: what `pulumi up` first built. The default subnet
    # routes to an internet gateway, which an instance without a public IPv4 cannot use.
    run = stack(
        "dev",
        {
            "ec2-instance-role:networkMode": "own-subnet",
            "ec2-instance-role:subnetId": min(default_subnets(AwsTarget())),
        },
    )
    ((message, urn),) = violations(run, REACHABLE)
    assert urn == run.named("app-instance").urn
    assert "Instance 'app-instance' cannot reach ec2, ec2messages, logs, monitoring, s3" in message
    assert "ssm, ssmmessages" in message
    assert "but the instance has no public IP, so it cannot use it" in message


def test_rule_fails_the_stack_program_as_it_shipped(monkeypatch):
    # tests/shipped_stack.py is __main__.py as this project first released it (commit
    # a4d5e48): InstanceWithRole in the default VPC, no public IP, no endpoint.
    import shipped_stack

    run = run_program(shipped_stack.program, config=merged_config("dev"), stack="dev")
    ((message, _),) = violations(run, REACHABLE)
    assert "Instance 'app-instance' cannot reach ec2, ec2messages, logs, monitoring, s3" in message
    assert "but the instance has no public IP, so it cannot use it" in message


def test_component_alone_in_an_unrecorded_subnet_is_flagged_as_not_visible():
    # A subnet the component was given and nothing recorded: the rule cannot see its routes
    # and says so (advisory) rather than pass it.
    run = run_program(
        lambda: InstanceWithRole(
            "app",
            {
                "role": {"enable_session_manager": True, "inline_policies": {"q": queue_policy()}},
                "subnet_id": "subnet-0123456789abcdef0",
            },
        )
    )
    assert not violations(run, REACHABLE)
    ((message, _),) = violations(run, VISIBLE)
    assert "needs ec2messages, sqs, ssm, ssmmessages" in message
    assert "cannot see its routes" in message


# --- networks the stack builds itself ----------------------------------------------------------


def own_network(*, public, route_to=None, endpoints=()):
    """A VPC, one subnet with its own route table, and an instance with a queue role."""

    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        subnet = aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
        table = aws.ec2.RouteTable("table", vpc_id=vpc.id)
        aws.ec2.RouteTableAssociation("assoc", subnet_id=subnet.id, route_table_id=table.id)
        if route_to == "igw":
            gateway = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
            aws.ec2.Route(
                "out",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                gateway_id=gateway.id,
            )
        elif route_to == "nat":
            nat = aws.ec2.NatGateway("nat", subnet_id=subnet.id)
            aws.ec2.Route(
                "out",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
            )
        for service, private_dns in endpoints:
            aws.ec2.VpcEndpoint(
                f"ep-{service}",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.eu-west-1.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=private_dns,
                subnet_ids=[subnet.id],
            )
        role = InstanceRole("r", {"inline_policies": {"q": queue_policy()}})
        aws.ec2.Instance(
            "box",
            ami=AMI,
            instance_type="t3.micro",
            subnet_id=subnet.id,
            associate_public_ip_address=public,
            iam_instance_profile=role.instance_profile_name,
        )

    return run_program(program)


def test_public_ip_in_a_subnet_routed_to_an_internet_gateway_reaches_aws():
    run = own_network(public=True, route_to="igw")
    assert not violations(run, REACHABLE)
    assert verdict(run).paths["sqs"].startswith("public IP, internet gateway")


def test_internet_gateway_without_a_public_ip_reaches_nothing():
    ((message, _),) = violations(own_network(public=False, route_to="igw"), REACHABLE)
    assert "cannot reach sqs" in message
    assert "no public IP" in message


def test_subnet_routed_to_a_nat_gateway_reaches_aws_without_a_public_ip():
    run = own_network(public=False, route_to="nat")
    assert not violations(run, REACHABLE)
    assert verdict(run).paths["sqs"].startswith("NAT gateway nat-")


def test_subnet_without_a_default_route_reaches_nothing():
    ((message, _),) = violations(own_network(public=True), REACHABLE)
    assert "Instance 'box' cannot reach sqs: subnet" in message
    assert "has no default route" in message


def test_interface_endpoint_with_private_dns_serves_its_service():
    run = own_network(public=False, endpoints=[("sqs", True)])
    assert not violations(run, REACHABLE)


def test_interface_endpoint_without_private_dns_does_not_count():
    # The SDKs use the service's regular name, which resolves to the endpoint only with private
    # DNS on.
    assert violations(own_network(public=False, endpoints=[("sqs", False)]), REACHABLE)


def test_ignored_endpoints_are_not_required():
    run = own_network(public=False)
    config = {"ignoredEndpoints": ["sqs"], "exemptResourceNames": []}
    assert not violations(run, REACHABLE, config)


def test_exempt_instances_are_skipped():
    run = own_network(public=False)
    assert not violations(run, REACHABLE, {"exemptResourceNames": ["box"], "ignoredEndpoints": []})


# --- endpoints and records --------------------------------------------------------------------


def endpoint_program(services, *, route_table=None, existing=None):
    def program():
        facts = look_up_network()
        endpoints = VpcEndpoints(
            "net",
            {
                "vpc_id": facts.vpc_id,
                "services": services,
                "subnet_ids": [facts.subnet_id],
                "route_table_ids": [route_table or facts.route_table_id],
            },
        )
        ExistingNetwork("net-record", facts)
        role = InstanceRole(
            "r",
            {
                "inline_policies": {
                    "objects": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:GetObject",
                                "Resource": "arn:aws:s3:::b/*",
                            }
                        ],
                    }
                },
                "enable_session_manager": True,
            },
        )
        aws.ec2.Instance(
            "box",
            ami=AMI,
            instance_type="t3.micro",
            subnet_id=facts.subnet_id,
            associate_public_ip_address=False,
            iam_instance_profile=role.instance_profile_name,
            vpc_security_group_ids=[endpoints.client_security_group_id],
        )

    return run_program(program)


def test_endpoints_for_every_service_reach_them_all():
    run = endpoint_program(["s3", "ssm", "ssmmessages", "ec2messages"])
    assert not violations(run, REACHABLE)


def test_gateway_endpoint_on_another_route_table_does_not_serve_the_subnet():
    run = endpoint_program(
        ["s3", "ssm", "ssmmessages", "ec2messages"], route_table="rtb-0aaaaaaaaaaaaaaaa"
    )
    ((message, _),) = violations(run, REACHABLE)
    assert "cannot reach s3" in message


def test_ec2messages_is_not_required_where_ssmmessages_is_reachable():
    run = endpoint_program(["s3", "ssm", "ssmmessages"])
    assert not violations(run, REACHABLE)


def test_missing_endpoint_is_named_with_what_needs_it():
    ((message, _),) = violations(endpoint_program(["s3", "ssm"]), REACHABLE)
    assert "cannot reach ec2messages, ssmmessages:" in message
    assert "ssmmessages: managed policy AmazonSSMManagedInstanceCore" in message


def test_customer_managed_policy_is_reported_as_not_checkable():
    def program():
        role = InstanceRole(
            "r", {"managed_policy_arns": {"mine": "arn:aws:iam::123456789012:policy/Mine"}}
        )
        aws.ec2.Instance(
            "box",
            ami=AMI,
            instance_type="t3.micro",
            iam_instance_profile=role.instance_profile_name,
        )

    ((message, _),) = violations(run_program(program), VISIBLE)
    assert "arn:aws:iam::123456789012:policy/Mine, whose services this project does not know" in (
        message
    )


def test_cloudwatch_agent_needs_are_read_from_the_attachment():
    def program():
        role = InstanceRole("r", {"managed_policy_arns": {"cw": CLOUDWATCH_AGENT}})
        aws.ec2.Instance(
            "box",
            ami=AMI,
            instance_type="t3.micro",
            iam_instance_profile=role.instance_profile_name,
        )

    assert set(verdict(run_program(program)).needs) == {"ec2", "logs", "monitoring", "ssm"}


def test_endpoint_name_is_what_follows_the_region():
    assert reachability.endpoint_name("com.amazonaws.us-east-1.ecr.api") == "ecr.api"
    assert reachability.endpoint_name("cn.com.amazonaws.cn-north-1.ssm") == "ssm"


# --- the review ------------------------------------------------------------------------------


def test_review_prints_each_instances_way_to_its_services(capsys, tmp_path):
    assert review.main(["--stack", "prod", "--no-checkov", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "Reachability (the AWS services each instance's role uses, and its way to each):" in (
        printed
    )
    assert "app-template: ec2, ec2messages, logs, monitoring, secretsmanager, sqs, ssm, " in printed
    assert "s3 via gateway endpoints" in printed


def test_review_json_carries_the_reachability_lines(capsys, tmp_path):
    review.main(["--stack", "dev", "--no-checkov", "--json", "--out", str(tmp_path)])
    (line,) = json.loads(capsys.readouterr().out)["reachability"]
    assert line.startswith("app-instance: ec2, ec2messages, logs, monitoring, s3")


# --- launch templates ------------------------------------------------------------------------


def fleet(*, public, subnet_ids=None):
    """A launch template with the role's profile, and an Auto Scaling group over subnets."""

    def program():
        role = InstanceRole("r", {"inline_policies": {"q": queue_policy()}})
        template = aws.ec2.LaunchTemplate(
            "lt",
            image_id=AMI,
            iam_instance_profile={"name": role.instance_profile_name},
            network_interfaces=[{"associate_public_ip_address": "true" if public else "false"}],
            metadata_options={"http_tokens": "required"},
        )
        ExistingNetwork("net", look_up_network())
        aws.autoscaling.Group(
            "asg",
            min_size=1,
            max_size=1,
            vpc_zone_identifiers=subnet_ids or [min(default_subnets(AwsTarget()))],
            launch_template={"id": template.id, "version": "$Latest"},
        )

    return run_program(program)


def test_launch_template_without_public_ip_in_a_recorded_default_subnet_fails():
    ((message, urn),) = violations(fleet(public=False), REACHABLE)
    assert "Launch template 'lt' cannot reach sqs" in message
    assert urn.endswith("::lt")


def test_launch_template_with_public_ip_in_a_recorded_default_subnet_passes():
    assert not violations(fleet(public=True), REACHABLE)


def test_launch_template_in_unrecorded_subnets_is_flagged_as_not_visible():
    run = fleet(public=False, subnet_ids=["subnet-0123456789abcdef0", "subnet-0fedcba987654321f"])
    assert not violations(run, REACHABLE)
    assert len(violations(run, VISIBLE)) == 2, "one per subnet the group uses"


# --- what a real engine hands the rule --------------------------------------------------------


def test_rule_still_judges_in_a_preview_where_new_resources_have_unknown_outputs():
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

    run = stack(
        "dev",
        {
            "ec2-instance-role:networkMode": "own-subnet",
            "ec2-instance-role:subnetId": min(default_subnets(AwsTarget())),
        },
    )
    resources = stack_resources(run.registrations)
    for resource in resources:
        # As a preview shows a resource about to be created: its id and ARN are not known yet.
        resource.props = unknown_checking_proxy(
            {**resource.props, "id": UNKNOWN_STRING_VALUE, "arn": UNKNOWN_STRING_VALUE}
        )
    ((message, _),) = stack_violations(REACHABLE, resources)
    assert "cannot reach" in message


def test_a_default_route_the_rule_cannot_follow_is_advisory_not_mandatory():
    def program():
        facts = dataclasses.replace(look_up_network(), default_route="tgw-0123456789abcdef0")
        ExistingNetwork("net", facts)
        role = InstanceRole("r", {"inline_policies": {"q": queue_policy()}})
        aws.ec2.Instance(
            "box",
            ami=AMI,
            instance_type="t3.micro",
            subnet_id=facts.subnet_id,
            iam_instance_profile=role.instance_profile_name,
        )

    run = run_program(program)
    assert not violations(run, REACHABLE)
    ((message, _),) = violations(run, VISIBLE)
    assert "needs sqs" in message


def test_endpoints_recorded_as_made_elsewhere_serve_their_services():
    def program():
        facts = dataclasses.replace(
            look_up_network(), default_route=None, vpc_endpoints={"sqs": "vpce-0shared"}
        )
        ExistingNetwork("net", facts)
        role = InstanceRole("r", {"inline_policies": {"q": queue_policy()}})
        aws.ec2.Instance(
            "box",
            ami=AMI,
            instance_type="t3.micro",
            subnet_id=facts.subnet_id,
            iam_instance_profile=role.instance_profile_name,
        )

    run = run_program(program)
    assert not violations(run, REACHABLE)
    assert verdict(run).paths == {"sqs": "existing endpoint vpce-0shared"}
