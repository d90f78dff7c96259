"""Values known only at deploy time are checked when they resolve, and every child of the
component waits for those checks: a bad one leaves nothing of the component created, and the
error is the component's message alone (components/_inputs.py DeployTimeChecks).

The waiting itself is the Python SDK's: it awaits a ``depends_on`` Output before it sends
RegisterResource (pulumi 3.272 ``runtime/resource.py`` ``prepare_resource``), in the mocks as in
a real `pulumi up`, so what is registered here is what the engine would create.
"""

import gc
import json
import logging

import pulumi
import pulumi_aws as aws
import pytest
from moto import mock_aws

from components import InstanceRole, InstanceWithRole
from components import policy_documents as docs
from components._inputs import DeployTimeChecks, _AlreadyReported, checked, deferred
from components.validation import InputError
from offline.emulator import MotoMocks, complete_default_vpc
from offline.mocks import run_program, unknown_output

from conftest import fake_aws_credentials

WILDCARD_MESSAGE = "inline_policies['late'] has 2 problems:"


def late(value):
    """``value`` as an Output that resolves during the run, as a resource's output would."""
    return pulumi.Output.from_input("x").apply(lambda _: value)


def wildcard_document():
    return late(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            }
        )
    )


def test_bad_deploy_time_document_registers_no_child_of_the_role():
    run = run_program(
        lambda: InstanceRole("app", {"inline_policies": {"late": wildcard_document()}}),
        capture_error=True,
    )
    assert WILDCARD_MESSAGE in str(run.raised(InputError))
    assert run.custom() == [], [r.name for r in run.custom()]


def test_bad_deploy_time_document_registers_no_child_of_the_instance_component():
    run = run_program(
        lambda: InstanceWithRole(
            "app", {"role": {"inline_policies": {"late": wildcard_document()}}}
        ),
        capture_error=True,
    )
    assert WILDCARD_MESSAGE in str(run.raised(InputError))
    assert run.custom() == [], [r.name for r in run.custom()]


def test_bad_deploy_time_ami_registers_no_role():
    run = run_program(
        lambda: InstanceWithRole("app", {"ami": late("not-an-ami")}),
        capture_error=True,
    )
    assert "ami 'not-an-ami' is not a valid ID" in str(run.raised(InputError))
    assert run.custom() == [], [r.name for r in run.custom()]


def test_bad_deploy_time_role_name_registers_no_profile():
    run = run_program(
        lambda: InstanceRole("app", {"role_name": late("has space")}),
        capture_error=True,
    )
    assert "role_name 'has space' contains ' '" in str(run.raised(InputError))
    assert run.custom() == [], [r.name for r in run.custom()]


def test_deploy_time_error_is_the_components_message_alone():
    run = run_program(
        lambda: InstanceWithRole(
            "app", {"role": {"inline_policies": {"late": wildcard_document()}}}
        ),
        capture_error=True,
    )
    assert isinstance(run.error, InputError), repr(run.error)
    message = str(run.error)
    assert message.startswith(WILDCARD_MESSAGE)
    assert "While processing" not in message
    assert message.count(WILDCARD_MESSAGE) == 1


def test_children_wait_for_the_resources_behind_a_checked_value():
    def program():
        other = InstanceRole("other", {})
        document = other.role_arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "iam:GetRole", "Resource": arn}],
                }
            )
        )
        InstanceRole("app", {"inline_policies": {"late": document}})

    run = run_program(program)
    other_role = run.named("other-role").urn
    for name in ("app-role", "app-profile", "app-inline-late"):
        assert other_role in run.named(name).dependencies, name


def test_preview_with_an_unknown_document_still_registers_every_child():
    def program():
        InstanceRole("app", {"inline_policies": {"late": unknown_output()}})

    run = run_program(program, preview=True)
    assert {r.name for r in run.custom()} >= {"app-role", "app-inline-late", "app-profile"}


def test_a_role_name_given_as_an_awaitable_is_checked_when_it_resolves():
    async def name():
        return "has space"

    run = run_program(lambda: InstanceRole("app", {"role_name": name()}), capture_error=True)
    assert "role_name 'has space' contains ' '" in str(run.raised(InputError))
    assert run.custom() == []


def test_children_asking_in_turn_with_no_check_added_between_share_one_barrier():
    def program():
        checks = DeployTimeChecks()
        checks.add(late("a"))
        return checks.barrier()[0] is checks.barrier()[0]

    assert run_program(program).returned is True


def test_a_check_added_after_a_barrier_was_handed_out_holds_back_the_next_barrier():
    def program():
        other = InstanceRole("other", {})
        checks = DeployTimeChecks()
        checks.add(late("a"))
        checks.barrier()
        checks.add(other.role_arn)
        trust = json.dumps(docs.ec2_trust_policy("ec2.amazonaws.com"))
        barrier = pulumi.ResourceOptions(depends_on=checks.barrier())
        aws.iam.Role("probe", assume_role_policy=trust, opts=barrier)

    run = run_program(program)
    assert run.named("other-role").urn in run.named("probe").dependencies


