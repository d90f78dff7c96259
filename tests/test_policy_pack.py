"""The policy pack's rules: each fires on a crafted bad resource and stays quiet on the good
one; the dev and prod stacks, run under mocks, pass every rule."""

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from offline.mocks import run_program
from offline.policy_args import (
    default_config,
    policy_resource,
    resource_args,
    resource_violations,
    stack_resources,
    stack_violations,
)
from offline.review import pack_settings
from offline.stack_config import merged_config, run_stack_program
from policy import rules

EC2_TRUST = json.dumps(
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
)
LAMBDA_TRUST = EC2_TRUST.replace("ec2.amazonaws.com", "lambda.amazonaws.com")
GOOD_INSTANCE = {
    "iamInstanceProfile": "app-profile",
    "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled"},
    "rootBlockDevice": {"encrypted": True},
    "associatePublicIpAddress": False,
}


def violations(policy, resource_type, props, config=None):
    config = default_config(policy) if config is None else config
    return resource_violations(policy, resource_args(resource_type, props, config=config))


# --- ec2-imdsv2-required -------------------------------------------------------------------


def test_imdsv2_rule_fires_when_tokens_are_optional():
    props = {**GOOD_INSTANCE, "metadataOptions": {"httpTokens": "optional"}}
    (message,) = violations(rules.imdsv2_required, rules.INSTANCE, props)
    assert "metadataOptions.httpTokens is 'optional'" in message


def test_imdsv2_rule_fires_when_metadata_options_are_missing():
    props = {k: v for k, v in GOOD_INSTANCE.items() if k != "metadataOptions"}
    assert violations(rules.imdsv2_required, rules.INSTANCE, props)


def test_imdsv2_rule_is_quiet_when_tokens_are_required():
    assert not violations(rules.imdsv2_required, rules.INSTANCE, GOOD_INSTANCE)


def test_imdsv2_rule_is_quiet_when_the_endpoint_is_disabled():
    props = {**GOOD_INSTANCE, "metadataOptions": {"httpEndpoint": "disabled"}}
    assert not violations(rules.imdsv2_required, rules.INSTANCE, props)


def test_imdsv2_rule_can_refuse_a_disabled_endpoint_too():
    props = {**GOOD_INSTANCE, "metadataOptions": {"httpEndpoint": "disabled"}}
    assert violations(
        rules.imdsv2_required, rules.INSTANCE, props, {"allowDisabledEndpoint": False}
    )


def test_imdsv2_rule_fires_on_a_launch_template_with_optional_tokens():
    props = {"metadataOptions": {"httpTokens": "optional"}}
    assert violations(rules.imdsv2_required, rules.LAUNCH_TEMPLATE, props)


def test_imdsv2_rule_is_quiet_on_a_launch_template_that_requires_tokens():
    props = {"metadataOptions": {"httpTokens": "required"}}
    assert not violations(rules.imdsv2_required, rules.LAUNCH_TEMPLATE, props)


# --- ec2-instance-profile-required ---------------------------------------------------------


def test_profile_rule_fires_on_an_instance_without_a_profile():
    props = {k: v for k, v in GOOD_INSTANCE.items() if k != "iamInstanceProfile"}
    (message,) = violations(rules.instance_profile_required, rules.INSTANCE, props)
    assert "no IAM instance profile" in message


def test_profile_rule_skips_an_exempted_instance():
    props = {k: v for k, v in GOOD_INSTANCE.items() if k != "iamInstanceProfile"}
    args = resource_args(
        rules.INSTANCE, props, name="bastion", config={"exemptResourceNames": ["bastion"]}
    )
    assert not resource_violations(rules.instance_profile_required, args)


def test_profile_rule_is_quiet_on_an_instance_with_a_profile():
    assert not violations(rules.instance_profile_required, rules.INSTANCE, GOOD_INSTANCE)


# --- ebs-volumes-encrypted -----------------------------------------------------------------


