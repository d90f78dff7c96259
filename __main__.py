"""The stack program: the AWS guide's application instance, one stack per environment.

Reads the stack's config (defaults live only in Pulumi.yaml), builds the guide's permissions for
the stack's own partition, region and account, gives the instance a way to every AWS service its
role uses (networkMode), and exports what a user needs to verify it.
"""

import dataclasses

import pulumi
import pulumi_aws as aws

from app import fleet, network, permissions, verification
from components import (
    AutoScalingGroupWithRole,
    AutoScalingGroupWithRoleArgs,
    InstanceRoleArgs,
    InstanceWithRole,
    InstanceWithRoleArgs,
    check_auto_scaling_group_with_role_args,
    check_instance_with_role_args,
)
from components.network import (
    GUARD_POLICY_NAME,
    ExistingNetwork,
    NetworkFacts,
    VpcEndpoints,
    credential_network_guard,
    look_up_existing_endpoints,
    look_up_network,
    needed_endpoints_for_role,
)
from components.network.existing import default_subnets

config = pulumi.Config()
mode = config.require("networkMode")
subnet_id = config.require("subnetId")
existing_endpoints: list[str] = config.require_object("existingEndpointServices")
network.check_network_mode(mode, subnet_id=subnet_id, existing_endpoints=existing_endpoints)
private = mode == network.VPC_ENDPOINTS
guarded = private and config.require_bool("restrictCredentialsToVpc")
existing_instances: list[str] = config.require_object("existingInstanceIds")
network.check_guarded_role_stays_home(guarded=guarded, existing_instances=existing_instances)
fleet_size = config.require_int("fleetSize")
fleet_max_size = config.require_int("fleetMaxSize")
fleet_subnet_ids: list[str] = config.require_object("fleetSubnetIds")
fleet.check_fleet(
    fleet_size,
    fleet_max_size,
    subnet_ids=fleet_subnet_ids,
    subnet_id=subnet_id,
    termination_protection=config.require_bool("terminationProtection"),
    zone_count=config.require_int("fleetZoneCount"),
)

target = permissions.Target(
    partition=aws.get_partition().partition,
    region=aws.get_region().region,
    account_id=aws.get_caller_identity().account_id,
)

inline_policies = {
    "AppAccess": permissions.app_access_policy(
        target,
        bucket=config.require("appBucketName"),
        queue=config.require("appQueueName"),
        secret_prefix=config.require("appSecretPrefix"),
    ),
}
if guarded:
    # Every call goes through the VPC's endpoints in this mode, so the role's credentials are
    # refused anywhere else (components/network/perimeter.py cites AWS's documentation).
    inline_policies[GUARD_POLICY_NAME] = credential_network_guard()
role = InstanceRoleArgs(
    inline_policies=inline_policies,
    managed_policy_arns={
        "cloudwatch-agent": permissions.managed_policy(target, "CloudWatchAgentServerPolicy"),
    },
    enable_session_manager=True,
    exclusive_policy_management=config.require_bool("exclusivePolicyManagement"),
)

instance_args = InstanceWithRoleArgs(
    role=role,
    instance_type=config.require("instanceType"),
    ami_ssm_parameter=config.require("amiSsmParameter"),
    replace_on_ami_change=config.require_bool("replaceOnAmiChange"),
    metadata_hop_limit=config.require_int("metadataHopLimit"),
    allow_metadata_hop_limit_above_2=config.require_bool("allowMetadataHopLimitAbove2"),
    detailed_monitoring=config.require_bool("detailedMonitoring"),
    termination_protection=config.require_bool("terminationProtection"),
    # A public IPv4 is the instance's way out only in public-egress mode: an instance without one
    # cannot use an internet gateway (VPC user guide, "Internet gateways").
    associate_public_ip_address=mode == network.PUBLIC_EGRESS,
)
if subnet_id:
    instance_args["subnet_id"] = subnet_id
if key_name := config.require("keyName"):
    instance_args["key_name"] = key_name
security_group_ids: list[str] = config.require_object("securityGroupIds")
if security_group_ids:
    instance_args["vpc_security_group_ids"] = security_group_ids

