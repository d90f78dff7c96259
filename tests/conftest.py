import json

import pytest

from components import InstanceRoleArgs

BUCKET_OBJECTS = "arn:aws:s3:::my-app-data/*"


def read_objects_policy(resource: object = BUCKET_OBJECTS) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}],
    }


def queue_policy() -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
                "Resource": "arn:aws:sqs:eu-west-1:123456789012:my-app-queue",
            }
        ],
    }


CLOUDWATCH_AGENT = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture
def role_args() -> InstanceRoleArgs:
    """A role like the guide's: two inline policies and one managed policy."""
    return InstanceRoleArgs(
        inline_policies={
            "read-objects": read_objects_policy(),
            "queue": json.dumps(queue_policy()),
        },
        managed_policy_arns={"cloudwatch-agent": CLOUDWATCH_AGENT},
    )


def fake_aws_credentials(monkeypatch: pytest.MonkeyPatch, region: str = "eu-west-1") -> None:
    """Credentials and a region for moto, so no test can reach a real account."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
