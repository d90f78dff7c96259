"""The multi-language package: the components the plugin serves and the schema it infers.

``provider/__main__.py`` calls :func:`serve`, which runs :class:`PackageProvider` (Pulumi's
``ComponentProvider``, which infers the package schema from the ``TypedDict`` Args, the typed
output attributes and their docstrings) behind ``pulumi.provider.main``, as
``component_provider_host`` would, but with what that host cannot be told:

- an object, map or list input that arrives as one whole Output is refused, naming the input,
  where pulumi 3.272 ``provider/experimental/component.py`` ``map_input_properties`` turns an
  object into ``{}`` (a role without the caller's policies, and no error);
- the schema's descriptions lose the docstrings' continuation indent and name each input and
  output as other languages spell it (``existingInstanceProfileName``);
- an ``InputError`` raised while the component is built is an invalid-input error with the
  component's message, not an error with a Python traceback;
- the nested role settings type is ``InstanceRoleSettings`` in the schema: the Python class
  ``InstanceRoleArgs`` would collide with the args of the ``InstanceRole`` resource in Go, whose
  code generator then renames it ``InstanceRoleArgsType``.

:func:`inferred_schema` builds the same provider without the Pulumi CLI, for the tests and for
``provider/schema.json``.
"""

import inspect
import json
import re
import sys
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyError
from pulumi.provider.experimental.analyzer import PropertyDefinition
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from ._gc import collector_paused
from ._inputs import is_known
from ._meta import PACKAGE_NAME, __version__
from .auto_scaling_group_with_role import AutoScalingGroupWithRole
from .instance_role import InstanceRole
from .instance_with_role import InstanceWithRole
from .validation import InputError

COMPONENTS: tuple[type[pulumi.ComponentResource], ...] = (
    InstanceRole,
    InstanceWithRole,
    AutoScalingGroupWithRole,
)
"""What other languages can create. ProfileAttachment is not among them: it is a dynamic
provider, which runs only inside a Python program."""

#: The schema's name for each nested type whose Python name would collide in generated SDKs.
SCHEMA_TYPE_NAMES: Mapping[str, str] = {"InstanceRoleArgs": "InstanceRoleSettings"}

_BACKTICKED_NAME = re.compile(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`")


class PackageProvider(ComponentProvider):
    """``ComponentProvider`` with whole-Output structured inputs refused and a cleaned schema
    (see the module docstring)."""

    def __init__(self, version: str = __version__) -> None:
        with collector_paused():  # the analyzer parses the components' sources for docstrings
            super().__init__(list(COMPONENTS), PACKAGE_NAME, version=version)
        # ComponentProvider.__init__ always hands its base the schema it generated, serialized.
        assert self.schema is not None
        #: The schema as ``pulumi package get-schema`` prints it, parsed.
        self.document = _cleaned_schema(json.loads(self.schema))
        self.schema = json.dumps(self.document)

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: Any,
        options: pulumi.ResourceOptions | None = None,
    ) -> ConstructResult:
        # ComponentProvider wraps whatever the component raises in ComponentInitError, which
        # the provider server reports with a Python traceback (pulumi 3.272 provider/server.py
        # Construct). An InputError is the caller's to fix: an invalid-input error with the
        # component's message alone, as the Python language host prints it.
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            if isinstance(error.inner, InputError):
                raise InputPropertiesError(str(error.inner)) from None
            raise

    def map_input_properties(
        self,
        inputs: Any,
        properties: dict[str, PropertyDefinition],
        mapping: dict[str, str],
        component_name: str,
        property_path: str,
    ) -> Any:
        # Called for the component's inputs, then again for each nested object's.
        if isinstance(inputs, dict):
            for schema_name, prop in properties.items():
                value = inputs.get(schema_name)
                if value is not None and not is_known(value) and self._structured(prop):
                    path = f"{property_path}.{schema_name}" if property_path else schema_name
                    raise InputPropertyError(path, _whole_output_reason(path, component_name))
        return super().map_input_properties(
            inputs, properties, mapping, component_name, property_path
        )

    def _structured(self, prop: PropertyDefinition) -> bool:
        """An object, map or list: its keys or entries decide which child resources exist, so
        it cannot wait for a deploy-time value as a whole."""
        if prop.items is not None or prop.additional_properties is not None:
            return True
        if not prop.ref:
            return False
        type_def = self.get_type_definition(prop)
        return type_def is not None and not type_def.enum


def _whole_output_reason(path: str, component_name: str) -> str:
    return (
        f"{path} reached {component_name} as one Output (a value computed as a whole, such as "
        f"${{settings}} in YAML or an apply in TypeScript), which {component_name} cannot "
        "read: its keys decide which resources it creates, and they must be known when the "
        f"program runs (a preview has no value for it at all). Pass {path} as an object or "
        "list literal; the values inside it (policy documents, ARNs, names) may be Outputs."
    )


def _cleaned_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the nested types renamed (SCHEMA_TYPE_NAMES) and every description
    dedented, with the Python names of the package's properties in their schema spelling."""
    spelling: dict[str, str] = {}
    # The SDK's generator writes both sections for every component, empty or not.
    for resource in schema["resources"].values():
        for section in ("inputProperties", "properties"):
            spelling.update({_snake(name): name for name in resource[section]})
    text = json.dumps(schema)
    for python_name, schema_name in SCHEMA_TYPE_NAMES.items():
        text = text.replace(
            f'{PACKAGE_NAME}:index:{python_name}"', f'{PACKAGE_NAME}:index:{schema_name}"'
        )
    return _with_clean_descriptions(json.loads(text), spelling)


def _with_clean_descriptions(value: Any, spelling: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        cleaned = {k: _with_clean_descriptions(v, spelling) for k, v in value.items()}
        if isinstance(cleaned.get("description"), str):
            cleaned["description"] = _BACKTICKED_NAME.sub(
                lambda m: f"`{spelling.get(m.group(1), m.group(1))}`",
                inspect.cleandoc(cleaned["description"]),
            )
        return cleaned
    if isinstance(value, list):
        return [_with_clean_descriptions(v, spelling) for v in value]
    return value


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])|(?<=[a-z])(?=[0-9])", "_", camel).lower()


def provider(version: str = __version__) -> PackageProvider:
    """The provider the plugin serves: schema inferred and cleaned, components constructible."""
    return PackageProvider(version)


def inferred_schema(version: str = __version__) -> dict[str, Any]:
    """The package schema, as ``pulumi package get-schema`` would print it."""
    return provider(version).document


def serve(args: list[str] | None = None) -> None:
    """Runs the plugin: what ``component_provider_host`` does (pulumi 3.272
    ``provider/experimental/host.py``: ``main(ComponentProvider(...), sys.argv[1:])``), with
    :class:`PackageProvider` in its place. ``main`` reads the engine's address from ``args``
    (by default the program's arguments) and prints the port it listens on."""
    from pulumi.provider import main

    main(provider(), sys.argv[1:] if args is None else args)
