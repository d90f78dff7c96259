"""InstanceRole under mocks: what it registers, and how the pieces connect."""

import json

import pulumi
import pytest

from components import InstanceRole, InstanceRoleArgs, check_instance_role_args
from components.validation import InputError
from offline.mocks import CHINA, run_program, unknown_output

from conftest import CLOUDWATCH_AGENT, READ_ONLY, queue_policy, read_objects_policy

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
EXCLUSIVE_INLINE = "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive"
EXCLUSIVE_MANAGED = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"


def build(args=None, **kwargs):
    return run_program(lambda: _outputs(InstanceRole("app", args or {})), **kwargs)


def _outputs(component):
    return {
        "role_name": component.role_name,
        "role_arn": component.role_arn,
        "instance_profile_name": component.instance_profile_name,
        "instance_profile_arn": component.instance_profile_arn,
    }


def test_trust_policy_admits_only_ec2_to_assume_the_role():
    trust = json.loads(build().one(ROLE).inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Sid": "AllowEc2ToAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]


def test_trust_principal_in_china_is_the_providers_not_the_dns_suffixs():
    """The provider's table (terraform-provider-aws service_principal_data_source.go) gives
    ec2.amazonaws.com in aws-cn; the old hand-built ec2.amazonaws.com.cn was the legacy form."""
    run = build(target=CHINA)
    trust = json.loads(run.one(ROLE).inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    asked = [c for c in run.mocks.calls if c.token.endswith("getServicePrincipal")]
    assert [dict(c.args)["serviceName"] for c in asked] == ["ec2"]


def test_role_is_auto_named_from_the_component_name_when_no_name_is_given():
    run = build()
    role = run.one(ROLE)
    assert "name" not in role.inputs, "an auto-named role must not send a name"
    assert role.state["name"].startswith("app-role-")
    assert run.returned["role_name"] == role.state["name"]


def test_explicit_role_name_is_sent_to_iam():
    role = build(InstanceRoleArgs(role_name="MyAppRole")).one(ROLE)
    assert role.inputs["name"] == "MyAppRole"


def test_role_name_prefix_is_sent_to_iam():
    role = build(InstanceRoleArgs(role_name_prefix="my-app-")).one(ROLE)
    assert role.inputs["namePrefix"] == "my-app-"
    assert "name" not in role.inputs


def test_optional_role_settings_reach_the_role():
    boundary = "arn:aws:iam::123456789012:policy/boundary"
    role = build(
        InstanceRoleArgs(
            path="/apps/",
            description="App role",
            max_session_duration=7200,
            permissions_boundary=boundary,
            tags={"Team": "platform"},
        )
    ).one(ROLE)
    assert role.inputs["path"] == "/apps/"
    assert role.inputs["description"] == "App role"
    assert role.inputs["maxSessionDuration"] == 7200
    assert role.inputs["permissionsBoundary"] == boundary
    assert role.inputs["tags"] == {"Team": "platform"}


def test_session_duration_sent_as_a_float_by_another_language_is_accepted():
    # Numbers cross the component host's wire as doubles: 7200 arrives as 7200.0.
    role = build({"max_session_duration": 7200.0}).one(ROLE)  # type: ignore[typeddict-item]
    assert role.inputs["maxSessionDuration"] == 7200


def test_role_does_not_use_the_deprecated_inline_or_managed_arguments(role_args):
    role = build(role_args).one(ROLE)
    assert "inlinePolicies" not in role.inputs
    assert "managedPolicyArns" not in role.inputs


def test_each_inline_policy_is_one_role_policy_named_by_its_key(role_args):
    run = build(role_args)
    policies = {p.name: p for p in run.of_type(ROLE_POLICY)}
    assert set(policies) == {"app-inline-read-objects", "app-inline-queue"}
    assert policies["app-inline-read-objects"].inputs["name"] == "read-objects"
    assert policies["app-inline-read-objects"].inputs["role"] == run.one(ROLE).id
    assert json.loads(policies["app-inline-read-objects"].inputs["policy"]) == read_objects_policy()


def test_inline_policy_given_as_a_json_string_is_sent_as_the_same_document(role_args):
    run = build(role_args)
    queue = run.named("app-inline-queue")
    assert json.loads(queue.inputs["policy"]) == json.loads(role_args["inline_policies"]["queue"])


def test_output_values_inside_an_inline_policy_resolve_into_the_document():
    def program():
        bucket_arn = pulumi.Output.from_input("arn:aws:s3:::from-another-resource/*")
        InstanceRole("app", {"inline_policies": {"read": read_objects_policy(bucket_arn)}})

    run = run_program(program)
    document = json.loads(run.named("app-inline-read").inputs["policy"])
    assert document["Statement"][0]["Resource"] == "arn:aws:s3:::from-another-resource/*"


def test_output_value_that_breaks_a_rule_fails_when_it_resolves():
    def program():
        wildcard = pulumi.Output.from_input("*")
        InstanceRole("app", {"inline_policies": {"read": read_objects_policy(wildcard)}})

    run = run_program(program, capture_error=True)
    assert "allows 's3:GetObject' on Resource '*'" in str(run.raised(InputError))
    assert not run.of_type(ROLE_POLICY), "the policy must not be created"


def test_preview_with_unknown_values_in_a_policy_does_not_fail():
    def program():
        statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": unknown_output()}
        InstanceRole(
            "app",
            {"inline_policies": {"read": {"Version": "2012-10-17", "Statement": [statement]}}},
        )

    run = run_program(program, preview=True)
    assert run.named("app-inline-read").type == ROLE_POLICY


def test_preview_still_refuses_the_known_parts_of_a_policy_with_unknown_values():
    def program():
        statement = {"Effect": "Allow", "Action": "s3:GetObjects", "Resource": unknown_output()}
        InstanceRole(
            "app",
            {"inline_policies": {"read": {"Version": "2012-10-17", "Statement": [statement]}}},
        )

    run = run_program(program, preview=True, capture_error=True)
    assert "'s3:GetObjects' is not an IAM action" in str(run.raised(InputError))
    assert not run.registrations


def test_whole_document_known_only_at_deploy_time_is_checked_when_it_resolves():
    def program():
        document = pulumi.Output.from_input(json.dumps({"Version": "2012-10-17"}))
        InstanceRole("app", {"inline_policies": {"late": document}})

    run = run_program(program, capture_error=True)
    assert "inline_policies['late'] has no Statement" in str(run.raised(InputError))


def test_whole_document_known_only_at_deploy_time_that_is_not_json_is_refused_by_its_key():
    def program():
        InstanceRole("app", {"inline_policies": {"late": pulumi.Output.from_input("{not json")}})

    run = run_program(program, capture_error=True)
    assert str(run.raised(InputError)).startswith("inline_policies['late'] is not valid JSON")


def _late_whole_document():
    return pulumi.Output.from_input(json.dumps(read_objects_policy()))


def _late_statement():
    (statement,) = read_objects_policy()["Statement"]
    return {"Version": "2012-10-17", "Statement": [pulumi.Output.from_input(statement)]}


@pytest.mark.parametrize(
    "late", [_late_whole_document, _late_statement], ids=["whole document", "one statement"]
)
def test_a_document_known_only_at_deploy_time_leaves_the_next_one_its_policy(late):
    def program():
        InstanceRole("app", {"inline_policies": {"late": late(), "known": queue_policy()}})

    assert sorted(r.inputs["name"] for r in run_program(program).of_type(ROLE_POLICY)) == [
        "known",
        "late",
    ]


def test_malformed_managed_policy_arn_known_only_at_deploy_time_is_refused_by_its_key():
    def program():
        arn = pulumi.Output.from_input("CloudWatchAgentServerPolicy")
        InstanceRole("app", {"managed_policy_arns": {"cw": arn}})

    run = run_program(program, capture_error=True)
    assert str(run.raised(InputError)).startswith(
        "managed_policy_arns['cw'] 'CloudWatchAgentServerPolicy' is not an IAM managed policy ARN."
    )
    assert not run.of_type(ATTACHMENT)


def test_role_name_known_only_at_deploy_time_is_checked_when_it_resolves():
    run = run_program(
        lambda: InstanceRole("app", {"role_name": pulumi.Output.from_input("has space")}),
        capture_error=True,
    )
    assert "role_name 'has space' contains ' '" in str(run.raised(InputError))
    assert not run.of_type(ROLE), "the role must not be created"


def test_managed_policy_arn_known_only_at_deploy_time_is_checked_when_it_resolves():
    def program():
        arn = pulumi.Output.from_input("arn:aws-cn:iam::aws:policy/ReadOnlyAccess")
        InstanceRole("app", {"managed_policy_arns": {"read-only": arn}})

    run = run_program(program, capture_error=True)
    error = str(run.raised(InputError))
    assert "managed_policy_arns['read-only'] 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess'" in error
    assert "this stack deploys to partition 'aws'" in error
    assert not run.of_type(ATTACHMENT), "the attachment must not be created"


def test_each_managed_policy_is_one_attachment_named_by_its_key(role_args):
    run = build(role_args)
    (attachment,) = run.of_type(ATTACHMENT)
    assert attachment.name == "app-managed-cloudwatch-agent"
    assert attachment.inputs["policyArn"] == CLOUDWATCH_AGENT
    assert attachment.inputs["role"] == run.one(ROLE).state["name"]


def test_reordering_policies_keeps_every_child_name_and_input():
    inline = {"a": read_objects_policy(), "b": read_objects_policy("arn:aws:s3:::other/*")}
    managed = {"cw": CLOUDWATCH_AGENT, "ro": READ_ONLY}
    forward = build(InstanceRoleArgs(inline_policies=inline, managed_policy_arns=managed))
    backward = build(
        InstanceRoleArgs(
            inline_policies=dict(reversed(inline.items())),
            managed_policy_arns=dict(reversed(managed.items())),
        )
    )

    def by_urn(run):
        return {r.urn: r.inputs for r in run.of_type(ROLE_POLICY) + run.of_type(ATTACHMENT)}

    assert by_urn(forward) == by_urn(backward)
    assert len(by_urn(forward)) == 4


def test_session_manager_is_off_by_default(role_args):
    arns = [a.inputs["policyArn"] for a in build(role_args).of_type(ATTACHMENT)]
    assert not any(arn.endswith("/AmazonSSMManagedInstanceCore") for arn in arns)


def test_session_manager_attaches_the_core_policy_of_the_stacks_partition():
    run = build(InstanceRoleArgs(enable_session_manager=True), target=CHINA)
    attachment = run.named("app-managed-session-manager")
    assert (
        attachment.inputs["policyArn"] == "arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore"
    )


def test_exclusive_management_lists_every_policy_by_default(role_args):
    run = build(InstanceRoleArgs(**role_args, enable_session_manager=True))
    inline = run.one(EXCLUSIVE_INLINE).inputs
    managed = run.one(EXCLUSIVE_MANAGED).inputs
    role_name = run.one(ROLE).state["name"]
    assert inline["roleName"] == role_name
    assert sorted(inline["policyNames"]) == ["queue", "read-objects"]
    assert managed["roleName"] == role_name
    assert sorted(managed["policyArns"]) == sorted(
        [CLOUDWATCH_AGENT, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    )


def test_exclusive_management_of_a_role_without_policies_lists_none():
    run = build()
    assert run.one(EXCLUSIVE_INLINE).inputs["policyNames"] == []
    assert run.one(EXCLUSIVE_MANAGED).inputs["policyArns"] == []


def test_exclusive_management_can_be_turned_off(role_args):
    run = build(InstanceRoleArgs(**role_args, exclusive_policy_management=False))
    assert not run.of_type(EXCLUSIVE_INLINE)
    assert not run.of_type(EXCLUSIVE_MANAGED)


def test_exclusive_resources_wait_for_the_policies_they_list(role_args):
    run = build(role_args)
    policy_urns = {r.urn for r in run.of_type(ROLE_POLICY) + run.of_type(ATTACHMENT)}
    for exclusive in (run.one(EXCLUSIVE_INLINE), run.one(EXCLUSIVE_MANAGED)):
        assert policy_urns <= set(exclusive.dependencies), exclusive.name


def test_instance_profile_wraps_the_role():
    run = build()
    assert run.one(PROFILE).inputs["role"] == run.one(ROLE).state["name"]


def test_instance_profile_name_may_differ_from_the_role_name():
    run = build(InstanceRoleArgs(role_name="MyAppRole", instance_profile_name="MyAppProfile"))
    assert run.one(PROFILE).inputs["name"] == "MyAppProfile"
    assert run.one(ROLE).inputs["name"] == "MyAppRole"


def test_optional_profile_settings_reach_the_profile():
    """The path and tags are the role's and its profile's both; the name prefix the profile's."""
    profile = build(
        InstanceRoleArgs(
            path="/apps/", tags={"Team": "platform"}, instance_profile_name_prefix="app-"
        )
    ).one(PROFILE)
    assert (profile.inputs["path"], profile.inputs["tags"], profile.inputs["namePrefix"]) == (
        "/apps/",
        {"Team": "platform"},
        "app-",
    )


def test_the_component_registers_its_outputs_by_their_names():
    run = build()
    registered = run.one("ec2-instance-role:index:InstanceRole").outputs
    assert registered == run.returned
    assert registered["role_name"] == run.one(ROLE).state["name"]


def test_every_child_is_parented_to_the_component(role_args):
    run = build(role_args)
    component = run.one("ec2-instance-role:index:InstanceRole")
    children = run.custom()
    assert len(children) == 7  # role, 2 inline, 1 attachment, 2 exclusive, profile
    for child in children:
        assert child.parent == component.urn, child.name


def test_outputs_resolve_to_the_children_values():
    run = build()
    role, profile = run.one(ROLE).state, run.one(PROFILE).state
    assert run.returned == {
        "role_name": role["name"],
        "role_arn": role["arn"],
        "instance_profile_name": profile["name"],
        "instance_profile_arn": profile["arn"],
    }
    assert run.returned["role_arn"] == f"arn:aws:iam::123456789012:role/{role['name']}"


PARTITION = "aws:index/getPartition:getPartition"


def test_many_roles_in_one_program_ask_the_partition_once():
    run = run_program(lambda: [InstanceRole(f"app{i}", {}) for i in range(5)])
    assert len([c for c in run.mocks.calls if c.token == PARTITION]) == 1


SERVICE_PRINCIPAL = "aws:index/getServicePrincipal:getServicePrincipal"


@pytest.mark.parametrize("token", [PARTITION, SERVICE_PRINCIPAL], ids=["partition", "principal"])
def test_a_role_under_its_own_provider_asks_that_provider(token):
    """Once per provider: the default one, and the explicit one the China roles share."""
    import pulumi_aws as aws

    def program():
        china = aws.Provider("china", region="cn-north-1")
        InstanceRole("default-a", {})
        InstanceRole("default-b", {})
        InstanceRole("china-a", {}, pulumi.ResourceOptions(providers=[china]))
        InstanceRole("china-b", {}, pulumi.ResourceOptions(providers=[china]))

    run = run_program(program)
    asked = sorted(
        c.provider.split("::")[-2] if c.provider else ""
        for c in run.mocks.calls
        if c.token == token
    )
    assert asked == ["", "china"]


def test_each_program_run_asks_the_partition_anew():
    first = run_program(lambda: InstanceRole("app", {}))
    second = run_program(
        lambda: InstanceRole("app", {"enable_session_manager": True}), target=CHINA
    )
    assert [c.token for c in first.mocks.calls].count(PARTITION) == 1
    assert [c.token for c in second.mocks.calls].count(PARTITION) == 1
    assert (
        second.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .inputs["policyArn"]
        .startswith("arn:aws-cn:")
    )


def wildcard_policy(action: object = "s3:*", resource: object = "arn:aws:s3:::my-app-data/*"):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
    }


def test_a_valid_wildcard_action_opt_in_creates_the_policy():
    run = build(
        {"inline_policies": {"all-s3": wildcard_policy()}, "allow_wildcard_actions": ["s3:*"]}
    )
    assert json.loads(run.named("app-inline-all-s3").inputs["policy"]) == wildcard_policy()


def test_a_star_opt_in_lets_a_policy_of_every_action_through():
    document = wildcard_policy("*", "arn:aws:s3:::my-app-data/*")
    run = build({"inline_policies": {"everything": document}, "allow_wildcard_actions": ["*"]})
    assert json.loads(run.named("app-inline-everything").inputs["policy"]) == document


def test_a_valid_wildcard_resource_opt_in_creates_the_policy():
    document = wildcard_policy("s3:GetObject", "*")
    run = build(
        {
            "inline_policies": {"any-object": document},
            "allow_wildcard_resource_actions": ["s3:GetObject"],
        }
    )
    assert json.loads(run.named("app-inline-any-object").inputs["policy"]) == document


def test_a_valid_unknown_action_opt_in_creates_the_policy():
    document = wildcard_policy("s3:GetObjectFromTheFuture")
    run = build(
        {
            "inline_policies": {"future": document},
            "allow_unknown_actions": ["s3:GetObjectFromTheFuture"],
        }
    )
    assert json.loads(run.named("app-inline-future").inputs["policy"]) == document


def test_the_opt_ins_hold_for_a_document_known_only_at_deploy_time():
    def program():
        document = pulumi.Output.from_input(json.dumps(wildcard_policy()))
        InstanceRole(
            "app", {"inline_policies": {"all-s3": document}, "allow_wildcard_actions": ["s3:*"]}
        )

    run = run_program(program)
    assert json.loads(run.named("app-inline-all-s3").inputs["policy"]) == wildcard_policy()


def test_the_opt_ins_hold_for_a_value_inside_a_document_known_only_at_deploy_time():
    def program():
        action = pulumi.Output.from_input("s3:*")
        InstanceRole(
            "app",
            {
                "inline_policies": {"all-s3": wildcard_policy(action)},
                "allow_wildcard_actions": ["s3:*"],
            },
        )

    run = run_program(program)
    assert json.loads(run.named("app-inline-all-s3").inputs["policy"]) == wildcard_policy()


def test_a_deploy_time_wildcard_without_the_opt_in_fails_when_it_resolves():
    def program():
        document = pulumi.Output.from_input(json.dumps(wildcard_policy()))
        InstanceRole("app", {"inline_policies": {"all-s3": document}})

    run = run_program(program, capture_error=True)
    assert str(run.raised(InputError)).startswith(
        "inline_policies['all-s3'] statement 0: allows Action 's3:*': every current and future "
        "action of the service"
    )
    assert not run.of_type(ROLE_POLICY), "the policy must not be created"


def test_the_bad_document_last_is_refused_before_anything_is_registered():
    run = build(
        {
            "inline_policies": {
                "a": read_objects_policy(),
                "b": read_objects_policy("arn:aws:s3:::other/*"),
                "c": wildcard_policy(),
            }
        },
        capture_error=True,
    )
    assert str(run.raised(InputError)).startswith(
        "inline_policies['c'] statement 0: allows Action 's3:*'"
    )
    assert run.registrations == []


def managed(count):
    return {f"p{i}": f"arn:aws:iam::123456789012:policy/p{i}" for i in range(count)}


def _quota_warnings(caplog, count):
    caplog.clear()
    with caplog.at_level("WARNING"):
        build({"managed_policy_arns": managed(count)})
    return [r.getMessage() for r in caplog.records if "managed policies" in r.getMessage()]


def test_managed_policies_over_the_default_quota_warn_that_it_must_be_raised(caplog):
    assert _quota_warnings(caplog, 11) == [
        "The role would have 11 managed policies; IAM's default quota is 10 per role. Raise the "
        "quota first or the attach fails."
    ]


def test_managed_policies_at_the_default_quota_warn_nothing(caplog):
    assert _quota_warnings(caplog, 10) == []


def test_20_managed_policies_are_the_most_iam_attaches():
    assert len(build({"managed_policy_arns": managed(20)}).of_type(ATTACHMENT)) == 20


def test_21_managed_policies_are_refused_before_anything_is_registered():
    run = build({"managed_policy_arns": managed(21)}, capture_error=True)
    assert str(run.raised(InputError)) == (
        "The role would have 21 managed policies; IAM attaches at most 20 to a role. Combine "
        "some into a customer managed policy."
    )
    assert run.registrations == []


def test_session_manager_counts_toward_the_managed_policy_limit():
    run = build(
        {"managed_policy_arns": managed(20), "enable_session_manager": True}, capture_error=True
    )
    assert str(run.raised(InputError)).startswith("The role would have 21 managed policies;")


def test_19_managed_policies_and_session_manager_are_20():
    run = build({"managed_policy_arns": managed(19), "enable_session_manager": True})
    assert len(run.of_type(ATTACHMENT)) == 20


def test_check_instance_role_args_names_the_role_whose_args_are_not_a_dict():
    with pytest.raises(InputError, match=r"^InstanceRole 'web' got args=None; "):
        check_instance_role_args("web", None)  # type: ignore[arg-type]


def test_check_instance_role_args_refuses_a_name_whose_autoname_is_too_long():
    with pytest.raises(InputError, match=r"auto-named from 'x{52}-role' plus an 8-character"):
        check_instance_role_args("x" * 52, {})
