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


def role_named(name: str):
    """A plain IAM role outside any component: a resource that something else waits on."""
    import pulumi_aws as aws

    from components.policy_documents import ec2_trust_policy

    return aws.iam.Role(name, assume_role_policy=json.dumps(ec2_trust_policy("ec2.amazonaws.com")))


def type_not_in_zone_a():
    """Mocks in which m7i.large is not offered in eu-west-1a, whose default subnet has the
    lowest ID."""
    from offline.mocks import AwsMocks

    class TypeNotInZoneA(AwsMocks):
        def _getInstanceTypeOfferings(self, args: dict) -> dict:
            answer = super()._getInstanceTypeOfferings(args)
            if answer["instanceTypes"][:1] != ["m7i.large"]:
                return answer
            zones = [z for z in answer["locations"] if z != "eu-west-1a"]
            return {**answer, "instanceTypes": ["m7i.large"] * len(zones), "locations": zones}

    return TypeNotInZoneA()


def fake_aws_credentials(monkeypatch: pytest.MonkeyPatch, region: str = "eu-west-1") -> None:
    """Credentials and a region for moto, so no test can reach a real account."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)


#: How long one mutant's tests may take, by the clock, under `make mutation`.
MUTANT_WALL_CLOCK_SECONDS = 600


def _mutant_scope() -> frozenset[str] | None:
    """The test files of the mutant under test (tests/mutation_scope.py); ``None`` outside a
    mutant's run."""
    import os

    from mutation_scope import own_tests

    return own_tests(os.environ.get("MUTANT_UNDER_TEST", ""))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `make mutation`, a mutant runs against its module's own tests only; outside it,
    every test runs."""
    own = _mutant_scope()
    if own is None:
        return
    deselected = [item for item in items if item.path.name not in own]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item.path.name in own]
    _cheapest_files_first(items)


def _cheapest_files_first(items: list[pytest.Item]) -> None:
    """Orders a mutant's tests file by file, the files whose selected tests took least time in
    mutmut's stats phase first (their calls only: fixture set-up is not in the stats), each
    file's as pytest collected them (the sort is stable, so tests sharing a module fixture's
    parameter stay together). mutmut passes the tests in no particular order and stops at the
    first failure (``-x``), and most mutants fail a quick test: a stack program test first
    made a mutant of a component pay for it."""
    from pathlib import Path

    stats = Path("mutmut-stats.json")  # in mutants/, where mutmut runs the tests
    if not stats.exists():
        return
    durations = json.loads(stats.read_text()).get("duration_by_test", {})
    cost: dict[str, float] = {}
    for item in items:
        cost[item.path.name] = cost.get(item.path.name, 0.0) + durations.get(item.nodeid, 0.0)
    items.sort(key=lambda item: (cost[item.path.name], item.path.name))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under `make mutation`, forget what the components remembered before the mutant was
    switched on: mutmut forks each mutant's run from a process that ran the tests unmutated,
    and an answer remembered then (a document that passed, an ARN overlap) would hide the
    mutant from every test that asks again."""
    import faulthandler
    import sys

    if _mutant_scope() is None:
        return
    # mutmut limits a mutant's CPU time, not its wall-clock time: a mutant that deadlocks the
    # program (a mock that raises in the SDK's executor thread leaves the run waiting) sleeps
    # without spending CPU and would hang the whole run. Past this, the process exits with 1,
    # which counts as killed; the slowest honest mutant run here takes about a minute.
    faulthandler.dump_traceback_later(MUTANT_WALL_CLOCK_SECONDS, exit=True)
    for name, module in list(sys.modules.items()):
        if name != "components" and not name.startswith("components."):
            continue
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    documents = sys.modules.get("components.policy_documents")
    if documents is not None:
        documents._passed.clear()
