"""The on-instance verifier against local metadata-service emulators, with STS answered by moto:
it must pass where only IMDSv2 is served and fail, saying why, where IMDSv1 still works."""

import json
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from components.policy_documents import ec2_trust_policy
from offline.imds import imds, instance_metadata

from conftest import fake_aws_credentials

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "verify"))
import verify_instance

INSTANCE_ID = "i-0123456789abcdef0"
ROLE = "app-role-9a7ecdd"


@pytest.fixture
def metadata(monkeypatch):
    """The paths an instance running as ROLE serves, with credentials moto issued for it."""
    fake_aws_credentials(monkeypatch)
    with mock_aws():
        iam = boto3.client("iam")
        iam.create_role(
            RoleName=ROLE,
            AssumeRolePolicyDocument=json.dumps(ec2_trust_policy("ec2.amazonaws.com")),
        )
        yield instance_metadata(
            iam, boto3.client("sts"), instance_id=INSTANCE_ID, role_name=ROLE, region="eu-west-1"
        )


def verify(endpoint, *args):
    return verify_instance.main(["--endpoint", endpoint, *args])


def test_verifier_passes_against_an_imdsv2_only_instance(metadata, capsys):
    with imds(metadata, imdsv2_only=True) as endpoint:
        assert verify(endpoint, "--expected-role", ROLE) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert f"assumed-role/{ROLE}/{INSTANCE_ID}" in out
    assert out.rstrip().endswith("RESULT: PASS")


def test_verifier_fails_against_an_instance_that_still_allows_imdsv1(metadata, capsys):
    with imds(metadata, imdsv2_only=False) as endpoint:
        assert verify(endpoint, "--expected-role", ROLE) == 1
    out = capsys.readouterr().out
    assert (
        "FAIL  IMDSv1 is off (a request without a token is refused): HTTP 200 without a token: IMDSv1 is enabled"
        in out
    )
    assert out.rstrip().endswith("RESULT: FAIL")


def test_verifier_fails_when_the_role_is_not_the_expected_one(metadata, capsys):
    with imds(metadata) as endpoint:
        assert verify(endpoint, "--expected-role", "OtherRole") == 1
    assert f"attached role is '{ROLE}', expected 'OtherRole'" in capsys.readouterr().out


def test_verifier_fails_on_an_instance_without_a_profile(metadata, capsys):
    del metadata["/latest/meta-data/iam/security-credentials/"]
    with imds(metadata) as endpoint:
        assert verify(endpoint) == 1
    assert "no role attached" in capsys.readouterr().out


def test_verifier_json_mode_lists_every_check(metadata, capsys):
    with imds(metadata) as endpoint:
        assert verify(endpoint, "--expected-role", ROLE, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert len(report["checks"]) == 5
    assert all(check["ok"] for check in report["checks"])


def test_emulator_refuses_a_token_request_without_the_ttl_header(metadata):
    import urllib.error
    import urllib.request

    with imds(metadata) as endpoint:
        request = urllib.request.Request(f"{endpoint}/latest/api/token", method="PUT")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=3)
    assert refused.value.code == 400


def test_emulator_token_expires(metadata, monkeypatch):
    import time as real_time

    with imds(metadata) as endpoint:
        _, token = verify_instance.get_token(endpoint)
        assert verify_instance._get(endpoint, token, "/latest/meta-data/instance-id")[0] == 200
        later = real_time.monotonic() + verify_instance.TOKEN_TTL_SECONDS + 1
        monkeypatch.setattr("offline.imds.time.monotonic", lambda: later)
        assert verify_instance._get(endpoint, token, "/latest/meta-data/instance-id")[0] == 401


def test_verifier_uses_only_the_python_standard_library():
    import ast

    source = (Path(verify_instance.__file__)).read_text()
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    optional = {"botocore"}  # imported inside a try, with the AWS CLI as the fallback
    assert imported - optional <= set(sys.stdlib_module_names) | {"__future__"}


def test_verifier_calls_the_regions_own_sts_endpoint_even_where_the_sdk_defaults_to_global(
    monkeypatch,
):
    # A private instance reaches STS only through its VPC's regional endpoint; older SDKs and
    # AWS_STS_REGIONAL_ENDPOINTS=legacy would send us-east-1 calls to sts.amazonaws.com.
    monkeypatch.setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy")
    credentials = {"AccessKeyId": "a", "SecretAccessKey": "b", "Token": "c"}
    client = verify_instance._client("sts", credentials, "us-east-1")
    assert client.meta.endpoint_url == "https://sts.us-east-1.amazonaws.com"
