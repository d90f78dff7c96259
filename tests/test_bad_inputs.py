"""Every bad input is refused with a message that names the input and the fix, before any
resource is registered: nothing half-created."""

import json
import re

import pytest

from components import (
    AutoScalingGroupWithRole,
    InstanceRole,
    InstanceRoleArgs,
    InstanceWithRole,
    InstanceWithRoleArgs,
)
from components.instance_role import ROLE_SETTINGS
from components.validation import InputError
from offline.mocks import CHINA, run_program

from conftest import CLOUDWATCH_AGENT, read_objects_policy

SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"


def whole(message):
    """A pattern that matches ``message`` and nothing more or less."""
    return f"^{re.escape(message)}$"


def statement(**fields):
    return {"Version": "2012-10-17", "Statement": [fields]}


def big_policy(sid_count):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"S{i}",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::bucket-{i:04d}-with-a-long-name/*",
            }
            for i in range(sid_count)
        ],
    }


ROLE_CASES = [
    pytest.param(
        {"role_name": "r" * 65},
        "role_name 'r{65}' is 65 characters long; IAM allows at most 64",
        id="role-name-too-long",
    ),
    pytest.param(
        {"role_name": "my role"},
        "role_name 'my role' contains ' ', which IAM refuses",
        id="role-name-bad-characters",
    ),
    pytest.param(
        {"role_name_prefix": "p" * 39},
        "role_name_prefix .* is 39 characters long; IAM allows at most 38",
        id="role-name-prefix-too-long",
    ),
    pytest.param(
        {"role_name": "a", "role_name_prefix": "b"},
        "Both role_name and role_name_prefix are set",
        id="role-name-and-prefix",
    ),
    pytest.param(
        {"instance_profile_name": "n" * 129},
        "instance_profile_name .* is 129 characters long; IAM allows at most 128",
        id="profile-name-too-long",
    ),
    pytest.param(
        {"instance_profile_name": "my/profile"},
        "instance_profile_name 'my/profile' contains '/'",
        id="profile-name-bad-characters",
    ),
    pytest.param(
        {"instance_profile_name_prefix": "p" * 103},
        "instance_profile_name_prefix .* is 103 characters long; IAM allows at most 102",
        id="profile-name-prefix-too-long",
    ),
    pytest.param({"path": "apps"}, "path 'apps' is not an IAM path", id="path-malformed"),
    pytest.param(
        {"max_session_duration": 60},
        "max_session_duration is 60 seconds; IAM allows 3600",
        id="session-duration-out-of-range",
    ),
    pytest.param(
        {"permissions_boundary": "boundary"},
        "permissions_boundary 'boundary' is not an IAM managed policy ARN",
        id="permissions-boundary-malformed",
    ),
    pytest.param(
        {"tags": {"aws:team": "x"}},
        "tags key 'aws:team' uses the reserved 'aws:' prefix",
        id="tag-reserved-prefix",
    ),
    pytest.param(
        {"managed_policy_arns": {"cw": "CloudWatchAgentServerPolicy"}},
        r"managed_policy_arns\['cw'\] 'CloudWatchAgentServerPolicy' is not an IAM managed policy ARN",
        id="managed-arn-malformed",
    ),
    pytest.param(
        {"managed_policy_arns": [CLOUDWATCH_AGENT]},
        whole(
            "managed_policy_arns must be a mapping of names you choose to policy ARNs; got list. "
            "A list would key attachments by position, so reordering it would replace them."
        ),
        id="managed-arns-as-list",
    ),
    pytest.param(
        {"managed_policy_arns": {"a": CLOUDWATCH_AGENT, "b": CLOUDWATCH_AGENT}},
        whole(
            f"managed_policy_arns['b'] attaches {CLOUDWATCH_AGENT}, as managed_policy_arns['a'] "
            "does already. Keep one of them."
        ),
        id="managed-arn-twice",
    ),
    pytest.param(
        {"enable_session_manager": True, "managed_policy_arns": {"ssm": SSM_CORE}},
        whole(
            f"managed_policy_arns['ssm'] is {SSM_CORE}, which enable_session_manager attaches "
            "already. Remove one of them."
        ),
        id="session-manager-twice",
    ),
    pytest.param(
        {
            "enable_session_manager": True,
            "managed_policy_arns": {"session-manager": CLOUDWATCH_AGENT},
        },
        whole(
            "managed_policy_arns key 'session-manager' is reserved for the attachment "
            "enable_session_manager makes. Choose another key."
        ),
        id="session-manager-key-reserved",
    ),
    pytest.param(
        {
            "managed_policy_arns": {
                f"p{i}": f"arn:aws:iam::123456789012:policy/p{i}" for i in range(21)
            }
        },
        "The role would have 21 managed policies; IAM attaches at most 20",
        id="too-many-managed-policies",
    ),
    pytest.param(
        {"managed_policy_arns": {"has space": CLOUDWATCH_AGENT}},
        "managed_policy_arns key 'has space' is not a usable name",
        id="managed-key-unusable",
    ),
    pytest.param(
        {"inline_policies": [read_objects_policy()]},
        whole(
            "inline_policies must be a mapping of policy names to policy documents; got list. "
            "Key each document by a name you choose."
        ),
        id="inline-policies-as-list",
    ),
    pytest.param(
        {"inline_policies": {"a": read_objects_policy(), "b": read_objects_policy()}},
        whole(
            "inline_policies['b'] is the same document as inline_policies['a']. Keep one of them."
        ),
        id="inline-document-twice",
    ),
    pytest.param(
        {"inline_policies": {"p": "{not json"}},
        r"inline_policies\['p'\] is not valid JSON",
        id="inline-not-json",
    ),
    pytest.param(
        {"inline_policies": {"p": {"Version": "2012-10-17"}}},
        r"inline_policies\['p'\] has no Statement",
        id="inline-no-statement",
    ),
    pytest.param(
        {
            "inline_policies": {
                "p": statement(Effect="Permit", Action="s3:GetObject", Resource="arn:aws:s3:::b/*")
            }
        },
        'statement 0 has Effect \'Permit\'. Use "Allow" or "Deny"',
        id="inline-bad-effect",
    ),
    pytest.param(
        {
            "inline_policies": {
                "p": statement(Effect="Allow", Action="GetObject", Resource="arn:aws:s3:::b/*")
            }
        },
        "Action 'GetObject' is not of the form 'service:Action'",
        id="inline-action-without-service",
    ),
    pytest.param(
        {"inline_policies": {"p": statement(Effect="Allow", Action="s3:GetObject")}},
        "statement 0 has no Resource",
        id="inline-no-resource",
    ),
    pytest.param(
        {
            "inline_policies": {
                "p": statement(Effect="Allow", Action="*", Resource="arn:aws:s3:::b/*")
            }
        },
        "allows Action '[*]': every current and future action.*allow_wildcard_actions",
        id="inline-action-star",
    ),
    pytest.param(
        {
            "inline_policies": {
                "p": statement(Effect="Allow", Action="s3:*", Resource="arn:aws:s3:::b/*")
            }
        },
        "allows Action 's3:[*]'.*add 's3:[*]' to allow_wildcard_actions",
        id="inline-service-star",
    ),
    pytest.param(
        {"inline_policies": {"p": statement(Effect="Allow", Action="s3:GetObject", Resource="*")}},
        "allows 's3:GetObject' on Resource '[*]'.*allow_wildcard_resource_actions",
        id="inline-resource-star-on-scoped-action",
    ),
    pytest.param(
        {
            "inline_policies": {
                "p": statement(
                    Effect="Allow",
                    Action="s3:GetObject",
                    Resource="arn:aws:s3:::b/*",
                    Principal="*",
                )
            }
        },
        "has Principal",
        id="inline-principal",
    ),
    pytest.param(
        {"inline_policies": {"has space": read_objects_policy()}},
        "inline_policies key 'has space' is not a usable name",
        id="inline-key-unusable",
    ),
    pytest.param(
        {"inline_policies": {"a": big_policy(60), "b": big_policy(61)}},
        whole(
            "inline_policies add up to 13608 characters without white space; IAM allows 10240 "
            "per role. Move some statements to a customer managed policy and attach it through "
            "managed_policy_arns."
        ),
        id="inline-over-size-limit",
    ),
    *(
        pytest.param(
            {opt_in: ["s3"]},
            whole(
                f"{opt_in} holds 's3'; each entry must be an action as written in the policy "
                "('s3:*', 'ec2:StartInstances' or '*')."
            ),
            id=f"{opt_in}-not-an-action",
        )
        for opt_in in (
            "allow_wildcard_actions",
            "allow_wildcard_resource_actions",
            "allow_unknown_actions",
        )
    ),
    pytest.param(
        {"description": "d" * 1001},
        whole("description is 1001 characters long; IAM allows at most 1000. Shorten it."),
        id="description-too-long",
    ),
    pytest.param(
        {"zeta": True, "alpha": True},
        whole(
            f"InstanceRole 'app' got unknown argument(s) alpha, zeta. Known: "
            f"{', '.join(ROLE_SETTINGS)}."
        ),
        id="unknown-arguments",
    ),
]


@pytest.mark.parametrize(("args", "message"), ROLE_CASES)
def test_instance_role_rejects_bad_input_before_registering_anything(args, message):
    run = run_program(lambda: InstanceRole("app", args), capture_error=True)
    with pytest.raises(InputError, match=message):
        raise run.raised(InputError)
    assert not run.registrations, [r.name for r in run.registrations]


@pytest.mark.parametrize(("args", "message"), ROLE_CASES)
def test_instance_with_role_rejects_bad_role_settings_before_registering_anything(args, message):
    run = run_program(lambda: InstanceWithRole("app", {"role": args}), capture_error=True)
    with pytest.raises(InputError, match=message):
        raise run.raised(InputError)
    assert not run.registrations, [r.name for r in run.registrations]


ROLE_AUTONAME = (
    f"The role would be auto-named from '{'x' * 52}-role' plus an 8-character suffix, 65 "
    "characters, but IAM allows at most 64. Give a shorter component name, or set role_name "
    "or role_name_prefix."
)
PROFILE_AUTONAME = (
    f"The instance profile would be auto-named from '{'x' * 120}-profile' plus an 8-character "
    "suffix, 136 characters, but IAM allows at most 128. Give a shorter component name, or "
    "set instance_profile_name or instance_profile_name_prefix."
)


@pytest.mark.parametrize(
    ("component", "name", "args", "message"),
    [
        (InstanceRole, "x" * 52, {}, ROLE_AUTONAME),
        (InstanceWithRole, "x" * 52, {}, ROLE_AUTONAME),
        (AutoScalingGroupWithRole, "x" * 52, {}, ROLE_AUTONAME),
        (InstanceRole, "x" * 120, {"role_name": "app"}, PROFILE_AUTONAME),
    ],
    ids=["role", "role of an instance", "role of a fleet", "profile"],
)
def test_rejects_component_name_whose_autoname_is_too_long(component, name, args, message):
    run = run_program(lambda: component(name, args), capture_error=True)
    with pytest.raises(InputError, match=whole(message)):
        raise run.raised(InputError)
    assert not run.registrations


def test_rejects_managed_policy_arn_of_another_partition_before_any_child():
    run = run_program(
        lambda: InstanceRole("app", {"managed_policy_arns": {"cw": CLOUDWATCH_AGENT}}),
        target=CHINA,
        capture_error=True,
    )
    with pytest.raises(
        InputError, match="is in partition 'aws', but this stack deploys to partition 'aws-cn'"
    ):
        raise run.raised(InputError)
    assert not run.custom(), [r.name for r in run.custom()]


def test_rejects_permissions_boundary_of_another_partition_before_any_child():
    boundary = "arn:aws:iam::123456789012:policy/boundary"
    run = run_program(
        lambda: InstanceRole("app", {"permissions_boundary": boundary}),
        target=CHINA,
        capture_error=True,
    )
    expected = r"permissions_boundary .* is in partition 'aws', but this stack deploys to partition"
    with pytest.raises(InputError, match=expected):
        raise run.raised(InputError)
    assert not run.custom(), [r.name for r in run.custom()]


INSTANCE_CASES = [
    pytest.param(
        {"metadata_hop_limit": 0},
        whole(
            "metadata_hop_limit is 0; EC2 allows 1 to 64. Use 1 (the default) or 2 for hosts that run containers which need the instance's credentials."
        ),
        id="hop-limit-zero",
    ),
    pytest.param(
        {"metadata_hop_limit": 65},
        whole(
            "metadata_hop_limit is 65; EC2 allows 1 to 64. Use 1 (the default) or 2 for hosts that run containers which need the instance's credentials."
        ),
        id="hop-limit-over-64",
    ),
    pytest.param(
        {"ami": "ami-0123456789abcdef0", "ami_ssm_parameter": "/x"},
        whole(
            "Both ami and ami_ssm_parameter are set; they conflict. Set ami to pin an image, or ami_ssm_parameter to follow one."
        ),
        id="ami-and-parameter",
    ),
    pytest.param(
        {"ami_ssm_parameter": "al2023 latest"},
        whole(
            "ami_ssm_parameter 'al2023 latest' is not an SSM parameter name: up to 2048 of a-z, A-Z, 0-9, _ . - and / (or the parameter's ARN), optionally followed by :<version> or :<label> (for example '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64')."
        ),
        id="ami-parameter-malformed",
    ),
    pytest.param(
        {"root_volume_type": "st1"},
        whole("root_volume_type 'st1' cannot be a root volume. Use one of gp3, gp2, standard."),
        id="root-volume-type",
    ),
    pytest.param(
        {"root_volume_size": 0},
        whole(
            "root_volume_size 0 must be a whole number of GiB, 1 to 65536 for a gp3 volume (EC2's limit for the type), and at least the AMI's own size."
        ),
        id="root-volume-size",
    ),
    pytest.param(
        {"subnet_id": "my-subnet"},
        whole("subnet_id 'my-subnet' is not a valid ID (for example 'subnet-0123456789abcdef0')."),
        id="subnet-id-malformed",
    ),
    pytest.param(
        {"vpc_security_group_ids": "sg-0123456789abcdef0"},
        whole(
            "vpc_security_group_ids must be a list of security group IDs; got 'sg-0123456789abcdef0'."
        ),
        id="security-groups-as-string",
    ),
    pytest.param(
        {"vpc_security_group_ids": ["default"]},
        whole(
            "vpc_security_group_ids entry 'default' is not a valid ID (for example 'sg-0123456789abcdef0')."
        ),
        id="security-group-id-malformed",
    ),
    pytest.param(
        {"ami": "ubuntu-22.04"},
        whole("ami 'ubuntu-22.04' is not a valid ID (for example 'ami-0123456789abcdef0')."),
        id="ami-malformed",
    ),
    pytest.param(
        {"root_volume_type": "io1"},
        whole("root_volume_type 'io1' cannot be a root volume. Use one of gp3, gp2, standard."),
        id="root-volume-type-needs-iops",
    ),
    pytest.param(
        {"instance_metadata_tags": True, "tags": {"Cost Center": "42"}},
        whole(
            "tags key 'Cost Center' cannot be served through instance metadata, which instance_metadata_tags turns on. Use letters, digits and + - = . _ : @ only (no spaces or '/'), or leave instance_metadata_tags off."
        ),
        id="metadata-tags-with-unservable-key",
    ),
    pytest.param(
        {"http_tokens": "optional"},
        r"unknown argument\(s\) http_tokens",
        id="imdsv2-is-not-an-input",
    ),
    pytest.param(
        {"existing_instance_profile_name": "arn:aws:iam::123456789012:instance-profile/app"},
        "existing_instance_profile_name 'arn:aws:iam::123456789012:instance-profile/app' is an ARN; EC2 takes the profile's name here. Pass 'app'.",
        id="existing-profile-given-as-arn",
    ),
    pytest.param(
        {"existing_instance_profile_name": "app profile"},
        whole(
            "existing_instance_profile_name 'app profile' contains ' ', which IAM refuses. Use only letters, digits and + = , . @ _ -"
        ),
        id="existing-profile-name-with-space",
    ),
    pytest.param(
        {"metadata_hop_limit": 3},
        whole(
            "metadata_hop_limit is 3: an IMDSv2 token, and so the role's credentials, would travel 3 network hops from the instance, further than a container on it needs (2). Use 1 or 2, or, if something that far must read the credentials, set allow_metadata_hop_limit_above_2 to true as well."
        ),
        id="hop-limit-3-without-opt-in",
    ),
    pytest.param(
        {
            "existing_instance_profile_name": "p",
            "role": {"role_name": "r", "enable_session_manager": True},
        },
        whole(
            "Both existing_instance_profile_name and role settings (enable_session_manager, role_name) are given; the settings would be silently ignored. Put them on the InstanceRole that owns the profile, or drop existing_instance_profile_name to create a new role."
        ),
        id="existing-profile-with-role-settings",
    ),
    pytest.param(
        {"existing_instance_profile_name": "p", "role": {}},
        whole(
            "Both existing_instance_profile_name and role settings (an empty dict) are given; the settings would be silently ignored. Put them on the InstanceRole that owns the profile, or drop existing_instance_profile_name to create a new role."
        ),
        id="existing-profile-with-empty-role",
    ),
    pytest.param(
        {"replace_on_ami_change": "yes"},
        whole("replace_on_ami_change must be true or false; got 'yes'."),
        id="flag-not-a-boolean",
    ),
    pytest.param(
        {"root_volume_kms_key_id": "not a key"},
        whole(
            "root_volume_kms_key_id 'not a key' is not a KMS key: give its key ARN ('arn:aws:kms:<region>:<account>:key/<key id>'), key ID, alias ('alias/<name>') or alias ARN."
        ),
        id="kms-key-malformed",
    ),
    pytest.param(
        {"key_name": ""},
        whole("key_name '' is not an EC2 key pair name: 1 to 255 ASCII characters."),
        id="key-name-empty",
    ),
    pytest.param(
        {"instance_type": "t3"},
        whole(
            "instance_type 't3' is not an EC2 instance type (<family>.<size> in lower case, for example 't3.micro')."
        ),
        id="instance-type-without-size",
    ),
    pytest.param(
        {"tags": "team=a"},
        whole("tags must be a mapping of tag keys to values; got 'team=a'."),
        id="tags-not-a-mapping",
    ),
]


@pytest.mark.parametrize(("args", "message"), INSTANCE_CASES)
def test_instance_with_role_rejects_bad_input_before_registering_anything(args, message):
    run = run_program(lambda: InstanceWithRole("app", args), capture_error=True)
    with pytest.raises(InputError, match=message):
        raise run.raised(InputError)
    assert not run.registrations, [r.name for r in run.registrations]


def test_rejects_existing_role_together_with_new_role_settings():
    def program():
        shared = InstanceRole("shared", {})
        InstanceWithRole(
            "app",
            InstanceWithRoleArgs(
                existing_instance_profile_name=shared.instance_profile_name,
                role=InstanceRoleArgs(enable_session_manager=True),
            ),
        )

    run = run_program(program, capture_error=True)
    with pytest.raises(
        InputError,
        match=r"Both existing_instance_profile_name and role settings \(enable_session_manager\)",
    ):
        raise run.raised(InputError)
    registered = {r.type for r in run.registrations}
    assert "ec2-instance-role:index:InstanceWithRole" not in registered
    assert "aws:ec2/instance:Instance" not in registered


def test_rejects_role_settings_that_are_not_a_dict_before_registering_anything():
    run = run_program(lambda: InstanceWithRole("app", {"role": "MyAppRole"}), capture_error=True)  # type: ignore[typeddict-item]
    with pytest.raises(InputError) as refused:
        raise run.raised(InputError)
    assert str(refused.value) == (
        "role must be a dict of InstanceRole settings (InstanceRoleArgs); got 'MyAppRole'. "
        "Omit it for a role with no policies."
    )
    assert not run.registrations


@pytest.mark.parametrize("component", [InstanceRole, InstanceWithRole, AutoScalingGroupWithRole])
def test_rejects_args_that_are_not_a_dict_before_registering_anything(component):
    run = run_program(lambda: component("app", None), capture_error=True)
    kind = component.__name__
    message = (
        f"{kind} 'app' got args=None; args must be a dict of settings ({kind}Args). Pass {{}} "
        "for every default."
    )
    with pytest.raises(InputError, match=whole(message)):
        raise run.raised(InputError)
    assert not run.registrations


def test_rejects_a_fractional_hop_limit():
    run = run_program(
        lambda: InstanceWithRole("app", {"metadata_hop_limit": 2.5}), capture_error=True
    )  # type: ignore[typeddict-item]
    with pytest.raises(InputError, match=r"metadata_hop_limit must be a whole number; got 2\.5"):
        raise run.raised(InputError)
    assert not run.registrations


def test_rejects_hop_limit_given_as_a_string():
    run = run_program(
        lambda: InstanceWithRole("app", {"metadata_hop_limit": "2"}), capture_error=True
    )  # type: ignore[typeddict-item]
    with pytest.raises(InputError, match="metadata_hop_limit must be a whole number; got '2'"):
        raise run.raised(InputError)


def test_big_policy_fixture_is_really_over_the_limit():
    # Guards the size test above against a fixture that quietly shrinks below the limit.
    sizes = [len(json.dumps(big_policy(n), separators=(",", ":"))) for n in (60, 61)]
    assert sum(sizes) > 10240
    assert all(size < 10240 for size in sizes)


def policies_adding_up_to(total):
    """Two inline documents whose sizes, as IAM counts them (no white space), add up to
    exactly ``total``: the last Sid is lengthened to make up the difference."""
    first, second = big_policy(50), big_policy(40)
    size = sum(len(json.dumps(d, separators=(",", ":"))) for d in (first, second))
    assert size <= total
    second["Statement"][-1]["Sid"] += "x" * (total - size)
    return {"first": first, "second": second}


def test_inline_policies_at_the_size_limit_are_accepted():
    run = run_program(
        lambda: InstanceRole("app", {"inline_policies": policies_adding_up_to(10240)})
    )
    assert len(run.of_type("aws:iam/rolePolicy:RolePolicy")) == 2


def test_inline_policies_one_past_the_size_limit_are_refused():
    run = run_program(
        lambda: InstanceRole("app", {"inline_policies": policies_adding_up_to(10241)}),
        capture_error=True,
    )
    assert str(run.raised(InputError)).startswith(
        "inline_policies add up to 10241 characters without white space; IAM allows 10240 per role."
    )
    assert not run.registrations


def test_rejects_deploy_time_role_name_together_with_a_prefix_before_registering():
    import pulumi

    def program():
        InstanceRole("app", {"role_name": pulumi.Output.from_input("r"), "role_name_prefix": "p"})

    run = run_program(program, capture_error=True)
    with pytest.raises(InputError, match=r"Both role_name and role_name_prefix are set"):
        raise run.raised(InputError)
    assert not run.registrations


# --- the launch checks' messages, whole ------------------------------------------------------


def _launch_refusal(check, value) -> str:
    with pytest.raises(InputError) as error:
        check(value)
    return str(error.value)


def test_a_profile_arn_given_as_the_name_is_refused_with_the_name_to_pass():
    from components import _launch

    arn = "arn:aws:iam::123456789012:instance-profile/teams/web/app-profile"
    assert _launch_refusal(_launch.check_profile_name, arn) == (
        f"existing_instance_profile_name {arn!r} is an ARN; EC2 takes the profile's name here. "
        "Pass 'app-profile'."
    )


def test_an_ami_that_is_not_an_id_is_refused_with_an_example():
    from components import _launch

    assert _launch_refusal(_launch.check_ami, "ubuntu") == (
        "ami 'ubuntu' is not a valid ID (for example 'ami-0123456789abcdef0')."
    )


def test_user_data_over_ec2s_limit_is_refused_by_its_input_name():
    from components import _launch

    assert _launch_refusal(_launch.check_user_data, "x" * 16385).startswith(
        "user_data is 16385 bytes; EC2 takes at most 16384 (16 KB) before base64."
    )


def test_existing_profile_given_as_a_resource_is_refused_naming_what_to_pass():
    import pulumi_aws as aws

    def program():
        profile = aws.iam.InstanceProfile("shared", role="shared-role")
        InstanceWithRole("app", {"existing_instance_profile_name": profile})  # type: ignore[typeddict-item]

    run = run_program(program, capture_error=True)
    assert str(run.raised(InputError)) == (
        "existing_instance_profile_name must be a profile name; got a resource "
        "(InstanceProfile). Pass its instance_profile_name (or name)."
    )
    assert [r.name for r in run.registrations] == ["shared"]
