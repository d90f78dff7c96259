"""Where records and grants come from: a folder, S3 and LookupEvents; IAM, a policy file and a
stack's resources.json (components/least_privilege)."""

import datetime as dt
import gzip
import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from components.least_privilege import granted, records
from components.validation import InputError
from offline import cloudtrail_corpus as corpus

from conftest import fake_aws_credentials

ROOT = Path(__file__).resolve().parent.parent
WHEN = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


def _call(name="GetSecretValue", when=WHEN):
    return corpus.record(when, "secretsmanager.amazonaws.com", name, {"secretId": "my-app/db"})


def _write(path: Path, content: object, *, gz: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(content).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


# --- a folder ---------------------------------------------------------------------------------


def test_a_folder_yields_the_records_of_gzipped_and_plain_files_in_every_subfolder(tmp_path):
    day = tmp_path / "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/30"
    _write(day / "a.json.gz", {"Records": [_call("A")]})
    _write(day / "deeper/b.json", {"Records": [_call("B"), _call("C")]}, gz=False)
    names = [r["eventName"] for r in records.from_directory(tmp_path)]
    assert names == ["A", "B", "C"]


def test_a_folder_skips_digest_files(tmp_path):
    _write(tmp_path / "AWSLogs/1/CloudTrail-Digest/us-east-1/x.json.gz", {"digestEndTime": "x"})
    _write(tmp_path / "AWSLogs/1/CloudTrail/us-east-1/y.json.gz", {"Records": [_call()]})
    assert len(list(records.from_directory(tmp_path))) == 1


def test_a_file_that_is_not_json_is_refused_by_name(tmp_path):
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(b"{not json"))
    with pytest.raises(InputError, match=r"bad\.json\.gz is not a CloudTrail log file"):
        list(records.from_directory(tmp_path))


def test_a_file_that_is_not_json_is_refused_with_the_fix(tmp_path):
    (tmp_path / "notes.json").write_bytes(b"TODO")
    with pytest.raises(InputError) as refused:
        list(records.from_directory(tmp_path))
    assert str(refused.value).endswith(
        "Remove it, or point the source at the folder CloudTrail delivers to."
    )


def test_a_file_holding_a_json_array_is_skipped_and_said(tmp_path):
    _write(tmp_path / "list.json", [{"Records": [_call()]}], gz=False)
    said: list[str] = []
    assert list(records.from_directory(tmp_path, progress=said.append)) == []
    assert said == [
        f"skipped {tmp_path / 'list.json'}: it holds no 'Records' array, so no CloudTrail calls"
    ]


def test_a_plain_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    # Windows editors save UTF-8 with a BOM; json reads bytes whatever their encoding mark.
    path = tmp_path / "edited.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"Records": [_call("A")]}).encode())
    assert [r["eventName"] for r in records.from_directory(tmp_path)] == ["A"]


def test_a_file_without_a_records_array_is_skipped_and_said(tmp_path):
    _write(tmp_path / "other.json", {"items": []}, gz=False)
    _write(tmp_path / "trail.json", {"Records": [_call()]}, gz=False)
    said: list[str] = []
    assert len(list(records.from_directory(tmp_path, progress=said.append))) == 1
    assert said == [
        f"skipped {tmp_path / 'other.json'}: it holds no 'Records' array, so no CloudTrail calls"
    ]


def test_other_services_files_in_a_log_archive_are_not_read(tmp_path):
    _write(
        tmp_path / "AWSLogs/123456789012/Config/us-east-1/2026/11/30/c.json.gz",
        {"configurationItems": []},
    )
    _write(
        tmp_path / "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/30/t.json.gz",
        {"Records": [_call()]},
    )
    said: list[str] = []
    assert len(list(records.from_directory(tmp_path, progress=said.append))) == 1
    assert said == []  # the Config file is not even opened: no "skipped" line for it


def test_a_date_in_the_folder_above_the_trail_does_not_date_its_files(tmp_path):
    base = tmp_path / "backups/2020/01/05/AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/30"
    _write(base / "t.json.gz", {"Records": [_call()]})
    since = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    assert len(list(records.from_directory(tmp_path, since=since))) == 1


