"""The multi-language package: the schema Pulumi's component host infers from the Args
TypedDicts, the output attributes and their docstrings, and the plugin that serves it."""

import ast
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from components import (
    PACKAGE_NAME,
    InstanceRole,
    InstanceWithRole,
    __version__,
    instance_role,
    instance_with_role,
)
from components.package import COMPONENTS, PackageProvider, _cleaned_schema, inferred_schema, serve
from offline.mocks import run_program
from tools import package_schema, readme_tables

ROOT = Path(__file__).resolve().parent.parent
ARGS = {"InstanceRole": "InstanceRoleArgs", "InstanceWithRole": "InstanceWithRoleArgs"}
# Not "InstanceRoleArgs", the Python class's name: Go would rename it InstanceRoleArgsType.
ROLE_ARGS_TYPE = f"#/types/{PACKAGE_NAME}:index:InstanceRoleSettings"

# Every input's schema type: "plain" marks a value the component checks at construction, so
# other languages must pass it known (not an Output).
INPUT_TYPES = {
    "InstanceRole": {
        "roleName": "string",
        "roleNamePrefix": "plain string",
        "path": "plain string",
        "description": "plain string",
        "maxSessionDuration": "plain integer",
        "permissionsBoundary": "string",
        "tags": "plain map<string>",
        "inlinePolicies": "plain map<any>",
        "managedPolicyArns": "plain map<string>",
        "enableSessionManager": "plain boolean",
        "exclusivePolicyManagement": "plain boolean",
        "allowWildcardActions": "plain array<plain string>",
        "allowWildcardResourceActions": "plain array<plain string>",
        "allowUnknownActions": "plain array<plain string>",
        "instanceProfileName": "string",
        "instanceProfileNamePrefix": "plain string",
    },
    "InstanceWithRole": {
        "role": f"plain {ROLE_ARGS_TYPE}",
        "existingInstanceProfileName": "string",
        "ami": "string",
        "amiSsmParameter": "plain string",
        "replaceOnAmiChange": "plain boolean",
        "instanceType": "string",
        "subnetId": "string",
        "vpcSecurityGroupIds": "plain array<string>",
        "associatePublicIpAddress": "plain boolean",
        "keyName": "string",
        "userData": "string",
        "replaceOnUserDataChange": "plain boolean",
        "detailedMonitoring": "plain boolean",
        "ebsOptimized": "plain boolean",
        "terminationProtection": "plain boolean",
        "rootVolumeSize": "plain integer",
        "rootVolumeType": "plain string",
        "rootVolumeKmsKeyId": "string",
        "metadataHopLimit": "plain integer",
        "allowMetadataHopLimitAbove2": "plain boolean",
        "instanceMetadataTags": "plain boolean",
        "tags": "plain map<string>",
    },
}

OUTPUTS = {
    "InstanceRole": {
        "roleName": "required",
        "roleArn": "required",
        "instanceProfileName": "required",
        "instanceProfileArn": "required",
    },
    "InstanceWithRole": {
        "instanceId": "required",
        "instanceArn": "required",
        "privateIp": "required",
        "instanceProfileName": "required",
        # Not set when the instance uses a profile made elsewhere.
        "roleName": "optional",
        "roleArn": "optional",
        "instanceProfileArn": "optional",
    },
}


PROPERTIES = {
    *instance_role.ROLE_SETTINGS,
    *instance_with_role.INSTANCE_SETTINGS,
    *InstanceRole.__annotations__,
    *InstanceWithRole.__annotations__,
}
"""Every Python name of an input or output of the package."""


@pytest.fixture(scope="module")
def schema():
    return inferred_schema()


def token(component: str) -> str:
    return f"{PACKAGE_NAME}:index:{component}"


def type_of(prop: dict) -> str:
    """A property's schema type as one readable string."""
    if "$ref" in prop:
        described = "any" if prop["$ref"] == "pulumi.json#/Any" else prop["$ref"]
    elif prop["type"] == "array":
        described = f"array<{type_of(prop['items'])}>"
    elif prop["type"] == "object" and "additionalProperties" in prop:
        described = f"map<{type_of(prop['additionalProperties'])}>"
    else:
        described = prop["type"]
    return f"plain {described}" if prop.get("plain") else described


