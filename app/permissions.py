"""The guide's application permissions, built for the stack's own partition, region and account.

The AWS guide grants ``s3:GetObject``, ``s3:PutObject`` and ``s3:ListBucket`` on both the bucket
and its objects. ``ListBucket`` acts on the bucket and the object actions on ``bucket/*``, so each
gets its own statement here: the same access, and nothing granted that can never apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.validation import InputError


@dataclass(frozen=True)
class Target:
    """Where the stack runs: from ``aws.get_partition``, ``aws.get_region`` and
    ``aws.get_caller_identity``."""

    partition: str
    region: str
    account_id: str


def bucket_arn(target: Target, bucket: str) -> str:
    return f"arn:{target.partition}:s3:::{bucket}"


def queue_arn(target: Target, queue: str) -> str:
    return f"arn:{target.partition}:sqs:{target.region}:{target.account_id}:{queue}"


def secret_prefix_arn(target: Target, prefix: str) -> str:
    if not prefix.endswith("/"):
        raise InputError(
            f"appSecretPrefix {prefix!r} must end with '/': without it the grant also covers "
            f"every secret whose name merely starts with {prefix!r}. Set it to {prefix + '/'!r}."
        )
    region, account = target.region, target.account_id
    return f"arn:{target.partition}:secretsmanager:{region}:{account}:secret:{prefix}*"


def managed_policy(target: Target, name: str) -> str:
    return f"arn:{target.partition}:iam::aws:policy/{name}"


def app_access_policy(
    target: Target, *, bucket: str, queue: str, secret_prefix: str
) -> dict[str, Any]:
    """The guide's ``AppAccess`` inline policy."""
    bucket = bucket_arn(target, bucket)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "S3ListBucket",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": bucket,
            },
            {
                "Sid": "S3ObjectReadWrite",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"{bucket}/*",
            },
            {
                "Sid": "SQSAccess",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
                "Resource": queue_arn(target, queue),
            },
            {
                "Sid": "SecretsManagerAccess",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret_prefix_arn(target, secret_prefix),
            },
        ],
    }