def test_known_values_add_no_wait():
    run = run_program(lambda: InstanceRole("app", {"role_name": "app"}))
    assert run.named("app-role").dependencies == []


@pytest.fixture
def emulator():
    with pytest.MonkeyPatch.context() as patch:
        fake_aws_credentials(patch, "eu-west-1")
        with mock_aws():
            mocks = MotoMocks("eu-west-1")
            complete_default_vpc(mocks.ec2)
            yield mocks


def test_bad_deploy_time_document_creates_no_iam_or_ec2_resource_in_the_emulator(emulator):
    run = run_program(
        lambda: InstanceWithRole(
            "app", {"role": {"inline_policies": {"late": wildcard_document()}}}
        ),
        mocks=emulator,
        capture_error=True,
    )
    assert WILDCARD_MESSAGE in str(run.raised(InputError))
    assert emulator.created == []
    assert emulator.iam.list_roles()["Roles"] == []
    assert emulator.iam.list_instance_profiles()["InstanceProfiles"] == []
    reservations = emulator.ec2.describe_instances()["Reservations"]
    assert reservations == []


def _never_retrieved_logged(caplog) -> list[str]:
    caplog.clear()
    with caplog.at_level("ERROR", logger="asyncio"):
        run = run_program(
            lambda: InstanceRole("app", {"role_name": late("has space")}), capture_error=True
        )
        assert isinstance(run.error, InputError)
        del run
        gc.collect()
    return [
        r.getMessage()
        for r in caplog.records
        if "never retrieved" in r.getMessage()
        and r.exc_info
        and isinstance(r.exc_info[1], InputError)
    ]


def test_deploy_time_error_is_not_logged_again_for_each_rejected_future(caplog):
    assert _never_retrieved_logged(caplog) == []


def test_without_the_filter_the_sdk_would_log_the_error_once_per_rejected_future(caplog):
    """What components/_inputs.py _AlreadyReported is for: the SDK rejects every future of a
    failed resource's outputs and an Output awaits only the first."""
    asyncio_logger = logging.getLogger("asyncio")
    # One per copy of the module (components and the pip-installed ec2_instance_role).
    quiet = [f for f in asyncio_logger.filters if type(f).__name__ == "_AlreadyReported"]
    assert quiet
    for each in quiet:
        asyncio_logger.removeFilter(each)
    try:
        assert len(_never_retrieved_logged(caplog)) > 1
    finally:
        for each in quiet:
            asyncio_logger.addFilter(each)


def _asyncio_record(message: str, error: BaseException | None) -> logging.LogRecord:
    """A record as asyncio logs a future's exception that nothing retrieved."""
    exc_info = (type(error), error, None) if error is not None else None
    return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, message, None, exc_info)


NEVER_RETRIEVED = "Future exception was never retrieved"


def test_filter_drops_an_input_error_never_retrieved():
    record = _asyncio_record(NEVER_RETRIEVED, InputError("role_name: bad"))
    assert _AlreadyReported().filter(record) is False


def test_filter_drops_a_failed_invoke_never_retrieved():
    error = RuntimeError("invoke of aws:kms/getAlias:getAlias failed: not found")
    assert _AlreadyReported().filter(_asyncio_record(NEVER_RETRIEVED, error)) is False


def test_filter_keeps_another_error_never_retrieved():
    error = RuntimeError("boom, not an invoke of anything")
    assert _AlreadyReported().filter(_asyncio_record(NEVER_RETRIEVED, error)) is True


def test_filter_keeps_an_input_error_logged_for_another_reason():
    record = _asyncio_record("Task was destroyed but it is pending", InputError("bad"))
    assert _AlreadyReported().filter(record) is True


def test_filter_keeps_a_never_retrieved_record_without_an_exception():
    assert _AlreadyReported().filter(_asyncio_record(NEVER_RETRIEVED, None)) is True


def test_a_value_deferred_outside_any_component_comes_back_as_it_is():
    """No component's checks are active, so there is no gate for it to join."""

    def program():
        value = pulumi.Output.from_input("x")
        return deferred(value) is value

    assert run_program(program).returned is True


def test_a_secret_value_that_fails_its_check_is_not_quoted():
    run = run_program(
        lambda: InstanceWithRole("app", {"ami": pulumi.Output.secret("not-an-ami-secret")}),
        capture_error=True,
    )
    message = str(run.raised(InputError))
    assert message.startswith("ami [secret] is not a valid ID")
    assert "not-an-ami-secret" not in message
    assert run.custom() == []


def test_a_secret_value_is_hidden_wherever_the_message_names_it_quoted_or_not():
    def check(value):
        raise InputError(f"quoted {value!r}, plain {value}.")

    run = run_program(lambda: checked(pulumi.Output.secret("hunter2"), check), capture_error=True)
    assert str(run.raised(InputError)) == "quoted [secret], plain [secret]."


def test_a_plain_value_that_fails_its_check_is_quoted():
    run = run_program(
        lambda: InstanceWithRole("app", {"ami": late("not-an-ami")}), capture_error=True
    )
    assert "ami 'not-an-ami' is not a valid ID" in str(run.raised(InputError))
