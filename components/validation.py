"""Pure checks of the components' inputs.

Every function here takes plain Python values, raises :class:`InputError` naming the offending
input and the fix, and needs no Pulumi runtime, so each rule is tested on its own. The limits are
IAM's and EC2's own (IAM CreateRole, CreateInstanceProfile, PutRolePolicy and TagRole API
references; EC2 ModifyInstanceMetadataOptions), written down here so that a bad value fails at
construction instead of halfway through ``pulumi up``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi.errors import RunError

# IAM's character set for role, instance profile and inline policy names.
_IAM_NAME_RE = re.compile(r"^[\w+=,.@-]+\Z", re.ASCII)
ROLE_NAME_MAX = 64
INSTANCE_PROFILE_NAME_MAX = 128
INLINE_POLICY_NAME_MAX = 128
# The provider appends a 26-character unique suffix to a name prefix (terraform-plugin-sdk
# ``id.UniqueIDSuffixLength``), so a prefix may use only what is left of the name's limit.
UNIQUE_SUFFIX_LENGTH = 26
ROLE_NAME_PREFIX_MAX = ROLE_NAME_MAX - UNIQUE_SUFFIX_LENGTH
INSTANCE_PROFILE_NAME_PREFIX_MAX = INSTANCE_PROFILE_NAME_MAX - UNIQUE_SUFFIX_LENGTH
# Pulumi's auto-name is the logical name plus "-" and 7 random hex characters.
PULUMI_AUTONAME_SUFFIX_LENGTH = 8

_IAM_PATH_RE = re.compile(r"^/\Z|^/[\x21-\x7e]*/\Z")
IAM_PATH_MAX = 512
ROLE_DESCRIPTION_MAX = 1000
_ROLE_DESCRIPTION_RE = re.compile(r"^[\t\n\r\x20-\x7e\xa1-\xff]*\Z")
MIN_SESSION_SECONDS = 3600
MAX_SESSION_SECONDS = 43200

TAGS_MAX = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256

METADATA_HOP_LIMIT_MIN = 1
METADATA_HOP_LIMIT_MAX = 64

# Keys of the caller's policy maps name inline policies in IAM and become part of child resource
# names: IAM's characters, starting with a letter or digit.
_POLICY_KEY_RE = re.compile(r"^[A-Za-z0-9][\w+=,.@-]{0,127}\Z", re.ASCII)
# Tag keys readable through instance metadata (EC2 user guide, "Work with instance tags in
# instance metadata"): no spaces or '/', and not '.', '..' or '_links'.
_METADATA_TAG_KEY_RE = re.compile(r"^[A-Za-z0-9+\-=._:@]+\Z")

# arn:<partition>:iam::<account id or "aws">:policy/<optional path/><name>
_MANAGED_POLICY_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z]+)*):iam::(?P<account>aws|\d{12}):policy/"
    r"(?P<path>(?:[\x21-\x2e\x30-\x7e]+/)*)(?P<name>[\w+=,.@-]{1,128})\Z",
    re.ASCII,
)


# EC2 resource IDs: a type prefix, "-", then 8 or 17 hexadecimal digits (EC2 API reference,
# "Resource IDs"); 8 to 17 accepts both lengths.
_RESOURCE_ID_RE = re.compile(r"^(?P<prefix>[a-z]+)-[0-9a-f]{8,17}\Z")


def is_resource_id(value: object, prefix: str) -> bool:
    """Whether ``value`` is an EC2 resource ID of the given type (``subnet``, ``sg``, ...)."""
    match = _RESOURCE_ID_RE.match(value) if isinstance(value, str) else None
    return match is not None and match.group("prefix") == prefix


class InputError(RunError):
    """An input to a component is invalid. The message names the input and the fix.

    A :class:`pulumi.RunError`, not a ``ValueError``: the Python SDK wraps every ``ValueError``
    raised while it resolves a resource's inputs in its own ("While processing input: ...
    ValueError has risen: ..."), once per resource in the chain (pulumi 3.272
    ``runtime/rpc.py`` ``serialize_properties`` and ``runtime/resource.py``
    ``register_resource``), and the Python language host prints a ``RunError`` as its message
    alone, without the program's traceback. So a check that fails at deploy time reads as
    cleanly as one that fails at construction: the component's message, once. For callers in
    other languages the plugin turns it into an invalid-input error with the same message
    (components/package.py).
    """


def check_args_mapping(args: object, *, component: str, name: str) -> None:
    """A component's ``args``: a mapping of settings (a dict or the TypedDict)."""
    if not isinstance(args, Mapping):
        raise InputError(
            f"{component} {name!r} got args={args!r}; args must be a dict of settings "
            f"({component}Args). Pass {{}} for every default."
        )


