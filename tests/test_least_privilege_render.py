"""The least-privilege report as a person reads it (components/least_privilege/render.py): every
section of a report, each kind of line in it, compared whole."""

import ast

from components.least_privilege.render import paste_entry, text

ROLE = "arn:aws:iam::123456789012:role/app"

STATEMENTS = [
    {
        "Sid": "S3Read",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
    },
    {"Sid": "Sts", "Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": ["*"]},
]

FULL = {
    "records": {
        "first": "2026-11-30T00:00:00Z",
        "last": "2026-11-30T23:59:00Z",
        "kept": 7,
        "read": 9,
    },
    "policy": {"Version": "2012-10-17", "Statement": STATEMENTS},
    "inline_policies": {"least-privilege": {"Version": "2012-10-17", "Statement": STATEMENTS}},
    "unused": [
        {
            "policy": "Grant",
            "statement": "Send",
            "action": "sqs:SendMessage",
            "reason": "never called",
        },
        {
            "policy": "Grant",
            "statement": "Any",
            "resource": "*",
            "resources": ["arn:aws:s3:::data", "arn:aws:s3:::logs"],
            "observed": ["arn:aws:s3:::data", "arn:aws:s3:::data/a"],
            "reason": "wider than the calls",
        },
        {
            "policy": "Managed",
            "statement": "#0",
            "action": "kms:Decrypt",
            "resources": "arn:aws:kms:eu-west-1:123456789012:key/k",
            "reason": "never called",
        },
    ],
    "missing": [
        {
            "action": "s3:DeleteObject",
            "resource": "arn:aws:s3:::data/a",
            "error_code": "AccessDenied",
            "count": 2,
            "event": "DeleteObject",
            "instances": ["i-1", "i-2"],
            "granted_by": [],
        },
        {
            "action": "sqs:ReceiveMessage",
            "resource": "arn:aws:sqs:eu-west-1:123456789012:q",
            "error_code": "AccessDenied",
            "count": 1,
            "event": "ReceiveMessage",
            "instances": ["i-1"],
            "granted_by": ["Grant/Recv", "Other/All"],
        },
    ],
    "imdsv1": [
        {
            "instance_id": "i-1",
            "calls": 3,
            "first_seen": "2026-11-30T01:00:00Z",
            "last_seen": "2026-11-30T02:00:00Z",
            "actions": ["s3:GetObject", "sts:GetCallerIdentity"],
        }
    ],
    "unmapped": [
        {
            "event_source": "example.amazonaws.com",
            "event_name": "Frob",
            "count": 4,
            "reason": "no IAM action",
            "example_event_id": "e-1",
        }
    ],
    "left_out": [{"call": "ssm:UpdateInstanceInformation", "count": 5, "reason": "the agent's"}],
    "caveats": [
        "Short.",
        "A caveat long enough to wrap: the records cover one day only, so a monthly job is not in "
        "them and its calls are missing from the policy.",
    ],
}

FULL_TEXT = """\
Least privilege for arn:aws:iam::123456789012:role/app
7 of 9 records are this role's calls (2026-11-30T00:00:00Z to 2026-11-30T23:59:00Z).

Policy: what the records show the application needs (2):
  S3Read: s3:GetObject, s3:ListBucket
      on arn:aws:s3:::data
      on arn:aws:s3:::data/*
  Sts: sts:GetCallerIdentity
      on *

Ready to paste into InstanceRoleArgs:
"inline_policies": {
    "least-privilege": {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "S3Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], \
"Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]},
            {"Sid": "Sts", "Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": ["*"]},
        ],
    },
},

Granted but not used (3):
  Grant/Send: sqs:SendMessage: never called
  Grant/Any: * on arn:aws:s3:::data, arn:aws:s3:::logs: wider than the calls \
[seen: arn:aws:s3:::data, arn:aws:s3:::data/a]
  Managed/#0: kms:Decrypt on arn:aws:kms:eu-west-1:123456789012:key/k: never called

Refused (missing) (2):
  s3:DeleteObject on arn:aws:s3:::data/a: AccessDenied x2 (DeleteObject, from i-1, i-2)
  sqs:ReceiveMessage on arn:aws:sqs:eu-west-1:123456789012:q: AccessDenied x1 (ReceiveMessage, \
from i-1); granted by Grant/Recv, Other/All, so something else denies it (an SCP, a permissions \
boundary, a resource policy or a Deny statement)

Credentials delivered through IMDSv1 (1):
  i-1: 3 calls from 2026-11-30T01:00:00Z to 2026-11-30T02:00:00Z (s3:GetObject, \
sts:GetCallerIdentity): require IMDSv2 on it (aws ec2 modify-instance-metadata-options \
--http-tokens required --instance-id i-1)

Calls with no IAM action (not in the policy) (1):
  example.amazonaws.com Frob x4: no IAM action (event e-1)

Left out (not the application's to grant) (1):
  ssm:UpdateInstanceInformation x5: the agent's

Caveats:
  - Short.
  - A caveat long enough to wrap: the records cover one day only, so a monthly job is not in them
    and its calls are missing from the policy.
"""

EMPTY = {
    "records": {"first": None, "last": None, "kept": 0, "read": 3},
    "policy": {"Version": "2012-10-17", "Statement": []},
    "inline_policies": {},
    "unused": [],
    "missing": [],
    "imdsv1": [],
    "unmapped": [],
    "left_out": [],
    "caveats": [],
}

EMPTY_TEXT = """\
Least privilege for arn:aws:iam::123456789012:role/app
0 of 3 records are this role's calls (no calls).

Policy: what the records show the application needs (0): none

Granted but not used (0): none

Refused (missing) (0): none

Credentials delivered through IMDSv1 (0): none

Calls with no IAM action (not in the policy) (0): none

Left out (not the application's to grant) (0): none

Caveats:
"""


def test_a_report_with_every_section_reads_as_written():
    assert text(FULL, ROLE) == FULL_TEXT


def test_a_report_with_no_calls_says_none_in_every_section():
    assert text(EMPTY, ROLE) == EMPTY_TEXT


def test_the_paste_entry_is_a_python_literal_of_the_inline_policies():
    entry = ast.literal_eval("{" + "\n".join(paste_entry(FULL)) + "}")
    assert entry == {"inline_policies": FULL["inline_policies"]}
