"""The try-it run: the dev stack applied to an in-process AWS emulator, verified from the
instance's side, shown, and torn down. No AWS account and no Pulumi CLI.

1. The stack program runs under Pulumi's mock runtime; every resource becomes the AWS calls the
   provider makes for it, answered by moto (offline/emulator.py), exactly as the emulator tests
   apply it.
2. The instance's metadata service is emulated on 127.0.0.1 (offline/imds.py), requiring IMDSv2
   tokens as the instance does and serving the credentials STS issues for the stack's role; the
   verifier the README tells users to run on the instance (verify/verify_instance.py) runs
   against it.
   IAM is enforced meanwhile: the role lists its bucket and is refused a neighbour's.
3. The stack's outputs, the review's resource tree and its diagram are printed.
4. Everything is deleted in reverse order, as `pulumi destroy` would, and the emulator is checked
   to hold no role, profile or running instance.

Run it with ``make try`` (or ``venv/bin/python -m offline.try_it``); it takes about ten
seconds.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import sys
import textwrap
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STACK = "dev"
PROJECT = "ec2-instance-role"
NEIGHBOUR_BUCKET = "someone-elses-bucket"


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


@contextmanager
def emulated_aws(region: str) -> Iterator[Any]:
    """moto for ``region``, with fake credentials (no real account can be reached) and the AWS
    managed policies loaded (so a misspelled managed policy ARN fails as in AWS)."""
    from moto import mock_aws

    from offline.emulator import MotoMocks, complete_default_vpc

    fake = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region,
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    }
    saved = {key: os.environ.get(key) for key in [*fake, "AWS_PROFILE", "AWS_REGION"]}
    os.environ.update(fake)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_REGION", None)
    try:
        with mock_aws():
            mocks = MotoMocks(region)
            complete_default_vpc(mocks.ec2)
            yield mocks
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _verifier() -> ModuleType:
    """verify/verify_instance.py, the script users copy to the instance (not a package)."""
    spec = importlib.util.spec_from_file_location(
        "verify_instance", ROOT / "verify" / "verify_instance.py"
    )
    if spec is None or spec.loader is None:
        raise RuntimeError("verify/verify_instance.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _refused_elsewhere(paths: dict[str, str], role_name: str, region: str) -> bool:
    """Whether the role's own credentials (those the metadata service serves) are refused
    ListObjectsV2 on a bucket no policy of the role names."""
    import boto3
    from botocore.exceptions import ClientError

    issued = json.loads(paths[f"/latest/meta-data/iam/security-credentials/{role_name}"])
    s3 = boto3.client(
        "s3",
        region_name=region,
        aws_access_key_id=issued["AccessKeyId"],
        aws_secret_access_key=issued["SecretAccessKey"],
        aws_session_token=issued["Token"],
    )
    try:
        s3.list_objects_v2(Bucket=NEIGHBOUR_BUCKET, MaxKeys=1)
    except ClientError as error:
        return error.response["Error"]["Code"] == "AccessDenied"
    return False


def left_behind(mocks: Any) -> list[str]:
    """What the emulator still holds of the stack after the teardown."""
    found = [f"role {r['RoleName']}" for r in mocks.iam.list_roles()["Roles"]]
    found += [
        f"instance profile {p['InstanceProfileName']}"
        for p in mocks.iam.list_instance_profiles()["InstanceProfiles"]
    ]
    found += [
        f"policy {p['PolicyName']}" for p in mocks.iam.list_policies(Scope="Local")["Policies"]
    ]
    found += [
        f"security group {g['GroupId']} ({g['GroupName']})"
        for g in mocks.ec2.describe_security_groups()["SecurityGroups"]
        if g["GroupName"] != "default"
    ]
    found += [
        f"VPC endpoint {e['VpcEndpointId']}"
        for e in mocks.ec2.describe_vpc_endpoints()["VpcEndpoints"]
        if e["State"] not in ("deleted", "deleting")
    ]
    for reservation in mocks.ec2.describe_instances()["Reservations"]:
        for instance in reservation["Instances"]:
            if instance["State"]["Name"] != "terminated":
                found.append(f"instance {instance['InstanceId']} ({instance['State']['Name']})")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.parse_args(argv)
    started = time.monotonic()
    import boto3

    from offline import review
    from offline.emulator import iam_enforced, teardown
    from offline.imds import imds, instance_metadata
    from offline.mocks import run_program
    from offline.stack_config import merged_config, run_stack_program

    config = merged_config(STACK)
    region = config["aws:region"]
    step(
        f"Applying stack {STACK!r} to an in-process AWS emulator (moto, region {region}): each "
        "resource becomes the AWS calls the provider makes for it (a few seconds)"
    )
    with emulated_aws(region) as mocks:
        run = run_program(run_stack_program, config=config, stack=STACK, mocks=mocks)
        print(f"    created {len(mocks.created)} AWS resources\n")

        step("Stack outputs (what `pulumi stack output` would print)")
        for key, value in sorted(run.outputs.items()):
            shown = json.dumps(value) if not isinstance(value, str) else value
            print(f"    {key}: " + shown.replace("\n", "\n" + " " * (len(key) + 6)))
        print()

        step("The review's resource tree and diagram (what `make review` prints)")
        print(review.tree(run, STACK, PROJECT))
        print(review.mermaid(run))

        step(
            "Verifying from the instance's side: the verifier against an emulated metadata "
            "service that requires IMDSv2 tokens, with the credentials STS issues for the role, "
            "and IAM enforced as AWS evaluates it"
        )
        bucket = config[f"{PROJECT}:appBucketName"]
        s3 = boto3.client("s3", region_name=region)
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
        s3.create_bucket(
            Bucket=NEIGHBOUR_BUCKET, CreateBucketConfiguration={"LocationConstraint": region}
        )
        paths = instance_metadata(
            mocks.iam,
            mocks.sts,
            instance_id=run.outputs["instanceId"],
            role_name=run.outputs["roleName"],
            region=region,
        )
        printed = io.StringIO()
        with imds(paths, imdsv2_only=True) as endpoint, iam_enforced():
            with redirect_stdout(printed):
                verified = _verifier().main(
                    [
                        "--endpoint",
                        endpoint,
                        "--expected-role",
                        run.outputs["roleName"],
                        "--list-bucket",
                        bucket,
                    ]
                )
            print(textwrap.indent(printed.getvalue(), "    verify_instance.py | "), end="")
            # A neighbour's bucket, as AWS evaluates the role's policies.
            refused = _refused_elsewhere(paths, run.outputs["roleName"], region)
        print(
            f"    {'PASS' if refused else 'FAIL'}  the role is refused {NEIGHBOUR_BUCKET}, which "
            "no policy grants"
        )
        s3.delete_bucket(Bucket=bucket)
        s3.delete_bucket(Bucket=NEIGHBOUR_BUCKET)
        print()

        step("Tearing down in reverse order, as `pulumi destroy` would")
        teardown(mocks)
        remaining = left_behind(mocks)
        if remaining:
            print(f"    left behind: {', '.join(remaining)}")
        else:
            print(
                "    nothing left: no role, instance profile, policy, security group, endpoint "
                "or running instance"
            )

    ok = verified == 0 and refused and not remaining
    print(f"\nTry-it run finished in {time.monotonic() - started:.0f} s.")
    print("Next: `make test` runs the tests; `make up STACK=dev` deploys for real (Pulumi CLI and")
    print("AWS credentials needed; see the README's Deploy section).")
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
