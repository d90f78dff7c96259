"""components.iam_actions: what the action database answers, and the suggestions the lint gives
for a misspelt action."""

from __future__ import annotations

import difflib

import pytest

from components import iam_actions


def test_the_service_is_what_comes_before_the_first_colon() -> None:
    assert iam_actions.is_known_service("s3:Get:Object")


def test_a_service_prefix_is_known_in_any_case() -> None:
    assert iam_actions.is_known_service("S3:GetObject")


def test_an_unknown_service_is_not_known() -> None:
    assert not iam_actions.is_known_service("s4:GetObject")


def test_a_misspelt_action_of_a_known_service_gets_its_nearest_action() -> None:
    assert iam_actions.suggestion("s3:getobjecct") == "s3:GetObject"


def test_an_action_nothing_is_near_gets_no_suggestion() -> None:
    assert iam_actions.suggestion("s3:Qqqqqqqqqqq") is None


def test_a_suggestion_takes_the_service_from_before_the_first_colon() -> None:
    # A stray colon belongs to the action's name; the service is still s3.
    assert iam_actions.suggestion("s3:GetObject:x") == "s3:GetObject"


def test_a_misspelt_service_gets_the_near_service_that_has_the_action() -> None:
    assert iam_actions.suggestion("s4:GetObject") == "s3:GetObject"


def test_the_near_service_with_the_action_is_found_past_the_three_nearest() -> None:
    # sts is not among the three services nearest to "s4", but is among the eight searched.
    nearest = difflib.get_close_matches("s4", iam_actions.service_prefixes(), n=8, cutoff=0.4)
    assert "sts" in nearest[3:]
    assert iam_actions.suggestion("s4:AssumeRole") == "sts:AssumeRole"


def test_the_near_services_searched_are_the_eight_nearest() -> None:
    # sqs has SendMessage but is the ninth nearest to "s4": the nearest service is suggested.
    nearest = difflib.get_close_matches("s4", iam_actions.service_prefixes(), n=9, cutoff=0.4)
    assert nearest[8] == "sqs"
    assert nearest[0] == "ts"
    assert iam_actions.suggestion("s4:SendMessage") == "ts:SendMessage"


def test_a_misspelt_service_without_the_action_gets_the_nearest_service() -> None:
    # "ts", a service prefix one character from "s4", is the nearest.
    assert iam_actions.suggestion("s4:Zzzzqq") == "ts:Zzzzqq"


def test_a_service_nothing_is_near_gets_no_suggestion() -> None:
    assert iam_actions.suggestion("qqqqqqqq:GetObject") is None


def test_the_summary_counts_each_access_level_the_serious_first() -> None:
    summary = iam_actions.access_level_summary(
        (
            "s3:ListBucket",
            "s3:GetObject",
            "s3:GetObjectTagging",
            "s3:PutObjectTagging",
            "s3:PutObject",
            "iam:PassRole",
        )
    )
    assert summary == "1 Permissions management, 1 Write, 1 Tagging, 2 Read, 1 List"


def test_the_summary_leaves_out_actions_the_database_does_not_know() -> None:
    assert iam_actions.access_level_summary(("s3:GetObject", "s3:NoSuchAction")) == "1 Read"


def test_the_summary_of_nothing_is_empty() -> None:
    assert iam_actions.access_level_summary(()) == ""


@pytest.mark.parametrize(
    ("action", "wildcard"),
    [("s3:Get*", True), ("s3:Get?bject", True), ("s3:GetObject", False)],
)
def test_a_wildcard_is_a_star_or_a_question_mark(action, wildcard):
    assert iam_actions.is_wildcard(action) is wildcard