def test_encryption_rule_fires_on_an_unencrypted_root_volume():
    props = {**GOOD_INSTANCE, "rootBlockDevice": {"encrypted": False}}
    assert violations(rules.volumes_encrypted, rules.INSTANCE, props) == [
        "rootBlockDevice is not encrypted. Set encrypted to true."
    ]


def test_encryption_rule_fires_on_an_unencrypted_extra_ebs_device():
    props = {**GOOD_INSTANCE, "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": False}]}
    (message,) = violations(rules.volumes_encrypted, rules.INSTANCE, props)
    assert message.startswith("ebsBlockDevices[0] is not encrypted")


def test_encryption_rule_fires_on_a_launch_template_volume_marked_false():
    props = {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]}
    assert violations(rules.volumes_encrypted, rules.LAUNCH_TEMPLATE, props)


def test_encryption_rule_fires_on_an_unencrypted_volume():
    assert violations(rules.volumes_encrypted, rules.VOLUME, {"size": 10, "encrypted": False})


def test_encryption_rule_is_quiet_on_encrypted_volumes():
    props = {**GOOD_INSTANCE, "ebsBlockDevices": [{"encrypted": True}]}
    assert not violations(rules.volumes_encrypted, rules.INSTANCE, props)
    template = {"blockDeviceMappings": [{"ebs": {"encrypted": "true"}}]}
    assert not violations(rules.volumes_encrypted, rules.LAUNCH_TEMPLATE, template)


def test_encryption_rule_can_require_a_customer_managed_key():
    config = {"requireCustomerManagedKey": True}
    assert violations(rules.volumes_encrypted, rules.INSTANCE, GOOD_INSTANCE, config) == [
        "rootBlockDevice is not encrypted with a customer managed key. Set kmsKeyId."
    ]
    with_key = {
        **GOOD_INSTANCE,
        "rootBlockDevice": {
            "encrypted": True,
            "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k",
        },
    }
    assert not violations(rules.volumes_encrypted, rules.INSTANCE, with_key, config)


# --- ec2-no-public-ip ----------------------------------------------------------------------


def test_public_ip_rule_fires_on_an_instance_with_a_public_ip():
    props = {**GOOD_INSTANCE, "associatePublicIpAddress": True}
    assert violations(rules.no_public_ip, rules.INSTANCE, props)


def test_public_ip_rule_fires_on_a_launch_template_that_assigns_one():
    props = {"networkInterfaces": [{"associatePublicIpAddress": "true"}]}
    assert violations(rules.no_public_ip, rules.LAUNCH_TEMPLATE, props)


def test_public_ip_rule_is_quiet_without_a_public_ip():
    assert not violations(rules.no_public_ip, rules.INSTANCE, GOOD_INSTANCE)


def test_public_ip_rule_skips_an_exempted_instance():
    props = {**GOOD_INSTANCE, "associatePublicIpAddress": True}
    args = resource_args(rules.INSTANCE, props, name="web", config={"exemptResourceNames": ["web"]})
    assert not resource_violations(rules.no_public_ip, args)


def test_public_ip_rule_is_advisory_by_default():
    assert rules.no_public_ip.enforcement_level == rules.EnforcementLevel.ADVISORY