def test_a_missing_folder_is_refused_with_the_flag_and_the_fix(tmp_path):
    with pytest.raises(InputError, match=r"--cloudtrail-dir .*: no such folder.*aws s3 sync"):
        list(records.from_directory(tmp_path / "nope"))


def test_a_folder_dated_outside_the_window_is_not_read(tmp_path):
    base = tmp_path / "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11"
    _write(
        base / "01/old.json.gz",
        {"Records": [_call("Old", dt.datetime(2026, 11, 1, tzinfo=dt.UTC))]},
    )
    _write(base / "30/new.json.gz", {"Records": [_call("New")]})
    since = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    names = [r["eventName"] for r in records.from_directory(tmp_path, since=since)]
    assert names == ["New"]


def test_records_outside_the_window_are_dropped():
    kept = records.within(
        [
            _call("Early", WHEN - dt.timedelta(hours=2)),
            _call("In"),
            _call("Late", WHEN + dt.timedelta(hours=2)),
        ],
        WHEN - dt.timedelta(hours=1),
        WHEN + dt.timedelta(hours=1),
    )
    assert [r["eventName"] for r in kept] == ["In"]


def test_records_at_either_end_of_the_window_are_kept():
    start, end = WHEN - dt.timedelta(hours=1), WHEN + dt.timedelta(hours=1)
    kept = records.within([_call("AtStart", start), _call("AtEnd", end)], start, end)
    assert [r["eventName"] for r in kept] == ["AtStart", "AtEnd"]


def test_a_folder_says_how_far_it_got_after_each_five_hundredth_file(tmp_path):
    for n in range(501):
        _write(tmp_path / f"f{n:03}.json", {"Records": [_call(f"N{n}")]}, gz=False)
    events: list[str] = []
    for record in records.from_directory(tmp_path, progress=events.append):
        events.append(record["eventName"])
    assert events[499:502] == ["N499", f"read 500 of 501 files in {tmp_path}", "N500"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30", dt.datetime(2026, 11, 30, tzinfo=dt.UTC)),
        ("2026-11-30T12:00:00Z", WHEN),
        ("2026-11-30T13:00:00+01:00", WHEN),
    ],
)
def test_a_time_is_a_date_or_a_utc_time(text, expected):
    assert records.parse_time(text, flag="--since") == expected


def test_a_day_given_as_the_end_includes_that_day():
    until = records.parse_time("2026-11-30", flag="--until")
    assert until == dt.datetime(2026, 12, 1, tzinfo=dt.UTC) - dt.timedelta(microseconds=1)


def test_a_span_is_counted_back_from_now():
    parsed = records.parse_time("7d", flag="--since")
    expected = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    assert abs((parsed - expected).total_seconds()) < 60


def test_a_time_that_is_none_of_those_is_refused_with_the_forms():
    with pytest.raises(InputError, match=r"--until 'yesterday' is not a time.*7d, 12h"):
        records.parse_time("yesterday", flag="--until")


# --- S3 ---------------------------------------------------------------------------------------


@pytest.fixture
def trail(monkeypatch):
    """An S3 client of moto's emulator, its bucket ``trail`` empty."""
    fake_aws_credentials(monkeypatch, "us-east-1")
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="trail")
        yield s3


def test_s3_yields_the_records_of_every_page_of_keys(trail):
    prefix = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/30"
    for i in range(1001):  # past one page of list_objects_v2
        body = gzip.compress(json.dumps({"Records": [_call(f"N{i}")]}).encode())
        trail.put_object(Bucket="trail", Key=f"{prefix}/f{i:04d}.json.gz", Body=body)
    trail.put_object(
        Bucket="trail", Key="AWSLogs/123456789012/CloudTrail-Digest/d.json.gz", Body=b"x"
    )
    read = list(records.from_s3(trail, "s3://trail/AWSLogs/"))
    assert len(read) == 1001
    assert read[0]["eventName"] == "N0"


def test_s3_reads_only_keys_under_the_prefix(trail):
    for key, name in (("a/x.json.gz", "A"), ("b/y.json.gz", "B")):
        body = gzip.compress(json.dumps({"Records": [_call(name)]}).encode())
        trail.put_object(Bucket="trail", Key=key, Body=body)
    read = list(records.from_s3(trail, "s3://trail/b/"))
    assert [r["eventName"] for r in read] == ["B"]


