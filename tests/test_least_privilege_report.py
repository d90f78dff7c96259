"""The report: the policy the records show, and unused, missing, imdsv1, unmapped, left_out and
caveats against a grant; the command that prints it (components/least_privilege)."""

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from components import InstanceRole, check_instance_role_args, iam_actions
from components.least_privilege import granted
from components.least_privilege.analysis import (
    KEYS_PER_FOLDER,
    ROOT_KEYS_MAX,
    Analysis,
    Options,
    is_data_event_action,
)
from components.least_privilege.cli import run
from components.least_privilege.resources import Pattern
from components.policy_documents import INLINE_POLICIES_MAX_CHARACTERS, minified_length
from components.testing import run_program
from components.validation import InputError
from offline import cloudtrail_corpus as corpus

ROOT = Path(__file__).resolve().parent.parent
ROLE = corpus.ROLE_ARN
WHEN = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
PROD = ROOT / "snapshots/resources.prod.json"


def _call(source, name, params=None, **kw):
    return corpus.record(WHEN, source, name, params, rng=random.Random(len(name)), **kw)


def _s3(name, key=None, **kw):
    return corpus._s3(WHEN, name, key, random.Random(0), **kw)


def _analyse(recs, grants=None, **options):
    analysis = Analysis(Options(role_arn=ROLE, **options), grants)
    for record in recs:
        analysis.add(record)
    return analysis.report()


def _grant(*statements):
    return granted.from_documents(
        {"Grant": {"Version": "2012-10-17", "Statement": list(statements)}}
    )


def _allow(action, resource, sid=None):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    return {"Sid": sid, **statement} if sid else statement


def _statements(report):
    return {(tuple(s["Action"]), tuple(s["Resource"])) for s in report["policy"]["Statement"]}


@pytest.fixture(scope="module")
def trail(tmp_path_factory):
    out = tmp_path_factory.mktemp("trail")
    corpus.write(out, 1440)
    return out


@pytest.fixture(scope="module")
def guide(trail):
    """The guide's application for a day, against the prod stack's grant."""
    analysis = Analysis(Options(role_arn=ROLE), granted.from_file(PROD))
    from components.least_privilege import records

    for record in records.from_directory(trail):
        analysis.add(record)
    return analysis.report()


# --- acceptance: the guide's application ------------------------------------------------------


def test_the_guides_application_gets_exactly_the_calls_it_made(guide):
    assert _statements(guide) == {
        (("s3:ListBucket",), ("arn:aws:s3:::my-app-data",)),
        (("s3:GetObject",), ("arn:aws:s3:::my-app-data/config/settings.json",)),
        (("s3:PutObject",), ("arn:aws:s3:::my-app-data/reports/*",)),
        (
            ("sqs:DeleteMessage", "sqs:ReceiveMessage"),
            ("arn:aws:sqs:us-east-1:123456789012:my-app-queue",),
        ),
        (
            ("secretsmanager:GetSecretValue",),
            ("arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/db-??????",),
        ),
    }


def test_the_guides_policy_is_accepted_by_the_component(guide):
    check_instance_role_args("app", {"inline_policies": guide["inline_policies"]})


def test_the_guides_policy_deploys_through_the_component_under_mocks(guide):
    run = run_program(lambda: InstanceRole("app", {"inline_policies": guide["inline_policies"]}))
    policy = run.one("aws:iam/rolePolicy:RolePolicy")
    assert json.loads(policy.inputs["policy"]) == guide["policy"]


def test_the_guides_policy_names_only_actions_iam_knows(guide):
    for statement in guide["policy"]["Statement"]:
        for action in statement["Action"]:
            assert iam_actions.action_info(action) is not None, action


def test_the_guides_grant_of_send_message_is_reported_unused(guide):
    assert guide["unused"] == [
        {
            "policy": "AppAccess",
            "statement": "SQSAccess",
            "action": "sqs:SendMessage",
            "resources": ["arn:aws:sqs:us-east-1:123456789012:my-app-queue"],
            "reason": "no call in the records needed it",
        }
    ]


def test_the_guides_refused_delete_is_reported_missing_and_left_out_of_the_policy(guide):
    [missing] = guide["missing"]
    assert missing["action"] == "s3:DeleteObject"
    assert missing["resource"] == "arn:aws:s3:::my-app-data/reports/2026-10-01/run-000000.csv"
    assert (missing["error_code"], missing["count"], missing["granted_by"]) == (
        "AccessDenied",
        24,
        [],
    )
    assert all("s3:DeleteObject" not in s["Action"] for s in guide["policy"]["Statement"])


def test_the_older_instance_is_reported_for_its_imdsv1_credentials(guide):
    assert [(i["instance_id"], i["calls"], i["actions"]) for i in guide["imdsv1"]] == [
        (corpus.OLD_INSTANCE, 24, ["secretsmanager:GetSecretValue"])
    ]


def test_the_agents_and_sts_calls_are_left_out_and_reported_apart(guide):
    assert {(i["call"], i["by"]) for i in guide["left_out"]} == {
        ("cloudwatch:PutMetricData", "cloudwatch-agent"),
        ("ec2:DescribeTags", "cloudwatch-agent"),
        ("ec2messages:GetMessages", "ssm-agent"),
        ("ssm:UpdateInstanceInformation", "ssm-agent"),
        ("sts:GetCallerIdentity", None),
    }


def test_another_roles_calls_in_the_same_trail_are_not_counted(guide):
    assert guide["records"]["read"] - guide["records"]["kept"] == 24
    assert all("ec2:RunInstances" not in s["Action"] for s in guide["policy"]["Statement"])


def test_the_guides_report_has_every_section_of_the_json_contract(guide):
    for key in ("policy", "inline_policies", "unused", "missing", "imdsv1", "unmapped", "caveats"):
        assert key in guide
    assert list(guide["inline_policies"]) == ["AppAccess"]


# --- which records count ----------------------------------------------------------------------


def test_a_role_with_a_path_matches_its_arn_without_the_path():
    record = _call(
        "kms.amazonaws.com",
        "Decrypt",
        {},
        role_arn="arn:aws:iam::123456789012:role/team/App-Role-9a7ecdd",
    )
    analysis = Analysis(Options(role_arn="arn:aws:iam::123456789012:role/app-role-9a7ecdd"), None)
    analysis.add(record)
    assert analysis.kept == 1


def test_the_same_role_name_in_another_account_does_not_count():
    record = _call(
        "kms.amazonaws.com",
        "Decrypt",
        {},
        role_arn="arn:aws:iam::210987654321:role/app-role-9a7ecdd",
    )
    assert _analyse([record])["records"]["kept"] == 0


def test_instance_id_keeps_only_that_instances_calls():
    mine = _call("kms.amazonaws.com", "Decrypt", {})
    other = _call("kms.amazonaws.com", "Encrypt", {}, instance=corpus.OLD_INSTANCE)
    report = _analyse([mine, other], instance_id=corpus.INSTANCE)
    assert [s["Action"] for s in report["policy"]["Statement"]] == [["kms:Decrypt"]]


def test_events_that_are_not_api_calls_are_ignored():
    event = _call("ec2.amazonaws.com", "SharedSnapshotCopyInitiated", {})
    event["eventType"] = "AwsServiceEvent"
    assert _analyse([event])["records"]["kept"] == 0


# --- the policy -------------------------------------------------------------------------------


def test_two_keys_in_one_folder_become_the_folder():
    report = _analyse([_s3("PutObject", "out/a.csv"), _s3("PutObject", "out/sub/b.csv")])
    assert _statements(report) == {(("s3:PutObject",), ("arn:aws:s3:::my-app-data/out/*",))}
    assert KEYS_PER_FOLDER == 2


def test_one_key_in_a_folder_stays_exact():
    report = _analyse([_s3("GetObject", "config/settings.json")] * 3)
    assert _statements(report) == {
        (("s3:GetObject",), ("arn:aws:s3:::my-app-data/config/settings.json",))
    }


def test_exact_keeps_every_key():
    report = _analyse([_s3("PutObject", "out/a.csv"), _s3("PutObject", "out/b.csv")], exact=True)
    assert _statements(report) == {
        (
            ("s3:PutObject",),
            ("arn:aws:s3:::my-app-data/out/a.csv", "arn:aws:s3:::my-app-data/out/b.csv"),
        )
    }


def test_keys_at_the_root_stay_exact_up_to_the_limit():
    report = _analyse([_s3("PutObject", f"k{i}") for i in range(ROOT_KEYS_MAX)])
    [(_, resources)] = _statements(report)
    assert len(resources) == ROOT_KEYS_MAX


def test_keys_at_the_root_past_the_limit_become_the_bucket_and_say_so():
    report = _analyse([_s3("PutObject", f"k{i}") for i in range(ROOT_KEYS_MAX + 1)])
    assert _statements(report) == {(("s3:PutObject",), ("arn:aws:s3:::my-app-data/*",))}
    assert any(
        "keys at a bucket's root for one action became bucket/*" in c for c in report["caveats"]
    )