# --- iam-policy-lint -----------------------------------------------------------------------


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_lint_rule_fires_on_a_role_policy_with_a_typo():
    policy = document(
        {"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "arn:aws:s3:::b/*"}
    )
    (message,) = violations(
        rules.iam_policy_lint, rules.ROLE_POLICY, {"role": "r", "policy": policy}
    )
    assert "did you mean 's3:GetObject'" in message


def test_lint_rule_fires_on_a_managed_policy_that_passes_any_role():
    policy = document({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})
    (message,) = violations(rules.iam_policy_lint, rules.MANAGED_POLICY, {"policy": policy})
    assert "'iam:PassRole' on Resource '*'" in message


def test_lint_rule_fires_on_the_deprecated_inline_policies_of_a_role():
    policy = document({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"})
    props = {"assumeRolePolicy": EC2_TRUST, "inlinePolicies": [{"name": "x", "policy": policy}]}
    (message,) = violations(rules.iam_policy_lint, rules.ROLE, props)
    assert message.startswith("inlinePolicies[0].policy statement 0: allows Action 's3:*'")


def test_lint_rule_is_quiet_on_a_scoped_policy():
    policy = document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
    assert not violations(rules.iam_policy_lint, rules.ROLE_POLICY, {"role": "r", "policy": policy})


def test_lint_rule_accepts_unknown_actions_the_stack_config_allows():
    policy = document({"Effect": "Allow", "Action": "brandnew:DoThing", "Resource": "*"})
    config = {**default_config(rules.iam_policy_lint), "allowUnknownActions": ["brandnew:DoThing"]}
    props = {"role": "r", "policy": policy}
    assert violations(rules.iam_policy_lint, rules.ROLE_POLICY, props)
    assert not violations(rules.iam_policy_lint, rules.ROLE_POLICY, props, config)


# --- ec2-role-no-admin-policies (stack) ----------------------------------------------------


def role_with_attachment(trust, policy_name):
    role = policy_resource(
        rules.ROLE, "app-role", {"name": "app-role-1", "assumeRolePolicy": trust}
    )
    attachment = policy_resource(
        rules.ATTACHMENT,
        "app-admin",
        {"role": "app-role-1", "policyArn": f"arn:aws:iam::aws:policy/{policy_name}"},
        {"role": [role]},
    )
    return [role, attachment]


@pytest.mark.parametrize("policy_name", ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"])
def test_admin_rule_fires_on_an_ec2_role_with_a_broad_policy(policy_name):
    resources = role_with_attachment(EC2_TRUST, policy_name)
    ((message, urn),) = stack_violations(rules.ec2_roles_no_broad_policies, resources)
    assert f"carries {policy_name}" in message
    assert urn == resources[1].urn


def test_admin_rule_fires_on_the_deprecated_managed_policy_arns_of_an_ec2_role():
    role = policy_resource(
        rules.ROLE,
        "app-role",
        {
            "assumeRolePolicy": EC2_TRUST,
            "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        },
    )
    assert stack_violations(rules.ec2_roles_no_broad_policies, [role])


def test_admin_rule_is_quiet_on_a_role_ec2_cannot_assume():
    resources = role_with_attachment(LAMBDA_TRUST, "AdministratorAccess")
    assert not stack_violations(rules.ec2_roles_no_broad_policies, resources)


def test_admin_rule_is_quiet_on_an_ec2_role_with_a_narrow_policy():
    resources = role_with_attachment(EC2_TRUST, "CloudWatchAgentServerPolicy")
    assert not stack_violations(rules.ec2_roles_no_broad_policies, resources)


# --- ec2-profile-role-trusts-only-ec2 (stack) ----------------------------------------------


def instance_chain(trust):
    role = policy_resource(
        rules.ROLE, "app-role", {"name": "app-role-1", "assumeRolePolicy": trust}
    )
    profile = policy_resource(
        rules.PROFILE,
        "app-profile",
        {"name": "app-profile-1", "role": "app-role-1"},
        {"role": [role]},
    )
    instance = policy_resource(
        rules.INSTANCE,
        "app-instance",
        {**GOOD_INSTANCE, "iamInstanceProfile": "app-profile-1"},
        {"iamInstanceProfile": [profile]},
    )
    return [role, profile, instance]


def test_trust_rule_is_quiet_when_only_ec2_can_assume_the_role():
    assert not stack_violations(rules.instance_roles_trust_only_ec2, instance_chain(EC2_TRUST))


def test_trust_rule_fires_when_another_principal_can_assume_the_role():
    trust = json.loads(EC2_TRUST)
    trust["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sts:AssumeRole",
        }
    )
    ((message, urn),) = stack_violations(
        rules.instance_roles_trust_only_ec2, instance_chain(json.dumps(trust))
    )
    assert "can be assumed by principals other than the EC2 service" in message
    assert urn.endswith("::app-instance")


def test_trust_rule_accepts_actions_the_config_allows():
    trust = json.loads(EC2_TRUST)
    trust["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    resources = instance_chain(json.dumps(trust))
    assert stack_violations(rules.instance_roles_trust_only_ec2, resources)
    config = {"allowedTrustActions": ["sts:AssumeRole", "sts:TagSession"]}
    assert not stack_violations(rules.instance_roles_trust_only_ec2, resources, config)


def test_trust_rule_fires_when_the_profile_is_not_in_the_stack():
    instance = policy_resource(
        rules.INSTANCE, "app-instance", {**GOOD_INSTANCE, "iamInstanceProfile": "made-by-hand"}
    )
    ((message, _),) = stack_violations(rules.instance_roles_trust_only_ec2, [instance])
    assert "is not an instance profile of this stack" in message


def test_trust_rule_finds_the_profile_by_name_when_no_dependency_is_recorded():
    role, profile, instance = instance_chain(LAMBDA_TRUST)
    instance.property_dependencies = {}
    assert stack_violations(rules.instance_roles_trust_only_ec2, [role, profile, instance])


# --- the real stacks -----------------------------------------------------------------------


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack_and_run(request):
    run = run_program(run_stack_program, config=merged_config(request.param), stack=request.param)
    return request.param, run


@pytest.fixture(scope="module")
def stack_run(stack_and_run):
    return stack_and_run[1]


def test_stack_resources_pass_every_resource_rule(stack_and_run):
    # With the stack's own pack settings (policy/config.<stack>.json), as `make review` and
    # `pulumi preview --policy-pack-config` apply them: dev exempts its public-egress instance.
    stack, stack_run = stack_and_run
    checked = 0
    for registration in stack_run.custom():
        for policy in rules.RESOURCE_POLICIES:
            args = resource_args(
                registration.type,
                registration.inputs,
                name=registration.name,
                config={**default_config(policy), **pack_settings(stack, policy.name)},
            )
            assert not resource_violations(policy, args), f"{policy.name} on {registration.name}"
            checked += 1
    assert checked >= len(rules.RESOURCE_POLICIES) * 10


def test_stack_passes_every_stack_rule(stack_run):
    resources = stack_resources(stack_run.registrations)
    assert any(r.resource_type in (rules.INSTANCE, rules.LAUNCH_TEMPLATE) for r in resources)
    for policy in rules.STACK_POLICIES:
        assert not stack_violations(policy, resources), policy.name


def test_stack_instance_resolves_through_recorded_dependencies(stack_run):
    # The trust rule must not pass because it found nothing: the chain is really linked.
    resources = stack_resources(stack_run.registrations)
    # dev launches an instance; prod, a fleet, a launch template.
    (instance,) = [
        r for r in resources if r.resource_type in (rules.INSTANCE, rules.LAUNCH_TEMPLATE)
    ]
    # The profile name also carries the role's policy resources (the instance waits for them).
    through_profile = instance.property_dependencies["iamInstanceProfile"]
    (profile,) = [r for r in through_profile if r.resource_type == rules.PROFILE]
    (role,) = profile.property_dependencies["role"]
    assert role.resource_type == rules.ROLE
    assert rules.trusts_only_ec2(role.props["assumeRolePolicy"])


def test_policy_pack_lists_every_rule_once():
    names = [p.name for p in rules.POLICIES]
    assert len(names) == len(set(names)) == 11


def test_every_rule_has_a_config_schema_with_defaults():
    for policy in rules.POLICIES:
        assert policy.config_schema is not None, policy.name
        for key, spec in policy.config_schema.properties.items():
            assert "default" in spec, f"{policy.name}.{key}"
            assert spec.get("description"), f"{policy.name}.{key}"


# --- how the engine hands values over: proxies, unknowns, launch templates --------------------


def test_lint_rule_reads_a_document_given_as_an_object_through_the_sdk_proxy():
    good = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
        ],
    }
    bad = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "arn:aws:s3:::b/*"}
        ],
    }
    config = default_config(rules.iam_policy_lint)
    quiet = resource_args(
        rules.MANAGED_POLICY, unknown_checking_proxy({"policy": good}), config=config
    )
    loud = resource_args(
        rules.MANAGED_POLICY, unknown_checking_proxy({"policy": bad}), config=config
    )
    assert not resource_violations(rules.iam_policy_lint, quiet)
    (message,) = resource_violations(rules.iam_policy_lint, loud)
    assert "did you mean 's3:GetObject'" in message


def test_admin_rule_still_runs_when_a_new_roles_outputs_are_unknown():
    # A stack rule sees outputs; a new role's managedPolicyArns is unknown during a preview.
    role, attachment = role_with_attachment(EC2_TRUST, "AdministratorAccess")
    role.props = unknown_checking_proxy(
        {**role.props, "managedPolicyArns": UNKNOWN_ARRAY_VALUE, "arn": UNKNOWN_STRING_VALUE}
    )
    ((message, urn),) = stack_violations(rules.ec2_roles_no_broad_policies, [role, attachment])
    assert "carries AdministratorAccess" in message
    assert urn == attachment.urn


def test_admin_rule_skips_only_the_resource_whose_value_is_unknown():
    role, attachment = role_with_attachment(EC2_TRUST, "AdministratorAccess")
    unknown = policy_resource(
        rules.ATTACHMENT,
        "unknown-arn",
        unknown_checking_proxy({"role": "app-role-1", "policyArn": UNKNOWN_STRING_VALUE}),
        {"role": [role]},
    )
    found = stack_violations(rules.ec2_roles_no_broad_policies, [role, unknown, attachment])
    assert [urn for _, urn in found] == [attachment.urn]


def test_trust_rule_reads_a_trust_policy_given_as_an_object():
    role, profile, instance = instance_chain(EC2_TRUST)
    role.props = unknown_checking_proxy({**role.props, "assumeRolePolicy": json.loads(EC2_TRUST)})
    assert not stack_violations(rules.instance_roles_trust_only_ec2, [role, profile, instance])


@pytest.mark.parametrize(
    "policy",
    [rules.imdsv2_required, rules.instance_profile_required, rules.volumes_encrypted],
    ids=lambda p: p.name,
)
def test_instance_from_a_launch_template_is_left_to_the_template_check(policy):
    props = {
        "launchTemplate": {"id": "lt-0123456789abcdef0", "version": "$Latest"},
        "instanceType": "t3.micro",
    }
    assert not violations(policy, rules.INSTANCE, props)


# --- launch templates and Auto Scaling groups ---------------------------------------------------

GOOD_TEMPLATE = {
    "iamInstanceProfile": {"name": "app-profile"},
    "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
    "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}],
    "networkInterfaces": [{"associatePublicIpAddress": "false"}],
}


@pytest.mark.parametrize("resource_type", [rules.INSTANCE, rules.LAUNCH_TEMPLATE])
def test_hop_limit_rule_fires_above_two_hops(resource_type):
    base = GOOD_INSTANCE if resource_type == rules.INSTANCE else GOOD_TEMPLATE
    props = {**base, "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 3}}
    (message,) = violations(rules.metadata_hop_limit, resource_type, props)
    assert "httpPutResponseHopLimit is 3" in message


def test_hop_limit_rule_passes_two_hops():
    props = {**GOOD_TEMPLATE, "metadataOptions": {"httpPutResponseHopLimit": 2}}
    assert not violations(rules.metadata_hop_limit, rules.LAUNCH_TEMPLATE, props)


def test_hop_limit_rule_takes_a_raised_limit_from_its_config():
    props = {**GOOD_TEMPLATE, "metadataOptions": {"httpPutResponseHopLimit": 3}}
    config = {**default_config(rules.metadata_hop_limit), "maxHopLimit": 3}
    assert not violations(rules.metadata_hop_limit, rules.LAUNCH_TEMPLATE, props, config)


def test_profile_rule_fires_for_a_launch_template_without_a_profile():
    props = {k: v for k, v in GOOD_TEMPLATE.items() if k != "iamInstanceProfile"}
    (message,) = violations(rules.instance_profile_required, rules.LAUNCH_TEMPLATE, props)
    assert "launch template has no IAM instance profile" in message


def test_profile_rule_passes_a_launch_template_with_a_profile():
    assert not violations(rules.instance_profile_required, rules.LAUNCH_TEMPLATE, GOOD_TEMPLATE)


def test_encryption_rule_fires_for_a_launch_template_without_a_root_mapping():
    props = {k: v for k, v in GOOD_TEMPLATE.items() if k != "blockDeviceMappings"}
    (message,) = violations(rules.volumes_encrypted, rules.LAUNCH_TEMPLATE, props)
    assert "the root volume" in message


def test_group_rule_fires_for_a_launch_configuration():
    props = {"launchConfiguration": "old-config", "minSize": 1, "maxSize": 1}
    (message,) = violations(rules.groups_use_launch_templates, rules.AUTOSCALING_GROUP, props)
    assert "launch configuration" in message


def test_group_rule_fires_for_a_group_without_a_template():
    props = {"minSize": 1, "maxSize": 1}
    assert violations(rules.groups_use_launch_templates, rules.AUTOSCALING_GROUP, props)


def test_group_rule_passes_a_group_with_a_launch_template():
    props = {"launchTemplate": {"id": "lt-0123456789abcdef0", "version": "1"}}
    assert not violations(rules.groups_use_launch_templates, rules.AUTOSCALING_GROUP, props)


def test_fleet_component_passes_every_resource_rule():
    from components import AutoScalingGroupWithRole

    run = run_program(lambda: AutoScalingGroupWithRole("web", {"min_size": 2}))
    checked = set()
    for registration in run.custom():
        for policy in rules.RESOURCE_POLICIES:
            args = resource_args(
                registration.type,
                registration.inputs,
                name=registration.name,
                config=default_config(policy),
            )
            assert not resource_violations(policy, args), f"{policy.name} on {registration.name}"
            checked.add(registration.type)
    assert {rules.LAUNCH_TEMPLATE, rules.AUTOSCALING_GROUP} <= checked


def fleet_reachability(args):
    from components import AutoScalingGroupWithRole

    run = run_program(lambda: AutoScalingGroupWithRole("web", args))
    policy = rules.instances_reach_their_services
    return stack_violations(policy, stack_resources(run.registrations), default_config(policy))


def test_reachability_rule_fires_for_a_private_fleet_in_default_subnets():
    found = fleet_reachability({"role": {"enable_session_manager": True}})
    assert len(found) == 3  # one per default subnet of the group
    for message, urn in found:
        assert message.startswith("Launch template 'web-template' cannot reach ec2messages, ")
        assert urn.endswith("::web-template")


def test_reachability_rule_passes_a_fleet_with_public_ips_in_default_subnets():
    args = {"role": {"enable_session_manager": True}, "associate_public_ip_address": True}
    assert fleet_reachability(args) == []


def test_trust_rule_follows_a_launch_templates_profile_to_its_role():
    from components import AutoScalingGroupWithRole

    run = run_program(lambda: AutoScalingGroupWithRole("web", {}))
    resources = stack_resources(run.registrations)
    (template,) = [r for r in resources if r.resource_type == rules.LAUNCH_TEMPLATE]
    (role,) = [r for r in resources if r.resource_type == rules.ROLE]
    assert rules._profile_role_problem(template, resources, ["sts:AssumeRole"]) is None
    assert rules.trusts_only_ec2(role.props["assumeRolePolicy"])


def test_trust_rule_fires_for_a_launch_template_whose_role_others_may_assume():
    import pulumi_aws as aws

    def program():
        role = aws.iam.Role("r", assume_role_policy=LAMBDA_TRUST)
        profile = aws.iam.InstanceProfile("p", role=role.name)
        aws.ec2.LaunchTemplate("lt", iam_instance_profile={"name": profile.name})

    resources = stack_resources(run_program(program).registrations)
    ((message, urn),) = stack_violations(rules.instance_roles_trust_only_ec2, resources)
    assert "which launch template 'lt' runs as" in message
    assert urn.endswith("::lt")