@pytest.mark.parametrize("url", ["trail/AWSLogs", "s3://", "https://trail.s3.amazonaws.com/x"])
def test_an_s3_location_that_is_not_one_is_refused_with_the_form(url):
    with pytest.raises(InputError, match=r"is not an S3 location. Give s3://BUCKET/PREFIX"):
        records.parse_s3_url(url)


# --- LookupEvents (moto does not implement it: a stubbed client) ---------------------------


def test_lookup_events_yields_each_events_record_across_pages():
    client = boto3.client(
        "cloudtrail", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    start, end = WHEN - dt.timedelta(days=1), WHEN
    with Stubber(client) as stub:
        stub.add_response(
            "lookup_events",
            {
                "Events": [{"EventId": "1", "CloudTrailEvent": json.dumps(_call("A"))}],
                "NextToken": "t",
            },
            {"StartTime": start, "EndTime": end},
        )
        stub.add_response(
            "lookup_events",
            {"Events": [{"EventId": "2", "CloudTrailEvent": json.dumps(_call("B"))}]},
            {"StartTime": start, "EndTime": end, "NextToken": "t"},
        )
        names = [r["eventName"] for r in records.from_lookup_events(client, since=start, until=end)]
        stub.assert_no_pending_responses()
    assert names == ["A", "B"]


# --- grants -----------------------------------------------------------------------------------


def test_iam_grants_are_the_inline_policies_and_managed_default_versions(monkeypatch):
    fake_aws_credentials(monkeypatch, "us-east-1")
    inline = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
            }
        ],
    }
    v1 = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
    }
    v2 = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"}],
    }
    with mock_aws():
        iam = boto3.client("iam")
        iam.create_role(RoleName="app", AssumeRolePolicyDocument="{}")
        iam.put_role_policy(
            RoleName="app", PolicyName="AppAccess", PolicyDocument=json.dumps(inline)
        )
        arn = iam.create_policy(PolicyName="Queue", PolicyDocument=json.dumps(v1))["Policy"]["Arn"]
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2), SetAsDefault=True)
        iam.attach_role_policy(RoleName="app", PolicyArn=arn)
        grants = granted.from_iam(iam, "app")
    assert [(s.policy, s.where, s.actions) for s in grants.statements] == [
        ("AppAccess", "Read", ("s3:GetObject",)),
        (arn, "#0", ("sqs:ReceiveMessage",)),
    ]
    assert grants.attached == (arn,)


def test_iam_agent_policies_are_known_as_attached_but_not_diffed(monkeypatch):
    fake_aws_credentials(monkeypatch, "us-east-1")
    core = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    with mock_aws(config={"iam": {"load_aws_managed_policies": True}}):
        iam = boto3.client("iam")
        iam.create_role(RoleName="app", AssumeRolePolicyDocument="{}")
        iam.attach_role_policy(RoleName="app", PolicyArn=core)
        grants = granted.from_iam(iam, "app")
    assert grants.statements == ()
    assert grants.agent_attached("ssm-agent")
    assert not grants.agent_attached("cloudwatch-agent")