def test_grouping_is_per_action():
    report = _analyse(
        [_s3("PutObject", "out/a"), _s3("PutObject", "out/b"), _s3("GetObject", "out/a")]
    )
    assert _statements(report) == {
        (("s3:PutObject",), ("arn:aws:s3:::my-app-data/out/*",)),
        (("s3:GetObject",), ("arn:aws:s3:::my-app-data/out/a",)),
    }


def test_an_action_without_resource_level_permissions_gets_its_own_any_resource_statement():
    report = _analyse([_call("monitoring.amazonaws.com", "PutMetricData", {"namespace": "App"})])
    assert report["policy"]["Statement"] == [
        {
            "Sid": "CloudwatchAnyResource",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": ["*"],
        }
    ]
    assert any(
        "cloudwatch:PutMetricData support no resource-level permissions" in c
        for c in report["caveats"]
    )


def test_an_action_whose_records_name_no_resource_is_scoped_to_the_account_and_says_so():
    report = _analyse([_call("kms.amazonaws.com", "Decrypt", {"keyId": "alias/app"})])
    assert _statements(report) == {
        (("kms:Decrypt",), ("arn:aws:kms:us-east-1:123456789012:key/*",))
    }
    assert any("name no resource for kms:Decrypt" in c for c in report["caveats"])


def test_a_multi_object_delete_is_granted_on_the_buckets_keys_and_says_why():
    record = _s3("DeleteObjects", None)
    record["requestParameters"] = {"bucketName": corpus.BUCKET, "delete": ""}
    report = _analyse([record])
    assert _statements(report) == {(("s3:DeleteObject",), ("arn:aws:s3:::my-app-data/*",))}
    assert any("CloudTrail logs the bucket but not the keys" in c for c in report["caveats"])


def test_a_call_that_failed_for_another_reason_than_access_still_needed_its_permission():
    report = _analyse(
        [_s3("GetObject", "gone", error=("NoSuchKey", "The specified key does not exist."))]
    )
    assert _statements(report) == {(("s3:GetObject",), ("arn:aws:s3:::my-app-data/gone",))}


def test_statements_of_one_kind_are_told_apart_by_access_level():
    report = _analyse([_s3("GetObject", "a"), _s3("PutObject", "b")])
    assert [s["Sid"] for s in report["policy"]["Statement"]] == ["S3ObjectRead", "S3ObjectWrite"]


def test_include_missing_adds_the_refused_calls_to_the_policy():
    refused = _s3("DeleteObject", "old", error=("AccessDenied", "Access Denied"))
    report = _analyse([refused], include_missing=True)
    assert _statements(report) == {(("s3:DeleteObject",), ("arn:aws:s3:::my-app-data/old",))}


def test_refused_keys_are_grouped_like_the_others_when_included():
    refused = [
        _s3("DeleteObject", f"old/{i}", error=("AccessDenied", "Access Denied")) for i in range(3)
    ]
    report = _analyse(refused, include_missing=True)
    assert _statements(report) == {(("s3:DeleteObject",), ("arn:aws:s3:::my-app-data/old/*",))}


def test_no_calls_give_an_empty_policy_and_no_inline_policy():
    report = _analyse([])
    assert report["policy"]["Statement"] == []
    assert report["inline_policies"] == {}


def test_the_policy_name_names_the_inline_policy():
    report = _analyse([_s3("GetObject", "a")], policy_name="FromTrail")
    assert list(report["inline_policies"]) == ["FromTrail"]


# --- against the grant: one of each ---------------------------------------------------------


