"""IAM policy document checks and the trust policy, without any Pulumi runtime."""

import json
import re

import pytest

from components import iam_actions
from components import policy_documents as docs
from components.policy_documents import UNKNOWN
from components.policy_lint import OptIns
from components.validation import InputError

NAME = "inline_policies['AppAccess']"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def check(document, **opt_ins):
    docs.check_policy_document(document, input_name=NAME, opt_ins=OptIns(**opt_ins))


def test_trust_policy_allows_only_sts_assume_role_by_ec2():
    trust = docs.ec2_trust_policy("ec2.amazonaws.com")
    assert set(trust) == {"Version", "Statement"}
    assert trust["Version"] == "2012-10-17"
    (statement,) = trust["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert set(statement) == {"Sid", "Effect", "Principal", "Action"}


@pytest.mark.parametrize("principal", ["", "amazonaws.com", "ec2.", "s3.amazonaws.com", None])
def test_trust_policy_refuses_what_is_not_an_ec2_service_principal(principal):
    with pytest.raises(InputError, match="is not one"):
        docs.ec2_trust_policy(principal)


def test_accepts_the_guides_scoped_policy():
    check(
        policy(
            allow("s3:ListBucket", "arn:aws:s3:::my-app-data"),
            allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::my-app-data/*"),
            allow(
                "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/*",
            ),
        )
    )


def test_parses_a_json_string_document():
    parsed = docs.parse_document(
        json.dumps(policy(allow("s3:GetObject", "arn:aws:s3:::b/*"))), input_name=NAME
    )
    assert parsed["Statement"][0]["Action"] == "s3:GetObject"


def test_rejects_a_string_that_is_not_json():
    with pytest.raises(InputError, match=r"inline_policies\['AppAccess'\] is not valid JSON"):
        docs.parse_document("{'Version': ", input_name=NAME)


def test_rejects_a_document_that_is_not_an_object():
    with pytest.raises(InputError, match=r"must be an IAM policy document.*got list"):
        docs.parse_document([], input_name=NAME)


def test_rejects_document_without_statement():
    with pytest.raises(InputError, match=r"inline_policies\['AppAccess'\] has no Statement"):
        check({"Version": "2012-10-17"})


def test_rejects_document_with_empty_statement_list():
    with pytest.raises(InputError, match=r"empty Statement list"):
        check(policy())


def test_rejects_document_without_version():
    with pytest.raises(InputError, match=r'has Version None. Set "Version": "2012-10-17"'):
        check({"Statement": [allow("s3:GetObject", "arn:aws:s3:::b/*")]})


def test_rejects_unknown_top_level_element():
    with pytest.raises(InputError, match=r"has 'Statements' at the top level"):
        check({"Version": "2012-10-17", "Statements": []})


@pytest.mark.parametrize("effect", ["allow", "Permit", None])
def test_rejects_effect_other_than_allow_or_deny(effect):
    with pytest.raises(
        InputError, match=f'statement 0 has Effect {effect!r}. Use "Allow" or "Deny"'
    ):
        check(policy({"Effect": effect, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}))


@pytest.mark.parametrize(
    "action", ["GetObject", "s3", "s3:Get Object", "s3:GetObject:x", "", "s3:GetObject\n"]
)
def test_rejects_action_not_of_the_form_service_colon_action(action):
    with pytest.raises(InputError, match=r"is not of the form 'service:Action'|must be a string"):
        check(policy(allow(action, "arn:aws:s3:::b/*")))


def test_rejects_statement_without_resource():
    with pytest.raises(InputError, match=r"statement 0 has no Resource"):
        check(policy({"Effect": "Allow", "Action": "s3:GetObject"}))


def test_rejects_statement_without_action():
    with pytest.raises(InputError, match=r"statement 0 has no Action"):
        check(policy({"Effect": "Allow", "Resource": "arn:aws:s3:::b/*"}))


def test_rejects_statement_with_action_and_notaction():
    with pytest.raises(InputError, match=r"has both Action and NotAction"):
        check(policy(allow("s3:GetObject", "arn:aws:s3:::b/*", NotAction="s3:PutObject")))


def test_rejects_resource_that_is_not_an_arn():
    with pytest.raises(InputError, match=r"Resource 'my-app-data' is not an ARN"):
        check(policy(allow("s3:GetObject", "my-app-data")))


def test_rejects_principal_in_a_role_policy():
    with pytest.raises(InputError, match=r"has Principal. A policy attached to a role"):
        check(policy(allow("s3:GetObject", "arn:aws:s3:::b/*", Principal={"AWS": "*"})))


def test_rejects_duplicate_sids():
    with pytest.raises(InputError, match=r"Sid 'Read' is used twice"):
        check(
            policy(
                allow("s3:GetObject", "arn:aws:s3:::b/*", Sid="Read"),
                allow("s3:ListBucket", "arn:aws:s3:::b", Sid="Read"),
            )
        )


@pytest.mark.parametrize("sid", ["read-objects", "Read\n"])
def test_rejects_non_alphanumeric_sid(sid):
    with pytest.raises(
        InputError, match=rf"Sid {re.escape(repr(sid))} may hold only letters and digits"
    ):
        check(policy(allow("s3:GetObject", "arn:aws:s3:::b/*", Sid=sid)))


def test_error_names_the_statement_by_sid():
    with pytest.raises(InputError, match=r"statement 1 \(Sid 'Queue'\) has no Resource"):
        check(
            policy(
                allow("s3:GetObject", "arn:aws:s3:::b/*"),
                {"Sid": "Queue", "Effect": "Allow", "Action": "sqs:SendMessage"},
            )
        )


@pytest.mark.parametrize("action", ["*", "s3:*"])
def test_rejects_wildcard_action_without_opt_in(action):
    with pytest.raises(
        InputError,
        match=f"allows Action '{action.replace('*', '[*]')}'.*add .* to allow_wildcard_actions",
    ):
        check(policy(allow(action, "arn:aws:s3:::b/*")))


def test_accepts_wildcard_action_the_caller_opted_into():
    check(policy(allow("s3:*", "arn:aws:s3:::b/*")), allow_wildcard_actions=["s3:*"])


def test_opting_into_one_wildcard_action_does_not_admit_another():
    with pytest.raises(InputError, match=r"allows Action 'sqs:[*]'"):
        check(policy(allow(["s3:*", "sqs:*"], "arn:aws:s3:::b/*")), allow_wildcard_actions=["s3:*"])


def test_accepts_wildcard_action_in_a_deny_statement():
    check(
        policy(
            allow("s3:GetObject", "arn:aws:s3:::b/*"),
            {"Effect": "Deny", "Action": "*", "Resource": "*"},
        )
    )


def test_rejects_resource_star_on_an_action_with_resource_level_permissions():
    expected = r"allows 's3:GetObject' on Resource '[*]'.*allow_wildcard_resource_actions"
    with pytest.raises(InputError, match=expected):
        check(policy(allow("s3:GetObject", "*")))


def test_rejects_resource_star_on_a_pattern_that_matches_scoped_actions():
    with pytest.raises(
        InputError, match=r"allows 'sqs:Send[*]' on Resource '[*]', but sqs:SendMessage"
    ):
        check(policy(allow("sqs:Send*", "*")))


def test_accepts_resource_star_on_an_action_without_resource_level_permissions():
    check(policy(allow("ec2:DescribeInstances", "*")))


def test_accepts_resource_star_on_a_scoped_action_the_caller_opted_into():
    check(policy(allow("s3:GetObject", "*")), allow_wildcard_resource_actions=["s3:GetObject"])


def test_resource_level_support_comes_from_the_action_database():
    assert iam_actions.action_info("s3:GetObject").resource_formats
    assert iam_actions.action_info("ec2:DescribeInstances").resource_formats == ()
    assert "s3:GetObjectTagging" in iam_actions.expand("s3:getobject*")


def test_unknown_values_are_skipped_until_they_resolve():
    check(policy(allow("s3:GetObject", UNKNOWN), allow(UNKNOWN, "arn:aws:s3:::b/*")))


def test_known_parts_beside_unknown_values_are_still_checked():
    with pytest.raises(InputError, match=r"allows Action 's3:[*]'"):
        check(policy(allow("s3:*", UNKNOWN)))


def test_rejects_opt_in_entry_that_is_not_an_action():
    with pytest.raises(InputError, match=r"allow_wildcard_actions holds 's3'"):
        docs.check_opt_in_list(["s3"], input_name="allow_wildcard_actions")


def test_minified_length_ignores_white_space():
    document = {"Version": "2012-10-17"}
    assert docs.minified_length(document) == len('{"Version":"2012-10-17"}')


def test_rejects_allow_with_notaction():
    with pytest.raises(InputError, match=r"an Allow with NotAction grants every action"):
        check(policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b/*"}))


def test_accepts_allow_with_notaction_when_star_is_opted_into():
    document = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b/*"})
    check(document, allow_wildcard_actions=["*"])


def test_accepts_deny_with_notaction():
    check(
        policy(
            allow("s3:GetObject", "arn:aws:s3:::b/*"),
            {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"},
        )
    )


def test_rejects_notresource_on_an_action_with_resource_level_permissions():
    document = policy(
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::x/*"}
    )
    with pytest.raises(InputError, match=r"an Allow with NotResource grants its actions on every"):
        check(document)


@pytest.mark.parametrize("action", ["s3:?*", "s3:**", "S3:*"])
def test_rejects_patterns_that_match_every_action_of_a_service(action):
    with pytest.raises(InputError, match=r"every current and future action of the service"):
        check(policy(allow(action, "arn:aws:s3:::b/*")))


def test_opting_into_a_wildcard_action_does_not_admit_it_on_resource_star():
    with pytest.raises(InputError, match=r"allows 's3:[*]' on Resource '[*]'"):
        check(policy(allow("s3:*", "*")), allow_wildcard_actions=["s3:*"])


def test_wildcard_action_on_resource_star_needs_both_opt_ins():
    check(
        policy(allow("s3:*", "*")),
        allow_wildcard_actions=["s3:*"],
        allow_wildcard_resource_actions=["s3:*"],
    )


def test_accepts_upper_case_service_prefix_and_hyphenated_action_names():
    check(
        policy(
            allow("S3:GetObject", "arn:aws:s3:::b/*"),
            allow("vpc-lattice:AssociateViaAWSService-EventsAndStates", "*"),
        )
    )


def test_opt_ins_match_actions_case_insensitively():
    check(policy(allow("s3:getobject", "*")), allow_wildcard_resource_actions=["s3:GetObject"])


def test_accepts_conditions_policy_variables_and_wildcard_arns():
    check(
        policy(
            allow(
                "s3:GetObject",
                "arn:aws:s3:::home/${aws:username}/*",
                Condition={"Bool": {"aws:SecureTransport": "true"}},
            ),
            allow("logs:PutLogEvents", "arn:aws:logs:*:123456789012:log-group:/app/*:*"),
        )
    )


def _wildcard_document():
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::memo-b/*"}],
    }


def test_a_document_that_passed_is_not_linted_again(monkeypatch):
    from components import policy_lint

    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::memo-a/*"}
        ],
    }
    docs.check_policy_document(document, input_name="memo")
    linted: list[object] = []
    original = policy_lint.lint_statement
    monkeypatch.setattr(policy_lint, "lint_statement", lambda *a: linted.append(a) or original(*a))
    docs.check_policy_document(document, input_name="memo")
    assert linted == []


def test_the_pass_cache_drops_its_oldest_document_at_its_limit(monkeypatch):
    monkeypatch.setattr(docs, "_PASSED_MAX", 2)
    monkeypatch.setattr(docs, "_passed", {})
    for bucket in ("memo-c", "memo-d", "memo-e"):
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
        docs.check_policy_document(document, input_name="memo")
    kept = [json.loads(key[0])["Statement"][0]["Resource"] for key in docs._passed]
    assert kept == ["arn:aws:s3:::memo-d/*", "arn:aws:s3:::memo-e/*"]


def test_a_document_that_failed_fails_every_time():
    for _ in range(2):
        with pytest.raises(InputError, match="allows Action 's3:\\*'"):
            docs.check_policy_document(_wildcard_document(), input_name="memo")


def test_a_pass_with_an_opt_in_does_not_pass_the_same_document_without_it():
    docs.check_policy_document(
        _wildcard_document(), input_name="memo", opt_ins=OptIns(allow_wildcard_actions=["s3:*"])
    )
    with pytest.raises(InputError, match="allows Action 's3:\\*'"):
        docs.check_policy_document(_wildcard_document(), input_name="memo")


def test_a_value_known_only_at_deployment_says_so_where_it_is_shown():
    assert repr(UNKNOWN) == "<unknown until deployment>"