def test_a_policy_file_is_one_document_named_after_the_file(tmp_path):
    path = _write(
        tmp_path / "grant.json",
        {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
        gz=False,
    )
    grants = granted.from_file(path)
    assert [(s.policy, s.actions) for s in grants.statements] == [("grant", ("s3:GetObject",))]


def test_a_map_file_is_one_document_per_name(tmp_path):
    doc = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    path = _write(tmp_path / "inline.json", {"A": doc, "B": json.dumps(doc)}, gz=False)
    assert [s.policy for s in granted.from_file(path).statements] == ["A", "B"]


def test_a_resources_json_yields_its_roles_inline_policies_and_attachments():
    grants = granted.from_file(ROOT / "snapshots/resources.prod.json")
    assert {s.policy for s in grants.statements} == {"AppAccess"}  # the guard only denies
    assert {s.where for s in grants.statements} == {
        "S3ListBucket",
        "S3ObjectReadWrite",
        "SQSAccess",
        "SecretsManagerAccess",
    }
    assert grants.agent_attached("ssm-agent")
    assert grants.agent_attached("cloudwatch-agent")
    assert grants.unread == ()


def test_a_resources_json_with_several_roles_asks_for_one_by_name(tmp_path):
    roles = [
        {"type": "aws:iam/role:Role", "name": n, "urn": f"urn:{n}"} for n in ("a-role", "b-role")
    ]
    path = _write(tmp_path / "resources.json", {"resources": roles}, gz=False)
    with pytest.raises(
        InputError,
        match=r"holds 2 IAM roles. Pick one with --granted-role \(roles here: a-role, b-role\)",
    ):
        granted.from_file(path)
    assert granted.from_file(path, role="b-role").statements == ()


def test_a_customer_managed_attachment_in_resources_json_is_reported_unread(tmp_path):
    resources = [
        {"type": "aws:iam/role:Role", "name": "r", "urn": "urn:r"},
        {
            "type": "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "name": "m",
            "urn": "urn:m",
            "dependencies": ["urn:r"],
            "inputs": {"policyArn": "arn:aws:iam::123456789012:policy/Mine"},
        },
    ]
    path = _write(tmp_path / "resources.json", {"resources": resources}, gz=False)
    assert granted.from_file(path).unread == ("arn:aws:iam::123456789012:policy/Mine",)


def test_a_granted_file_that_does_not_exist_is_refused_with_the_choices(tmp_path):
    with pytest.raises(
        InputError,
        match=r"no such file. Give 'iam', a policy JSON file, or a stack's resources.json",
    ):
        granted.from_file(tmp_path / "nope.json")


def test_a_granted_file_that_is_not_a_policy_is_refused(tmp_path):
    path = _write(tmp_path / "list.json", [1, 2], gz=False)
    with pytest.raises(InputError, match=r"is neither a policy document"):
        granted.from_file(path)


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y", True),
        ("arn:aws:s3:::b/?", "arn:aws:s3:::b/xy", False),
        ("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", True),
        ("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", False),
        ("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/k", True),
        ("arn:aws:s3:::B", "arn:aws:s3:::b", False),
        ("a${?}b", "a?b", True),
        ("a${?}b", "axb", False),
        ("a${$}b", "a$b", True),
        ("a${$}b", "axb", False),
        ("a?b", "axb", True),
        ("${*}x", "*x", True),
        ("${aws:a}/${aws:b}", "one/two", True),
        ("${aws:a}/${aws:b}", "one-two", False),
        ("x${aws:username}y", "xy", False),
        ("a${b", "a${b", True),
        ("a${b", "axb", False),
    ],
)
def test_grants_match_resources_as_iam_does(pattern, value, matches):
    assert bool(granted.iam_pattern(pattern, case_sensitive=True).fullmatch(value)) is matches


def test_grants_match_actions_whatever_their_case():
    statement = granted.statements_of(
        "p", {"Statement": [{"Effect": "Allow", "Action": "S3:getobject", "Resource": "*"}]}
    )[0]
    assert statement.allows_action("s3:GetObject") == (0,)


def test_a_grant_file_without_statements_is_refused(tmp_path):
    path = _write(tmp_path / "g.json", {"Version": "2012-10-17"}, gz=False)
    with pytest.raises(InputError, match=r"is neither a policy document"):
        granted.from_file(path)


def test_a_grant_map_with_a_value_that_is_not_json_is_refused(tmp_path):
    path = _write(tmp_path / "g.json", {"A": "not json"}, gz=False)
    with pytest.raises(InputError, match=r"A is not an IAM policy document \(not JSON\)"):
        granted.from_file(path)


def test_a_grant_that_is_a_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"cannot be read"):
        granted.from_file(tmp_path)


def _resources_file(tmp_path, resources):
    return _write(tmp_path / "resources.json", {"resources": resources}, gz=False)


def _role(name, **more):
    return {"type": "aws:iam/role:Role", "name": name, "urn": f"urn:{name}", **more}