def docstrings(class_name: str) -> dict[str, str]:
    """Each annotated attribute's docstring, whitespace collapsed, read from the source, with
    the package's property names in backticks spelled as in the schema (camelCase)."""
    module = instance_with_role if "WithRole" in class_name else instance_role
    tree = readme_tables.parse(inspect.getsource(module))
    (node,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name]
    found: dict[str, str] = {}
    for item, following in zip(node.body, node.body[1:], strict=False):
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            assert isinstance(following, ast.Expr), f"{class_name}.{item.target.id} has no doc"
            text = " ".join(following.value.value.split())  # type: ignore[attr-defined]
            found[item.target.id] = re.sub(
                r"`([a-z0-9_]+)`",
                lambda m: f"`{camel(m.group(1))}`" if m.group(1) in PROPERTIES else m.group(0),
                text,
            )
    return found


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def collapse(text: str) -> str:
    return " ".join(text.split())


def test_schema_names_the_package_and_its_version(schema):
    assert (schema["name"], schema["version"]) == (PACKAGE_NAME, __version__)


def test_schema_resources_are_exactly_the_hosted_components(schema):
    assert set(schema["resources"]) == {token(c.__name__) for c in COMPONENTS}
    assert all(r["isComponent"] for r in schema["resources"].values())


@pytest.mark.parametrize("component", [InstanceRole, InstanceWithRole])
def test_schema_type_token_is_the_one_the_component_registers(component, schema):
    run = run_program(lambda: component("app", {}))
    registered = {r.type for r in run.registrations if not r.custom}
    assert token(component.__name__) in registered
    assert token(component.__name__) in schema["resources"]


@pytest.mark.parametrize("component", ["InstanceRole", "InstanceWithRole"])
def test_schema_lists_every_input_with_its_docstring(component, schema):
    expected = {camel(k): v for k, v in docstrings(ARGS[component]).items()}
    inputs = schema["resources"][token(component)]["inputProperties"]
    assert set(inputs) == set(expected)
    for name, doc in expected.items():
        assert doc, f"{component}.{name} has an empty docstring"
        assert collapse(inputs[name]["description"]) == doc, name


@pytest.mark.parametrize("component", ["InstanceRole", "InstanceWithRole"])
def test_schema_types_every_input(component, schema):
    inputs = schema["resources"][token(component)]["inputProperties"]
    assert {name: type_of(prop) for name, prop in inputs.items()} == INPUT_TYPES[component]


@pytest.mark.parametrize("component", ["InstanceRole", "InstanceWithRole"])
def test_schema_requires_no_input(component, schema):
    # Every setting has a default, stated in its docstring ("Optional. Defaults to ...").
    assert schema["resources"][token(component)]["requiredInputs"] == []
    inputs = schema["resources"][token(component)]["inputProperties"]
    assert all(p["description"].startswith("Optional.") for p in inputs.values())


def test_schema_role_type_carries_every_instance_role_input(schema):
    role_type = schema["types"][ROLE_ARGS_TYPE.removeprefix("#/types/")]
    role_inputs = schema["resources"][token("InstanceRole")]["inputProperties"]
    assert set(role_type["properties"]) == set(role_inputs)
    for name, prop in role_type["properties"].items():
        assert type_of(prop) == type_of(role_inputs[name]), name
        assert prop["description"] == role_inputs[name]["description"], name


@pytest.mark.parametrize("component", ["InstanceRole", "InstanceWithRole"])
def test_schema_lists_every_output_with_its_docstring_and_whether_it_is_always_set(
    component, schema
):
    resource = schema["resources"][token(component)]
    expected = {camel(k): v for k, v in docstrings(component).items()}
    assert set(resource["properties"]) == set(expected) == set(OUTPUTS[component])
    for name, doc in expected.items():
        assert collapse(resource["properties"][name]["description"]) == doc, name
        assert resource["properties"][name]["type"] == "string", name
    required = {name for name, kind in OUTPUTS[component].items() if kind == "required"}
    assert set(resource["required"]) == required


def test_imdsv2_token_requirement_is_not_an_input_in_any_language(schema):
    for resource in schema["resources"].values():
        assert not [name for name in resource["inputProperties"] if "token" in name.lower()]


def descriptions(value) -> list[str]:
    if isinstance(value, dict):
        found = [value["description"]] if isinstance(value.get("description"), str) else []
        return found + [d for v in value.values() for d in descriptions(v)]
    if isinstance(value, list):
        return [d for v in value for d in descriptions(v)]
    return []


