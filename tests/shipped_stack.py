"""The stack program as this project first released it (__main__.py at commit a4d5e48), kept
verbatim but for being a function: the reachability rule is tested against the configuration
that shipped, an instance in the default VPC with no public IP and no VPC endpoint."""

import pulumi
import pulumi_aws as aws

from app import permissions, verification
from components import (
    InstanceRoleArgs,
    InstanceWithRole,
    InstanceWithRoleArgs,
    ProfileAttachment,
    check_instance_with_role_args,
)


def program() -> None:
    config = pulumi.Config()

    target = permissions.Target(
        partition=aws.get_partition().partition,
        region=aws.get_region().region,
        account_id=aws.get_caller_identity().account_id,
    )

    role = InstanceRoleArgs(
        inline_policies={
            "AppAccess": permissions.app_access_policy(
                target,
                bucket=config.require("appBucketName"),
                queue=config.require("appQueueName"),
                secret_prefix=config.require("appSecretPrefix"),
            ),
        },
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
        detailed_monitoring=config.require_bool("detailedMonitoring"),
        termination_protection=config.require_bool("terminationProtection"),
    )
    subnet_id = config.require("subnetId")
    if subnet_id:
        instance_args["subnet_id"] = subnet_id
    if key_name := config.require("keyName"):
        instance_args["key_name"] = key_name
    security_group_ids: list[str] = config.require_object("securityGroupIds")
    if security_group_ids:
        instance_args["vpc_security_group_ids"] = security_group_ids

    # Refuse bad settings before the security group below exists: nothing half-created.
    check_instance_with_role_args("app", instance_args)

    if not security_group_ids:
        # Nothing configured: a group that admits no inbound traffic at all. Session Manager
        # connects outbound, over HTTPS, so that is the only egress it needs.
        vpc_id = (
            aws.ec2.get_subnet(id=subnet_id).vpc_id
            if subnet_id
            else aws.ec2.get_vpc(default=True).id
        )
        group = aws.ec2.SecurityGroup(
            "app-no-inbound",
            vpc_id=vpc_id,
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

    app = InstanceWithRole("app", instance_args)

    # Instances this program does not manage get the same role (the guide's
    # associate-iam-instance-profile step), and IMDSv2 is required on them too.
    for instance_id in config.require_object("existingInstanceIds"):
        ProfileAttachment(
            f"attach-{instance_id}",
            instance_id=instance_id,
            instance_profile_name=app.instance_profile_name,
            region=target.region,
        )

    # This program always creates the role: it never sets existing_instance_profile_name.
    app_role = app.instance_role
    if app_role is None:
        raise RuntimeError("InstanceWithRole 'app' was expected to create its own role")

    pulumi.export("instanceId", app.instance_id)
    pulumi.export("instanceArn", app.instance_arn)
    pulumi.export("privateIp", app.private_ip)
    pulumi.export("roleName", app_role.role_name)
    pulumi.export("roleArn", app_role.role_arn)
    pulumi.export("instanceProfileName", app_role.instance_profile_name)
    pulumi.export("instanceProfileArn", app_role.instance_profile_arn)
    pulumi.export(
        "verifyFromWorkstation",
        app.instance_id.apply(lambda i: verification.describe_instance_command(i, target.region)),
    )
    pulumi.export(
        "connect",
        app.instance_id.apply(lambda i: verification.session_command(i, target.region)),
    )
    pulumi.export("verifyOnInstance", app_role.role_name.apply(verification.on_instance_script))
    pulumi.export("verifierCommand", app_role.role_name.apply(verification.verifier_command))