def _inline(name, role, *, policy_documents=None, inputs=None):
    found = {
        "type": "aws:iam/rolePolicy:RolePolicy",
        "name": name,
        "urn": f"urn:{name}",
        "dependencies": [f"urn:{role}"],
    }
    if policy_documents is not None:
        found["policyDocuments"] = policy_documents
    if inputs is not None:
        found["inputs"] = inputs
    return found


READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
WRITE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}],
}


def test_the_role_asked_for_by_name_is_the_one_read(tmp_path):
    path = _resources_file(
        tmp_path,
        [
            _role("a-role"),
            _role("b-role"),
            _inline("a-doc", "a-role", policy_documents={"policy": READ}),
            _inline("b-doc", "b-role", policy_documents={"policy": WRITE}),
        ],
    )
    grants = granted.from_file(path, role="b-role")
    assert [(s.policy, s.actions) for s in grants.statements] == [("b-doc", ("s3:PutObject",))]
    assert grants.source == f"{path} (role b-role)"


def test_a_role_asked_for_that_is_not_there_is_refused_with_the_roles_there(tmp_path):
    path = _resources_file(tmp_path, [_role("a-role"), _role("b-role")])
    with pytest.raises(InputError) as error:
        granted.from_file(path, role="c-role")
    assert str(error.value) == (
        f"--granted {path} holds 2 IAM roles. No role 'c-role' here (roles: a-role, b-role)."
    )


def test_a_resources_json_without_roles_is_refused_saying_none(tmp_path):
    path = _resources_file(tmp_path, [])
    with pytest.raises(InputError) as error:
        granted.from_file(path)
    assert str(error.value) == (
        f"--granted {path} holds 0 IAM roles. Pick one with --granted-role (roles here: none)."
    )


def test_an_inline_policy_is_read_from_its_rendered_document_first(tmp_path):
    path = _resources_file(
        tmp_path,
        [
            _role("r"),
            _inline(
                "doc",
                "r",
                policy_documents={"policy": WRITE},
                inputs={"name": "app", "policy": READ},
            ),
        ],
    )
    assert [(s.policy, s.actions) for s in granted.from_file(path).statements] == [
        ("app", ("s3:PutObject",))
    ]


def test_an_inline_policy_without_a_rendered_document_is_read_from_its_input(tmp_path):
    path = _resources_file(tmp_path, [_role("r"), _inline("doc", "r", inputs={"policy": READ})])
    assert [(s.policy, s.actions) for s in granted.from_file(path).statements] == [
        ("doc", ("s3:GetObject",))
    ]


def test_an_inline_policy_without_inputs_is_named_after_its_resource(tmp_path):
    path = _resources_file(
        tmp_path, [_role("r"), _inline("doc", "r", policy_documents={"policy": READ})]
    )
    assert [s.policy for s in granted.from_file(path).statements] == ["doc"]