# The same settings for a fleet: its own names for the AMI rule, its sizes, no termination
# protection (check_fleet refused it) and no single subnet.
fleet_args = AutoScalingGroupWithRoleArgs(
    role=role,
    instance_type=config.require("instanceType"),
    ami_ssm_parameter=config.require("amiSsmParameter"),
    refresh_on_ami_change=config.require_bool("replaceOnAmiChange"),
    metadata_hop_limit=config.require_int("metadataHopLimit"),
    allow_metadata_hop_limit_above_2=config.require_bool("allowMetadataHopLimitAbove2"),
    detailed_monitoring=config.require_bool("detailedMonitoring"),
    associate_public_ip_address=mode == network.PUBLIC_EGRESS,
    min_size=fleet_size,
    max_size=fleet_max_size or fleet_size,
)
if key_name:
    fleet_args["key_name"] = key_name
if security_group_ids:
    fleet_args["vpc_security_group_ids"] = security_group_ids

# Refuse bad settings before anything is registered: nothing half-created.
if fleet_size:
    check_auto_scaling_group_with_role_args("app", fleet_args)
else:
    check_instance_with_role_args("app", instance_args)
# What the instance will call: each service its policies name, Session Manager's, and STS for
# the verifier. In the private mode each needs an endpoint, so each must be known now.
needs = needed_endpoints_for_role(role, extra=verification.VERIFIER_ENDPOINTS)
if private:
    needs.check_resolved()

# Where the instances run, as AWS describes it (a preview reads it too): the configured subnet, or
# the default VPC's default subnet with the lowest ID; for a fleet, fleetSubnetIds or the default
# subnet of every zone that offers the type.
if fleet_size:
    # Default subnets of the first fleetZoneCount zones (by subnet ID, stable across runs): each
    # zone of a private fleet costs an interface per endpoint.
    where = (
        fleet_subnet_ids
        or default_subnets(None, config.require("instanceType"))[
            : config.require_int("fleetZoneCount")
        ]
    )
    placements = [look_up_network(s) for s in where]
else:
    placements = [look_up_network(subnet_id or None, instance_type=config.require("instanceType"))]
for placement in placements:
    network.check_network_path(mode, placement)
network.check_one_vpc(placements)
facts = placements[0]
instance_args["subnet_id"] = facts.subnet_id
fleet_args["subnet_ids"] = [p.subnet_id for p in placements]

endpoints: VpcEndpoints | None = None
if private:
    endpoints = VpcEndpoints(
        "app-endpoints",
        {
            "vpc_id": facts.vpc_id,
            "services": [e for e in needs.endpoints if e not in existing_endpoints],
            "existing_services": existing_endpoints,
            # Interface endpoints take one subnet per zone; every subnet's table gets the
            # gateway endpoints' routes.
            "subnet_ids": list(network.one_subnet_per_zone(placements)),
            "route_table_ids": sorted({p.route_table_id for p in placements}),
            "allowed_security_group_ids": security_group_ids,
            # Private DNS points every host of the VPC at these endpoints.
            "allowed_cidr_blocks": (
                [facts.vpc_cidr] if config.require_bool("endpointsOpenToVpc") else []
            ),
        },
    )
    shared = endpoints.existing_endpoints
elif existing_endpoints:
    # own-subnet with endpoints made elsewhere: checked and recorded, reached through the
    # no-inbound group's HTTPS egress.
    shared = {
        e.endpoint: e
        for e in look_up_existing_endpoints(
            existing_endpoints, facts.vpc_id, sorted({p.route_table_id for p in placements})
        )
    }
else:
    shared = {}
# The record of each subnet the stack uses but does not manage, for the reachability rule.
for index, placement in enumerate(placements):
    recorded: NetworkFacts = dataclasses.replace(
        placement, vpc_endpoints={k: e.id for k, e in shared.items()}
    )
    ExistingNetwork("app-network" if index == 0 else f"app-network-{index}", recorded)

if endpoints is not None:
    # The endpoints' clients' group: no inbound, HTTPS out to the endpoints only.
    instance_args["vpc_security_group_ids"] = [
        endpoints.client_security_group_id,
        *security_group_ids,
    ]
    fleet_args["vpc_security_group_ids"] = instance_args["vpc_security_group_ids"]