def check_iam_name(value: str, *, input_name: str, max_length: int) -> None:
    """A role, profile or inline policy name: IAM's characters, within ``max_length``."""
    if not isinstance(value, str) or not value:
        raise InputError(f"{input_name} must be a non-empty string; got {value!r}.")
    if len(value) > max_length:
        raise InputError(
            f"{input_name} {value!r} is {len(value)} characters long; IAM allows at most "
            f"{max_length}. Shorten it."
        )
    if not _IAM_NAME_RE.match(value):
        bad = sorted({c for c in value if not _IAM_NAME_RE.match(c)})
        raise InputError(
            f"{input_name} {value!r} contains {''.join(bad)!r}, which IAM refuses. Use only "
            "letters, digits and + = , . @ _ -"
        )


def check_name_or_prefix(
    name: object,
    prefix: str | None,
    *,
    name_input: str,
    prefix_input: str,
    max_length: int,
    prefix_max_length: int,
) -> None:
    """At most one of a name and a name prefix, each valid for IAM. A name that is not a plain
    string (a value known only at deploy time) still conflicts with a prefix; its content is
    checked when it resolves."""
    if name is not None and prefix is not None:
        raise InputError(
            f"Both {name_input} and {prefix_input} are set; they conflict. Set one of them, or "
            "neither to get a unique auto-generated name."
        )
    if isinstance(name, str):
        check_iam_name(name, input_name=name_input, max_length=max_length)
    if prefix is not None:
        check_iam_name(prefix, input_name=prefix_input, max_length=prefix_max_length)


def check_autoname_fits(logical_name: str, *, max_length: int, what: str, fix: str) -> None:
    """Pulumi's auto-name (logical name + 8 characters) must fit IAM's limit."""
    needed = len(logical_name) + PULUMI_AUTONAME_SUFFIX_LENGTH
    if needed > max_length:
        raise InputError(
            f"The {what} would be auto-named from {logical_name!r} plus an 8-character suffix, "
            f"{needed} characters, but IAM allows at most {max_length}. {fix}"
        )


def check_iam_path(value: str, *, input_name: str) -> None:
    if not isinstance(value, str) or len(value) > IAM_PATH_MAX or not _IAM_PATH_RE.match(value):
        raise InputError(
            f"{input_name} {value!r} is not an IAM path. Use '/' or a path that starts and ends "
            f"with '/' (for example '/apps/'), at most {IAM_PATH_MAX} printable ASCII characters."
        )


def check_description(value: str, *, input_name: str) -> None:
    if not isinstance(value, str):
        raise InputError(f"{input_name} must be a string; got {value!r}.")
    if len(value) > ROLE_DESCRIPTION_MAX:
        raise InputError(
            f"{input_name} is {len(value)} characters long; IAM allows at most "
            f"{ROLE_DESCRIPTION_MAX}. Shorten it."
        )
    if not _ROLE_DESCRIPTION_RE.match(value):
        raise InputError(
            f"{input_name} contains characters IAM refuses. Use printable Latin-1 text."
        )