def test_a_granted_action_never_called_is_unused_with_its_statement():
    grant = _grant(
        _allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::my-app-data/*", "Objects")
    )
    report = _analyse([_s3("GetObject", "a")], grant)
    assert [(u["statement"], u["action"]) for u in report["unused"]] == [
        ("Objects", "s3:PutObject")
    ]


def test_a_granted_resource_never_touched_is_unused():
    grant = _grant(
        _allow("s3:GetObject", ["arn:aws:s3:::my-app-data/*", "arn:aws:s3:::other/*"], "Objects")
    )
    report = _analyse([_s3("GetObject", "a")], grant)
    assert [(u["statement"], u.get("resource")) for u in report["unused"]] == [
        ("Objects", "arn:aws:s3:::other/*")
    ]


def test_a_wildcard_action_is_reported_with_the_few_actions_it_covered():
    grant = _grant(_allow("s3:*", "*", "Everything"))
    report = _analyse([_s3("GetObject", "a"), _s3("ListObjects")], grant)
    [wildcard] = [u for u in report["unused"] if u.get("action") == "s3:*"]
    assert wildcard["observed"] == ["s3:GetObject", "s3:ListBucket"]
    assert "of which the records show 2" in wildcard["reason"]


def test_any_resource_is_reported_with_the_resources_the_calls_touched():
    grant = _grant(_allow("s3:GetObject", "*", "AnyObject"))
    report = _analyse([_s3("GetObject", "a")], grant)
    [wide] = [u for u in report["unused"] if u.get("resource") == "*"]
    assert wide["observed"] == ["arn:aws:s3:::my-app-data/a"]


def test_a_statement_after_an_unused_one_is_still_checked():
    grant = _grant(
        _allow("sqs:PurgeQueue", "*", "First"),
        _allow("kms:Encrypt", "*", "Second"),
        _allow("s3:GetObject", "arn:aws:s3:::my-app-data/*", "Third"),
    )
    report = _analyse([_s3("GetObject", "a")], grant)
    assert [u["statement"] for u in report["unused"]] == ["First", "Second"]


def test_a_data_event_action_never_seen_warns_that_data_events_may_be_off():
    grant = _grant(_allow("sqs:SendMessage", "*", "Send"))
    report = _analyse([_call("kms.amazonaws.com", "Decrypt", {})], grant)
    [unused] = report["unused"]
    assert "the records hold no sqs data events" in unused["reason"]
    assert any("The records hold no data events" in c for c in report["caveats"])


def test_pass_role_is_never_reported_unused():
    grant = _grant(_allow("iam:PassRole", "arn:aws:iam::123456789012:role/task", "Pass"))
    report = _analyse([_call("kms.amazonaws.com", "Decrypt", {})], grant)
    assert report["unused"] == []
    assert any("iam:PassRole is never logged" in c for c in report["caveats"])


def test_a_refused_call_is_missing_with_its_error_and_instances():
    refused = _call(
        "sqs.amazonaws.com",
        "PurgeQueue",
        {"queueUrl": corpus.QUEUE_URL},
        error=("AccessDenied", "not authorized"),
    )
    report = _analyse([refused, refused], _grant(_allow("sqs:ReceiveMessage", "*")))
    assert report["missing"] == [
        {
            "action": "sqs:PurgeQueue",
            "resource": "arn:aws:sqs:us-east-1:123456789012:my-app-queue",
            "event": "sqs.amazonaws.com PurgeQueue",
            "error_code": "AccessDenied",
            "error_message": "not authorized",
            "count": 2,
            "instances": [corpus.INSTANCE],
            "granted_by": [],
        }
    ]
    assert report["policy"]["Statement"] == []


def test_a_refused_get_object_warns_that_it_may_be_a_missing_key():
    refused = _s3("GetObject", "gone", error=("AccessDenied", "Access Denied"))
    assert any(
        "a refused s3:GetObject may be a missing key" in c for c in _analyse([refused])["caveats"]
    )


def test_a_refused_call_the_grant_allows_names_the_statement_that_allows_it():
    refused = _call(
        "ec2.amazonaws.com",
        "DescribeInstances",
        {},
        error=("Client.UnauthorizedOperation", "denied"),
    )
    report = _analyse([refused], _grant(_allow("ec2:DescribeInstances", "*", "Describe")))
    assert report["missing"][0]["granted_by"] == ["Grant/Describe"]


def test_imdsv1_credentials_are_reported_per_instance():
    old = _call("kms.amazonaws.com", "Decrypt", {}, instance=corpus.OLD_INSTANCE, delivery="1.0")
    new = _call("kms.amazonaws.com", "Decrypt", {})
    report = _analyse([old, old, new])
    assert [(i["instance_id"], i["calls"]) for i in report["imdsv1"]] == [(corpus.OLD_INSTANCE, 2)]


def test_imdsv1_credentials_of_a_record_without_a_time_are_reported_without_one():
    old = _call("kms.amazonaws.com", "Decrypt", {}, instance=corpus.OLD_INSTANCE, delivery="1.0")
    del old["eventTime"]
    (entry,) = _analyse([old])["imdsv1"]
    assert (entry["first_seen"], entry["last_seen"]) == ("", "")


def test_imdsv1_credentials_of_a_record_without_a_caller_arn_are_reported_under_no_instance():
    old = _call("kms.amazonaws.com", "Decrypt", {}, instance=corpus.OLD_INSTANCE, delivery="1.0")
    del old["userIdentity"]["arn"]  # the session (instance) is the caller ARN's last part
    assert [i["instance_id"] for i in _analyse([old])["imdsv1"]] == [""]


def test_a_call_with_no_iam_action_is_unmapped_and_not_in_the_policy():
    report = _analyse([_call("s3.amazonaws.com", "FrobnicateBucket", {"bucketName": "b"})] * 2)
    assert [(u["event_name"], u["count"]) for u in report["unmapped"]] == [("FrobnicateBucket", 2)]
    assert report["policy"]["Statement"] == []


def test_an_agents_call_goes_into_the_policy_when_its_managed_policy_is_not_attached():
    agent = _call(
        "monitoring.amazonaws.com",
        "PutMetricData",
        {},
        user_agent="CWAgent/1.3 (go1.22; linux; amd64)",
    )
    report = _analyse([agent], _grant(_allow("s3:GetObject", "*")))
    assert report["left_out"] == []
    assert [s["Action"] for s in report["policy"]["Statement"]] == [["cloudwatch:PutMetricData"]]


def test_an_agents_call_is_left_out_when_its_managed_policy_is_attached():
    agent = _call(
        "monitoring.amazonaws.com",
        "PutMetricData",
        {},
        user_agent="CWAgent/1.3 (go1.22; linux; amd64)",
    )
    grants = granted.from_documents(
        {}, attached=["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]
    )
    report = _analyse([agent], grants)
    assert [(i["call"], i["by"]) for i in report["left_out"]] == [
        ("cloudwatch:PutMetricData", "cloudwatch-agent")
    ]
    assert report["policy"]["Statement"] == []


def test_the_application_calling_what_an_agent_calls_stays_in_the_policy():
    app = _call("monitoring.amazonaws.com", "PutMetricData", {})
    grants = granted.from_documents(
        {}, attached=["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]
    )
    assert [s["Action"] for s in _analyse([app], grants)["policy"]["Statement"]] == [
        ["cloudwatch:PutMetricData"]
    ]


def test_an_agents_call_its_managed_policy_does_not_grant_stays_in_the_policy():
    # Session Manager writing its session log to S3: not in AmazonSSMManagedInstanceCore.
    agent = _s3(
        "PutObject",
        "sessions/i-1.log",
        user_agent="aws-sdk-go/1.51 (go1.22) amazon-ssm-agent/3.3.0.0",
    )
    grants = granted.from_documents(
        {}, attached=["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    )
    report = _analyse([agent], grants)
    assert report["left_out"] == []
    assert _statements(report) == {
        (("s3:PutObject",), ("arn:aws:s3:::my-app-data/sessions/i-1.log",))
    }


def test_an_application_grant_only_an_agent_used_is_unused():
    agent = _call(
        "monitoring.amazonaws.com",
        "PutMetricData",
        {},
        user_agent="CWAgent/1.3 (go1.22; linux; amd64)",
    )
    grants = granted.from_documents(
        {"App": {"Statement": [_allow("cloudwatch:PutMetricData", "*", "Metrics")]}},
        attached=["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"],
    )
    assert [u["statement"] for u in _analyse([agent], grants)["unused"]] == ["Metrics"]


def test_a_secret_read_by_name_uses_a_grant_of_its_full_arn():
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/db-Ab12Cd"
    read = _call("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "my-app/db"})
    report = _analyse([read], _grant(_allow("secretsmanager:GetSecretValue", arn, "Db")))
    assert report["unused"] == []


def test_a_multi_object_delete_uses_a_grant_of_part_of_the_bucket():
    record = _s3("DeleteObjects", None)
    record["requestParameters"] = {"bucketName": corpus.BUCKET, "delete": ""}
    report = _analyse(
        [record], _grant(_allow("s3:DeleteObject", "arn:aws:s3:::my-app-data/tmp/*", "Tmp"))
    )
    assert report["unused"] == []


def test_a_folder_name_with_a_wildcard_character_stays_literal_in_its_pattern():
    report = _analyse([_s3("PutObject", "we*rd/a"), _s3("PutObject", "we*rd/b")])
    assert _statements(report) == {(("s3:PutObject",), ("arn:aws:s3:::my-app-data/we${*}rd/*",))}


def test_imdsv1_credentials_are_reported_also_for_calls_that_need_no_permission():
    who = _call(
        "sts.amazonaws.com", "GetCallerIdentity", {}, instance=corpus.OLD_INSTANCE, delivery="1.0"
    )
    assert [(i["instance_id"], i["actions"]) for i in _analyse([who])["imdsv1"]] == [
        (corpus.OLD_INSTANCE, ["sts.amazonaws.com GetCallerIdentity"])
    ]


# --- caveats ----------------------------------------------------------------------------------


def test_lookup_events_says_it_holds_no_data_events():
    report = _analyse([], lookup_events=True)
    assert any(
        c.startswith("LookupEvents returns management events only") for c in report["caveats"]
    )


def test_a_folder_run_does_not_claim_the_lookup_events_limits():
    assert not any("LookupEvents" in c for c in _analyse([])["caveats"])


def test_the_time_window_is_stated_with_the_records_it_covers():
    report = _analyse([_call("kms.amazonaws.com", "Decrypt", {})])
    assert report["caveats"][0].startswith(
        "Time window: 1 of the 1 records read are this role's calls, from 2026-11-30T12:00:00Z to 2026-11-30T12:00:00Z."
    )


def test_a_managed_policy_known_only_by_arn_is_named_as_not_diffed(tmp_path):
    grants = granted.Grants(
        unread=("arn:aws:iam::123456789012:policy/Mine",), source="resources.json"
    )
    report = _analyse([], grants)
    assert any(
        c.startswith("arn:aws:iam::123456789012:policy/Mine is attached, but its document")
        for c in report["caveats"]
    )


# --- the command ------------------------------------------------------------------------------


def _run(capsys, *argv):
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_prints_the_json_report(capsys, trail):
    code, out, _ = _run(
        capsys,
        "--role-arn",
        ROLE,
        "--cloudtrail-dir",
        str(trail),
        "--granted",
        str(PROD),
        "--format",
        "json",
    )
    assert code == 0
    report = json.loads(out)
    assert [u["action"] for u in report["unused"]] == ["sqs:SendMessage"]


def test_the_command_prints_the_entry_to_paste_into_instance_role_args(capsys, trail):
    code, out, _ = _run(capsys, "--role-arn", ROLE, "--cloudtrail-dir", str(trail))
    assert code == 0
    pasted = out.split("Ready to paste into InstanceRoleArgs:\n", 1)[1].split("\n\n", 1)[0]
    entry = eval("{" + pasted.rstrip().rstrip(",") + "}")  # the paste is a Python literal
    check_instance_role_args("app", entry)


def test_the_command_says_what_it_reads_on_stderr(capsys, trail):
    _, out, err = _run(capsys, "--role-arn", ROLE, "--cloudtrail-dir", str(trail))
    assert f"==> Reading CloudTrail files under {trail}" in err
    assert "==> Read 11040 records (11016 of this role)" in err
    assert "==>" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--role-arn", "app-role", "--cloudtrail-dir", "x"],
            "--role-arn 'app-role' is not an IAM role ARN",
        ),
        (
            ["--role-arn", ROLE, "--instance-id", "web-1", "--cloudtrail-dir", "x"],
            "--instance-id 'web-1' is not an instance ID",
        ),
        (["--role-arn", ROLE], "No records to read. Give --cloudtrail-dir DIR"),
        (
            ["--role-arn", ROLE, "--cloudtrail-s3", "trail"],
            "--cloudtrail-s3 'trail' is not an S3 location",
        ),
        (
            [
                "--role-arn",
                ROLE,
                "--cloudtrail-dir",
                "x",
                "--since",
                "2026-12-01",
                "--until",
                "2026-11-01",
            ],
            "is not before --until",
        ),
        (
            ["--role-arn", ROLE, "--cloudtrail-dir", "x", "--policy-name", "no spaces"],
            "--policy-name",
        ),
        (
            ["--role-arn", ROLE, "--cloudtrail-dir", "x", "--granted-role", "r"],
            "--granted-role picks a role in a resources.json",
        ),
    ],
)
def test_bad_flags_are_refused_before_anything_is_read(capsys, argv, message):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "==>" not in err
    assert out == ""


def test_aws_errors_are_reported_with_the_fix(capsys, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    from moto import mock_aws

    with mock_aws():
        code, _, err = _run(
            capsys,
            "--role-arn",
            ROLE,
            "--cloudtrail-s3",
            "s3://no-such-bucket/x",
            "--region",
            "us-east-1",
        )
    assert code == 1
    assert "AWS refused or could not be reached" in err
    assert "NoSuchBucket" in err


def test_granted_iam_reads_the_role_from_iam(capsys, monkeypatch, trail):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    from moto import mock_aws

    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Purge", "Effect": "Allow", "Action": "sqs:PurgeQueue", "Resource": "*"}
        ],
    }
    with mock_aws():
        import boto3

        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_role(RoleName=corpus.ROLE_NAME, AssumeRolePolicyDocument="{}")
        iam.put_role_policy(
            RoleName=corpus.ROLE_NAME, PolicyName="Extra", PolicyDocument=json.dumps(grant)
        )
        code, out, err = _run(
            capsys,
            "--role-arn",
            ROLE,
            "--cloudtrail-dir",
            str(trail),
            "--granted",
            "iam",
            "--format",
            "json",
            "--region",
            "us-east-1",
        )
    assert code == 0
    assert [(u["policy"], u["action"]) for u in json.loads(out)["unused"]] == [
        ("Extra", "sqs:PurgeQueue")
    ]
    assert f"==> Reading what IAM grants role {corpus.ROLE_NAME}\n" in err


def test_the_package_command_runs_the_subcommand(trail):
    command = Path(sys.executable).with_name("ec2-instance-role")
    assert command.exists(), "make install puts the console script in the venv"
    done = subprocess.run(
        [
            str(command),
            "least-privilege",
            "--role-arn",
            ROLE,
            "--cloudtrail-dir",
            str(trail),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["missing"][0]["action"] == "s3:DeleteObject"


def test_the_package_module_runs_the_same_command(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ec2_instance_role.least_privilege", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,  # the installed package, not this checkout
    )
    assert done.stdout.startswith("usage: python -m ec2_instance_role.least_privilege")


def test_the_package_command_without_a_subcommand_prints_its_usage():
    command = Path(sys.executable).with_name("ec2-instance-role")
    done = subprocess.run([str(command)], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "least-privilege" in done.stderr


# --- odd but real inputs --------------------------------------------------------------------


def test_a_value_in_records_that_is_not_a_record_is_skipped():
    report = _analyse([1, "x", None, _s3("GetObject", "a")])
    assert report["records"] == {**report["records"], "read": 4, "kept": 1}


def test_an_s3_key_with_a_newline_is_granted_exactly():
    report = _analyse([_s3("GetObject", "a\nb"), _s3("GetObject", "ok")])
    assert _statements(report) == {
        (("s3:GetObject",), ("arn:aws:s3:::my-app-data/a\nb", "arn:aws:s3:::my-app-data/ok"))
    }


def test_a_refused_call_an_attached_agent_policy_grants_names_it():
    refused = _call(
        "ssm.amazonaws.com",
        "UpdateInstanceInformation",
        {},
        error=("AccessDeniedException", "denied"),
    )
    grants = granted.from_documents(
        {}, attached=["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    )
    assert _analyse([refused], grants)["missing"][0]["granted_by"] == [
        "AmazonSSMManagedInstanceCore"
    ]


def test_a_refused_call_an_attached_agent_policy_allows_elsewhere_does_not_name_it():
    # CloudWatchAgentServerPolicy allows ssm:GetParameter on AmazonCloudWatch-* parameters only.
    refused = _call(
        "ssm.amazonaws.com",
        "GetParameter",
        {"name": "/my-app/db-host"},
        error=("AccessDeniedException", "denied"),
    )
    grants = granted.from_documents(
        {}, attached=["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]
    )
    assert _analyse([refused], grants)["missing"][0]["granted_by"] == []


def test_a_refused_call_with_many_resource_types_is_one_missing_entry():
    refused = _call(
        "ec2.amazonaws.com", "RunInstances", {}, error=("Client.UnauthorizedOperation", "denied")
    )
    [entry] = _analyse([refused])["missing"]
    assert (entry["action"], entry["count"]) == ("ec2:RunInstances", 1)


def test_a_refused_call_of_two_actions_is_missing_for_each():
    copy = _with_params(_s3("CopyObject", "b"), **{"x-amz-copy-source": "other-bucket/a"})
    copy["errorCode"], copy["errorMessage"] = "AccessDenied", "denied"
    assert [(m["action"], m["resource"]) for m in _analyse([copy])["missing"]] == [
        ("s3:GetObject", "arn:aws:s3:::other-bucket/a"),
        ("s3:PutObject", "arn:aws:s3:::my-app-data/b"),
    ]


def test_each_agent_call_left_out_is_counted():
    poll = _call("ec2messages.amazonaws.com", "GetMessages", {})
    assert [(i["call"], i["count"]) for i in _analyse([poll, poll])["left_out"]] == [
        ("ec2messages:GetMessages", 2)
    ]


def test_the_same_role_name_in_another_partition_does_not_count():
    record = _call(
        "kms.amazonaws.com",
        "Decrypt",
        {},
        role_arn="arn:aws-cn:iam::123456789012:role/app-role-9a7ecdd",
    )
    assert _analyse([record])["records"]["kept"] == 0


def test_a_grant_for_another_role_name_says_so():
    analysis = Analysis(
        Options(role_arn="arn:aws:iam::123456789012:role/other-role"), granted.from_file(PROD)
    )
    assert any(
        "is named app-role-9a7ecdd, but --role-arn names other-role" in c
        for c in analysis.report()["caveats"]
    )


def test_a_role_arn_with_a_path_is_compared_by_the_roles_name():
    analysis = Analysis(
        Options(role_arn="arn:aws:iam::123456789012:role/team/other-role"), granted.from_file(PROD)
    )
    assert [c for c in analysis.report()["caveats"] if "is named" in c] == [
        f"The role in {PROD} (role app-role) is named app-role-9a7ecdd, but --role-arn names "
        "other-role: check that the grant is this role's (a deployed role's generated name "
        "differs from the rendered one)."
    ]


def test_an_analysis_for_an_arn_that_is_no_role_is_refused():
    with pytest.raises(ValueError, match=r"^not a role ARN: arn:aws:iam::123456789012:user/bob$"):
        Analysis(Options(role_arn="arn:aws:iam::123456789012:user/bob"), None)


def test_a_policy_over_the_inline_size_limit_says_so():
    calls = [_s3("GetObject", f"some/long/prefix/number-{i:04d}.json") for i in range(400)]
    notes = _analyse(calls, exact=True)["caveats"]
    assert [n for n in notes if "characters" in n] == [
        "The policy is 24513 characters, over IAM's 10240 for a role's inline policies "
        "together: group keys (leave out --exact) or split it into managed policies."
    ]


def test_a_policy_of_exactly_the_inline_size_limit_draws_no_size_caveat():
    def calls(pad: int) -> list:
        keys = [f"some/long/prefix/number-{i:04d}.json" for i in range(150)] + ["k" * pad]
        return [_s3("GetObject", key) for key in keys]

    short = minified_length(_analyse(calls(1), exact=True)["policy"])
    pad = 1 + INLINE_POLICIES_MAX_CHARACTERS - short  # each character more of the key is one more
    at_limit = _analyse(calls(pad), exact=True)
    over = _analyse(calls(pad + 1), exact=True)
    assert minified_length(at_limit["policy"]) == INLINE_POLICIES_MAX_CHARACTERS
    assert [n for n in at_limit["caveats"] if "characters" in n] == []
    assert [n for n in over["caveats"] if "characters" in n] != []


def test_a_call_scoped_to_several_resource_types_names_them_all():
    notes = _analyse([_call("dynamodb.amazonaws.com", "Query", {})])["caveats"]
    assert [n for n in notes if "name no resource" in n] == [
        "The records name no resource for dynamodb:Query; it is scoped to "
        "arn:aws:dynamodb:us-east-1:123456789012:table/*, "
        "arn:aws:dynamodb:us-east-1:123456789012:table/*/index/* (the call's account and "
        "region). Narrow it by hand."
    ]


def test_a_grant_matches_resources_case_sensitively():
    grant = _grant(_allow("s3:GetObject", "arn:aws:s3:::MY-APP-DATA/*"))
    [unused] = _analyse([_s3("GetObject", "x")], grant)["unused"]
    assert unused["resources"] == ["arn:aws:s3:::MY-APP-DATA/*"]


def test_an_unmapped_call_says_why():
    (unmapped,) = _analyse([_call("s3.amazonaws.com", "FrobnicateBucket", {})])["unmapped"]
    assert unmapped["reason"] == (
        "s3:FrobnicateBucket is not an IAM action, and no mapping names the permission this call "
        "needs"
    )


def test_a_document_without_statements_is_refused_by_name():
    with pytest.raises(InputError, match=r"^P is not an IAM policy document \(no 'Statement'\)\.$"):
        granted.from_documents({"P": {"Version": "2012-10-17"}})


def test_lookup_events_without_a_region_is_refused_before_anything_is_read(capsys, monkeypatch):
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    code, _, err = _run(capsys, "--role-arn", ROLE, "--lookup-events")
    assert code == 2
    assert "--lookup-events reads one region's events, and none is set" in err


# --- which calls CloudTrail logs only as data events ------------------------------------------


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("s3:GetObject", True),
        ("S3:PutObject", True),
        ("s3:ListBucket", True),
        ("sqs:SendMessage", True),
        ("s3:CreateBucket", False),
        ("s3:NoSuchAction", False),
        ("ec2:DescribeInstances", False),
    ],
)
def test_data_event_actions_are_object_level_s3_calls_and_the_listed_ones(action, data):
    assert is_data_event_action(action) is data


@pytest.mark.parametrize(
    ("action", "note"),
    [
        (
            "s3:GetObject",
            " (but the records hold no s3 data events, and CloudTrail logs this call only as "
            "one: enable them before removing it)",
        ),
        (
            "sqs:*",
            " (but the records hold no sqs data events, and CloudTrail logs this call only as "
            "one: enable them before removing it)",
        ),
        ("ec2:*", ""),
        ("s3:CreateBucket", ""),
    ],
)
def test_an_unused_grant_of_an_unlogged_call_warns_that_data_events_may_be_off(action, note):
    assert Analysis(Options(role_arn=ROLE), None)._unlogged_note(action) == note


def test_no_warning_once_the_records_hold_the_services_data_events():
    analysis = Analysis(Options(role_arn=ROLE), None)
    analysis._data_services.add("s3")
    assert analysis._unlogged_note("s3:GetObject") == ""


# --- the command's entry point and its AWS clients --------------------------------------------


def test_the_entry_point_exits_with_the_commands_status(monkeypatch):
    from components.least_privilege import cli

    monkeypatch.setattr(cli, "run", lambda: 7)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 7


def test_the_commands_clients_are_of_the_region_given_from_one_session(monkeypatch):
    from components.least_privilege.cli import _Clients

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-1")
    clients = _Clients("eu-west-2")
    sts = clients("sts")
    session = clients._session
    iam = clients("iam")
    assert (sts.meta.region_name, sts.meta.service_model.service_name) == ("eu-west-2", "sts")
    assert (iam.meta.service_model.service_name, clients._session) == ("iam", session)


def test_imdsv1_credentials_are_reported_whole_with_the_span_of_their_calls():
    def old(hour, source, name):
        when = WHEN.replace(hour=hour)
        return corpus.record(
            when,
            source,
            name,
            {},
            instance=corpus.OLD_INSTANCE,
            delivery="1.0",
            rng=random.Random(hour),
        )

    records = [
        old(10, "kms.amazonaws.com", "Decrypt"),
        old(8, "sts.amazonaws.com", "GetCallerIdentity"),
        old(12, "kms.amazonaws.com", "Decrypt"),
    ]
    assert _analyse(records)["imdsv1"] == [
        {
            "instance_id": corpus.OLD_INSTANCE,
            "calls": 3,
            "first_seen": "2026-11-30T08:00:00Z",
            "last_seen": "2026-11-30T12:00:00Z",
            "actions": ["kms:Decrypt", "sts.amazonaws.com GetCallerIdentity"],
        }
    ]


@pytest.mark.parametrize(
    ("actions", "level"),
    [
        (["s3:GetObject"], "Read"),
        (["iam:PutRolePolicy"], "PermissionsManagement"),
        (["s3:GetObject", "s3:PutObject"], "Mixed"),
        (["s3:NoSuchAction"], "Mixed"),
    ],
    ids=["one level", "a level of two words", "two levels", "an action IAM does not know"],
)
def test_a_statement_is_named_after_its_actions_access_level(actions, level):
    from components.least_privilege.analysis import _level

    assert _level(actions) == level


def test_a_refusals_message_is_kept_to_its_first_300_characters():
    refused = _call(
        "sqs.amazonaws.com",
        "PurgeQueue",
        {"queueUrl": corpus.QUEUE_URL},
        error=("AccessDenied", "x" * 299 + "yz"),
    )
    (missing,) = _analyse([refused])["missing"]
    assert missing["error_message"] == "x" * 299 + "y"


def test_a_refusal_without_a_message_has_an_empty_one():
    refused = _call(
        "sqs.amazonaws.com",
        "PurgeQueue",
        {"queueUrl": corpus.QUEUE_URL},
        error=("AccessDenied", ""),
    )
    del refused["errorMessage"]
    (missing,) = _analyse([refused])["missing"]
    assert (missing["error_code"], missing["error_message"]) == ("AccessDenied", "")


def test_a_single_character_wildcard_is_reported_with_what_it_covered():
    grant = _grant(_allow("s3:Get?bject", "*", "Almost"))
    report = _analyse([_s3("GetObject", "a")], grant)
    [wildcard] = [u for u in report["unused"] if u.get("action") == "s3:Get?bject"]
    assert wildcard == {
        "policy": "Grant",
        "statement": "Almost",
        "action": "s3:Get?bject",
        "observed": ["s3:GetObject"],
        "reason": "a wildcard that grants 1 actions, of which the records show 1: grant those "
        "instead",
    }


def test_any_resource_is_reported_with_at_most_five_of_the_resources_touched():
    grant = _grant(_allow("s3:GetObject", "*", "AnyObject"))
    report = _analyse([_s3("GetObject", key) for key in "abcdef"], grant)
    [wide] = [u for u in report["unused"] if u.get("resource") == "*"]
    assert len(wide["observed"]) == 5


def test_any_resource_for_an_action_without_resources_is_not_reported():
    grant = _grant(_allow("ec2:DescribeInstances", "*", "Describe"))
    assert _analyse([_call("ec2.amazonaws.com", "DescribeInstances", {})], grant)["unused"] == []


def test_patterns_drop_the_resources_they_cover_case_sensitively():
    from components.least_privilege.analysis import _collapse

    keys = Pattern("arn:aws:s3:::b/k*")
    assert _collapse({"arn:aws:s3:::b/k1", "arn:aws:s3:::b/K2", keys}) == {
        "arn:aws:s3:::b/K2",
        keys,
    }


@pytest.mark.parametrize(
    ("service", "action", "resources", "sid"),
    [
        ("s3", "s3:GetObject", ("arn:aws:s3:::b/k",), "S3Object"),
        ("s3", "s3:GetObject", ("*",), "S3AnyResource"),
        ("s3", "s3:NoSuchAction", ("arn:aws:s3:::b/k",), "S3"),
        ("aws-marketplace", "aws-marketplace:ViewSubscriptions", ("x",), "AwsMarketplace"),
        (
            "securityhub",
            "securityhub:AcceptAdministratorInvitation",
            ("arn:aws:securityhub:us-east-1:123456789012:hub/default",),
            "Securityhub",
        ),
        (
            "geo-routes",
            "geo-routes:CalculateIsolines",
            ("arn:aws:geo-routes:us-east-1::provider/default",),
            "GeoRoutes",
        ),
        ("artifact", "artifact:AcceptAgreement", ("arn:aws:artifact:::agreement/a",), "Artifact"),
    ],
    ids=[
        "by resource type",
        "any resource",
        "an action IAM does not know",
        "a dashed service",
        "a format ending in the account",
        "a format ending in the region",
        "a format ending in the partition",
    ],
)
def test_a_statements_sid_names_its_service_and_resource_type(service, action, resources, sid):
    from components.least_privilege.analysis import _sid

    assert _sid(service, action, resources) == sid


# --- records at the edges of the format -------------------------------------------------------


def test_a_record_without_an_event_type_is_an_api_call():
    record = _call("kms.amazonaws.com", "Decrypt", {})
    del record["eventType"]
    assert _analyse([record])["records"]["kept"] == 1


def test_the_records_window_is_from_the_earliest_to_the_latest_call():
    calls = [
        corpus.record(WHEN.replace(hour=h), "kms.amazonaws.com", "Decrypt", {}) for h in (9, 7, 11)
    ]
    assert _analyse(calls)["records"] == {
        "read": 3,
        "kept": 3,
        "first": "2026-11-30T07:00:00Z",
        "last": "2026-11-30T11:00:00Z",
    }


@pytest.mark.parametrize(
    "marks",
    [{"eventCategory": "Data"}, {"managementEvent": False}],
    ids=["a data category", "not a management event"],
)
def test_either_mark_of_a_data_event_shows_the_service_logs_them(marks):
    data = _s3("GetObject", "a")
    data.pop("eventCategory", None)
    data.pop("managementEvent", None)
    data.update(marks)
    grant = _grant(_allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::my-app-data/*", "Rw"))
    [put] = [u for u in _analyse([data], grant)["unused"] if u.get("action") == "s3:PutObject"]
    assert put["reason"] == "no call in the records needed it"


def test_a_secret_read_by_name_is_in_the_policy_with_its_suffix_as_wildcards():
    read = _call("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "my-app/db"})
    (statement,) = _analyse([read])["policy"]["Statement"]
    assert statement["Resource"] == [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/db-??????"
    ]


def test_a_secret_read_by_its_full_arn_is_in_the_policy_with_its_suffix_as_wildcards():
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/db-Ab12Cd"
    read = _call("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": arn})
    (statement,) = _analyse([read])["policy"]["Statement"]
    assert statement["Resource"] == [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/db-??????"
    ]


@pytest.mark.parametrize(
    "identity",
    [
        {"sessionContext": "not a context"},
        {"sessionContext": {"sessionIssuer": "not an issuer"}},
        {"sessionContext": {"sessionIssuer": {"arn": 5}}},
    ],
    ids=["context", "issuer", "issuer arn"],
)
def test_a_record_whose_identity_is_malformed_is_not_the_roles(identity):
    record = _call("kms.amazonaws.com", "Decrypt", {})
    record["userIdentity"] = {"type": "AssumedRole", **identity}
    assert _analyse([record])["records"]["kept"] == 0


def _actions(report):
    return sorted(a for s in report["policy"]["Statement"] for a in s["Action"])


def _with_params(record, **params):
    record["requestParameters"].update(params)
    return record


def test_a_read_of_an_objects_version_needs_the_version_permission():
    read = _with_params(_s3("GetObject", "a"), versionId="3")
    assert _actions(_analyse([read])) == ["s3:GetObjectVersion"]


def test_a_copy_of_an_objects_version_needs_the_version_permission_on_the_source():
    copy = _with_params(
        _s3("CopyObject", "b"), **{"x-amz-copy-source": "my-app-data/a?versionId=3"}
    )
    assert _actions(_analyse([copy])) == ["s3:GetObjectVersion", "s3:PutObject"]


def test_a_record_without_request_parameters_is_still_analysed():
    decrypt = _call("kms.amazonaws.com", "Decrypt", {})
    decrypt["requestParameters"] = None
    assert _actions(_analyse([decrypt])) == ["kms:Decrypt"]


def test_a_call_that_needs_no_permission_is_left_out_once_per_call():
    report = _analyse([_call("sts.amazonaws.com", "GetCallerIdentity", {})] * 3)
    assert report["left_out"] == [
        {
            "call": "sts:GetCallerIdentity",
            "by": None,
            "reason": "needs no permission",
            "count": 3,
        }
    ]


def test_an_unmapped_call_is_reported_whole_with_its_first_event():
    first, second = (_call("s3.amazonaws.com", "FrobnicateBucket", {}) for _ in range(2))
    first["eventID"], second["eventID"] = "e-1", "e-2"
    (unmapped,) = _analyse([first, second])["unmapped"]
    assert (unmapped["event_source"], unmapped["count"], unmapped["example_event_id"]) == (
        "s3.amazonaws.com",
        2,
        "e-1",
    )


def test_an_unmapped_call_without_an_event_id_has_an_empty_example():
    call = _call("s3.amazonaws.com", "FrobnicateBucket", {})
    del call["eventID"]
    (unmapped,) = _analyse([call])["unmapped"]
    assert unmapped["example_event_id"] == ""


def test_a_call_without_a_source_or_a_name_is_unmapped_with_both_empty():
    call = _call("s3.amazonaws.com", "FrobnicateBucket", {})
    del call["eventSource"], call["eventName"]
    (unmapped,) = _analyse([call])["unmapped"]
    assert (unmapped["event_source"], unmapped["event_name"]) == ("", "")


def test_the_records_span_runs_from_the_earliest_to_the_latest_whatever_their_order():
    early, late, middle = (_call("kms.amazonaws.com", "Decrypt", {}) for _ in range(3))
    early["eventTime"], middle["eventTime"], late["eventTime"] = (
        "2026-11-01T00:00:00Z",
        "2026-11-02T00:00:00Z",
        "2026-11-03T00:00:00Z",
    )
    span = _analyse([middle, late, early])["records"]
    assert (span["first"], span["last"]) == ("2026-11-01T00:00:00Z", "2026-11-03T00:00:00Z")


def test_a_call_to_an_agent_only_service_is_the_agents_whatever_its_user_agent():
    poll = _call("ec2messages.amazonaws.com", "GetMessages", {}, user_agent="aws-cli/2.15.0")
    assert [(i["call"], i["by"]) for i in _analyse([poll])["left_out"]] == [
        ("ec2messages:GetMessages", "ssm-agent")
    ]


def test_a_refused_call_with_no_iam_action_is_missing_by_its_event():
    refused = _call("s3.amazonaws.com", "FrobnicateBucket", {}, error=("AccessDenied", "no"))
    (missing,) = _analyse([refused])["missing"]
    assert missing == {
        "action": None,
        "resource": None,
        "event": "s3.amazonaws.com FrobnicateBucket",
        "error_code": "AccessDenied",
        "error_message": "no",
        "count": 1,
        "instances": [corpus.INSTANCE],
        "granted_by": [],
    }


def test_a_refused_call_on_two_resources_is_missing_once_naming_both():
    refused = _call(
        "dynamodb.amazonaws.com",
        "BatchGetItem",
        {"requestItems": {"Orders": {}, "Users": {}}},
        error=("AccessDeniedException", "no"),
    )
    (missing,) = _analyse([refused])["missing"]
    assert missing["resource"] == (
        "arn:aws:dynamodb:us-east-1:123456789012:table/Orders, "
        "arn:aws:dynamodb:us-east-1:123456789012:table/Users"
    )


def test_a_copy_reads_its_source_and_writes_its_target():
    copy = _with_params(_s3("CopyObject", "b"), **{"x-amz-copy-source": "other-bucket/a"})
    statements = _analyse([copy], exact=True)["policy"]["Statement"]
    assert sorted((s["Action"][0], s["Resource"][0]) for s in statements) == [
        ("s3:GetObject", "arn:aws:s3:::other-bucket/a"),
        ("s3:PutObject", "arn:aws:s3:::my-app-data/b"),
    ]


# --- the caveats, whole -----------------------------------------------------------------------

PASS_ROLE_NOTE = (
    "iam:PassRole is never logged (IAM checks it inside the call that passes a role), so it is "
    "neither in the policy nor reported unused: if the application passes a role, add it by "
    "hand for that role's ARN."
)


def test_the_caveats_of_no_records_read_with_every_window_option():
    since, until = WHEN - dt.timedelta(days=1), WHEN
    report = _analyse(
        [], instance_id="i-0123456789abcdef0", since=since, until=until, lookup_events=True
    )
    assert report["caveats"] == [
        "Time window: 0 of the 0 records read are this role's calls, none at all (--since "
        "2026-11-29T12:00:00Z --until 2026-11-30T12:00:00Z). A call the application makes less "
        "often than that (a monthly job, an error path) is not in them.",
        "Only i-0123456789abcdef0's calls were kept (--instance-id); the role's other instances "
        "may need more.",
        "LookupEvents returns management events only, of one region, for the last 90 days: S3 "
        "object calls, SQS message calls and Lambda invocations are never in it. Read the "
        "trail's files (--cloudtrail-dir or --cloudtrail-s3) with data events enabled.",
        "The records hold no data events. S3 object calls and SQS message calls are data "
        "events, which a trail logs only when asked (docs: Least privilege from CloudTrail): "
        "until then they are neither in the policy nor counted as used.",
        PASS_ROLE_NOTE,
        "No --granted: unused is empty, and the agents' calls are left out on the assumption "
        "that their managed policies (AmazonSSMManagedInstanceCore, CloudWatchAgentServerPolicy) "
        "stay attached.",
    ]


def _data_event(source):
    record = _call(source, "Invoke" if "lambda" in source else "SendMessage", {})
    record.update(eventCategory="Data", managementEvent=False)
    return record


def test_a_window_open_at_one_end_shows_a_dash_for_the_other():
    report = _analyse([], until=WHEN)
    assert "(--since - --until 2026-11-30T12:00:00Z)" in report["caveats"][0]
    report = _analyse([], since=WHEN)
    assert "(--since 2026-11-30T12:00:00Z --until -)" in report["caveats"][0]


def test_data_events_of_sqs_only_ask_for_s3s():
    notes = _analyse([_data_event("sqs.amazonaws.com")])["caveats"]
    assert notes[1] == (
        "The records hold data events of sqs but none of s3: if the application calls s3, "
        "enable that service's data events too."
    )


def test_data_events_of_another_service_ask_for_both_s3s_and_sqss():
    notes = _analyse([_data_event("lambda.amazonaws.com")])["caveats"]
    assert notes[1] == (
        "The records hold data events of lambda but none of s3, sqs: if the application calls "
        "s3 or sqs, enable that service's data events too."
    )


def test_the_unused_grants_are_reported_whole_statement_by_statement():
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/k"
    grant = _grant(
        {"Sid": "Not", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        _allow(["iam:PassRole", "kms:Decrypt"], key_arn, "Pass"),
        _allow("s3:GetObject", ["arn:aws:s3:::my-app-data/*", "arn:aws:s3:::other/*"], "Two"),
        _allow("s3:GetObject", "*", "Any"),
    )
    report = _analyse([_s3("GetObject", "a")], grant)
    assert report["unused"] == [
        {
            "policy": "Grant",
            "statement": "Pass",
            "action": "kms:Decrypt",
            "resources": [key_arn],
            "reason": "no call in the records needed it",
        },
        {
            "policy": "Grant",
            "statement": "Two",
            "resource": "arn:aws:s3:::other/*",
            "reason": "no call in the records touched it",
        },
        {
            "policy": "Grant",
            "statement": "Any",
            "resource": "*",
            "observed": ["arn:aws:s3:::my-app-data/a"],
            "reason": "Resource '*', where the records show only these resources (up to five)",
        },
    ]


def test_the_agents_calls_left_out_say_which_policy_grants_them():
    call = _call(
        "ssm.amazonaws.com",
        "UpdateInstanceInformation",
        {},
        user_agent="aws-sdk-go/1.0 amazon-ssm-agent/3.3",
    )
    (left_out,) = _analyse([call])["left_out"]
    assert left_out == {
        "call": "ssm:UpdateInstanceInformation",
        "by": "ssm-agent",
        "reason": "the ssm-agent's own call, granted by AmazonSSMManagedInstanceCore, which "
        "stays attached",
        "count": 1,
    }


def test_statements_of_one_sid_are_numbered_from_the_second():
    reads = [_s3("GetObject", "a"), _s3("GetObjectAcl", "b"), _s3("GetObjectTagging", "c")]
    statements = _analyse(reads, exact=True)["policy"]["Statement"]
    assert [(s["Sid"], s["Action"]) for s in statements] == [
        ("S3ObjectRead", ["s3:GetObject"]),
        ("S3ObjectRead2", ["s3:GetObjectAcl"]),
        ("S3ObjectRead3", ["s3:GetObjectTagging"]),
    ]


def test_a_refused_call_the_second_agents_policy_allows_names_that_policy():
    grants = granted.from_documents(
        {}, attached=["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]
    )
    refused = _call(
        "monitoring.amazonaws.com", "PutMetricData", {}, error=("AccessDenied", "denied")
    )
    (missing,) = _analyse([refused], grants)["missing"]
    assert missing["granted_by"] == ["CloudWatchAgentServerPolicy"]


def test_a_refused_call_on_several_resources_is_judged_by_the_first():
    tables = {"Orders": {}, "Users": {}, "Items": {}}
    refused = _call(
        "dynamodb.amazonaws.com",
        "BatchGetItem",
        {"requestItems": tables},
        error=("AccessDeniedException", "no"),
    )
    orders = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
    (missing,) = _analyse([refused], _grant(_allow("dynamodb:BatchGetItem", orders, "Db")))[
        "missing"
    ]
    assert missing["granted_by"] == ["Grant/Db"]


# --- the command's flags, read before anything is read (cli._options) --------------------------


def _options_of(*argv):
    from components.least_privilege import cli

    return cli._options(cli.parser().parse_args(list(argv)))


def _flag_refusal(*argv):
    with pytest.raises(InputError) as raised:
        _options_of(*argv)
    return str(raised.value)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--role-arn", "app-role", "--cloudtrail-dir", "x"],
            "--role-arn 'app-role' is not an IAM role ARN. Give arn:aws:iam::<account>:role/<name> "
            "(the stack's roleArn output).",
        ),
        (
            ["--role-arn", ROLE, "--instance-id", "web-1", "--cloudtrail-dir", "x"],
            "--instance-id 'web-1' is not an instance ID. Give i- followed by 8 or 17 hexadecimal "
            "digits, or leave it out to keep every instance of the role.",
        ),
        (
            ["--role-arn", ROLE],
            "No records to read. Give --cloudtrail-dir DIR, --cloudtrail-s3 s3://BUCKET/PREFIX or "
            "--lookup-events (one or more).",
        ),
        (
            ["--role-arn", ROLE, "--cloudtrail-dir", "x", "--since", "soon"],
            "--since 'soon' is not a time. Give a date (2026-11-30), a UTC time "
            "(2026-11-30T12:00:00Z) or a span back from now (7d, 12h).",
        ),
        (
            ["--role-arn", ROLE, "--cloudtrail-dir", "x", "--until", "later"],
            "--until 'later' is not a time. Give a date (2026-11-30), a UTC time "
            "(2026-11-30T12:00:00Z) or a span back from now (7d, 12h).",
        ),
        (
            [
                *("--role-arn", ROLE, "--cloudtrail-dir", "x"),
                *("--since", "2026-11-30T12:00:00Z", "--until", "2026-11-30T12:00:00Z"),
            ],
            "--since 2026-11-30T12:00:00Z is not before --until 2026-11-30T12:00:00Z. Swap them.",
        ),
        (
            [
                *("--role-arn", ROLE, "--cloudtrail-dir", "x"),
                *("--granted", "iam", "--granted-role", "r"),
            ],
            "--granted-role picks a role in a resources.json: give --granted FILE.",
        ),
    ],
    ids=["role arn", "instance id", "no records", "since", "until", "an empty window", "iam"],
)
def test_each_bad_flag_is_refused_whole(argv, message):
    assert _flag_refusal(*argv) == message


def test_a_bad_policy_name_is_refused_as_the_flag():
    assert _flag_refusal(
        "--role-arn", ROLE, "--cloudtrail-dir", "x", "--policy-name", "no spaces"
    ).startswith("--policy-name ")


def test_lookup_events_without_a_region_is_refused_with_the_fix(monkeypatch):
    from components.least_privilege import cli

    monkeypatch.setattr(cli, "_default_region", lambda: None)
    assert _flag_refusal("--role-arn", ROLE, "--lookup-events") == (
        "--lookup-events reads one region's events, and none is set. Give --region, or set "
        "AWS_REGION (or a profile's region)."
    )


def test_lookup_events_with_a_region_given_needs_no_default_one(monkeypatch):
    from components.least_privilege import cli

    monkeypatch.setattr(cli, "_default_region", lambda: None)
    assert _options_of("--role-arn", ROLE, "--lookup-events", "--region", "eu-west-1").lookup_events


def test_the_flags_become_the_analysis_options():
    options = _options_of(
        "--role-arn",
        ROLE,
        "--cloudtrail-dir",
        "x",
        "--instance-id",
        corpus.INSTANCE,
        "--exact",
        "--include-missing",
        "--policy-name",
        "Mine",
        "--since",
        "2026-11-29",
        "--until",
        "2026-11-30",
    )
    assert options == Options(
        role_arn=ROLE,
        instance_id=corpus.INSTANCE,
        exact=True,
        include_missing=True,
        policy_name="Mine",
        since=dt.datetime(2026, 11, 29, tzinfo=dt.UTC),
        until=dt.datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=dt.UTC),  # the day's end
        lookup_events=False,
    )


def test_the_commands_flags_take_their_forms_and_say_what_they_do():
    from components.least_privilege import cli

    made = cli.parser("least-privilege")
    flags = [
        (a.option_strings[0], a.required, a.default, a.metavar, a.choices, a.type, a.nargs, a.help)
        for a in made._actions
        if a.dest != "help"
    ]
    assert (made.prog, made.description) == (
        "least-privilege",
        "The IAM policy an EC2 instance role's CloudTrail records show it needs, and, against "
        "what it is granted, what it never used and what it was refused.",
    )
    assert flags == [
        (
            "--role-arn",
            True,
            None,
            None,
            None,
            None,
            None,
            "the instance role (every instance of it)",
        ),
        ("--instance-id", False, None, None, None, None, None, "keep only this instance's calls"),
        (
            "--cloudtrail-dir",
            False,
            [],
            "DIR",
            None,
            Path,
            None,
            "a folder of CloudTrail log files (*.json.gz or *.json; CloudTrail's S3 layout)",
        ),
        (
            "--cloudtrail-s3",
            False,
            [],
            "s3://BUCKET/PREFIX",
            None,
            None,
            None,
            "the trail's files in S3",
        ),
        (
            "--lookup-events",
            False,
            False,
            None,
            None,
            None,
            0,
            "CloudTrail LookupEvents (management events only, one region, 90 days)",
        ),
        (
            "--since",
            False,
            None,
            None,
            None,
            None,
            None,
            "first time kept: 2026-11-01, 2026-11-01T00:00:00Z or 30d",
        ),
        ("--until", False, None, None, None, None, None, "last time kept, in the same forms"),
        (
            "--granted",
            False,
            None,
            "iam|FILE",
            None,
            None,
            None,
            "what the role is granted: 'iam' (read it), a policy JSON file, a {name: document} "
            "map, or a stack's resources.json",
        ),
        (
            "--granted-role",
            False,
            None,
            None,
            None,
            None,
            None,
            "the role's logical name when a resources.json has more",
        ),
        ("--exact", False, False, None, None, None, 0, "keep every S3 key as it is"),
        (
            "--include-missing",
            False,
            False,
            None,
            None,
            None,
            0,
            "also grant the calls that were refused",
        ),
        (
            "--policy-name",
            False,
            "AppAccess",
            None,
            None,
            None,
            None,
            "the inline policy's name (default AppAccess)",
        ),
        (
            "--region",
            False,
            None,
            None,
            None,
            None,
            None,
            "AWS region for S3, CloudTrail and IAM calls",
        ),
        ("--format", False, "text", None, ("text", "json"), None, None, None),
    ]


def test_the_cloudtrail_flags_collect_every_value_given():
    from components.least_privilege import cli

    args = cli.parser().parse_args(
        [
            *("--role-arn", ROLE, "--cloudtrail-dir", "a", "--cloudtrail-dir", "b"),
            *("--cloudtrail-s3", "s3://t/x", "--cloudtrail-s3", "s3://t/y"),
        ]
    )
    assert (args.cloudtrail_dir, args.cloudtrail_s3) == (
        [Path("a"), Path("b")],
        ["s3://t/x", "s3://t/y"],
    )


# --- the command end to end, on small inputs --------------------------------------------------


def _one_file_trail(tmp_path):
    folder = tmp_path / "trail"
    folder.mkdir()
    records = [_call("kms.amazonaws.com", "Decrypt", {})]
    (folder / "t.json").write_text(json.dumps({"Records": records}))
    return folder


def test_the_json_report_is_indented_by_two(capsys, tmp_path):
    code, out, _ = _run(
        capsys,
        "--role-arn",
        ROLE,
        "--cloudtrail-dir",
        str(_one_file_trail(tmp_path)),
        "--format",
        "json",
    )
    assert (code, out[:5], out.endswith("}\n")) == (0, '{\n  "', True)


def test_the_text_report_ends_with_one_newline_and_names_the_role(capsys, tmp_path):
    code, out, _ = _run(
        capsys, "--role-arn", ROLE, "--cloudtrail-dir", str(_one_file_trail(tmp_path))
    )
    assert (code, out.splitlines()[0], out.endswith("\n"), out.endswith("\n\n")) == (
        0,
        f"Least privilege for {ROLE}",
        True,
        False,
    )


def test_the_command_keeps_only_the_window_given(capsys, tmp_path):
    folder = tmp_path / "trail"
    folder.mkdir()
    early = _call("kms.amazonaws.com", "Decrypt", {})
    early["eventTime"] = "2026-11-30T08:00:00Z"
    late = _call("kms.amazonaws.com", "Encrypt", {})
    late["eventTime"] = "2026-11-30T16:00:00Z"
    (folder / "t.json").write_text(
        json.dumps({"Records": [early, _call("kms.amazonaws.com", "GenerateDataKey", {}), late]})
    )
    code, out, _ = _run(
        capsys,
        "--role-arn",
        ROLE,
        "--cloudtrail-dir",
        str(folder),
        "--format",
        "json",
        "--since",
        "2026-11-30T10:00:00Z",
        "--until",
        "2026-11-30T14:00:00Z",
    )
    assert (code, _actions(json.loads(out))) == (0, ["kms:GenerateDataKey"])


def test_an_error_of_boto3_itself_is_reported_as_aws_not_reached(capsys, monkeypatch, tmp_path):
    import boto3.exceptions

    from components.least_privilege import cli

    def refuse(args, clients):
        raise boto3.exceptions.ResourceNotExistsError("s3", "Nope", False)

    monkeypatch.setattr(cli, "_grants", refuse)
    code, _, err = _run(capsys, "--role-arn", ROLE, "--cloudtrail-dir", str(tmp_path))
    assert code == 1
    assert err.startswith("ec2-instance-role least-privilege: error: AWS refused or could not be ")
    assert err.endswith(
        ". Check the credentials (AWS_PROFILE), --region, and that they may read the source.\n"
    )


def test_each_source_is_read_with_the_window_and_its_own_client(capsys, monkeypatch):
    from components.least_privilege import cli

    read: list[tuple[str, object, dict]] = []

    def source(kind):
        def reader(where, **window):
            read.append((kind, where, window))
            return iter([{"from": kind}])

        return reader

    monkeypatch.setattr(cli.sources, "from_directory", source("dir"))
    monkeypatch.setattr(
        cli.sources, "from_s3", lambda client, url, **w: source("s3")((client, url), **w)
    )
    monkeypatch.setattr(cli.sources, "from_lookup_events", source("events"))
    args = cli.parser().parse_args(
        [
            *("--role-arn", ROLE, "--cloudtrail-dir", "d", "--cloudtrail-s3", "s3://b/p"),
            "--lookup-events",
        ]
    )
    options = Options(role_arn=ROLE, since=WHEN, until=None)
    clients: Any = lambda service: f"{service}-client"  # noqa: E731 (stands in for _Clients)
    got = list(cli._records(args, options, clients))
    window = {"since": WHEN, "until": None, "progress": cli._say}
    assert (got, read) == (
        [{"from": "dir"}, {"from": "s3"}, {"from": "events"}],
        [
            ("dir", Path("d"), window),
            ("s3", ("s3-client", "s3://b/p"), window),
            ("events", "cloudtrail-client", window),
        ],
    )
    assert capsys.readouterr().err == (
        "==> Reading CloudTrail files under d\n"
        "==> Reading CloudTrail files from s3://b/p\n"
        "==> Looking up management events (CloudTrail LookupEvents)\n"
    )


def test_the_caveats_of_a_rich_report_are_each_said_once_in_order():
    def data(source, name):
        record = _call(source, name, {})
        record.update(eventCategory="Data", managementEvent=False)
        return record

    refused_version = _with_params(
        _s3("GetObject", "v", error=("AccessDenied", "no")), versionId="1"
    )
    refused_version.update(eventCategory="Management", managementEvent=True)  # s3's unlogged
    records_ = [
        data("lambda.amazonaws.com", "Invoke"),
        data("sns.amazonaws.com", "Publish"),
        _call("ec2.amazonaws.com", "DescribeInstances", {}),
        _call("ec2.amazonaws.com", "DescribeRegions", {}),
        refused_version,
    ]
    grants = granted.Grants(
        tuple(
            granted.statements_of(
                "G",
                {
                    "Statement": [
                        {
                            "Sid": "C",
                            "Effect": "Allow",
                            "Action": "s3:GetObject",
                            "Resource": "*",
                            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
                        },
                        {"Sid": "N", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                    ]
                },
            )
        ),
        attached=("arn:aws:iam::123456789012:policy/Mine",),
        unread=("arn:aws:iam::123456789012:policy/Mine",),
        source="snapshots/x.json",
        role_name="other-role",
    )
    notes = _analyse(records_, grants)["caveats"]
    assert notes[1:] == [
        "The records hold data events of lambda, sns but none of s3, sqs: if the application "
        "calls s3 or sqs, enable that service's data events too.",
        PASS_ROLE_NOTE,
        "ec2:DescribeInstances, ec2:DescribeRegions support no resource-level permissions, so "
        "IAM requires Resource '*' for them.",
        "The records name no resource for lambda:InvokeFunction; it is scoped to "
        "arn:aws:lambda:us-east-1:123456789012:function:* (the call's account and region). "
        "Narrow it by hand.",
        "The records name no resource for sns:Publish; it is scoped to "
        "arn:aws:sns:us-east-1:123456789012:* (the call's account and region). Narrow it by "
        "hand.",
        "arn:aws:iam::123456789012:policy/Mine is attached, but its document is not in "
        "snapshots/x.json: its grants are not diffed (use --granted iam).",
        "Conditions in the granted statements are not evaluated: a statement counts as used "
        "when its actions and resources match a call.",
        "G/N uses NotAction or NotResource and is not diffed.",
        f"The role in snapshots/x.json is named other-role, but --role-arn names "
        f"{ROLE.rpartition('/')[2]}: check that the grant is this role's (a deployed role's "
        "generated name differs from the rendered one).",
        "S3 answers AccessDenied, not NoSuchKey, for a key that does not exist when the caller "
        "lacks s3:ListBucket on the bucket: a refused s3:GetObject may be a missing key.",
        "1 refused action(s) are listed under missing and are not in the policy: grant the ones "
        "the application needs, or run again with --include-missing.",
    ]


def test_a_grant_of_the_roles_own_name_in_another_case_is_no_mismatch():
    grants = granted.Grants((), source="x.json", role_name=ROLE.rpartition("/")[2].upper())
    assert not [n for n in _analyse([], grants)["caveats"] if "is named" in n]


def test_included_refusals_are_not_counted_as_left_out_of_the_policy():
    refused = _call("kms.amazonaws.com", "Decrypt", {}, error=("AccessDenied", "no"))
    notes = _analyse([refused], include_missing=True)["caveats"]
    assert not [n for n in notes if "refused action(s)" in n]


def test_a_multi_object_delete_says_its_keys_are_not_logged():
    notes = _analyse([_s3("DeleteObjects", None)])["caveats"]
    assert (
        "s3:DeleteObject via DeleteObjects: CloudTrail logs the bucket but not the keys of a "
        "multi-object delete, so it is granted on the bucket's every key." in notes
    )


def test_a_refused_multi_object_delete_included_says_its_keys_are_not_logged():
    refused = _s3("DeleteObjects", None, error=("AccessDenied", "Access Denied"))
    notes = _analyse([refused], include_missing=True)["caveats"]
    assert (
        "s3:DeleteObject via DeleteObjects: CloudTrail logs the bucket but not the keys of a "
        "multi-object delete, so it is granted on the bucket's every key." in notes
    )


def test_the_command_picks_the_role_named_in_a_resources_json(capsys, tmp_path):
    code, _, err = _run(
        capsys,
        "--role-arn",
        ROLE,
        "--cloudtrail-dir",
        str(tmp_path),
        "--granted",
        str(PROD),
        "--granted-role",
        "nope",
    )
    assert (code, err) == (
        2,
        f"ec2-instance-role least-privilege: error: --granted {PROD} holds 1 IAM roles. No role "
        "'nope' here (roles: app-role).\n",
    )


def test_the_commands_own_usage_errors_name_the_program(capsys):
    with pytest.raises(SystemExit):
        run(["--no-such-flag"], prog="lp")
    assert capsys.readouterr().err.startswith("usage: lp ")


def test_the_command_asks_aws_in_the_region_given(capsys, monkeypatch, tmp_path):
    from components.least_privilege import cli

    regions: list[str | None] = []

    class Recording(cli._Clients):
        def __init__(self, region: str | None) -> None:
            regions.append(region)
            super().__init__(region)

    monkeypatch.setattr(cli, "_Clients", Recording)
    _run(capsys, "--role-arn", ROLE, "--cloudtrail-dir", str(tmp_path), "--region", "eu-west-3")
    assert regions == ["eu-west-3"]


def test_the_command_says_how_long_the_reading_took(capsys, monkeypatch, tmp_path):
    from components.least_privilege import cli

    clock = iter([100.0, 101.5])
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    _, _, err = _run(capsys, "--role-arn", ROLE, "--cloudtrail-dir", str(tmp_path))
    assert "==> Read 0 records (0 of this role) in 1.5 s\n" in err