def test_lookup_events_says_how_many_events_it_has_read_after_each_page():
    client = boto3.client(
        "cloudtrail", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    said = []
    with Stubber(client) as stub:
        stub.add_response(
            "lookup_events",
            {
                "Events": [
                    {"EventId": "1", "CloudTrailEvent": json.dumps(_call("A"))},
                    {"EventId": "2", "CloudTrailEvent": json.dumps(_call("B"))},
                ],
                "NextToken": "t",
            },
            {},
        )
        stub.add_response("lookup_events", {"NextToken": "u"}, {"NextToken": "t"})
        stub.add_response(
            "lookup_events",
            {"Events": [{"EventId": "3", "CloudTrailEvent": json.dumps(_call("C"))}]},
            {"NextToken": "u"},
        )
        names = [r["eventName"] for r in records.from_lookup_events(client, progress=said.append)]
    assert names == ["A", "B", "C"]
    assert said == ["looked up 2 events", "looked up 2 events", "looked up 3 events"]


def test_a_span_in_hours_is_counted_back_in_hours():
    before = dt.datetime.now(dt.UTC)
    parsed = records.parse_time("12h", flag="--since")
    after = dt.datetime.now(dt.UTC)
    assert before - dt.timedelta(hours=12) <= parsed <= after - dt.timedelta(hours=12)


def test_a_time_that_is_none_of_those_is_refused_whole():
    with pytest.raises(InputError) as error:
        records.parse_time("yesterday", flag="--until")
    assert str(error.value) == (
        "--until 'yesterday' is not a time. Give a date (2026-11-30), a UTC time "
        "(2026-11-30T12:00:00Z) or a span back from now (7d, 12h)."
    )


# --- a role's name in a resources.json --------------------------------------------------------

ROLE_URN = "urn:pulumi:dev::p::aws:iam/role:Role::app-role"
POLICY = {"inputs": {"role": "from-the-policy"}, "dependencies": [ROLE_URN]}


def test_a_roles_own_name_input_wins_over_its_policies():
    role = {"urn": ROLE_URN, "inputs": {"name": "app-role-1234567"}}
    assert granted._role_name(role, [POLICY]) == "app-role-1234567"


def test_a_role_without_a_name_input_is_named_by_a_policy_attached_to_it():
    role = {"urn": ROLE_URN, "inputs": {}}
    assert granted._role_name(role, [POLICY]) == "from-the-policy"


def test_a_policy_of_another_role_does_not_name_this_one():
    role = {"urn": ROLE_URN, "inputs": {}}
    other = {"inputs": {"role": "other"}, "dependencies": ["urn:pulumi:dev::p::x::other"]}
    assert granted._role_name(role, [other]) is None


def test_a_policy_whose_role_is_unknown_does_not_name_the_role():
    role = {"urn": ROLE_URN}
    unknown = {"inputs": {"role": {"unknown": True}}, "dependencies": [ROLE_URN]}
    assert granted._role_name(role, [unknown, POLICY]) == "from-the-policy"


# --- a grant file: where it came from, and each refusal whole ---------------------------------


def test_a_grant_file_is_the_source_of_its_grants(tmp_path):
    doc = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    path = _write(tmp_path / "grant.json", doc, gz=False)
    assert granted.from_file(path).source == str(path)


def test_a_grant_file_that_is_not_json_is_refused_with_the_parse_error(tmp_path):
    path = tmp_path / "g.json"
    path.write_text("{nope")
    with pytest.raises(InputError) as raised:
        granted.from_file(path)
    assert str(raised.value) == (
        f"--granted {path} is not JSON (Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1))."
    )


def test_a_grant_file_of_no_known_form_is_refused_naming_the_forms(tmp_path):
    path = _write(tmp_path / "list.json", [1, 2], gz=False)
    with pytest.raises(InputError) as raised:
        granted.from_file(path)
    assert str(raised.value) == (
        f"--granted {path} is neither a policy document, a {{name: document}} map, nor a "
        "resources.json."
    )


def test_a_grant_that_cannot_be_read_is_refused_with_the_reason_and_the_choices(tmp_path):
    with pytest.raises(InputError) as raised:
        granted.from_file(tmp_path)
    assert str(raised.value) == (
        f"--granted {tmp_path} cannot be read (Is a directory). Give 'iam', a policy JSON "
        "file, or a stack's resources.json."
    )


def test_the_allow_statements_of_a_document_are_read_whole():
    document = {
        "Statement": [
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
            {
                "Sid": "",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
            },
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Condition": {}},
            {"Sid": 5, "Effect": "Allow", "Action": ["sqs:SendMessage"], "NotResource": "x"},
            "not a statement",
            {"Sid": "Named", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": ["k1", "k2"]},
        ]
    }
    assert [
        (s.policy, s.where, s.actions, s.resources, s.conditional, s.not_elements)
        for s in granted.statements_of("P", document)
    ] == [
        ("P", "#1", ("s3:GetObject",), ("arn:aws:s3:::b/*",), False, False),
        ("P", "#2", (), ("*",), True, True),
        ("P", "#3", ("sqs:SendMessage",), (), False, True),
        ("P", "Named", ("kms:Decrypt",), ("k1", "k2"), False, False),
    ]


def test_a_document_without_statements_grants_nothing():
    assert granted.statements_of("P", {"Version": "2012-10-17"}) == []


def test_documents_given_directly_are_the_grants_source():
    doc = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    assert granted.from_documents({"A": doc}).source == "documents"


def test_a_grant_that_is_not_a_document_is_refused_naming_it():
    with pytest.raises(InputError) as raised:
        granted.from_documents({"A": ["not", "a", "document"]})
    assert str(raised.value) == "A is not an IAM policy document (no 'Statement')."


def test_a_roles_grants_in_iam_are_its_inline_and_managed_policies_past_an_agents(monkeypatch):
    fake_aws_credentials(monkeypatch, "us-east-1")
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:PurgeQueue", "Resource": "*"}],
    }
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_role(RoleName="app", AssumeRolePolicyDocument="{}")
        iam.put_role_policy(RoleName="app", PolicyName="Inline", PolicyDocument=json.dumps(doc))
        mine = iam.create_policy(PolicyName="Mine", PolicyDocument=json.dumps(doc))["Policy"]
        agent = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
        iam.attach_role_policy(RoleName="app", PolicyArn=agent)
        iam.attach_role_policy(RoleName="app", PolicyArn=mine["Arn"])
        grants = granted.from_iam(iam, "app")
    assert (grants.source, grants.attached, [s.policy for s in grants.statements]) == (
        "IAM role app",
        (agent, mine["Arn"]),
        ["Inline", mine["Arn"]],
    )


# --- a folder: its window's end, its progress, its refusal whole ------------------------------


def test_a_folder_dated_after_the_window_is_not_read(tmp_path):
    base = tmp_path / "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11"
    _write(base / "27/in.json.gz", {"Records": [_call("In", WHEN - dt.timedelta(days=3))]})
    _write(base / "30/late.json.gz", {"Records": [_call("Late")]})
    until = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    names = [r["eventName"] for r in records.from_directory(tmp_path, until=until)]
    assert names == ["In"]


def test_reading_a_folder_says_how_far_it_got_every_500_files(tmp_path):
    for n in range(1000):
        _write(tmp_path / f"t{n:04}.json", {"Records": []}, gz=False)
    said: list[str] = []
    assert list(records.from_directory(tmp_path, progress=said.append)) == []
    assert said == [
        f"read 500 of 1000 files in {tmp_path}",
        f"read 1000 of 1000 files in {tmp_path}",
    ]


def test_a_missing_folder_is_refused_whole(tmp_path):
    with pytest.raises(InputError) as raised:
        list(records.from_directory(tmp_path / "nope"))
    assert str(raised.value) == (
        f"--cloudtrail-dir {tmp_path / 'nope'}: no such folder. Give the folder that holds the "
        "trail's files (for example a copy made with aws s3 sync s3://BUCKET/AWSLogs/ ./trail)."
    )


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("2026-11-30T12:00:00Z", WHEN),
        ("2026-11-30T12:00:00", WHEN),
        ("2026-11-30T13:00:00+01:00", WHEN),
        ("yesterday", None),
        (5, None),
    ],
    ids=["utc", "no zone is utc", "another zone", "not a time", "not a string"],
)
def test_a_records_time_is_read_as_an_aware_datetime(value, parsed):
    found = records.event_time({"eventTime": value})
    assert found == parsed
    assert found is None or found.utcoffset() is not None


