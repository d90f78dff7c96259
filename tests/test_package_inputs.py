"""What callers in other languages send, as the plugin receives it over the wire.

Each request is serialized as the engine sends a Construct (output values kept, property
dependencies listed), deserialized by the provider server's own ``_construct_inputs``, and
built by the provider the plugin serves (components/package.py PackageProvider). pulumi 3.272's
ComponentProvider turned an object that arrives as one whole Output into ``{}``: a role without
the caller's policies, and no error.
"""

import asyncio
import json

import grpc
import pulumi
import pytest
from pulumi.errors import InputPropertyError
from pulumi.provider.experimental.analyzer import PropertyDefinition
from pulumi.provider.server import ProviderServicer
from pulumi.runtime import proto, rpc

from components import PACKAGE_NAME
from components.package import PackageProvider, provider
from offline.mocks import run_program

from conftest import read_objects_policy

OTHER = "urn:pulumi:dev::consumer::aws:s3/bucketV2:BucketV2::data"
INSTANCE_WITH_ROLE = f"{PACKAGE_NAME}:index:InstanceWithRole"
INSTANCE_ROLE = f"{PACKAGE_NAME}:index:InstanceRole"


def whole_output(value):
    """``value`` as one output value of another resource, in the wire form the engine sends
    (pulumi 3.272 ``runtime/rpc.py``: the output-value signature, the value, its
    dependencies), as a TypeScript apply or `${settings}` in YAML hands it over."""
    return {
        rpc._special_sig_key: rpc._special_output_value_sig,
        "value": value,
        "dependencies": [OTHER],
    }


async def over_the_wire(inputs: dict, dependencies: dict[str, list[str]] | None = None) -> dict:
    struct = await rpc.serialize_properties(inputs, {})
    deps = {
        key: proto.ConstructRequest.PropertyDependencies(urns=urns)
        for key, urns in (dependencies or {}).items()
    }
    return await ProviderServicer._construct_inputs(struct, deps)


@pytest.fixture(scope="module")
def served() -> PackageProvider:
    """The provider the plugin serves, built once a module: inferring the schema takes seconds,
    and a construct keeps nothing of one call for the next. Built in each test session, so
    under `make mutation` it is built with the mutant switched on."""
    return provider()


def construct(
    served: PackageProvider,
    type_token: str,
    inputs_factory,
    dependencies=None,
    options: pulumi.ResourceOptions | None = None,
):
    """Constructs the component from the wire form of ``inputs_factory()``'s inputs."""

    async def build():
        inputs = await over_the_wire(inputs_factory(), dependencies)
        return served.construct("app", type_token, inputs, options or pulumi.ResourceOptions())

    return run_program(lambda: asyncio.ensure_future(build()), capture_error=True)


def refusal(run) -> InputPropertyError:
    assert isinstance(run.error, InputPropertyError), repr(run.error)
    assert not [r for r in run.registrations if r.custom], "nothing may be registered"
    return run.error


def test_role_passed_as_one_output_is_refused_naming_the_input(served):
    run = construct(
        served,
        INSTANCE_WITH_ROLE,
        lambda: {"role": whole_output({"inlinePolicies": {"read": read_objects_policy()}})},
    )
    error = refusal(run)
    assert error.property_path == "role"
    assert error.reason == (
        "role reached InstanceWithRole as one Output (a value computed as a whole, such as "
        "${settings} in YAML or an apply in TypeScript), which InstanceWithRole cannot read: its "
        "keys decide which resources it creates, and they must be known when the program runs "
        "(a preview has no value for it at all). Pass role as an object or list literal; the "
        "values inside it (policy documents, ARNs, names) may be Outputs."
    )


def test_role_literal_whose_only_dependency_is_listed_whole_is_refused(served):
    # Values known, their dependency listed for the whole input: the server wraps it as one
    # Output (provider/server.py _select_value), which is what a caller sends that serializes
    # no output values.
    run = construct(
        served,
        INSTANCE_WITH_ROLE,
        lambda: {"role": {"inlinePolicies": {"read": read_objects_policy()}}},
        {"role": [OTHER]},
    )
    assert refusal(run).property_path == "role"


def test_policies_map_passed_as_one_output_is_refused_with_its_path(served):
    run = construct(
        served,
        INSTANCE_WITH_ROLE,
        lambda: {"role": {"inlinePolicies": whole_output({"read": read_objects_policy()})}},
    )
    assert refusal(run).property_path == "role.inlinePolicies"


