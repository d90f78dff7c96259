"""A CloudTrail corpus of the guide's application, in CloudTrail's own format and S3 layout.

The records follow AWS's "CloudTrail record contents" page (eventVersion 1.11): an assumed-role
``userIdentity`` whose session name is the instance ID and whose ``sessionContext`` carries the
role (``sessionIssuer``) and how the credentials came (``ec2RoleDelivery``). Files are gzipped
JSON with a ``Records`` array under ``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/``.

What the application does, per cycle of :func:`cycle`: it reads its settings from S3, lists
and writes reports under ``reports/``, receives and deletes messages from its queue, reads its
database secret, and tries to delete an old report, which its grant refuses. The CloudWatch agent
and the SSM agent make their own calls; a second, older instance still gets its credentials
through IMDSv1; the verifier asks STS who it is. The application never sends a message: the
guide's grant of ``sqs:SendMessage`` is unused.

    python -m offline.cloudtrail_corpus OUT_DIR [--cycles N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

ACCOUNT: Final = "123456789012"
REGION: Final = "us-east-1"
ROLE_NAME: Final = "app-role-9a7ecdd"
ROLE_ARN: Final = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"
INSTANCE: Final = "i-0123456789abcdef0"
OLD_INSTANCE: Final = "i-0fedcba9876543210"
OTHER_ROLE_ARN: Final = f"arn:aws:iam::{ACCOUNT}:role/ci-deploy"
BUCKET: Final = "my-app-data"
QUEUE: Final = "my-app-queue"
QUEUE_URL: Final = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{QUEUE}"
SECRET: Final = "my-app/db"
SECRET_ARN: Final = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{SECRET}-Ab12Cd"
START: Final = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)
RECORDS_PER_FILE: Final = 1000

_BOTO: Final = (
    "Boto3/1.40.0 md/Botocore#1.40.0 ua/2.1 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.9 "
    "md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.40.0"
)
_SSM_AGENT: Final = "aws-sdk-go/1.51.20 (go1.22.5; linux; amd64) amazon-ssm-agent/3.3.0.0"
_CW_AGENT: Final = (
    "CWAgent/1.300047.0 (go1.22.5; linux; amd64) ID/0e6c5f7a inputs:(cpu mem) "
    "aws-sdk-go/1.51.20 (go1.22.5; linux; amd64)"
)


def record(
    when: dt.datetime,
    source: str,
    name: str,
    params: dict[str, Any] | None = None,
    *,
    instance: str = INSTANCE,
    role_arn: str = ROLE_ARN,
    delivery: str = "2.0",
    user_agent: str = _BOTO,
    resources: list[dict[str, str]] | None = None,
    data: bool = False,
    error: tuple[str, str] | None = None,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """One CloudTrail record of a call made with an instance role's credentials."""
    rng = rng or random.Random(0)
    role_name = role_arn.rpartition("/")[2]
    account = role_arn.split(":")[4]
    out: dict[str, Any] = {
        "eventVersion": "1.11",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLEROLEID0001:{instance}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{instance}",
            "accountId": account,
            "accessKeyId": "ASIA" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLEROLEID0001",
                    "arn": role_arn,
                    "accountId": account,
                    "userName": role_name,
                },
                "attributes": {
                    "creationDate": (when - dt.timedelta(minutes=20)).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    "mfaAuthenticated": "false",
                },
                "ec2RoleDelivery": delivery,
            },
        },
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "10.0.1.25",
        "userAgent": user_agent,
        "requestParameters": params,
        "responseElements": None,
        "requestID": "".join(rng.choices("0123456789ABCDEF", k=16)),
        "eventID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "readOnly": name.startswith(("Get", "List", "Describe", "Head", "Receive")),
        "eventType": "AwsApiCall",
        "managementEvent": not data,
        "recipientAccountId": account,
        "eventCategory": "Data" if data else "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.partition('.')[0]}.{REGION}.amazonaws.com",
        },
    }
    if resources is not None:
        out["resources"] = resources
    if error is not None:
        out["errorCode"], out["errorMessage"] = error
    return out


