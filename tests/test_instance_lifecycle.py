"""What a real engine and provider do with the instance over its life, and every documented AWS
limit of InstanceWithRole's inputs, at the limit and one past it.

Where only the provider's or the engine's source shows the behaviour, the test says so: these
tests prove what the component registers, and the docstrings cite why that is what a real
`pulumi up` needs.
"""

import json

import pulumi
import pulumi_aws as aws
import pytest
from moto import mock_aws

from components import InstanceWithRole
from components.validation import InputError
from offline.emulator import MotoMocks, complete_default_vpc
from offline.mocks import AwsMocks, run_program

from conftest import fake_aws_credentials, read_objects_policy

INSTANCE = "aws:ec2/instance:Instance"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def build(**args):
    return run_program(lambda: InstanceWithRole("app", args))


def refused(**args) -> str:
    run = run_program(lambda: InstanceWithRole("app", args), capture_error=True)
    assert not run.registrations, "nothing may be registered"
    return str(run.raised(InputError))


def late(value):
    return pulumi.Output.from_input("x").apply(lambda _: value)


def instance(run):
    return run.one(INSTANCE)


# --- termination protection ----------------------------------------------------------------


def test_termination_protection_also_protects_the_instance_in_pulumi():
    """terraform-provider-aws resourceInstanceDelete turns EC2's termination protection off
    before TerminateInstances, so only Pulumi's protect stops a replacement or a destroy: the
    engine refuses to replace a resource protected in the old state and the new registration,
    and to delete one protected in the old state (pulumi step_generator.go, step.go)."""
    registered = instance(build(termination_protection=True))
    assert registered.inputs["disableApiTermination"] is True
    assert registered.options.get("protect") is True


def test_instance_without_termination_protection_is_not_protected():
    registered = instance(build())
    assert registered.inputs["disableApiTermination"] is False
    assert "protect" not in registered.options


def test_only_the_instance_is_protected_so_policies_still_update():
    run = build(termination_protection=True, role={"inline_policies": {"r": read_objects_policy()}})
    protected = {r.name for r in run.custom() if r.options.get("protect")}
    assert protected == {"app-instance"}


# --- user data ---------------------------------------------------------------------------------


def test_user_data_change_replaces_the_instance_by_default():
    """cloud-init runs user data at first boot only; the provider replaces the instance on a
    change only with user_data_replace_on_change (terraform-provider-aws aws_instance
    CustomizeDiff), and otherwise stops it, swaps the data and starts it."""
    registered = instance(build(user_data="#!/bin/sh\necho hello\n"))
    assert registered.inputs["userDataReplaceOnChange"] is True


def test_user_data_replacement_can_be_turned_off():
    registered = instance(build(user_data="#!/bin/sh\n", replace_on_user_data_change=False))
    assert registered.inputs["userDataReplaceOnChange"] is False


def test_user_data_of_exactly_16_kb_is_accepted():
    assert instance(build(user_data="x" * 16384)).inputs["userData"] == "x" * 16384


def test_user_data_one_byte_over_16_kb_is_refused():
    assert "user_data is 16385 bytes; EC2 takes at most 16384" in refused(user_data="x" * 16385)


def test_user_data_is_measured_in_bytes_not_characters():
    assert "user_data is 16386 bytes" in refused(user_data="é" * 8193)


def test_user_data_known_only_at_deploy_time_is_measured_before_any_resource():
    run = run_program(
        lambda: InstanceWithRole("app", {"user_data": late("x" * 16385)}), capture_error=True
    )
    assert "user_data is 16385 bytes" in str(run.raised(InputError))
    assert run.custom() == []


# --- root volume -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("volume_type", "largest"), [("gp3", 65536), ("gp2", 16384), ("standard", 1024)]
)
def test_root_volume_of_the_largest_size_of_its_type_is_accepted(volume_type, largest):
    registered = instance(build(root_volume_type=volume_type, root_volume_size=largest))
    assert registered.inputs["rootBlockDevice"]["volumeSize"] == largest


@pytest.mark.parametrize(
    ("volume_type", "largest"), [("gp3", 65536), ("gp2", 16384), ("standard", 1024)]
)
def test_root_volume_one_gib_over_its_types_limit_is_refused(volume_type, largest):
    message = refused(root_volume_type=volume_type, root_volume_size=largest + 1)
    assert f"1 to {largest} for a {volume_type} volume" in message


def test_root_volume_of_zero_gib_is_refused():
    assert "root_volume_size 0 must be a whole number of GiB, 1 to 65536" in refused(
        root_volume_size=0
    )