def check_max_session_duration(value: int, *, input_name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{input_name} must be a whole number of seconds; got {value!r}.")
    if not MIN_SESSION_SECONDS <= value <= MAX_SESSION_SECONDS:
        raise InputError(
            f"{input_name} is {value} seconds; IAM allows {MIN_SESSION_SECONDS} (1 hour) to "
            f"{MAX_SESSION_SECONDS} (12 hours)."
        )


def check_tags(tags: Mapping[str, Any], *, input_name: str) -> None:
    if not isinstance(tags, Mapping):
        raise InputError(f"{input_name} must be a mapping of tag keys to values; got {tags!r}.")
    if len(tags) > TAGS_MAX:
        raise InputError(
            f"{input_name} has {len(tags)} tags; AWS allows at most {TAGS_MAX} per resource."
        )
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX:
            raise InputError(
                f"{input_name} key {key!r} must be a string of 1 to {TAG_KEY_MAX} characters."
            )
        if key.lower().startswith("aws:"):
            raise InputError(
                f"{input_name} key {key!r} uses the reserved 'aws:' prefix. Choose another key."
            )
        if isinstance(value, str) and len(value) > TAG_VALUE_MAX:
            raise InputError(
                f"{input_name}[{key!r}] is {len(value)} characters long; AWS allows at most "
                f"{TAG_VALUE_MAX}."
            )


def check_policy_key(key: str, *, input_name: str) -> None:
    """A caller-chosen key of ``inline_policies`` or ``managed_policy_arns``."""
    if not isinstance(key, str) or not _POLICY_KEY_RE.match(key):
        raise InputError(
            f"{input_name} key {key!r} is not a usable name. Use 1 to 128 letters, digits and "
            "+ = , . @ _ -, starting with a letter or digit; it becomes part of the child "
            "resource's name, so keep it stable."
        )


def parse_managed_policy_arn(arn: str, *, input_name: str) -> re.Match[str]:
    """Checks the form of an IAM managed policy ARN and returns its parts."""
    match = _MANAGED_POLICY_ARN_RE.match(arn) if isinstance(arn, str) else None
    if match is None:
        raise InputError(
            f"{input_name} {arn!r} is not an IAM managed policy ARN. Expected "
            "'arn:<partition>:iam::aws:policy/<name>' for an AWS managed policy or "
            "'arn:<partition>:iam::<12-digit account id>:policy/<path/><name>' for your own."
        )
    return match


def check_managed_policy_partition(arn: str, partition: str, *, input_name: str) -> None:
    """A policy ARN from another partition can never attach (NoSuchEntity at deploy time)."""
    arn_partition = parse_managed_policy_arn(arn, input_name=input_name).group("partition")
    if arn_partition != partition:
        raise InputError(
            f"{input_name} {arn!r} is in partition {arn_partition!r}, but this stack deploys to "
            f"partition {partition!r}. Build the ARN from aws.get_partition().partition."
        )


def check_metadata_hop_limit(value: int, *, input_name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{input_name} must be a whole number; got {value!r}.")
    if not METADATA_HOP_LIMIT_MIN <= value <= METADATA_HOP_LIMIT_MAX:
        raise InputError(
            f"{input_name} is {value}; EC2 allows {METADATA_HOP_LIMIT_MIN} to "
            f"{METADATA_HOP_LIMIT_MAX}. Use 1 (the default) or 2 for hosts that run containers "
            "which need the instance's credentials."
        )


def check_metadata_tag_key(key: str, *, input_name: str) -> None:
    """With instance tags in metadata, EC2 refuses to launch with keys it cannot serve."""
    if not _METADATA_TAG_KEY_RE.match(key) or key in (".", "..", "_links"):
        raise InputError(
            f"{input_name} key {key!r} cannot be served through instance metadata, which "
            "instance_metadata_tags turns on. Use letters, digits and + - = . _ : @ only (no "
            "spaces or '/'), or leave instance_metadata_tags off."
        )


#: A hop limit above this lets a token response travel past a container bridge and one more hop.
METADATA_HOP_LIMIT_WITHOUT_OPT_IN = 2


def check_metadata_hop_limit_opt_in(value: int, *, allowed: bool, input_name: str) -> None:
    """A hop limit above 2 lets the credentials reach further than a container on the host (a
    nested container, a proxy): only with the explicit opt-in."""
    if value > METADATA_HOP_LIMIT_WITHOUT_OPT_IN and not allowed:
        raise InputError(
            f"{input_name} is {value}: an IMDSv2 token, and so the role's credentials, would "
            f"travel {value} network hops from the instance, further than a container on it "
            "needs (2). Use 1 or 2, or, if something that far must read the credentials, set "
            "allow_metadata_hop_limit_above_2 to true as well."
        )


#: EC2 User Guide, "Work with instance user data": "User data is limited to 16 KB, in raw form,
#: before it is base64-encoded"; terraform-provider-aws checks the same (aws_instance
#: user_data, validation.StringLenBetween(0, 16384), in bytes).
USER_DATA_MAX_BYTES = 16384


def check_user_data(value: str, *, input_name: str) -> None:
    if not isinstance(value, str):
        raise InputError(f"{input_name} must be a string (the script itself); got {value!r}.")
    size = len(value.encode("utf-8"))
    if size > USER_DATA_MAX_BYTES:
        raise InputError(
            f"{input_name} is {size} bytes; EC2 takes at most {USER_DATA_MAX_BYTES} (16 KB) "
            "before base64. Keep a short script that fetches the rest at boot (from S3, with "
            "the role's permission)."
        )


#: Root volume sizes in GiB by type: botocore 1.44's EC2 model, EbsBlockDevice.VolumeSize and
#: CreateVolume Size ("gp2: 1 - 16,384 GiB gp3: 1 - 65,536 GiB ... standard: 1 - 1024 GiB").
ROOT_VOLUME_SIZES: Mapping[str, tuple[int, int]] = {
    "gp3": (1, 65536),
    "gp2": (1, 16384),
    "standard": (1, 1024),
}


def check_root_volume_size(size: object, volume_type: str, *, input_name: str) -> None:
    low, high = ROOT_VOLUME_SIZES[volume_type]
    if isinstance(size, bool) or not isinstance(size, int) or not low <= size <= high:
        raise InputError(
            f"{input_name} {size!r} must be a whole number of GiB, {low} to {high} for a "
            f"{volume_type} volume (EC2's limit for the type), and at least the AMI's own size."
        )


_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_KEY_ID = rf"(?:{_UUID}|mrk-[0-9a-f]{{32}})"
_KMS_ARN_HEAD = r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:"
_ALIAS_NAME = r"alias/[A-Za-z0-9/_-]{1,250}"
_KMS_KEY_ARN_RE = re.compile(rf"^{_KMS_ARN_HEAD}key/{_KEY_ID}\Z")
_KMS_OTHER_FORMS_RE = re.compile(rf"^(?:{_KEY_ID}|{_ALIAS_NAME}|{_KMS_ARN_HEAD}{_ALIAS_NAME})\Z")


def is_kms_key_arn(value: str) -> bool:
    return bool(_KMS_KEY_ARN_RE.match(value))


def check_kms_key_id(value: str, *, input_name: str) -> None:
    """The four forms EC2 accepts (botocore EbsBlockDevice.KmsKeyId: "key ID, key alias, key
    ARN, or alias ARN"); KMS's alias names are ``alias/`` and 1 to 250 of ``A-Za-z0-9/_-``."""
    if not isinstance(value, str) or not (
        is_kms_key_arn(value) or _KMS_OTHER_FORMS_RE.match(value)
    ):
        raise InputError(
            f"{input_name} {value!r} is not a KMS key: give its key ARN "
            "('arn:aws:kms:<region>:<account>:key/<key id>'), key ID, alias ('alias/<name>') "
            "or alias ARN."
        )


#: CreateKeyPair KeyName: "Constraints: Up to 255 ASCII characters".
KEY_NAME_MAX = 255


def check_key_name(value: str, *, input_name: str) -> None:
    if not isinstance(value, str) or not value or len(value) > KEY_NAME_MAX or not value.isascii():
        raise InputError(
            f"{input_name} {value!r} is not an EC2 key pair name: 1 to {KEY_NAME_MAX} ASCII "
            "characters."
        )


# Instance types are <family>.<size> in lower case: t3.micro, m7i-flex.large, u-6tb1.metal.
_INSTANCE_TYPE_RE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+\Z")


def check_instance_type(value: str, *, input_name: str) -> None:
    if not isinstance(value, str) or not _INSTANCE_TYPE_RE.match(value):
        raise InputError(
            f"{input_name} {value!r} is not an EC2 instance type (<family>.<size> in lower "
            "case, for example 't3.micro')."
        )


#: SSM GetParameter Name: a parameter name (``a-zA-Z0-9_.-``, ``/`` for the hierarchy, up to
#: 2048 characters) or, for one shared from another account, its ARN; either may end in
#: ``:<version>`` or ``:<label>`` to select one (botocore's GetParameter documentation).
_SSM_PARAMETER_RE = re.compile(
    r"^(?:arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/?)?"
    r"(?=[A-Za-z0-9_.\-/]*[A-Za-z0-9_.\-])[A-Za-z0-9_.\-/]{1,2048}"
    r"(?::[A-Za-z0-9_.\-]{1,100})?\Z"
)


def check_ssm_parameter_name(value: str, *, input_name: str, example: str) -> None:
    if not isinstance(value, str) or not _SSM_PARAMETER_RE.match(value):
        raise InputError(
            f"{input_name} {value!r} is not an SSM parameter name: up to 2048 of a-z, A-Z, "
            "0-9, _ . - and / (or the parameter's ARN), optionally followed by :<version> or "
            f":<label> (for example {example!r})."
        )


#: Security groups per network interface: 5 by default (an adjustable quota), 16 at most
#: (Amazon VPC quotas, "Security groups per network interface").
SECURITY_GROUPS_DEFAULT_QUOTA = 5
SECURITY_GROUPS_MAX = 16


def check_bool(value: object, *, input_name: str) -> None:
    if not isinstance(value, bool):
        raise InputError(f"{input_name} must be true or false; got {value!r}.")