# --- which dated files can hold records of the window, at its edges ----------------------------

DAY_FILE = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/28/x.json.gz"
DAY = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
TICK = dt.timedelta(microseconds=1)
SLACK = dt.timedelta(days=1)  # a record is delivered up to a day after its event


@pytest.mark.parametrize(
    ("since", "until", "read"),
    [
        (DAY + dt.timedelta(days=1) + SLACK - TICK, None, True),
        (DAY + dt.timedelta(days=1) + SLACK, None, False),
        (None, DAY - SLACK, True),
        (None, DAY - SLACK - TICK, False),
        (None, None, True),
    ],
    ids=[
        "since just before the day's last delivery",
        "since at it",
        "until at the day's first possible record",
        "until just before it",
        "no window",
    ],
)
def test_a_dated_file_is_read_when_its_day_can_hold_records_of_the_window(since, until, read):
    assert records._within_days(f"/{DAY_FILE}", since, until) is read


def test_an_undated_file_is_always_read():
    assert records._within_days("/elsewhere/x.json.gz", DAY, DAY) is True


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("s3://trail-bucket", ("trail-bucket", "")),
        ("s3://trail-bucket/AWSLogs/", ("trail-bucket", "AWSLogs/")),
    ],
    ids=["a bucket", "a bucket and a prefix"],
)
def test_an_s3_location_is_its_bucket_and_prefix(url, parts):
    assert records.parse_s3_url(url) == parts