# --- KMS key -----------------------------------------------------------------------------------


def test_kms_key_arn_is_given_to_ec2_as_is_without_a_lookup():
    run = build(root_volume_kms_key_id=KEY_ARN)
    assert instance(run).inputs["rootBlockDevice"]["kmsKeyId"] == KEY_ARN
    assert not [c for c in run.mocks.calls if c.token == "aws:kms/getKey:getKey"]


@pytest.mark.parametrize(
    "key",
    [
        "alias/ebs-root",
        "arn:aws:kms:eu-west-1:123456789012:alias/ebs-root",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
    ],
)
def test_other_kms_key_forms_reach_ec2_as_the_key_arn(key):
    """The provider reads the volume's key back as its ARN and kms_key_id forces a new
    instance (terraform-provider-aws aws_instance root_block_device, no diff suppression):
    any other form would replace the instance on every `up`."""
    run = build(root_volume_kms_key_id=key)
    arn = instance(run).inputs["rootBlockDevice"]["kmsKeyId"]
    assert arn.startswith("arn:aws:kms:eu-west-1:123456789012:key/")
    (lookup,) = [c for c in run.mocks.calls if c.token == "aws:kms/getKey:getKey"]
    assert dict(lookup.args)["keyId"] == key


@pytest.mark.parametrize(
    "key", ["ebs-root", "alias/", "alias/has space", "arn:aws:kms:eu-west-1:123:key/x", "key/1"]
)
def test_what_is_no_form_of_kms_key_is_refused(key):
    assert f"root_volume_kms_key_id {key!r} is not a KMS key" in refused(root_volume_kms_key_id=key)


def test_kms_alias_that_does_not_exist_creates_nothing():
    run = run_program(
        lambda: InstanceWithRole("app", {"root_volume_kms_key_id": "alias/missing"}),
        capture_error=True,
    )
    assert "reading KMS Key (alias/missing): NotFoundException: Alias not found" in str(run.error)
    assert run.custom() == []


@pytest.fixture
def emulator_preview():
    """A preview against the emulator: data sources are read, resources only planned (no
    IDs yet)."""
    with pytest.MonkeyPatch.context() as patch:
        fake_aws_credentials(patch, "eu-west-1")
        with mock_aws():
            mocks = MotoMocks("eu-west-1", preview=True)
            complete_default_vpc(mocks.ec2)
            yield mocks


def preview_with_alias(mocks, *, wait_for_it: bool):
    def program():
        alias = aws.ec2.SecurityGroup("stands-for-the-new-alias")
        InstanceWithRole(
            "app",
            {"root_volume_kms_key_id": "alias/created-in-this-program"},
            pulumi.ResourceOptions(depends_on=[alias] if wait_for_it else None),
        )

    return run_program(program, mocks=mocks, preview=True, capture_error=True)


def test_kms_lookup_waits_for_the_components_depends_on(emulator_preview):
    """An alias created in the same program does not exist yet during the first preview: the
    lookup carries the component's depends_on, so it is unknown then, not a failure."""
    run = preview_with_alias(emulator_preview, wait_for_it=True)
    assert run.error is None, run.error
    assert isinstance(instance(run).inputs["rootBlockDevice"]["kmsKeyId"], pulumi.output.Unknown)


def test_kms_lookup_without_depends_on_fails_for_an_alias_not_yet_created(emulator_preview):
    run = preview_with_alias(emulator_preview, wait_for_it=False)
    assert "alias/created-in-this-program" in str(run.error)
    assert "NotFoundException" in str(run.error)


def test_kms_alias_known_only_at_deploy_time_reaches_ec2_as_the_key_arn():
    run = run_program(
        lambda: InstanceWithRole("app", {"root_volume_kms_key_id": late("alias/ebs-root")})
    )
    arn = instance(run).inputs["rootBlockDevice"]["kmsKeyId"]
    assert arn.startswith("arn:aws:kms:eu-west-1:123456789012:key/")


# --- metadata hop limit ------------------------------------------------------------------------


def test_hop_limit_of_2_needs_no_opt_in():
    registered = instance(build(metadata_hop_limit=2))
    assert registered.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2


def test_hop_limit_above_2_is_refused_without_the_opt_in():
    message = refused(metadata_hop_limit=3)
    assert "metadata_hop_limit is 3" in message
    assert "set allow_metadata_hop_limit_above_2 to true" in message


