"""The dev role's permissions as AWS evaluates them, shown in the emulator with IAM enforcement
on: the role's own credentials (from AssumeRole, as EC2 gets them for the instance) can do what
the guide's application needs and are refused the neighbours. Each refusal test first makes an
allowed call with the same credentials, so a refusal cannot come from broken ones.

What moto's evaluator models: Allow and Deny of identity policies (inline and the attached AWS
managed ones) by action; by resource for S3 requests, SQS requests on existing queues and IAM
requests that name a role. What it does not: resources for other services (Secrets Manager
requests are authorized against Resource "*", which the role's prefix grant never matches, so
the secret checks are left to the policy lint, which matches each action's ARN format);
condition context (it passes none, so a statement with a condition applies as if it had none:
the credential guard would deny everything here, which is why this runs the dev stack, which has
no guard); resource policies, SCPs, permission boundaries and session policies.
"""

import boto3
import pytest
from botocore.exceptions import ClientError
from test_emulator_apply import emulated

from offline.emulator import iam_enforced
from offline.mocks import run_program
from offline.stack_config import merged_config, run_stack_program

REGION = "eu-west-1"
BUCKET, OTHER_BUCKET = "my-app-data-dev", "someone-elses-bucket"  # Pulumi.dev.yaml's bucket
QUEUE, OTHER_QUEUE = "my-app-queue-dev", "someone-elses-queue"


@pytest.fixture(scope="module")
def role_session():
    """Clients with the dev role's credentials, in an account holding the application's bucket
    and queue and a neighbour of each."""
    with emulated(REGION) as mocks:
        run = run_program(run_stack_program, config=merged_config("dev"), stack="dev", mocks=mocks)
        s3, sqs = boto3.client("s3", region_name=REGION), boto3.client("sqs", region_name=REGION)
        for bucket in (BUCKET, OTHER_BUCKET):
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
            s3.put_object(Bucket=bucket, Key="seed", Body=b"seed")
        queues = {q: sqs.create_queue(QueueName=q)["QueueUrl"] for q in (QUEUE, OTHER_QUEUE)}
        credentials = boto3.client("sts", region_name=REGION).assume_role(
            RoleArn=run.outputs["roleArn"], RoleSessionName=run.outputs["instanceId"]
        )["Credentials"]
        as_role = {
            "region_name": REGION,
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
        clients = {name: boto3.client(name, **as_role) for name in ("s3", "sqs", "iam")}
        with iam_enforced():
            yield clients, queues


def refused(call, *args, **kwargs):
    """The call fails as an authorization refusal: S3 and IAM say AccessDenied; moto's SQS
    answers a refusal with the bare code "403"."""
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    code = raised.value.response["Error"]["Code"]
    assert code in {"AccessDenied", "403"}, code


def test_role_puts_and_gets_objects_in_its_bucket(role_session):
    clients, _ = role_session
    clients["s3"].put_object(Bucket=BUCKET, Key="report.csv", Body=b"a,b")
    assert clients["s3"].get_object(Bucket=BUCKET, Key="report.csv")["Body"].read() == b"a,b"


def test_role_lists_its_bucket(role_session):
    clients, _ = role_session
    keys = [o["Key"] for o in clients["s3"].list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert "seed" in keys


def test_role_cannot_delete_objects_it_was_not_granted_to(role_session):
    clients, _ = role_session
    clients["s3"].get_object(Bucket=BUCKET, Key="seed")
    refused(clients["s3"].delete_object, Bucket=BUCKET, Key="seed")


def test_role_cannot_read_another_bucket(role_session):
    clients, _ = role_session
    clients["s3"].get_object(Bucket=BUCKET, Key="seed")
    refused(clients["s3"].get_object, Bucket=OTHER_BUCKET, Key="seed")


def test_role_cannot_list_another_bucket(role_session):
    clients, _ = role_session
    clients["s3"].list_objects_v2(Bucket=BUCKET)
    refused(clients["s3"].list_objects_v2, Bucket=OTHER_BUCKET)


def test_role_sends_receives_and_deletes_on_its_queue(role_session):
    clients, queues = role_session
    sqs, queue = clients["sqs"], queues[QUEUE]
    sqs.send_message(QueueUrl=queue, MessageBody="job")
    (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)["Messages"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


def test_role_cannot_send_to_another_queue(role_session):
    clients, queues = role_session
    clients["sqs"].send_message(QueueUrl=queues[QUEUE], MessageBody="job")
    refused(clients["sqs"].send_message, QueueUrl=queues[OTHER_QUEUE], MessageBody="job")


def test_role_cannot_purge_its_own_queue(role_session):
    clients, queues = role_session
    clients["sqs"].receive_message(QueueUrl=queues[QUEUE])
    refused(clients["sqs"].purge_queue, QueueUrl=queues[QUEUE])


def test_role_cannot_write_to_iam(role_session):
    clients, _ = role_session
    clients["s3"].list_objects_v2(Bucket=BUCKET)  # the same credentials work where granted
    refused(clients["iam"].create_user, UserName="intruder")