def _s3(
    when: dt.datetime, name: str, key: str | None, rng: random.Random, **kw: Any
) -> dict[str, Any]:
    params: dict[str, Any] = {"bucketName": BUCKET, "Host": f"{BUCKET}.s3.{REGION}.amazonaws.com"}
    resources = [{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{BUCKET}"}]
    if key is not None:
        params["key"] = key
        resources.insert(0, {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{BUCKET}/{key}"})
    else:
        params["list-type"] = "2"
        params["prefix"] = "reports/"
    return record(
        when, "s3.amazonaws.com", name, params, resources=resources, data=True, rng=rng, **kw
    )


def _sqs(when: dt.datetime, name: str, rng: random.Random, **extra: Any) -> dict[str, Any]:
    resources = [
        {
            "accountId": ACCOUNT,
            "type": "AWS::SQS::Queue",
            "ARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}",
        }
    ]
    params = {"queueUrl": QUEUE_URL, **extra}
    return record(when, "sqs.amazonaws.com", name, params, resources=resources, data=True, rng=rng)


def cycle(index: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """One minute of the instance's life."""
    when = START + dt.timedelta(minutes=index)
    day = (START + dt.timedelta(days=index // 1440)).strftime("%Y-%m-%d")
    yield _s3(when, "GetObject", "config/settings.json", rng)
    yield _s3(when, "ListObjects", None, rng)
    yield _sqs(when, "ReceiveMessage", rng, maxNumberOfMessages=10, waitTimeSeconds=20)
    yield _sqs(when, "DeleteMessageBatch", rng, entries=[{"id": "0"}, {"id": "1"}])
    yield _s3(when, "PutObject", f"reports/{day}/run-{index:06d}.csv", rng)
    yield record(
        when, "secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": SECRET}, rng=rng
    )
    yield record(
        when,
        "monitoring.amazonaws.com",
        "PutMetricData",
        {"namespace": "CWAgent"},
        user_agent=_CW_AGENT,
        rng=rng,
    )
    if index % 5 == 0:
        yield record(
            when,
            "ssm.amazonaws.com",
            "UpdateInstanceInformation",
            {"instanceId": INSTANCE, "agentVersion": "3.3.0.0", "platformType": "Linux"},
            user_agent=_SSM_AGENT,
            rng=rng,
        )
        yield record(
            when,
            "ec2messages.amazonaws.com",
            "GetMessages",
            {"destination": INSTANCE},
            user_agent=_SSM_AGENT,
            rng=rng,
        )
        yield record(
            when,
            "ec2.amazonaws.com",
            "DescribeTags",
            {"filterSet": {"items": [{"name": "resource-id"}]}},
            user_agent=_CW_AGENT,
            rng=rng,
        )
    if index % 60 == 0:
        yield _s3(
            when,
            "DeleteObject",
            "reports/2026-10-01/run-000000.csv",
            rng,
            error=("AccessDenied", "Access Denied"),
        )
        yield record(when, "sts.amazonaws.com", "GetCallerIdentity", {}, rng=rng)
        yield record(
            when,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": SECRET},
            instance=OLD_INSTANCE,
            delivery="1.0",
            rng=rng,
        )
        # Someone else's call in the same trail: another role, never this report's.
        yield record(
            when,
            "ec2.amazonaws.com",
            "RunInstances",
            {"instanceType": "t3.micro"},
            role_arn=OTHER_ROLE_ARN,
            instance="github-actions",
            rng=rng,
        )


def records(cycles: int, *, seed: int = 0) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for index in range(cycles):
        yield from cycle(index, rng)


def write(out: Path, cycles: int, *, seed: int = 0) -> tuple[int, int]:
    """Writes the corpus as CloudTrail delivers it; returns (files, records)."""
    files = count = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal files
        first = dt.datetime.fromisoformat(batch[0]["eventTime"])
        folder = out / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION / first.strftime("%Y/%m/%d")
        folder.mkdir(parents=True, exist_ok=True)
        stamp = first.strftime("%Y%m%dT%H%MZ")
        name = f"{ACCOUNT}_CloudTrail_{REGION}_{stamp}_{files:016X}.json.gz"
        with gzip.open(folder / name, "wt", compresslevel=1) as stream:
            json.dump({"Records": batch}, stream)
        files += 1
        batch.clear()

    for item in records(cycles, seed=seed):
        batch.append(item)
        count += 1
        if len(batch) == RECORDS_PER_FILE:
            flush()
    if batch:
        flush()
    return files, count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="folder to write AWSLogs/... under")
    parser.add_argument("--cycles", type=int, default=1440, help="minutes of activity (a day)")
    args = parser.parse_args(argv)
    files, count = write(args.out, args.cycles)
    print(f"wrote {count} records in {files} files under {args.out}")


if __name__ == "__main__":
    main()
