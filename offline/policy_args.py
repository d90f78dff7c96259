"""Builds the policy SDK's argument bags from resources registered under the mocks, as the
engine builds them from a preview."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from offline.mocks import Registration


def default_config(policy: Policy) -> dict[str, Any]:
    """The config the CLI gives a policy whose stack sets none: its schema's defaults."""
    schema = policy.config_schema
    return {
        k: v["default"] for k, v in (schema.properties if schema else {}).items() if "default" in v
    }


def _options(parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=parent,
    )


def resource_args(
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str = "r",
    config: Mapping[str, Any] | None = None,
) -> ResourceValidationArgs:
    urn = f"urn:pulumi:test::ec2-instance-role::{resource_type}::{name}"
    return ResourceValidationArgs(resource_type, props, urn, name, _options(), None, config)


def resource_violations(
    policy: ResourceValidationPolicy, args: ResourceValidationArgs
) -> list[str]:
    found: list[str] = []
    policy.validate(args, lambda message, urn=None: found.append(message))
    return found


def stack_resources(registrations: Iterable[Registration]) -> list[PolicyResource]:
    """PolicyResources with parents and (property) dependencies linked: every custom resource
    with its properties, and every component with its registered outputs, as the engine hands
    components to a stack policy (their state's outputs)."""
    registrations = list(registrations)
    by_urn: dict[str, PolicyResource] = {}
    for r in registrations:
        props = r.inputs if r.custom else r.outputs
        by_urn[r.urn] = PolicyResource(
            r.type, props, r.urn, r.name, _options(r.parent), None, None, [], {}
        )
    for r in registrations:
        resource = by_urn[r.urn]
        resource.dependencies = [by_urn[u] for u in r.dependencies if u in by_urn]
        resource.property_dependencies = {
            prop: [by_urn[u] for u in urns if u in by_urn]
            for prop, urns in r.property_dependencies.items()
        }
    return list(by_urn.values())


def stack_violations(
    policy: StackValidationPolicy,
    resources: list[PolicyResource],
    config: Mapping[str, Any] | None = None,
) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    args = StackValidationArgs(resources, config if config is not None else default_config(policy))
    policy.validate(args, lambda message, urn=None: found.append((message, urn)))
    return found


def policy_resource(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    property_dependencies: Mapping[str, list[PolicyResource]] | None = None,
) -> PolicyResource:
    urn = f"urn:pulumi:test::ec2-instance-role::{resource_type}::{name}"
    return PolicyResource(
        resource_type,
        props,
        urn,
        name,
        _options(),
        None,
        None,
        [],
        dict(property_dependencies or {}),
    )