def test_instance_role_policies_passed_as_one_output_are_refused(served):
    run = construct(
        served,
        INSTANCE_ROLE,
        lambda: {
            "managedPolicyArns": whole_output({"ro": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
        },
    )
    assert refusal(run).property_path == "managedPolicyArns"


def test_security_group_list_passed_as_one_output_is_refused(served):
    run = construct(
        served,
        INSTANCE_WITH_ROLE,
        lambda: {"vpcSecurityGroupIds": whole_output(["sg-0123456789abcdef0"])},
    )
    assert refusal(run).property_path == "vpcSecurityGroupIds"


def test_role_literal_with_an_output_document_keeps_the_policy(served):
    def inputs():
        document = whole_output(json.dumps(read_objects_policy()))
        return {"role": {"inlinePolicies": {"read": document}}}

    run = construct(served, INSTANCE_WITH_ROLE, inputs)
    assert run.error is None, repr(run.error)
    (policy,) = run.of_type("aws:iam/rolePolicy:RolePolicy")
    assert json.loads(policy.inputs["policy"]) == read_objects_policy()
    assert OTHER in policy.dependencies


def test_a_string_input_may_still_be_an_output(served):
    run = construct(
        served, INSTANCE_WITH_ROLE, lambda: {"subnetId": whole_output("subnet-0123456789abcdef0")}
    )
    assert run.error is None, repr(run.error)
    assert run.one("aws:ec2/instance:Instance").inputs["subnetId"] == "subnet-0123456789abcdef0"


class _Aborted(Exception):
    pass


class _Context:
    """What grpc.aio gives a servicer method: records the status it aborts with."""

    status: grpc.Status | None = None

    async def abort_with_status(self, status):
        self.status = status
        raise _Aborted


def refused_over_grpc(served: PackageProvider, inputs_factory) -> grpc.Status:
    """The status the plugin's gRPC Construct aborts with for ``inputs_factory()``'s inputs,
    serialized as the engine sends them."""
    context = _Context()

    async def call():
        inputs = await rpc.serialize_properties(inputs_factory(), {})
        request = proto.ConstructRequest(
            project="consumer", stack="dev", type=INSTANCE_WITH_ROLE, name="app", inputs=inputs
        )
        await ProviderServicer(served, [], engine_address="").Construct(request, context)

    run = run_program(lambda: asyncio.ensure_future(call()), capture_error=True)
    assert isinstance(run.error, _Aborted), repr(run.error)
    assert context.status is not None
    assert context.status.code == grpc.StatusCode.INVALID_ARGUMENT
    return context.status


def test_plugin_answers_a_whole_output_role_with_an_invalid_argument_status(served):
    status = refused_over_grpc(
        served, lambda: {"role": whole_output({"inlinePolicies": {"read": read_objects_policy()}})}
    )
    details = dict(status.trailing_metadata)["grpc-status-details-bin"]
    assert b"role reached InstanceWithRole as one Output" in details


def test_plugin_answers_bad_input_with_the_components_message_and_no_traceback(served):
    status = refused_over_grpc(served, lambda: {"instanceType": "NOT A TYPE"})
    assert status.details == (
        "instance_type 'NOT A TYPE' is not an EC2 instance type (<family>.<size> in lower case, "
        "for example 't3.micro')."
    )


@pytest.mark.parametrize("type_token", [INSTANCE_ROLE, INSTANCE_WITH_ROLE])
def test_plugin_builds_an_empty_request_as_every_default(type_token, served):
    run = construct(served, type_token, dict)
    assert run.error is None, repr(run.error)
    assert run.of_type("aws:iam/role:Role")


def test_callers_resource_options_reach_the_component_and_its_resources(served):
    # The engine hands a Construct the caller's options (protect, providers, aliases, ...);
    # the plugin passes them to the component, whose children inherit protect.
    run = construct(served, INSTANCE_WITH_ROLE, dict, options=pulumi.ResourceOptions(protect=True))
    assert run.error is None, repr(run.error)
    (component,) = [r for r in run.registrations if r.type == INSTANCE_WITH_ROLE]
    assert component.options.get("protect") is True
    assert run.one("aws:iam/role:Role").options.get("protect") is True


def test_an_untyped_input_may_arrive_as_one_output(served):
    # A property typed Any (pulumi.json#/Any, as the schema types an inline policy document)
    # has no keys the component reads: the SDK's own mapping takes it as it arrives.
    mapped = {}

    async def map_one():
        inputs = await over_the_wire({"document": whole_output({"Version": "2012-10-17"})})
        mapped.update(
            served.map_input_properties(
                inputs,
                {"document": PropertyDefinition(ref="pulumi.json#/Any", optional=True)},
                {"document": "document"},
                "InstanceRole",
                "",
            )
        )

    run = run_program(lambda: asyncio.ensure_future(map_one()), capture_error=True)
    assert run.error is None, repr(run.error)
    assert isinstance(mapped["document"], pulumi.Output)


def test_a_missing_required_nested_input_is_named_with_its_path_and_component(served):
    # No input of the schema is required today; the SDK's check for one still sees the path and
    # the component name the plugin was called with.
    with pytest.raises(InputPropertyError) as raised:
        served.map_input_properties(
            {},
            {"name": PropertyDefinition(optional=False)},
            {"name": "name"},
            "InstanceRole",
            "role",
        )
    assert raised.value.property_path == "role.name"
    assert raised.value.reason == "Missing required input 'role.name' on 'InstanceRole'"
