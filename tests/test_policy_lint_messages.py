"""components.policy_lint rule by rule: each refusal compared whole (the statement it names, what
is wrong and the fix), the offending action placed after a good one so that a rule that stops at
the first action misses it, and the near misses each rule must let through."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components import policy_documents as docs
from components.policy_lint import OptIns
from components.validation import InputError

NAME = "inline_policies['app']"
OBJECTS = "arn:aws:s3:::my-bucket/*"
AT = f"{NAME} statement 0: "
UNKNOWN_FIX = " If it is newer than the action database, add it to allow_unknown_actions."


def allow(actions: list[str], resource: Any = OBJECTS, **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **more}


def check(*statements: dict[str, Any], **opt_ins: list[str]) -> None:
    docs.check_policy_document(
        {"Version": "2012-10-17", "Statement": list(statements)},
        input_name=NAME,
        opt_ins=OptIns(**opt_ins),
    )


def refusal(*statements: dict[str, Any], **opt_ins: list[str]) -> str:
    with pytest.raises(InputError) as error:
        check(*statements, **opt_ins)
    return str(error.value)


REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    "a misspelt action, with the nearest": (
        allow(["s3:GetObject", "s3:GetObjct"]),
        f"{AT}'s3:GetObjct' is not an IAM action; did you mean 's3:GetObject'?{UNKNOWN_FIX}",
    ),
    "a misspelt service, with the near service that has the action": (
        allow(["s3:GetObject", "s4:GetObject"]),
        f"{AT}'s4:GetObject' names the unknown service 's4'; did you mean 's3:GetObject'?"
        f"{UNKNOWN_FIX}",
    ),
    "an unknown action nothing is near": (
        allow(["s3:GetObject", "s3:Qqqqqqqqqqq"]),
        f"{AT}'s3:Qqqqqqqqqqq' is not an IAM action.{UNKNOWN_FIX}",
    ),
    "a pattern that matches nothing": (
        allow(["s3:GetObject", "s3:Qqqqqqq*"]),
        f"{AT}'s3:Qqqqqqq*' matches no IAM action.{UNKNOWN_FIX}",
    ),
    "a misspelt action in a Deny": (
        {"Effect": "Deny", "Action": ["s3:GetObject", "s3:GetObjct"], "Resource": "*"},
        f"{AT}'s3:GetObjct' is not an IAM action; did you mean 's3:GetObject'?{UNKNOWN_FIX}",
    ),
    "a misspelt NotAction": (
        {"Effect": "Deny", "NotAction": ["s3:GetObject", "s3:GetObjct"], "Resource": "*"},
        f"{AT}'s3:GetObjct' is not an IAM action; did you mean 's3:GetObject'?{UNKNOWN_FIX}",
    ),
    "an Allow with NotAction": (
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": OBJECTS},
        f"{AT}an Allow with NotAction grants every action, current and future, except those "
        "listed. List the actions it should grant under Action instead, or, if you mean it, add "
        "'*' to allow_wildcard_actions.",
    ),
    "an Allow with NotResource names every action to opt into": (
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "NotResource": "arn:aws:s3:::secret/*",
        },
        f"{AT}an Allow with NotResource grants its actions on every resource, current and "
        "future, except those listed. Name the resources under Resource instead, or, if you mean "
        "it, add 's3:GetObject', 's3:PutObject' to allow_wildcard_resource_actions.",
    ),
    "PassRole on any role": (
        allow(["s3:ListAllMyBuckets", "iam:PassRole"], "*"),
        f"{AT}allows 'iam:PassRole' on Resource '*': the instance could hand any role in the "
        "account, including an administrator's, to a service it controls. Name the role ARNs it "
        "may pass, and limit the service with an iam:PassedToService condition.",
    ),
    "a pattern with three scoped write actions on '*'": (
        allow(["s3:ListAllMyBuckets", "kms:Update*"], "*"),
        f"{AT}allows 'kms:Update*' on Resource '*', but kms:UpdateAlias, "
        "kms:UpdateKeyDescription, kms:UpdatePrimaryRegion can be limited to specific resources. "
        "Name the ARNs it needs under Resource, or, if you mean every resource, add "
        "'kms:Update*' to allow_wildcard_resource_actions.",
    ),
    "a pattern with four scoped write actions on '*'": (
        allow(["s3:ListAllMyBuckets", "ssm:Put*"], "*"),
        f"{AT}allows 'ssm:Put*' on Resource '*', but ssm:PutCalendar, ssm:PutComplianceItems, "
        "ssm:PutParameter and 1 more can be limited to specific resources. Name the ARNs it "
        "needs under Resource, or, if you mean every resource, add 'ssm:Put*' to "
        "allow_wildcard_resource_actions.",
    ),
    # An action, not a pattern, though its name holds a capital X.
    "a scoped read action on '*'": (
        allow(["s3:ListAllMyBuckets", "waf:GetXssMatchSet"], "*"),
        f"{AT}allows 'waf:GetXssMatchSet' on Resource '*', but waf:GetXssMatchSet can be limited "
        "to specific resources. Name the ARNs it needs under Resource, or, if you mean every "
        "resource, add 'waf:GetXssMatchSet' to allow_wildcard_resource_actions.",
    ),
    "an action without resource-level permissions on a named resource": (
        allow(["s3:GetObject", "s3:ListAllMyBuckets"], "arn:aws:s3:::my-bucket/key"),
        f"{AT}'s3:ListAllMyBuckets' does not support resource-level permissions, so on "
        "arn:aws:s3:::my-bucket/key it is never granted. Give it its own statement with "
        "Resource '*'.",
    ),
    "an action on resources of another type": (
        allow(["s3:GetObject", "s3:ListBucket"], [OBJECTS, "arn:aws:s3:::other/*"]),
        f"{AT}'s3:ListBucket' acts on "
        "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName} or "
        "arn:${Partition}:s3:::${BucketName}, and no Resource here (arn:aws:s3:::my-bucket/*, "
        "arn:aws:s3:::other/*) can be one, so it is never granted. Name a resource of that type "
        "(for an S3 object action, the bucket ARN followed by '/*').",
    ),
}


@pytest.mark.parametrize(("statement", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_lint_refusal_is_the_whole_message(statement: dict[str, Any], message: str) -> None:
    assert refusal(statement) == message


def test_a_wildcard_action_counts_what_it_grants_by_access_level() -> None:
    # The counts come from the action database and change with it; their order does not.
    message = refusal(allow(["s3:GetObject", "s3:*"]))
    assert re.fullmatch(
        re.escape(f"{AT}allows Action 's3:*': every current and future action of the service (")
        + r"\d+ today: \d+ Permissions management, \d+ Write, \d+ Tagging, \d+ Read, \d+ List\)"
        + re.escape(
            ". List the actions the application calls (CloudTrail shows them), or, if you mean "
            "it, add 's3:*' to allow_wildcard_actions."
        ),
        message,
    ), message


def test_every_action_is_not_said_to_be_of_one_service() -> None:
    message = refusal(allow(["s3:GetObject", "*"]))
    assert message.startswith(f"{AT}allows Action '*': every current and future action (")
    assert "'*' to allow_wildcard_actions." in message


def test_the_counted_total_is_the_sum_of_the_access_levels() -> None:
    message = refusal(allow(["s3:GetObject", "s3:*"]))
    found = re.search(r"\((\d+) today: (.*?)\)", message)
    assert found is not None, message
    levels = [int(n) for n in re.findall(r"(\d+) [A-Z]", found.group(2))]
    assert int(found.group(1)) == sum(levels)


def test_an_allow_with_neither_action_nor_resource_asks_to_opt_into_star() -> None:
    message = refusal(
        {"Sid": "Everything", "Effect": "Allow", "NotAction": "iam:*", "NotResource": OBJECTS}
    )
    assert message.splitlines() == [
        f"{NAME} has 2 problems:",
        "  - statement 0 (Sid 'Everything'): an Allow with NotAction grants every action, "
        "current and future, except those listed. List the actions it should grant under Action "
        "instead, or, if you mean it, add '*' to allow_wildcard_actions.",
        "  - statement 0 (Sid 'Everything'): an Allow with NotResource grants its actions on "
        "every resource, current and future, except those listed. Name the resources under "
        "Resource instead, or, if you mean it, add '*' to allow_wildcard_resource_actions.",
    ]


def test_not_resource_names_only_the_actions_not_opted_into() -> None:
    message = refusal(
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "NotResource": "arn:aws:s3:::secret/*",
        },
        allow_wildcard_resource_actions=["s3:getobject"],
    )
    assert message.endswith("add 's3:PutObject' to allow_wildcard_resource_actions.")


def test_not_resource_with_every_action_opted_into_is_accepted() -> None:
    check(
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "NotResource": "arn:aws:s3:::secret/*",
        },
        allow_wildcard_resource_actions=["s3:GetObject", "s3:PutObject"],
    )


def test_an_allow_with_not_action_is_accepted_once_star_is_opted_into() -> None:
    check(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": OBJECTS}, allow_wildcard_actions=["*"]
    )


def test_a_read_only_pattern_with_scoped_actions_is_accepted_on_star() -> None:
    # s3:Get* matches dozens of actions that take resource ARNs, all of them Read.
    check(allow(["s3:Get*"], "*"))


def test_a_list_only_pattern_with_scoped_actions_is_accepted_on_star() -> None:
    check(allow(["s3:List*"], "*"))


def test_an_action_without_resource_level_permissions_is_accepted_on_an_arn_pattern() -> None:
    check(allow(["s3:ListAllMyBuckets"], "arn:aws:s3:::*"))


def test_a_pattern_is_not_judged_against_the_resources_it_names() -> None:
    check(allow(["s3:GetObject*"], "arn:aws:s3:::my-bucket/key"))


def test_an_unknown_action_opted_into_is_not_judged_against_its_resource() -> None:
    check(
        allow(["s3:GetObject", "s3:GetObjectFromTheFuture"], "arn:aws:s3:::my-bucket/key"),
        allow_unknown_actions=["s3:GetObjectFromTheFuture"],
    )


def test_each_unknown_action_of_a_statement_is_reported() -> None:
    message = refusal(allow(["s3:GetObjct", "s3:PutObjct"]))
    assert message.splitlines()[0] == f"{NAME} has 2 problems:"
    assert "'s3:GetObjct'" in message.splitlines()[1]
    assert "'s3:PutObjct'" in message.splitlines()[2]


def test_each_scoped_action_on_star_is_reported() -> None:
    message = refusal(allow(["s3:GetObject", "s3:PutObject"], "*"))
    assert message.splitlines()[0] == f"{NAME} has 2 problems:"
    assert "allows 's3:GetObject' on Resource '*'" in message.splitlines()[1]
    assert "allows 's3:PutObject' on Resource '*'" in message.splitlines()[2]


def test_pass_role_on_any_role_does_not_stop_the_check_of_the_next_action() -> None:
    message = refusal(allow(["iam:PassRole", "s3:PutObject"], "*"))
    assert message.splitlines()[0] == f"{NAME} has 2 problems:"
    assert "allows 's3:PutObject' on Resource '*'" in message.splitlines()[2]


def test_an_opted_in_action_does_not_stop_the_check_of_the_next_action() -> None:
    message = refusal(
        allow(["s3:GetObject", "s3:PutObject"], "*"),
        allow_wildcard_resource_actions=["s3:GetObject"],
    )
    assert message == (
        f"{AT}allows 's3:PutObject' on Resource '*', but s3:PutObject can be limited to specific "
        "resources. Name the ARNs it needs under Resource, or, if you mean every resource, add "
        "'s3:PutObject' to allow_wildcard_resource_actions."
    )


def test_each_mismatched_action_is_reported() -> None:
    message = refusal(
        allow(
            ["s3:ListAllMyBuckets", "s3:GetObject*", "s3:ListBucket"], "arn:aws:s3:::my-bucket/key"
        )
    )
    assert message.splitlines()[0] == f"{NAME} has 2 problems:"
    assert "'s3:ListAllMyBuckets' does not support" in message.splitlines()[1]
    assert "'s3:ListBucket' acts on" in message.splitlines()[2]
