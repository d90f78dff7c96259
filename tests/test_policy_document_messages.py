"""components.policy_documents in every branch: each structural refusal compared whole (the
statement it names, the value and the fix), the bad statement or entry placed last so that a
check that stops early misses it, and the forms IAM takes accepted."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from components import policy_documents as docs
from components.policy_lint import OptIns
from components.validation import InputError

NAME = "inline_policies['app']"
GOOD: dict[str, Any] = {
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::my-bucket/*",
}


def document(*statements: Any, **top: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements), **top}


def check(doc: Mapping[str, Any], opt_ins: OptIns | None = None) -> None:
    docs.check_policy_document(doc, input_name=NAME, opt_ins=opt_ins)


def refusal(call: Callable[[], object]) -> str:
    with pytest.raises(InputError) as error:
        call()
    return str(error.value)


def statement(**changes: Any) -> dict[str, Any]:
    """GOOD with some keys replaced; a value of None removes the key."""
    merged = {**GOOD, **changes}
    return {k: v for k, v in merged.items() if v is not None}


REFUSED: dict[str, tuple[Callable[[], object], str]] = {
    "not JSON": (
        lambda: docs.parse_document("{", input_name=NAME),
        f"{NAME} is not valid JSON (Expecting property name enclosed in double quotes at line 1 "
        "column 2). Pass a dict, or a JSON string of an IAM policy document.",
    ),
    "JSON that is not an object": (
        lambda: docs.parse_document("[1]", input_name=NAME),
        f"{NAME} must be an IAM policy document (a JSON object with Version and Statement); "
        "got list.",
    ),
    "not a mapping": (
        lambda: docs.parse_document(7, input_name=NAME),  # type: ignore[arg-type]
        f"{NAME} must be an IAM policy document (a JSON object with Version and Statement); "
        "got int.",
    ),
    "unknown top-level keys, sorted": (
        lambda: check(document(GOOD, Zeta=1, Alpha=2)),
        f"{NAME} has 'Alpha', 'Zeta' at the top level; an IAM policy document has only Version, "
        "Id and Statement.",
    ),
    "an old Version": (
        lambda: check({"Version": "2008-10-17", "Statement": [GOOD]}),
        f'{NAME} has Version \'2008-10-17\'. Set "Version": "2012-10-17": without it IAM falls '
        "back to 2008-10-17, where policy variables such as ${aws:username} are silently "
        "treated as literal text.",
    ),
    "no Version": (
        lambda: check({"Statement": [GOOD]}),
        f'{NAME} has Version None. Set "Version": "2012-10-17": without it IAM falls back to '
        "2008-10-17, where policy variables such as ${aws:username} are silently treated as "
        "literal text.",
    ),
    "no Statement": (
        lambda: check({"Version": "2012-10-17"}),
        f"{NAME} has no Statement. Add a list of statements.",
    ),
    "an empty Statement list": (
        lambda: check(document()),
        f"{NAME} has an empty Statement list. Add at least one statement.",
    ),
    "a statement that is not an object, last": (
        lambda: check(document(GOOD, "s3:GetObject")),
        f"{NAME} statement 1 must be a JSON object; got str.",
    ),
    "a Sid used twice": (
        lambda: check(document(statement(Sid="A"), statement(Sid="B"), statement(Sid="A"))),
        f"{NAME} statement 2 (Sid 'A'): Sid 'A' is used twice; IAM needs unique Sids.",
    ),
    "an unknown statement key (a typo), last": (
        lambda: check(document(GOOD, statement(Conditions={}))),
        f"{NAME} statement 1 has 'Conditions', which IAM does not know. Allowed: Action, "
        "Condition, Effect, NotAction, NotResource, Resource, Sid.",
    ),
    "two unknown statement keys, both named": (
        lambda: check(document(statement(Conditions={}, Principals="*"))),
        f"{NAME} statement 0 has 'Conditions', 'Principals', which IAM does not know. Allowed: "
        "Action, Condition, Effect, NotAction, NotResource, Resource, Sid.",
    ),
    "a statement that is not an object, after one known only at deployment": (
        lambda: check(document(docs.UNKNOWN, "s3:GetObject")),
        f"{NAME} statement 1 must be a JSON object; got str.",
    ),
    "a Sid with a hyphen": (
        lambda: check(document(statement(Sid="read-objects"))),
        f"{NAME} statement 0 (Sid 'read-objects'): Sid 'read-objects' may hold only letters "
        "and digits in IAM.",
    ),
    "a Sid that is not a string": (
        lambda: check(document(statement(Sid=5))),
        f"{NAME} statement 0: Sid 5 may hold only letters and digits in IAM.",
    ),
    "a Principal": (
        lambda: check(document(statement(Principal={"AWS": "*"}))),
        f"{NAME} statement 0 has Principal. A policy attached to a role grants permissions to "
        "that role, so it names no principal (IAM refuses it as MalformedPolicyDocument). "
        "Remove Principal; who may assume the role is set by its trust policy.",
    ),
    "a NotPrincipal": (
        lambda: check(document(statement(NotPrincipal={"AWS": "*"}))),
        f"{NAME} statement 0 has NotPrincipal. A policy attached to a role grants permissions "
        "to that role, so it names no principal (IAM refuses it as MalformedPolicyDocument). "
        "Remove NotPrincipal; who may assume the role is set by its trust policy.",
    ),
    "an Effect in lower case": (
        lambda: check(document(statement(Effect="allow"))),
        f'{NAME} statement 0 has Effect \'allow\'. Use "Allow" or "Deny".',
    ),
    "no Effect": (
        lambda: check(document(statement(Effect=None))),
        f'{NAME} statement 0 has Effect None. Use "Allow" or "Deny".',
    ),
    "Action and NotAction": (
        lambda: check(document(statement(NotAction="s3:PutObject"))),
        f"{NAME} statement 0 has both Action and NotAction; IAM takes exactly one of them.",
    ),
    "no Action": (
        lambda: check(document(statement(Action=None))),
        f"{NAME} statement 0 has no Action. Add the Action it applies to.",
    ),
    "Resource and NotResource": (
        lambda: check(document(statement(NotResource="arn:aws:s3:::other/*"))),
        f"{NAME} statement 0 has both Resource and NotResource; IAM takes exactly one of them.",
    ),
    "no Resource": (
        lambda: check(document(statement(Resource=None))),
        f"{NAME} statement 0 has no Resource. Add the Resource it applies to.",
    ),
    "an Action not of the form service:Action, last": (
        lambda: check(document(statement(Action=["s3:GetObject", "s3:ListBucket", "GetObject"]))),
        f"{NAME} statement 0: Action 'GetObject' is not of the form 'service:Action' (for "
        "example 's3:GetObject'), nor '*'.",
    ),
    "a NotAction not of the form service:Action": (
        lambda: check(document(statement(Action=None, NotAction=["s3"], Effect="Deny"))),
        f"{NAME} statement 0: NotAction 's3' is not of the form 'service:Action' (for example "
        "'s3:GetObject'), nor '*'.",
    ),
    "a Resource that is not an ARN, last": (
        lambda: check(document(statement(Resource=["arn:aws:s3:::my-bucket/*", "my-bucket"]))),
        f"{NAME} statement 0: Resource 'my-bucket' is not an ARN "
        "('arn:partition:service:region:account:resource') nor '*'.",
    ),
    "a NotResource that is not an ARN": (
        lambda: check(document(statement(Resource=None, NotResource="bucket", Effect="Deny"))),
        f"{NAME} statement 0: NotResource 'bucket' is not an ARN "
        "('arn:partition:service:region:account:resource') nor '*'.",
    ),
    "a Condition that is not an object": (
        lambda: check(document(statement(Condition=["StringEquals"]))),
        f"{NAME} statement 0: Condition must be a JSON object of operators.",
    ),
    "an empty Action list": (
        lambda: check(document(statement(Action=[]))),
        f"{NAME} statement 0: Action is an empty list. Name at least one.",
    ),
    "an Action entry that is not a string, last": (
        lambda: check(document(statement(Action=["s3:GetObject", 5]))),
        f"{NAME} statement 0: Action holds 5; each entry must be a string.",
    ),
    "an empty Resource entry": (
        lambda: check(document(statement(Resource=[""]))),
        f"{NAME} statement 0: Resource holds ''; each entry must be a string.",
    ),
    "an opt-in entry that is not an action, last": (
        lambda: docs.check_opt_in_list(["s3:*", "s3"], input_name="allow_wildcard_actions"),
        "allow_wildcard_actions holds 's3'; each entry must be an action as written in the "
        "policy ('s3:*', 'ec2:StartInstances' or '*').",
    ),
    "an opt-in entry that is not a string": (
        lambda: docs.check_opt_in_list([None], input_name="allow_unknown_actions"),  # type: ignore[list-item]
        "allow_unknown_actions holds None; each entry must be an action as written in the "
        "policy ('s3:*', 'ec2:StartInstances' or '*').",
    ),
    "a service principal of another service": (
        lambda: docs.ec2_trust_policy("s3.amazonaws.com"),
        "The EC2 service principal 's3.amazonaws.com' is not one (expected 'ec2.<suffix>', as "
        "aws.get_service_principal returns).",
    ),
}


@pytest.mark.parametrize(("call", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_structural_refusal_is_the_whole_message(
    call: Callable[[], object], message: str
) -> None:
    assert refusal(call) == message


@pytest.mark.parametrize(
    "resource",
    ["ARN:aws:s3:::b", "arn::s3:::b", "arn:aws::::b", "arn:aws:s3::b"],
    ids=["upper-case arn", "no partition", "no service", "five parts"],
)
def test_a_resource_needs_all_six_parts_of_an_arn(resource: str) -> None:
    assert refusal(lambda: check(document(statement(Resource=resource)))) == (
        f"{NAME} statement 0: Resource {resource!r} is not an ARN "
        "('arn:partition:service:region:account:resource') nor '*'."
    )


ACCEPTED: dict[str, dict[str, Any]] = {
    "one statement, not in a list": {"Version": "2012-10-17", "Statement": GOOD},
    "an Id": document(GOOD, Id="app-policy"),
    "a Sid of letters and digits": document(statement(Sid="ReadObjects1")),
    "an empty Sid": document(statement(Sid="")),
    "two statements with empty Sids": document(statement(Sid=""), statement(Sid="")),
    "a Deny with NotAction and NotResource": document(
        {"Effect": "Deny", "NotAction": "s3:GetObject", "NotResource": "arn:aws:s3:::b/*"}
    ),
    "an ARN with a region and an account": document(
        statement(Action="sqs:SendMessage", Resource="arn:aws:sqs:eu-west-1:123456789012:q")
    ),
    "a Condition object": document(
        statement(Condition={"StringEquals": {"aws:PrincipalTag/team": "app"}})
    ),
    "a '*' Resource on an action without resource-level permissions": document(
        statement(Action="s3:ListAllMyBuckets", Resource="*")
    ),
}


@pytest.mark.parametrize("doc", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_a_document_iam_takes_is_accepted(doc: dict[str, Any]) -> None:
    check(doc)


def test_a_valid_wildcard_opt_in_lets_its_action_through() -> None:
    check(
        document(statement(Action="s3:*", Resource="arn:aws:s3:::my-bucket/*")),
        OptIns(allow_wildcard_actions=["s3:*"]),
    )


def test_a_valid_wildcard_resource_opt_in_lets_its_action_through() -> None:
    check(
        document(statement(Action="s3:GetObject", Resource="*")),
        OptIns(allow_wildcard_resource_actions=["s3:GetObject"]),
    )


def test_a_valid_unknown_action_opt_in_lets_its_action_through() -> None:
    check(
        document(statement(Action="s3:GetObjectFromTheFuture")),
        OptIns(allow_unknown_actions=["s3:GetObjectFromTheFuture"]),
    )


def test_a_string_document_parses_to_the_same_mapping() -> None:
    assert docs.parse_document(json.dumps(document(GOOD)), input_name=NAME) == document(GOOD)


def test_a_mapping_document_is_returned_as_it_is() -> None:
    doc = document(GOOD)
    assert docs.parse_document(doc, input_name=NAME) is doc


def test_the_ec2_trust_policy_is_the_whole_document() -> None:
    assert docs.ec2_trust_policy("ec2.amazonaws.com") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowEc2ToAssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


@pytest.mark.parametrize("principal", ["ec2.amazonaws.com", "ec2.amazonaws.com.cn", "ec2.x"])
def test_any_ec2_service_principal_is_taken(principal: str) -> None:
    trust = docs.ec2_trust_policy(principal)
    assert trust["Statement"][0]["Principal"] == {"Service": principal}


def test_a_managed_policy_arn_is_built_in_its_partition() -> None:
    assert (
        docs.managed_policy_arn("aws-cn", "AmazonSSMManagedInstanceCore")
        == "arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore"
    )


def test_render_is_compact_json_in_the_documents_order() -> None:
    assert docs.render({"b": [1, 2], "a": "x y"}) == '{"b":[1,2],"a":"x y"}'


def test_the_fingerprint_is_the_same_for_keys_in_another_order() -> None:
    assert docs.document_fingerprint({"a": 1, "b": [2]}) == docs.document_fingerprint(
        {"b": [2], "a": 1}
    )


def test_the_fingerprint_is_compact_sorted_json() -> None:
    assert docs.document_fingerprint({"b": 1, "a": "x"}) == '{"a":"x","b":1}'


def test_minified_length_counts_no_white_space_even_inside_values() -> None:
    # IAM counts characters without white space, json's separators' included.
    assert docs.minified_length({"a": "x y", "b": [1, 2]}) == len('{"a":"xy","b":[1,2]}')
