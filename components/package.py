"""The multi-language package: the components the component host serves and the schema it infers.

``provider/__main__.py`` serves :data:`COMPONENTS` through
``pulumi.provider.experimental.component_provider_host``, which infers the package schema from the
``TypedDict`` Args, the typed output attributes and their docstrings. :func:`inferred_schema` runs
the same analyzer without the Pulumi CLI, for the tests and for ``provider/schema.json``.
"""

import json
from typing import Any

import pulumi
from pulumi.provider.experimental.component import ComponentProvider

from ._gc import collector_paused
from ._meta import PACKAGE_NAME, __version__
from .instance_role import InstanceRole
from .instance_with_role import InstanceWithRole

COMPONENTS: tuple[type[pulumi.ComponentResource], ...] = (InstanceRole, InstanceWithRole)
"""What other languages can create. ProfileAttachment is not among them: it is a dynamic
provider, which runs only inside a Python program."""


def provider(version: str = __version__) -> ComponentProvider:
    """The provider the component host would serve: schema inferred, components constructible."""
    with collector_paused():  # the analyzer parses the components' sources for docstrings
        return ComponentProvider(list(COMPONENTS), PACKAGE_NAME, version=version)


def inferred_schema(version: str = __version__) -> dict[str, Any]:
    """The package schema, as ``pulumi package get-schema`` would print it."""
    schema = provider(version).schema
    if schema is None:
        raise RuntimeError("the component host inferred no schema")
    return json.loads(schema)
