"""The pure input checks, one rule per test."""

import re

import pytest

from components import validation as v
from components.validation import InputError


def test_accepts_a_valid_role_name():
    v.check_iam_name("MyAppRole+=,.@_-1", input_name="role_name", max_length=64)


def test_rejects_role_name_over_64_characters():
    with pytest.raises(
        InputError, match=r"role_name 'a{65}' is 65 characters long; IAM allows at most 64"
    ):
        v.check_iam_name("a" * 65, input_name="role_name", max_length=v.ROLE_NAME_MAX)


def test_rejects_role_name_with_characters_iam_refuses():
    with pytest.raises(
        InputError, match=r"role_name 'my app/role' contains ' /'.*Use only letters"
    ):
        v.check_iam_name("my app/role", input_name="role_name", max_length=64)


def test_rejects_empty_role_name():
    with pytest.raises(InputError, match=r"role_name must be a non-empty string"):
        v.check_iam_name("", input_name="role_name", max_length=64)


def test_name_prefix_limit_leaves_room_for_the_26_character_suffix():
    assert v.ROLE_NAME_PREFIX_MAX == 38
    assert v.INSTANCE_PROFILE_NAME_PREFIX_MAX == 102


def test_rejects_name_and_prefix_together():
    with pytest.raises(InputError, match=r"Both role_name and role_name_prefix are set"):
        v.check_name_or_prefix(
            "a",
            "b",
            name_input="role_name",
            prefix_input="role_name_prefix",
            max_length=64,
            prefix_max_length=38,
        )


def test_rejects_role_name_prefix_over_38_characters():
    with pytest.raises(
        InputError, match=r"role_name_prefix .* is 39 characters long; IAM allows at most 38"
    ):
        v.check_name_or_prefix(
            None,
            "p" * 39,
            name_input="role_name",
            prefix_input="role_name_prefix",
            max_length=64,
            prefix_max_length=38,
        )


def test_rejects_logical_name_whose_autoname_would_exceed_the_limit():
    with pytest.raises(InputError, match=r"65 characters, but IAM allows at most 64"):
        v.check_autoname_fits("x" * 57, max_length=64, what="role", fix="Fix it.")


def test_accepts_logical_name_whose_autoname_just_fits():
    v.check_autoname_fits("x" * 56, max_length=64, what="role", fix="Fix it.")


@pytest.mark.parametrize("path", ["/", "/apps/", "/a/b-c/"])
def test_accepts_iam_paths(path):
    v.check_iam_path(path, input_name="path")


@pytest.mark.parametrize("path", ["", "apps/", "/apps", "/a b/"])
def test_rejects_malformed_iam_paths(path):
    with pytest.raises(InputError, match=r"is not an IAM path"):
        v.check_iam_path(path, input_name="path")


@pytest.mark.parametrize("seconds", [3599, 43201])
def test_rejects_max_session_duration_outside_one_to_twelve_hours(seconds):
    with pytest.raises(InputError, match=f"max_session_duration is {seconds} seconds"):
        v.check_max_session_duration(seconds, input_name="max_session_duration")


def test_rejects_description_over_1000_characters():
    with pytest.raises(InputError, match=r"description is 1001 characters long"):
        v.check_description("d" * 1001, input_name="description")


def test_rejects_tag_key_with_reserved_aws_prefix():
    with pytest.raises(InputError, match=r"reserved 'aws:' prefix"):
        v.check_tags({"aws:owner": "me"}, input_name="tags")


def test_rejects_more_than_50_tags():
    with pytest.raises(InputError, match=r"has 51 tags"):
        v.check_tags({f"k{i}": "v" for i in range(51)}, input_name="tags")


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        "arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::123456789012:policy/team/app-access",
        "arn:aws-us-gov:iam::aws:policy/service-role/AmazonEC2RoleforSSM",
    ],
)
def test_accepts_managed_policy_arns(arn):
    v.parse_managed_policy_arn(arn, input_name="managed_policy_arns['x']")


@pytest.mark.parametrize(
    "arn",
    [
        "CloudWatchAgentServerPolicy",
        "arn:aws:iam::aws:role/CloudWatchAgentServerPolicy",
        "arn:aws:iam::12345:policy/short-account",
        "arn:aws:s3:::bucket",
        "arn:aws:iam:us-east-1:aws:policy/Regional",
    ],
)
def test_rejects_malformed_managed_policy_arns(arn):
    with pytest.raises(
        InputError, match=r"managed_policy_arns\['x'\] .* is not an IAM managed policy ARN"
    ):
        v.parse_managed_policy_arn(arn, input_name="managed_policy_arns['x']")


