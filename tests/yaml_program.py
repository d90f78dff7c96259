"""Runs the components the way a Pulumi YAML program uses them, without the CLI.

``schema_problems`` does the check Pulumi YAML makes against the package schema before running
(unknown resource types and properties, missing required inputs, wrong value types).
``construct_resources`` then plays the engine's part for each resource of the package: it
evaluates the properties (config and ``${resource.output}`` references only; anything else fails
loudly), sends integers as floats as the wire does, and calls the component host's ``construct``,
which maps the camelCase inputs onto the Python Args and builds the component. Each component's
outputs reach the resources that use them as the engine delivers them: serialized by the
provider server into a ConstructResponse (state and state dependencies) and rebuilt from it, so
a dependency the wire would drop is dropped here too.
"""

import asyncio
import re
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ProviderServicer
from pulumi.resource import DependencyResource
from pulumi.runtime import rpc

_REFERENCE = re.compile(r"\$\{([^}]*)\}")


def expand_token(type_token: str) -> str:
    """``pkg:Type`` is Pulumi YAML's short form of ``pkg:index:Type``."""
    parts = type_token.split(":")
    return f"{parts[0]}:index:{parts[1]}" if len(parts) == 2 else type_token


def _value_problems(path: str, value: Any, prop: Mapping[str, Any], schema: Mapping) -> list[str]:
    if isinstance(value, str) and (reference := _REFERENCE.fullmatch(value)):
        if prop.get("plain") and "." in reference.group(1):
            return [f"{path}: takes a known value, not the output {value}"]
        return []  # typed by what it refers to; checked when it resolves
    ref = prop.get("$ref")
    if ref == "pulumi.json#/Any":
        return []
    if ref:
        type_spec = schema["types"][ref.removeprefix("#/types/")]
        return _object_problems(path, value, type_spec["properties"], [], schema)
    kind = prop["type"]
    expected = {"string": str, "integer": int, "boolean": bool, "number": (int, float)}
    if kind in expected:
        ok = isinstance(value, expected[kind]) and not (
            kind != "boolean" and isinstance(value, bool)
        )
        return [] if ok else [f"{path}: {value!r} is not a {kind}"]
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: {value!r} is not a list"]
        return [
            p
            for i, item in enumerate(value)
            for p in _value_problems(f"{path}[{i}]", item, prop["items"], schema)
        ]
    if not isinstance(value, Mapping):
        return [f"{path}: {value!r} is not an object"]
    return [
        p
        for key, item in value.items()
        for p in _value_problems(f"{path}.{key}", item, prop["additionalProperties"], schema)
    ]


def _object_problems(
    path: str, value: Any, properties: Mapping, required: list[str], schema: Mapping
) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"{path}: {value!r} is not an object"]
    problems = [f"{path}.{key}: no such input" for key in value if key not in properties]
    problems += [f"{path}.{key}: required input missing" for key in required if key not in value]
    for key, item in value.items():
        if key in properties:
            problems += _value_problems(f"{path}.{key}", item, properties[key], schema)
    return problems


def schema_problems(program: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """What Pulumi YAML would refuse in ``program``'s resources of ``schema``'s package."""
    problems: list[str] = []
    ours = {
        name: resource
        for name, resource in program.get("resources", {}).items()
        if resource["type"].split(":")[0] == schema["name"]
    }
    for name, resource in ours.items():
        spec = schema["resources"].get(expand_token(resource["type"]))
        if spec is None:
            problems.append(f"{name}: no resource type {resource['type']} in the schema")
            continue
        problems += _object_problems(
            name,
            resource.get("properties", {}),
            spec["inputProperties"],
            spec.get("requiredInputs", []),
            schema,
        )
    for text in _strings(program.get("outputs", {})):
        for reference in _REFERENCE.findall(text):
            resource_name, _, output = reference.partition(".")
            if resource_name in ours:
                spec = schema["resources"][expand_token(ours[resource_name]["type"])]
                if output not in spec["properties"]:
                    problems.append(f"outputs: {resource_name} has no output {output!r}")
    return problems


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


class _Evaluator:
    def __init__(self, config: Mapping[str, str], states: dict[str, dict[str, Any]]) -> None:
        self.config = config
        self.states = states

    def reference(self, expression: str) -> Any:
        name, _, output = expression.partition(".")
        if not output:
            if name not in self.config:
                raise KeyError(f"${{{expression}}}: no such config value")
            return self.config[name]
        if name not in self.states or output not in self.states[name]:
            raise KeyError(f"${{{expression}}}: no such resource output (yet)")
        return self.states[name][output]

    def value(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return float(value)  # as the engine sends every number
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, Mapping):
            return {k: self.value(v) for k, v in value.items()}
        if not isinstance(value, str) or "${" not in value:
            return value
        if whole := _REFERENCE.fullmatch(value):
            return self.reference(whole.group(1))
        pieces: list[Any] = []
        position = 0
        for match in _REFERENCE.finditer(value):
            pieces += [value[position : match.start()], self.reference(match.group(1))]
            position = match.end()
        pieces.append(value[position:])
        if any(isinstance(p, pulumi.Output) for p in pieces):
            return pulumi.Output.concat(*pieces)
        return "".join(str(p) for p in pieces)


def construct_resources(
    program: Mapping[str, Any],
    provider: ComponentProvider,
    package: str,
    config: Mapping[str, str],
) -> dict[str, dict[str, Any]]:
    """Constructs ``program``'s resources (all of ``package``), in order; returns each one's
    outputs by resource name. Call inside a (mocked) Pulumi program."""
    states: dict[str, dict[str, Any]] = {}
    evaluator = _Evaluator(config, states)
    for name, resource in program.get("resources", {}).items():
        type_token = expand_token(resource["type"])
        if type_token.split(":")[0] != package:
            raise NotImplementedError(f"{name}: this runner only builds {package} types")
        inputs = evaluator.value(resource.get("properties", {}))
        result = provider.construct(name, type_token, inputs, pulumi.ResourceOptions())
        states[name] = _over_the_wire(provider, result)
    return states


def _over_the_wire(provider: ComponentProvider, result: ConstructResult) -> dict[str, Any]:
    """``result``'s outputs as a consumer receives them: each one rebuilt from the serialized
    ConstructResponse, depending on exactly the URNs its stateDependencies list."""
    servicer = ProviderServicer(provider, [], engine_address="")
    response = asyncio.ensure_future(servicer._construct_response(result))

    async def value(key: str) -> Any:
        return rpc.deserialize_properties((await response).state).get(key)

    async def known(key: str) -> bool:
        return not rpc.contains_unknowns(await value(key))

    async def dependencies(key: str) -> set[pulumi.Resource]:
        deps = (await response).stateDependencies
        return {DependencyResource(urn) for urn in deps[key].urns} if key in deps else set()

    return {
        key: pulumi.Output(
            dependencies(key), asyncio.ensure_future(value(key)), asyncio.ensure_future(known(key))
        )
        for key in result.state
    }


def outputs(program: Mapping[str, Any], states: dict[str, dict[str, Any]]) -> dict[str, Any]:
    evaluator = _Evaluator({}, states)
    return {name: evaluator.value(value) for name, value in program.get("outputs", {}).items()}