def test_a_location_that_is_not_s3_is_refused_with_an_example():
    with pytest.raises(InputError) as raised:
        records.parse_s3_url("trail")
    assert str(raised.value) == (
        "--cloudtrail-s3 'trail' is not an S3 location. Give s3://BUCKET/PREFIX, for example "
        "s3://my-trail-bucket/AWSLogs/123456789012/CloudTrail/."
    )


def test_s3_reads_plain_and_gzipped_files_of_the_window_saying_how_far_it_got(trail):
    base = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11"
    said: list[str] = []
    for n in range(100):
        body = json.dumps({"Records": [_call(f"N{n}")]}).encode()
        trail.put_object(Bucket="trail", Key=f"{base}/29/p{n:03}.json", Body=body)
    trail.put_object(Bucket="trail", Key=f"{base}/20/old.json.gz", Body=b"not read")
    trail.put_object(Bucket="trail", Key=f"{base}/30/new.json.gz", Body=b"not read either")
    late = gzip.compress(json.dumps({"Records": [_call("Late")]}).encode())
    trail.put_object(Bucket="trail", Key=f"{base}/29/z.json.gz", Body=late)
    read = list(
        records.from_s3(
            trail,
            "s3://trail/AWSLogs/",
            since=dt.datetime(2026, 11, 28, tzinfo=dt.UTC),
            until=dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC),
            progress=said.append,
        )
    )
    assert [r["eventName"] for r in read] == [*(f"N{n}" for n in range(100)), "Late"]
    assert said == ["read 100 files from s3://trail/AWSLogs/"]


def test_s3_reads_nothing_under_a_prefix_that_holds_no_keys(trail):
    # list_objects_v2 then answers a page without "Contents".
    assert list(records.from_s3(trail, "s3://trail/AWSLogs/")) == []


def test_s3_says_how_far_it_got_after_each_hundredth_file(trail):
    for n in range(101):
        body = json.dumps({"Records": [_call(f"N{n}")]}).encode()
        trail.put_object(Bucket="trail", Key=f"t/f{n:03}.json", Body=body)
    events: list[str] = []
    for record in records.from_s3(trail, "s3://trail/t/", progress=events.append):
        events.append(record["eventName"])
    assert events[99:102] == ["N99", "read 100 files from s3://trail/t/", "N100"]


def test_s3_says_which_file_it_skipped_for_holding_no_records(trail):
    trail.put_object(Bucket="trail", Key="t/other.json", Body=b'{"digest": 1}')
    said: list[str] = []
    assert list(records.from_s3(trail, "s3://trail/t/", progress=said.append)) == []
    assert said == [
        "skipped s3://trail/t/other.json: it holds no 'Records' array, so no CloudTrail calls"
    ]


def test_s3_names_the_object_that_is_not_a_log_file(trail):
    trail.put_object(Bucket="trail", Key="t/bad.json", Body=b"{nope")
    with pytest.raises(InputError, match=r"^s3://trail/t/bad\.json is not a CloudTrail log"):
        list(records.from_s3(trail, "s3://trail/t/"))


@pytest.mark.parametrize(
    ("record", "where"),
    [
        (
            {
                "recipientAccountId": "111111111111",
                "awsRegion": "eu-west-1",
                "userIdentity": {"accountId": "222222222222"},
            },
            ("aws", "eu-west-1", "111111111111"),
        ),
        ({"userIdentity": {"accountId": "222222222222"}}, ("aws", "", "222222222222")),
        ({"userIdentity": None}, ("aws", "", "")),
    ],
    ids=["the recipient account", "the caller's account", "neither"],
)
def test_a_calls_account_is_the_recipients_else_the_callers(record, where):
    from components.least_privilege.resources import Where
    from components.least_privilege.resources import where as where_of

    assert where_of(record, "aws") == Where(*where)