def test_hop_limit_above_2_is_accepted_with_the_opt_in():
    registered = instance(build(metadata_hop_limit=64, allow_metadata_hop_limit_above_2=True))
    assert registered.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 64
    assert registered.inputs["metadataOptions"]["httpTokens"] == "required"


def test_hop_limit_over_64_is_refused_even_with_the_opt_in():
    message = refused(metadata_hop_limit=65, allow_metadata_hop_limit_above_2=True)
    assert "EC2 allows 1 to 64" in message


# --- names, types, lists, flags ----------------------------------------------------------------


def test_key_name_of_255_characters_is_accepted():
    assert instance(build(key_name="k" * 255)).inputs["keyName"] == "k" * 255


@pytest.mark.parametrize("key_name", ["k" * 256, "", "clé"])
def test_key_name_ec2_refuses_is_refused(key_name):
    assert "is not an EC2 key pair name: 1 to 255 ASCII characters" in refused(key_name=key_name)


@pytest.mark.parametrize("instance_type", ["m7i-flex.large", "u-6tb1.metal", "t4g.nano"])
def test_instance_types_of_every_shape_are_accepted(instance_type):
    assert instance(build(instance_type=instance_type)).inputs["instanceType"] == instance_type


@pytest.mark.parametrize("instance_type", ["T3.micro", "t3micro", "t3.", " t3.micro"])
def test_what_is_no_instance_type_is_refused(instance_type):
    assert "is not an EC2 instance type" in refused(instance_type=instance_type)


def groups(count):
    return [f"sg-{i:017x}" for i in range(count)]


def test_sixteen_security_groups_are_accepted():
    assert instance(build(vpc_security_group_ids=groups(16))).inputs[
        "vpcSecurityGroupIds"
    ] == groups(16)


def test_seventeen_security_groups_are_refused():
    assert "has 17 groups; EC2 attaches at most 16" in refused(vpc_security_group_ids=groups(17))


def test_a_security_group_listed_twice_is_refused():
    assert "lists sg-00000000000000000 twice" in refused(vpc_security_group_ids=groups(1) * 2)


@pytest.mark.parametrize(
    "flag", ["termination_protection", "replace_on_user_data_change", "detailed_monitoring"]
)
def test_a_flag_given_as_a_string_is_refused(flag):
    assert f"{flag} must be true or false; got 'true'" in refused(**{flag: "true"})


class AnyParameter(AwsMocks):
    """The mocks, holding an AMI ID under every parameter name."""

    def _getParameter(self, args: dict) -> dict:
        return {
            "id": args["name"],
            "name": args["name"],
            "type": "String",
            "value": "ami-0123456789abcdef0",
            "insecureValue": "ami-0123456789abcdef0",
        }


def passes_the_check(**args) -> bool:
    """The parameter name passed the component's check and the instance launched from it."""
    run = run_program(lambda: InstanceWithRole("app", args), mocks=AnyParameter())
    asked = [c for c in run.mocks.calls if c.token == "aws:ssm/getParameter:getParameter"]
    return [dict(c.args)["name"] for c in asked] == [args["ami_ssm_parameter"]] and (
        instance(run).inputs["ami"] == "ami-0123456789abcdef0"
    )


def test_ami_ssm_parameter_of_2048_characters_is_accepted():
    assert passes_the_check(ami_ssm_parameter="/" + "p" * 2047)


@pytest.mark.parametrize(
    "name",
    [
        "no-slash",
        "/my/ami:3",
        "/my/ami:prod",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/ami",
    ],
)
def test_ami_ssm_parameter_forms_getparameter_takes_are_accepted(name):
    assert passes_the_check(ami_ssm_parameter=name)


@pytest.mark.parametrize("name", ["/" + "p" * 2048, "/has space", "/", "/a:", "", "/a:b:c"])
def test_ami_ssm_parameter_that_is_no_parameter_name_is_refused(name):
    assert "is not an SSM parameter name" in refused(ami_ssm_parameter=name)


def test_documents_with_every_limit_still_render():
    # A sanity check that the instance and its role come out whole with every input at a limit.
    run = build(
        user_data="x" * 16384,
        root_volume_type="gp2",
        root_volume_size=16384,
        metadata_hop_limit=2,
        key_name="k" * 255,
        vpc_security_group_ids=groups(5),
        role={"inline_policies": {"r": json.dumps(read_objects_policy())}},
    )
    assert {r.type for r in run.custom()} >= {INSTANCE, "aws:iam/role:Role"}
