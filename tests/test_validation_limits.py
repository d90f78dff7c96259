"""components.validation at its limits and in every branch: each value at a limit is accepted
and one past it refused, and each refusal is compared whole, so a message that loses the input's
name, the value or the fix fails here."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from components import validation as v
from components.validation import InputError


def refusal(check: Callable[[], object]) -> str:
    with pytest.raises(InputError) as error:
        check()
    return str(error.value)


def name_or_prefix(name: object, prefix: str | None) -> None:
    v.check_name_or_prefix(
        name,
        prefix,
        name_input="role_name",
        prefix_input="role_name_prefix",
        max_length=64,
        prefix_max_length=38,
    )


# Accepted exactly at each limit.
AT_THE_LIMIT: dict[str, Callable[[], object]] = {
    "iam name of max_length": lambda: v.check_iam_name("a" * 64, input_name="n", max_length=64),
    "iam name of one character": lambda: v.check_iam_name("a", input_name="n", max_length=64),
    "name prefix of prefix_max_length": lambda: name_or_prefix(None, "p" * 38),
    "name of max_length beside no prefix": lambda: name_or_prefix("n" * 64, None),
    "autoname of exactly max_length": lambda: v.check_autoname_fits(
        "x" * 56, max_length=64, what="role", fix="F."
    ),
    "iam path of 512 characters": lambda: v.check_iam_path("/" + "a" * 510 + "/", input_name="p"),
    "iam path of printable ASCII ends": lambda: v.check_iam_path("/!~/", input_name="p"),
    "description of 1000 characters": lambda: v.check_description("d" * 1000, input_name="d"),
    "description of Latin-1 and tabs": lambda: v.check_description(
        "\t\n\r ~\xa1\xff", input_name="d"
    ),
    "session of 3600 s": lambda: v.check_max_session_duration(3600, input_name="s"),
    "session of 43200 s": lambda: v.check_max_session_duration(43200, input_name="s"),
    "50 tags": lambda: v.check_tags({f"k{i}": "v" for i in range(50)}, input_name="t"),
    "tag key of 128 characters": lambda: v.check_tags({"k" * 128: "v"}, input_name="t"),
    "tag key of one character": lambda: v.check_tags({"k": "v"}, input_name="t"),
    "tag value of 256 characters": lambda: v.check_tags({"k": "v" * 256}, input_name="t"),
    "tag value not a string (an Output)": lambda: v.check_tags({"k": object()}, input_name="t"),
    "hop limit 1": lambda: v.check_metadata_hop_limit(1, input_name="h"),
    "hop limit 64": lambda: v.check_metadata_hop_limit(64, input_name="h"),
    "hop limit 2 without the opt-in": lambda: v.check_metadata_hop_limit_opt_in(
        2, allowed=False, input_name="h"
    ),
    "hop limit 3 with the opt-in": lambda: v.check_metadata_hop_limit_opt_in(
        3, allowed=True, input_name="h"
    ),
    "user data of 16384 bytes": lambda: v.check_user_data("u" * 16384, input_name="u"),
    "user data of 8192 two-byte characters": lambda: v.check_user_data(
        "\xe9" * 8192, input_name="u"
    ),
    "gp3 of 1 GiB": lambda: v.check_root_volume_size(1, "gp3", input_name="r"),
    "gp3 of 65536 GiB": lambda: v.check_root_volume_size(65536, "gp3", input_name="r"),
    "gp2 of 16384 GiB": lambda: v.check_root_volume_size(16384, "gp2", input_name="r"),
    "standard of 1024 GiB": lambda: v.check_root_volume_size(1024, "standard", input_name="r"),
    "key name of 255 characters": lambda: v.check_key_name("k" * 255, input_name="k"),
    "key name of one character": lambda: v.check_key_name("k", input_name="k"),
    "policy key of 128 characters": lambda: v.check_policy_key("a" * 128, input_name="p"),
    "metadata tag key '...'": lambda: v.check_metadata_tag_key("...", input_name="t"),
    "metadata tag key '_link'": lambda: v.check_metadata_tag_key("_link", input_name="t"),
    "ssm parameter of 2048 characters": lambda: v.check_ssm_parameter_name(
        "/" + "p" * 2047, input_name="s", example="e"
    ),
    "ssm parameter with a label of 100": lambda: v.check_ssm_parameter_name(
        "/p:" + "l" * 100, input_name="s", example="e"
    ),
    "kms key ARN": lambda: v.check_kms_key_id(
        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        input_name="k",
    ),
    "kms key ID": lambda: v.check_kms_key_id(
        "1234abcd-12ab-34cd-56ef-1234567890ab", input_name="k"
    ),
    "kms multi-Region key ID": lambda: v.check_kms_key_id("mrk-" + "a" * 32, input_name="k"),
    "kms alias of 250 characters": lambda: v.check_kms_key_id("alias/" + "a" * 250, input_name="k"),
    "kms alias ARN": lambda: v.check_kms_key_id(
        "arn:aws-cn:kms:cn-north-1:123456789012:alias/app", input_name="k"
    ),
    "true": lambda: v.check_bool(True, input_name="b"),
    "false": lambda: v.check_bool(False, input_name="b"),
}


@pytest.mark.parametrize("check", AT_THE_LIMIT.values(), ids=AT_THE_LIMIT.keys())
def test_a_value_at_the_limit_is_accepted(check: Callable[[], object]) -> None:
    check()


# One past each limit, and each other branch: the whole message.
REFUSED: dict[str, tuple[Callable[[], object], str]] = {
    "args not a mapping": (
        lambda: v.check_args_mapping([1], component="InstanceRole", name="app"),
        "InstanceRole 'app' got args=[1]; args must be a dict of settings (InstanceRoleArgs). "
        "Pass {} for every default.",
    ),
    "iam name not a string": (
        lambda: v.check_iam_name(7, input_name="role_name", max_length=64),  # type: ignore[arg-type]
        "role_name must be a non-empty string; got 7.",
    ),
    "iam name empty": (
        lambda: v.check_iam_name("", input_name="role_name", max_length=64),
        "role_name must be a non-empty string; got ''.",
    ),
    "iam name one past max_length": (
        lambda: v.check_iam_name("a" * 65, input_name="role_name", max_length=64),
        f"role_name {'a' * 65!r} is 65 characters long; IAM allows at most 64. Shorten it.",
    ),
    "iam name with refused characters": (
        lambda: v.check_iam_name("b a/a", input_name="role_name", max_length=64),
        "role_name 'b a/a' contains ' /', which IAM refuses. Use only letters, digits and "
        "+ = , . @ _ -",
    ),
    "name and prefix": (
        lambda: name_or_prefix("n", "p"),
        "Both role_name and role_name_prefix are set; they conflict. Set one of them, or "
        "neither to get a unique auto-generated name.",
    ),
    "deploy-time name and prefix": (
        lambda: name_or_prefix(object(), "p"),
        "Both role_name and role_name_prefix are set; they conflict. Set one of them, or "
        "neither to get a unique auto-generated name.",
    ),
    "name one past max_length": (
        lambda: name_or_prefix("n" * 65, None),
        f"role_name {'n' * 65!r} is 65 characters long; IAM allows at most 64. Shorten it.",
    ),
    "prefix one past prefix_max_length": (
        lambda: name_or_prefix(None, "p" * 39),
        f"role_name_prefix {'p' * 39!r} is 39 characters long; IAM allows at most 38. Shorten it.",
    ),
    "autoname one past max_length": (
        lambda: v.check_autoname_fits("x" * 57, max_length=64, what="role", fix="Fix it."),
        f"The role would be auto-named from {'x' * 57!r} plus an 8-character suffix, 65 "
        "characters, but IAM allows at most 64. Fix it.",
    ),
    "iam path of 513 characters": (
        lambda: v.check_iam_path("/" + "a" * 511 + "/", input_name="path"),
        f"path {'/' + 'a' * 511 + '/'!r} is not an IAM path. Use '/' or a path that starts and "
        "ends with '/' (for example '/apps/'), at most 512 printable ASCII characters.",
    ),
    "iam path not a string": (
        lambda: v.check_iam_path(None, input_name="path"),  # type: ignore[arg-type]
        "path None is not an IAM path. Use '/' or a path that starts and ends with '/' (for "
        "example '/apps/'), at most 512 printable ASCII characters.",
    ),
    "description not a string": (
        lambda: v.check_description(5, input_name="description"),  # type: ignore[arg-type]
        "description must be a string; got 5.",
    ),
    "description of 1001 characters": (
        lambda: v.check_description("d" * 1001, input_name="description"),
        "description is 1001 characters long; IAM allows at most 1000. Shorten it.",
    ),
    "description with a control character": (
        lambda: v.check_description("a\x00", input_name="description"),
        "description contains characters IAM refuses. Use printable Latin-1 text.",
    ),
    "session duration a float": (
        lambda: v.check_max_session_duration(3600.0, input_name="max_session_duration"),  # type: ignore[arg-type]
        "max_session_duration must be a whole number of seconds; got 3600.0.",
    ),
    "session duration a bool": (
        lambda: v.check_max_session_duration(True, input_name="max_session_duration"),
        "max_session_duration must be a whole number of seconds; got True.",
    ),
    "session of 3599 s": (
        lambda: v.check_max_session_duration(3599, input_name="max_session_duration"),
        "max_session_duration is 3599 seconds; IAM allows 3600 (1 hour) to 43200 (12 hours).",
    ),
    "session of 43201 s": (
        lambda: v.check_max_session_duration(43201, input_name="max_session_duration"),
        "max_session_duration is 43201 seconds; IAM allows 3600 (1 hour) to 43200 (12 hours).",
    ),
    "tags not a mapping": (
        lambda: v.check_tags(["a"], input_name="tags"),  # type: ignore[arg-type]
        "tags must be a mapping of tag keys to values; got ['a'].",
    ),
    "51 tags": (
        lambda: v.check_tags({f"k{i}": "v" for i in range(51)}, input_name="tags"),
        "tags has 51 tags; AWS allows at most 50 per resource.",
    ),
    "tag key empty": (
        lambda: v.check_tags({"": "v"}, input_name="tags"),
        "tags key '' must be a string of 1 to 128 characters.",
    ),
    "tag key not a string": (
        lambda: v.check_tags({1: "v"}, input_name="tags"),
        "tags key 1 must be a string of 1 to 128 characters.",
    ),
    "tag key of 129 characters": (
        lambda: v.check_tags({"k" * 129: "v"}, input_name="tags"),
        f"tags key {'k' * 129!r} must be a string of 1 to 128 characters.",
    ),
    "tag key 'AWS:' in any case": (
        lambda: v.check_tags({"AWS:x": "v"}, input_name="tags"),
        "tags key 'AWS:x' uses the reserved 'aws:' prefix. Choose another key.",
    ),
    "tag value of 257 characters": (
        lambda: v.check_tags({"k": "v" * 257}, input_name="tags"),
        "tags['k'] is 257 characters long; AWS allows at most 256.",
    ),
    "the bad tag last": (
        lambda: v.check_tags({"a": "1", "b": "2", "aws:c": "3"}, input_name="tags"),
        "tags key 'aws:c' uses the reserved 'aws:' prefix. Choose another key.",
    ),
    "policy key not a string": (
        lambda: v.check_policy_key(3, input_name="inline_policies"),  # type: ignore[arg-type]
        "inline_policies key 3 is not a usable name. Use 1 to 128 letters, digits and "
        "+ = , . @ _ -, starting with a letter or digit; it becomes part of the child "
        "resource's name, so keep it stable.",
    ),
    "policy key of 129 characters": (
        lambda: v.check_policy_key("a" * 129, input_name="inline_policies"),
        f"inline_policies key {'a' * 129!r} is not a usable name. Use 1 to 128 letters, digits "
        "and + = , . @ _ -, starting with a letter or digit; it becomes part of the child "
        "resource's name, so keep it stable.",
    ),
    "managed policy ARN not a string": (
        lambda: v.parse_managed_policy_arn(None, input_name="managed_policy_arns['x']"),  # type: ignore[arg-type]
        "managed_policy_arns['x'] None is not an IAM managed policy ARN. Expected "
        "'arn:<partition>:iam::aws:policy/<name>' for an AWS managed policy or "
        "'arn:<partition>:iam::<12-digit account id>:policy/<path/><name>' for your own.",
    ),
    "managed policy ARN of another partition": (
        lambda: v.check_managed_policy_partition(
            "arn:aws:iam::aws:policy/X", "aws-cn", input_name="managed_policy_arns['x']"
        ),
        "managed_policy_arns['x'] 'arn:aws:iam::aws:policy/X' is in partition 'aws', but this "
        "stack deploys to partition 'aws-cn'. Build the ARN from aws.get_partition().partition.",
    ),
    "managed policy ARN malformed, checked for its partition": (
        lambda: v.check_managed_policy_partition(
            "arn:aws:iam::aws:role/X", "aws", input_name="managed_policy_arns['x']"
        ),
        "managed_policy_arns['x'] 'arn:aws:iam::aws:role/X' is not an IAM managed policy ARN. "
        "Expected 'arn:<partition>:iam::aws:policy/<name>' for an AWS managed policy or "
        "'arn:<partition>:iam::<12-digit account id>:policy/<path/><name>' for your own.",
    ),
    "hop limit a bool": (
        lambda: v.check_metadata_hop_limit(False, input_name="metadata_hop_limit"),
        "metadata_hop_limit must be a whole number; got False.",
    ),
    "hop limit a string": (
        lambda: v.check_metadata_hop_limit("2", input_name="metadata_hop_limit"),  # type: ignore[arg-type]
        "metadata_hop_limit must be a whole number; got '2'.",
    ),
    "hop limit 0": (
        lambda: v.check_metadata_hop_limit(0, input_name="metadata_hop_limit"),
        "metadata_hop_limit is 0; EC2 allows 1 to 64. Use 1 (the default) or 2 for hosts that "
        "run containers which need the instance's credentials.",
    ),
    "hop limit 65": (
        lambda: v.check_metadata_hop_limit(65, input_name="metadata_hop_limit"),
        "metadata_hop_limit is 65; EC2 allows 1 to 64. Use 1 (the default) or 2 for hosts that "
        "run containers which need the instance's credentials.",
    ),
    "hop limit 3 without the opt-in": (
        lambda: v.check_metadata_hop_limit_opt_in(3, allowed=False, input_name="hops"),
        "hops is 3: an IMDSv2 token, and so the role's credentials, would travel 3 network "
        "hops from the instance, further than a container on it needs (2). Use 1 or 2, or, if "
        "something that far must read the credentials, set allow_metadata_hop_limit_above_2 "
        "to true as well.",
    ),
    "metadata tag key '.'": (
        lambda: v.check_metadata_tag_key(".", input_name="tags"),
        "tags key '.' cannot be served through instance metadata, which instance_metadata_tags "
        "turns on. Use letters, digits and + - = . _ : @ only (no spaces or '/'), or leave "
        "instance_metadata_tags off.",
    ),
    "metadata tag key '..'": (
        lambda: v.check_metadata_tag_key("..", input_name="tags"),
        "tags key '..' cannot be served through instance metadata, which instance_metadata_tags "
        "turns on. Use letters, digits and + - = . _ : @ only (no spaces or '/'), or leave "
        "instance_metadata_tags off.",
    ),
    "user data not a string": (
        lambda: v.check_user_data(b"x", input_name="user_data"),  # type: ignore[arg-type]
        "user_data must be a string (the script itself); got b'x'.",
    ),
    "user data of 16385 bytes": (
        lambda: v.check_user_data("u" * 16385, input_name="user_data"),
        "user_data is 16385 bytes; EC2 takes at most 16384 (16 KB) before base64. Keep a short "
        "script that fetches the rest at boot (from S3, with the role's permission).",
    ),
    "user data of 16384 characters, one of two bytes": (
        lambda: v.check_user_data("\xe9" + "u" * 16383, input_name="user_data"),
        "user_data is 16385 bytes; EC2 takes at most 16384 (16 KB) before base64. Keep a short "
        "script that fetches the rest at boot (from S3, with the role's permission).",
    ),
    "gp3 of 0 GiB": (
        lambda: v.check_root_volume_size(0, "gp3", input_name="root_volume_size"),
        "root_volume_size 0 must be a whole number of GiB, 1 to 65536 for a gp3 volume (EC2's "
        "limit for the type), and at least the AMI's own size.",
    ),
    "gp3 of 65537 GiB": (
        lambda: v.check_root_volume_size(65537, "gp3", input_name="root_volume_size"),
        "root_volume_size 65537 must be a whole number of GiB, 1 to 65536 for a gp3 volume "
        "(EC2's limit for the type), and at least the AMI's own size.",
    ),
    "gp2 of 16385 GiB": (
        lambda: v.check_root_volume_size(16385, "gp2", input_name="root_volume_size"),
        "root_volume_size 16385 must be a whole number of GiB, 1 to 16384 for a gp2 volume "
        "(EC2's limit for the type), and at least the AMI's own size.",
    ),
    "standard of 1025 GiB": (
        lambda: v.check_root_volume_size(1025, "standard", input_name="root_volume_size"),
        "root_volume_size 1025 must be a whole number of GiB, 1 to 1024 for a standard volume "
        "(EC2's limit for the type), and at least the AMI's own size.",
    ),
    "volume size a string": (
        lambda: v.check_root_volume_size("8", "gp3", input_name="root_volume_size"),
        "root_volume_size '8' must be a whole number of GiB, 1 to 65536 for a gp3 volume "
        "(EC2's limit for the type), and at least the AMI's own size.",
    ),
    "volume size a bool": (
        lambda: v.check_root_volume_size(True, "gp3", input_name="root_volume_size"),
        "root_volume_size True must be a whole number of GiB, 1 to 65536 for a gp3 volume "
        "(EC2's limit for the type), and at least the AMI's own size.",
    ),
    "kms key not a string": (
        lambda: v.check_kms_key_id(1, input_name="root_volume_kms_key_id"),  # type: ignore[arg-type]
        "root_volume_kms_key_id 1 is not a KMS key: give its key ARN "
        "('arn:aws:kms:<region>:<account>:key/<key id>'), key ID, alias ('alias/<name>') or "
        "alias ARN.",
    ),
    "kms alias of 251 characters": (
        lambda: v.check_kms_key_id("alias/" + "a" * 251, input_name="k"),
        f"k {'alias/' + 'a' * 251!r} is not a KMS key: give its key ARN "
        "('arn:aws:kms:<region>:<account>:key/<key id>'), key ID, alias ('alias/<name>') or "
        "alias ARN.",
    ),
    "key name empty": (
        lambda: v.check_key_name("", input_name="key_name"),
        "key_name '' is not an EC2 key pair name: 1 to 255 ASCII characters.",
    ),
    "key name of 256 characters": (
        lambda: v.check_key_name("k" * 256, input_name="key_name"),
        f"key_name {'k' * 256!r} is not an EC2 key pair name: 1 to 255 ASCII characters.",
    ),
    "key name not ASCII": (
        lambda: v.check_key_name("cl\xe9", input_name="key_name"),
        "key_name 'cl\xe9' is not an EC2 key pair name: 1 to 255 ASCII characters.",
    ),
    "key name not a string": (
        lambda: v.check_key_name(None, input_name="key_name"),  # type: ignore[arg-type]
        "key_name None is not an EC2 key pair name: 1 to 255 ASCII characters.",
    ),
    "instance type in upper case": (
        lambda: v.check_instance_type("T3.micro", input_name="instance_type"),
        "instance_type 'T3.micro' is not an EC2 instance type (<family>.<size> in lower case, "
        "for example 't3.micro').",
    ),
    "instance type not a string": (
        lambda: v.check_instance_type(3, input_name="instance_type"),  # type: ignore[arg-type]
        "instance_type 3 is not an EC2 instance type (<family>.<size> in lower case, for "
        "example 't3.micro').",
    ),
    "ssm parameter of 2049 characters": (
        lambda: v.check_ssm_parameter_name("/" + "p" * 2048, input_name="s", example="/e"),
        f"s {'/' + 'p' * 2048!r} is not an SSM parameter name: up to 2048 of a-z, A-Z, 0-9, "
        "_ . - and / (or the parameter's ARN), optionally followed by :<version> or :<label> "
        "(for example '/e').",
    ),
    "ssm parameter not a string": (
        lambda: v.check_ssm_parameter_name(None, input_name="s", example="/e"),  # type: ignore[arg-type]
        "s None is not an SSM parameter name: up to 2048 of a-z, A-Z, 0-9, _ . - and / (or the "
        "parameter's ARN), optionally followed by :<version> or :<label> (for example '/e').",
    ),
    "bool given as a string": (
        lambda: v.check_bool("true", input_name="detailed_monitoring"),
        "detailed_monitoring must be true or false; got 'true'.",
    ),
    "bool given as 1": (
        lambda: v.check_bool(1, input_name="detailed_monitoring"),
        "detailed_monitoring must be true or false; got 1.",
    ),
}


@pytest.mark.parametrize(("check", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_value_past_the_limit_is_refused_with_the_whole_message(
    check: Callable[[], object], message: str
) -> None:
    assert refusal(check) == message


@pytest.mark.parametrize(
    ("value", "prefix", "expected"),
    [("subnet-0123abcd", "subnet", True), ("subnet-0123abcd", "sg", False), (7, "subnet", False)],
)
def test_a_resource_id_is_its_prefix_and_8_to_17_hex_digits(
    value: object, prefix: str, expected: bool
) -> None:
    assert v.is_resource_id(value, prefix) is expected


@pytest.mark.parametrize("digits", [7, 18])
def test_a_resource_id_of_7_or_18_digits_is_refused(digits: int) -> None:
    assert not v.is_resource_id("sg-" + "a" * digits, "sg")


@pytest.mark.parametrize("digits", [8, 17])
def test_a_resource_id_of_8_or_17_digits_is_accepted(digits: int) -> None:
    assert v.is_resource_id("sg-" + "a" * digits, "sg")


def test_a_kms_key_arn_is_told_from_its_other_forms() -> None:
    arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert (v.is_kms_key_arn(arn), v.is_kms_key_arn("alias/app")) == (True, False)