elif not security_group_ids:
    # Nothing configured: a group that admits no inbound traffic at all. Session Manager
    # connects outbound, over HTTPS, so that is the only egress it needs.
    group = aws.ec2.SecurityGroup(
        "app-no-inbound",
        vpc_id=facts.vpc_id,
        description="No inbound traffic; HTTPS out for Session Manager and AWS APIs",
    )
    aws.vpc.SecurityGroupEgressRule(
        "app-https-out",
        security_group_id=group.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4="0.0.0.0/0",
        description="HTTPS to AWS service endpoints",
    )
    instance_args["vpc_security_group_ids"] = [group.id]
    fleet_args["vpc_security_group_ids"] = [group.id]

if config.require_bool("accountImdsDefaults"):
    # The account's regional defaults for instances launched anywhere else (the console, other
    # tools): IMDSv2 tokens required and this stack's hop limit. Existing instances keep their
    # options; a launch that sets its own still wins. One stack per account and region should
    # own this resource: a second would overwrite the first, and destroying either resets the
    # defaults to "no preference" (terraform-provider-aws
    # aws_ec2_instance_metadata_defaults).
    aws.ec2.InstanceMetadataDefaults(
        "account-imds-defaults",
        http_tokens="required",
        http_put_response_hop_limit=config.require_int("metadataHopLimit"),
    )

app: InstanceWithRole | AutoScalingGroupWithRole
if fleet_size:
    app = AutoScalingGroupWithRole("app", fleet_args)
else:
    app = InstanceWithRole("app", instance_args)

# Instances this program does not manage get the same role (the guide's
# associate-iam-instance-profile step), and IMDSv2 is required on them too.
if existing_instances:
    # From the installed distribution, not from components/: the state names the module a
    # dynamic provider is imported from, and a later refresh or destroy imports it again from
    # that path (components/profile_attachment.py). Imported only when used: it is a second
    # copy of every component module, a tenth of a second to load and to tear down.
    from ec2_instance_role import ProfileAttachment

    for instance_id in existing_instances:
        ProfileAttachment(
            f"attach-{instance_id}",
            instance_id=instance_id,
            instance_profile_name=app.instance_profile_name,
            region=target.region,
        )

# This program always creates the role: it never sets existing_instance_profile_name.
app_role = app.instance_role
if app_role is None:
    raise RuntimeError("'app' was expected to create its own role")

pulumi.export("networkMode", mode)
if isinstance(app, InstanceWithRole):
    pulumi.export("instanceId", app.instance_id)
    pulumi.export("instanceArn", app.instance_arn)
    pulumi.export("privateIp", app.private_ip)
    if mode == network.PUBLIC_EGRESS:
        pulumi.export("publicIp", app.instance.public_ip)
    pulumi.export(
        "verifyFromWorkstation",
        app.instance_id.apply(lambda i: verification.describe_instance_command(i, target.region)),
    )
    pulumi.export(
        "connect",
        app.instance_id.apply(lambda i: verification.session_command(i, target.region)),
    )
else:
    pulumi.export("autoScalingGroupName", app.autoscaling_group_name)
    pulumi.export("launchTemplateId", app.launch_template_id)
    group_name = app.autoscaling_group_name
    pulumi.export(
        "listInstances",
        group_name.apply(lambda g: verification.list_instances_command(g, target.region)),
    )
    pulumi.export(
        "verifyFromWorkstation",
        group_name.apply(lambda g: verification.describe_group_command(g, target.region)),
    )
    pulumi.export(
        "connect",
        group_name.apply(lambda g: verification.group_session_command(g, target.region)),
    )
if endpoints is not None:
    pulumi.export("vpcEndpointServices", endpoints.service_names)
pulumi.export("roleName", app_role.role_name)
pulumi.export("roleArn", app_role.role_arn)
pulumi.export("instanceProfileName", app_role.instance_profile_name)
pulumi.export("instanceProfileArn", app_role.instance_profile_arn)
pulumi.export("verifyOnInstance", app_role.role_name.apply(verification.on_instance_script))
pulumi.export("verifierCommand", app_role.role_name.apply(verification.verifier_command))
