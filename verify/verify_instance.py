#!/usr/bin/env python3
"""Checks, from the instance itself, that it gets AWS credentials only through IMDSv2.

Copy this file to the instance (or paste it through Session Manager) and run:

    python3 verify_instance.py --expected-role <role name> [--list-bucket <bucket>] [--json]

Needs nothing beyond the Python 3 that Amazon Linux 2023 ships. It checks that a metadata request
without a session token is refused (HTTP 401: IMDSv1 is off), that a token can be had, that the
attached role is the expected one, that its credentials are present and how long they last, and
that STS GetCallerIdentity, called with them, answers assumed-role/<role>/<instance id> (through
botocore when it is installed, else the preinstalled AWS CLI). Optional probes try access the role
should have. One PASS or FAIL line per check; exit code 0 only when every check passes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

IMDS = "http://169.254.169.254"
TOKEN_TTL_SECONDS = 300
TIMEOUT_SECONDS = 3


class Check:
    def __init__(self, name: str) -> None:
        self.name = name
        self.ok = False
        self.detail = ""

    def passed(self, detail: str) -> Check:
        self.ok, self.detail = True, detail
        return self

    def failed(self, detail: str) -> Check:
        self.ok, self.detail = False, detail
        return self


def _request(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def check_imdsv1_refused(endpoint: str) -> Check:
    check = Check("IMDSv1 is off (a request without a token is refused)")
    try:
        status, _ = _request(f"{endpoint}/latest/meta-data/")
    except OSError as error:
        return check.failed(f"metadata service unreachable: {error}")
    if status == 401:
        return check.passed("HTTP 401 without a token")
    return check.failed(
        f"HTTP {status} without a token: IMDSv1 is enabled. Require tokens: "
        "aws ec2 modify-instance-metadata-options --http-tokens required --instance-id <id>"
    )


def get_token(endpoint: str) -> tuple[Check, str | None]:
    check = Check("an IMDSv2 session token can be had")
    try:
        status, body = _request(
            f"{endpoint}/latest/api/token",
            method="PUT",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": str(TOKEN_TTL_SECONDS)},
        )
    except OSError as error:
        return check.failed(f"metadata service unreachable: {error}"), None
    if status != 200 or not body:
        return check.failed(f"PUT /latest/api/token answered HTTP {status}"), None
    return check.passed(f"token for {TOKEN_TTL_SECONDS} s"), body


def _get(endpoint: str, token: str, path: str) -> tuple[int, str]:
    return _request(f"{endpoint}{path}", headers={"X-aws-ec2-metadata-token": token})


def check_role(endpoint: str, token: str, expected: str | None) -> tuple[Check, str | None]:
    check = Check("the instance profile carries the expected role")
    status, body = _get(endpoint, token, "/latest/meta-data/iam/security-credentials/")
    if status == 404:
        return check.failed("no role attached: the instance has no instance profile"), None
    if status != 200:
        return check.failed(f"HTTP {status} for the role name"), None
    role = body.strip().splitlines()[0] if body.strip() else ""
    if expected and role != expected:
        return check.failed(f"attached role is {role!r}, expected {expected!r}"), role
    return check.passed(f"role {role!r}"), role


def check_credentials(endpoint: str, token: str, role: str) -> tuple[Check, dict[str, Any] | None]:
    check = Check("temporary credentials are present")
    status, body = _get(endpoint, token, f"/latest/meta-data/iam/security-credentials/{role}")
    if status != 200:
        return check.failed(f"HTTP {status} for the credentials"), None
    try:
        credentials = json.loads(body)
    except json.JSONDecodeError:
        return check.failed("the credentials are not JSON"), None
    missing = [
        k
        for k in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")
        if not credentials.get(k)
    ]
    if credentials.get("Code") != "Success" or missing:
        return check.failed(f"Code {credentials.get('Code')!r}, missing {missing}"), None
    expires = dt.datetime.fromisoformat(credentials["Expiration"].replace("Z", "+00:00"))
    left = expires - dt.datetime.now(dt.UTC)
    if left.total_seconds() <= 0:
        return check.failed(f"expired at {credentials['Expiration']}"), None
    return check.passed(
        f"expire in {int(left.total_seconds() // 60)} min ({credentials['Expiration']})"
    ), credentials


def _client(service: str, credentials: dict[str, Any], region: str) -> Any:
    """A botocore client with the role's credentials, or None where botocore is not installed."""
    try:
        import botocore.session
    except ImportError:
        return None
    session = botocore.session.get_session()
    # The Region's own STS endpoint, never the global one that older SDKs default to: a private
    # instance reaches STS only through its VPC's regional endpoint.
    session.set_config_variable("sts_regional_endpoints", "regional")
    return session.create_client(
        service,
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["Token"],
    )