def test_schema_descriptions_keep_no_docstring_indent(schema):
    found = descriptions(schema)
    assert len(found) > 40
    indented = [d for d in found if re.search(r"\n[ \t]", d)]
    assert indented == []


def test_schema_descriptions_spell_inputs_as_other_languages_do(schema):
    role = schema["resources"][token("InstanceWithRole")]["inputProperties"]["role"]
    assert role["description"].endswith("Conflicts with\n`existingInstanceProfileName`.")
    snake = [d for d in descriptions(schema) if re.search(r"`[a-z0-9]+_[a-z0-9_]+`", d)]
    assert snake == []


def _described(description: str) -> dict:
    return {"type": "string", "description": description}


def test_schema_cleaning_respells_names_in_descriptions_nested_in_lists():
    # What the SDK's generator writes for a property it types as a union (oneOf: a list).
    union = {"oneOf": [_described("Set `subnet_ids` or leave it out.")]}
    schema = {
        "resources": {"p:index:C": {"inputProperties": {"subnetIds": union}, "properties": {}}}
    }
    cleaned = _cleaned_schema(schema)
    (option,) = cleaned["resources"]["p:index:C"]["inputProperties"]["subnetIds"]["oneOf"]
    assert option["description"] == "Set `subnetIds` or leave it out."


def test_schema_cleaning_leaves_a_name_that_is_no_property_as_written():
    # Docstrings also name what is no input of the package (another class's argument).
    schema = {
        "resources": {
            "p:index:C": {
                "inputProperties": {"vpcId": _described("See `replace_existing` and `vpc_id`.")},
                "properties": {},
            }
        }
    }
    cleaned = _cleaned_schema(schema)
    described = cleaned["resources"]["p:index:C"]["inputProperties"]["vpcId"]["description"]
    assert described == "See `replace_existing` and `vpcId`."


def test_schema_type_names_collide_with_no_resource_args_in_go(schema):
    # Go names a resource's inputs <Resource>Args; a type of that name is renamed <...>Type.
    types = {t.rsplit(":", 1)[-1] for t in schema["types"]}
    resources = {r.rsplit(":", 1)[-1] for r in schema["resources"]}
    assert types == {"InstanceRoleSettings"}
    assert not {f"{r}Args" for r in resources} & (types | {f"{t}Args" for t in types})


def test_committed_schema_is_the_inferred_one():
    committed = (ROOT / "provider" / "schema.json").read_text()
    assert committed == package_schema.render(), "run: python -m tools.package_schema"


def test_plugin_serves_the_committed_schema_over_grpc(tmp_path):
    # What `pulumi package add` does: start `python <plugin dir> <engine>` from the consumer's
    # directory, read the port it prints, and ask for the schema.
    plugin = subprocess.Popen(
        [sys.executable, str(ROOT / "provider"), "127.0.0.1:1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert plugin.stdout is not None
        port = int(plugin.stdout.readline().decode().strip() or "0")
        assert port, plugin.stderr.read().decode() if plugin.stderr else ""
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            served = stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30)
    finally:
        plugin.terminate()
        plugin.wait(timeout=10)
    committed = json.loads((ROOT / "provider" / "schema.json").read_text())
    assert json.loads(served.schema) == committed


def _served(monkeypatch, *args):
    """What serve() hands the SDK's ``main``, the program started as ``provider 127.0.0.1:50051``."""
    calls = []
    monkeypatch.setattr("pulumi.provider.main", lambda *given: calls.append(given))
    monkeypatch.setattr(sys, "argv", ["provider", "127.0.0.1:50051"])
    serve(*args)
    [(provider, given)] = calls
    return provider, given


def test_plugin_serves_the_package_provider_with_the_committed_schema(monkeypatch):
    # The subprocess test above runs serve() where no tracer follows it; this one is in-process.
    provider, _ = _served(monkeypatch)
    assert isinstance(provider, PackageProvider)
    assert provider.schema is not None
    assert json.loads(provider.schema) == json.loads(
        (ROOT / "provider" / "schema.json").read_text()
    )


def test_plugin_listens_where_the_programs_arguments_say_by_default(monkeypatch):
    assert _served(monkeypatch)[1] == ["127.0.0.1:50051"]


def test_plugin_listens_where_the_arguments_given_say(monkeypatch):
    assert _served(monkeypatch, ["127.0.0.1:7"])[1] == ["127.0.0.1:7"]