def test_rejects_managed_policy_arn_from_another_partition():
    with pytest.raises(
        InputError, match=r"is in partition 'aws', but this stack deploys to partition 'aws-cn'"
    ):
        v.check_managed_policy_partition(
            "arn:aws:iam::aws:policy/X", "aws-cn", input_name="managed_policy_arns['x']"
        )


@pytest.mark.parametrize("hops", [0, 65, -1])
def test_rejects_metadata_hop_limit_outside_1_to_64(hops):
    with pytest.raises(InputError, match=f"metadata_hop_limit is {hops}; EC2 allows 1 to 64"):
        v.check_metadata_hop_limit(hops, input_name="metadata_hop_limit")


def test_rejects_boolean_hop_limit():
    with pytest.raises(InputError, match=r"must be a whole number"):
        v.check_metadata_hop_limit(True, input_name="metadata_hop_limit")


@pytest.mark.parametrize("hops", [1, 2, 64])
def test_accepts_metadata_hop_limit_in_range(hops):
    v.check_metadata_hop_limit(hops, input_name="metadata_hop_limit")


@pytest.mark.parametrize("key", ["", "has space", "-leading", "a" * 129, "a/b"])
def test_rejects_unusable_policy_keys(key):
    with pytest.raises(InputError, match=r"is not a usable name"):
        v.check_policy_key(key, input_name="inline_policies")


@pytest.mark.parametrize("key", ["AppAccess", "app+read=1,x@y.z_w-v", "a" * 128])
def test_accepts_policy_keys_with_every_character_iam_allows(key):
    v.check_policy_key(key, input_name="inline_policies")


@pytest.mark.parametrize("key", ["Name", "team:owner", "cost-center.v2"])
def test_accepts_tag_keys_instance_metadata_can_serve(key):
    v.check_metadata_tag_key(key, input_name="tags")


@pytest.mark.parametrize("key", ["Cost Center", "team/owner", "..", "_links"])
def test_rejects_tag_keys_instance_metadata_cannot_serve(key):
    with pytest.raises(InputError, match=r"cannot be served through instance metadata"):
        v.check_metadata_tag_key(key, input_name="tags")


# A regular expression's "$" also matches before a final newline: each pattern must end at
# the end of the string, or "t3.micro\n" passes the check and fails only when AWS reads it.
NEWLINE_CASES = [
    pytest.param(
        lambda s: v.check_iam_name(s, input_name="role_name", max_length=64), "app", id="iam-name"
    ),
    pytest.param(lambda s: v.check_iam_path(s, input_name="path"), "/apps/", id="iam-path"),
    pytest.param(lambda s: v.check_policy_key(s, input_name="inline_policies"), "k", id="key"),
    pytest.param(lambda s: v.check_metadata_tag_key(s, input_name="tags"), "Team", id="tag-key"),
    pytest.param(
        lambda s: v.parse_managed_policy_arn(s, input_name="managed_policy_arns['a']"),
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        id="managed-arn",
    ),
    pytest.param(
        lambda s: v.check_kms_key_id(s, input_name="root_volume_kms_key_id"),
        "alias/app-volumes",
        id="kms-alias",
    ),
    pytest.param(
        lambda s: v.check_kms_key_id(s, input_name="root_volume_kms_key_id"),
        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        id="kms-key-arn",
    ),
    pytest.param(
        lambda s: v.check_instance_type(s, input_name="instance_type"), "t3.micro", id="type"
    ),
    pytest.param(
        lambda s: v.check_ssm_parameter_name(s, input_name="ami_ssm_parameter", example="/a"),
        "/aws/service/ami",
        id="ssm-parameter",
    ),
]


@pytest.mark.parametrize(("check", "valid"), NEWLINE_CASES)
def test_a_valid_value_with_a_final_newline_is_refused(check, valid):
    check(valid)
    with pytest.raises(InputError, match=re.escape(repr(valid + "\n"))):
        check(valid + "\n")


def test_a_resource_id_with_a_final_newline_is_not_one():
    assert (
        v.is_resource_id("subnet-0123abcd", "subnet"),
        v.is_resource_id("subnet-0123abcd\n", "subnet"),
    ) == (True, False)
