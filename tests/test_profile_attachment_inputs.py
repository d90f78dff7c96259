"""The ProfileAttachment resource as a program declares it: the inputs it registers, its
defaults, and each bad input refused before anything is registered, with the input named."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import dill
import pulumi
import pulumi_aws
import pytest

from components import ProfileAttachment
from components.validation import InputError
from offline.mocks import Run, run_program

DYNAMIC = "pulumi-python:dynamic:Resource"
INSTANCE = "i-0123456789abcdef0"
SECRET = "4dabf18193072939515e22adb298388d"  # the SDK's marker of a secret value


Options = Callable[[], pulumi.ResourceOptions]


def declare(options: Options | None = None, **args: Any) -> Callable[[], None]:
    """A program of one ProfileAttachment; ``options`` is called inside it, as providers and
    parents must be made there."""

    def program() -> None:
        ProfileAttachment(
            "attach",
            **{"instance_id": INSTANCE, "instance_profile_name": "first", **args},
            opts=options() if options else None,
        )

    return program


def attach(options: Options | None = None, **args: Any) -> Run:
    return run_program(declare(options, **args))


def registered(**args: Any) -> dict[str, Any]:
    inputs = dict(attach(**args).one(DYNAMIC).inputs)
    # The provider the engine hands back to the dynamic provider process, pickled.
    serialized = inputs.pop("__provider")  # a secret, as the SDK serializes it by default
    provider = dill.loads(base64.b64decode(serialized["value"]))
    assert type(provider).__name__ == "_ProfileAttachmentProvider"
    return inputs


def refused(options: Options | None = None, **args: Any) -> str:
    run = run_program(declare(options, **args), capture_error=True)
    assert not run.of_type(DYNAMIC)
    return str(run.raised(InputError))


def test_the_defaults_keep_the_profile_require_imdsv2_and_leave_the_options_as_they_end() -> None:
    assert registered() == {
        "instance_id": INSTANCE,
        "instance_profile_name": "first",
        "replace_existing": False,
        "require_imdsv2": True,
        "restore_metadata_options": False,
    }


def test_every_option_given_is_registered() -> None:
    assert registered(
        replace_existing=True,
        require_imdsv2=False,
        restore_metadata_options=True,
        region="eu-west-1",
        profile="ops",
        assume_role_arn="arn:aws:iam::123456789012:role/deployer",
    ) == {
        "instance_id": INSTANCE,
        "instance_profile_name": "first",
        "replace_existing": True,
        "require_imdsv2": False,
        "restore_metadata_options": True,
        "region": "eu-west-1",
        "profile": "ops",
        "assume_role_arn": "arn:aws:iam::123456789012:role/deployer",
    }


def test_the_external_id_is_registered_as_a_secret() -> None:
    external_id = registered(assume_role_external_id="shared-secret")["assume_role_external_id"]
    assert SECRET in external_id
    assert external_id["value"] == "shared-secret"


def test_an_instance_id_that_is_not_one_is_refused() -> None:
    assert refused(instance_id="web-1") == (
        "ProfileAttachment 'attach': instance_id 'web-1' is not an instance ID "
        "(for example 'i-0123456789abcdef0')."
    )


def test_an_instance_id_known_only_at_deploy_time_is_taken() -> None:
    # The Output is made inside the program, where the run's engine is.
    def program() -> None:
        ProfileAttachment(
            "attach", instance_id=pulumi.Output.from_input(INSTANCE), instance_profile_name="first"
        )

    assert run_program(program).one(DYNAMIC).inputs["instance_id"] == INSTANCE


def test_a_profile_name_iam_refuses_is_refused_by_its_input_name() -> None:
    message = refused(instance_profile_name="has space")
    assert message.startswith("instance_profile_name 'has space' ")


def test_a_profile_name_over_iams_limit_is_refused() -> None:
    assert refused(instance_profile_name="p" * 129).startswith(
        f"instance_profile_name {'p' * 129!r}"
    )


def test_a_profile_name_at_iams_limit_is_taken() -> None:
    assert registered(instance_profile_name="p" * 128)["instance_profile_name"] == "p" * 128


@pytest.mark.parametrize("flag", ["replace_existing", "require_imdsv2", "restore_metadata_options"])
def test_a_flag_that_is_not_a_bool_is_refused_by_its_name(flag: str) -> None:
    assert refused(**{flag: "yes"}).startswith(f"{flag} must be")


FIX = (
    "Give ProfileAttachment region=, profile= or assume_role_arn= instead, or set the stack's "
    "aws: configuration, which it reads."
)
PROVIDER_REFUSED = (
    "ProfileAttachment 'attach' got a provider option, which a dynamic resource cannot use: "
    f"its AWS calls are made by Pulumi's Python dynamic provider. {FIX}"
)


def other_aws() -> pulumi_aws.Provider:
    return pulumi_aws.Provider("other", region="us-west-2")


def parent_with(provider: pulumi.ProviderResource) -> pulumi.ResourceOptions:
    parent = pulumi.ComponentResource(
        "test:index:Parent", "parent", None, pulumi.ResourceOptions(providers=[provider])
    )
    return pulumi.ResourceOptions(parent=parent)


def test_an_explicit_aws_provider_is_refused_whole() -> None:
    assert refused(lambda: pulumi.ResourceOptions(provider=other_aws())) == PROVIDER_REFUSED


def test_an_aws_provider_in_a_providers_mapping_is_refused_whole() -> None:
    assert refused(lambda: pulumi.ResourceOptions(providers={"aws": other_aws()})) == (
        PROVIDER_REFUSED
    )


def test_an_aws_provider_in_a_providers_list_is_refused_whole() -> None:
    assert refused(lambda: pulumi.ResourceOptions(providers=[other_aws()])) == PROVIDER_REFUSED


def test_a_parent_with_an_aws_provider_is_refused_whole() -> None:
    assert refused(lambda: parent_with(other_aws())) == (
        "ProfileAttachment 'attach' has a parent with an explicit aws provider, which a dynamic "
        f"resource cannot use. {FIX}"
    )


def test_import_is_refused_whole() -> None:
    assert refused(lambda: pulumi.ResourceOptions(import_="iip-assoc-0123456789abcdef0")) == (
        "ProfileAttachment 'attach' cannot be imported (import_='iip-assoc-0123456789abcdef0'). "
        "Drop import_: its create adopts the instance's existing association with the same "
        "profile, which is what an import would do."
    )


def test_options_without_a_provider_are_taken() -> None:
    assert attach(lambda: pulumi.ResourceOptions(protect=True)).one(DYNAMIC).options == {
        "protect": True
    }


def test_a_provider_of_another_package_among_the_providers_is_taken() -> None:
    assert attach(
        lambda: pulumi.ResourceOptions(providers=[pulumi.ProviderResource("kubernetes", "k8s")])
    ).of_type(DYNAMIC)


def test_a_parent_with_a_provider_of_another_package_is_taken() -> None:
    assert attach(lambda: parent_with(pulumi.ProviderResource("kubernetes", "k8s"))).of_type(
        DYNAMIC
    )


def test_the_association_and_the_token_setting_are_outputs_of_the_resource() -> None:
    made: list[ProfileAttachment] = []

    def program() -> None:
        made.append(
            ProfileAttachment("attach", instance_id=INSTANCE, instance_profile_name="first")
        )

    run_program(program)
    (attachment,) = made
    assert isinstance(attachment.association_id, pulumi.Output)
    assert isinstance(attachment.http_tokens, pulumi.Output)