def _caller_identity(credentials: dict[str, Any], region: str) -> str:
    client = _client("sts", credentials, region)
    if client is None:
        cli = shutil.which("aws")
        if cli is None:
            raise RuntimeError("neither botocore nor the AWS CLI is installed") from None
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
            "AWS_SESSION_TOKEN": credentials["Token"],
            "AWS_DEFAULT_REGION": region,
            "AWS_STS_REGIONAL_ENDPOINTS": "regional",
        }
        out = subprocess.run(
            [cli, "sts", "get-caller-identity", "--query", "Arn", "--output", "text"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return out.stdout.strip()
    return str(client.get_caller_identity()["Arn"])


def check_identity(
    endpoint: str, token: str, role: str, credentials: dict[str, Any], region: str
) -> Check:
    check = Check("STS sees the instance as assumed-role/<role>/<instance id>")
    _, instance_id = _get(endpoint, token, "/latest/meta-data/instance-id")
    try:
        arn = _caller_identity(credentials, region)
    except Exception as error:
        return check.failed(f"GetCallerIdentity failed: {error}")
    if f":assumed-role/{role}/{instance_id.strip()}" in arn:
        return check.passed(arn)
    return check.failed(f"caller is {arn}, expected assumed-role/{role}/{instance_id.strip()}")


def probe_list_bucket(bucket: str, credentials: dict[str, Any], region: str) -> Check:
    check = Check(f"the role can list bucket {bucket}")
    client = _client("s3", credentials, region)
    if client is None:
        return check.failed("botocore is not installed: run `aws s3 ls s3://<bucket>` instead")
    try:
        client.list_objects_v2(Bucket=bucket, MaxKeys=1)
    except Exception as error:
        return check.failed(str(error))
    return check.passed("ListObjectsV2 allowed")


def run(endpoint: str, expected_role: str | None, buckets: list[str]) -> list[Check]:
    checks = [check_imdsv1_refused(endpoint)]
    token_check, token = get_token(endpoint)
    checks.append(token_check)
    if token is None:
        return checks
    role_check, role = check_role(endpoint, token, expected_role)
    checks.append(role_check)
    if not role:
        return checks
    credentials_check, credentials = check_credentials(endpoint, token, role)
    checks.append(credentials_check)
    if credentials is None:
        return checks
    _, region = _get(endpoint, token, "/latest/meta-data/placement/region")
    region = region.strip() or "us-east-1"
    checks.append(check_identity(endpoint, token, role, credentials, region))
    checks += [probe_list_bucket(b, credentials, region) for b in buckets]
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Verify IMDSv2-only role credentials on an EC2 instance."
    )
    parser.add_argument("--expected-role", help="the role the instance profile should carry")
    parser.add_argument(
        "--list-bucket", action="append", default=[], help="probe: list this bucket"
    )
    parser.add_argument("--json", action="store_true", help="print JSON for tools")
    parser.add_argument(
        "--endpoint", default=os.environ.get("IMDS_ENDPOINT", IMDS), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    checks = run(args.endpoint.rstrip("/"), args.expected_role, args.list_bucket)
    ok = all(c.ok for c in checks)
    if args.json:
        print(
            json.dumps(
                {
                    "ok": ok,
                    "checks": [{"check": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
                },
                indent=2,
            )
        )
    else:
        for c in checks:
            print(f"{'PASS' if c.ok else 'FAIL'}  {c.name}: {c.detail}")
        print("RESULT: PASS" if ok else "RESULT: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
