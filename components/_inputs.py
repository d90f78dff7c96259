"""Helpers that apply the pure checks to Pulumi inputs: now for plain values, at resolution for
values known only at deploy time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pulumi

from .policy_documents import UNKNOWN

T = TypeVar("T")


def is_known(value: object) -> bool:
    """A plain value: not an ``Output`` nor an awaitable, so it can be checked now."""
    return not isinstance(value, pulumi.Output) and not hasattr(value, "__await__")


def known_or_none(value: pulumi.Input[T] | None) -> T | None:
    """``value`` if it is known now, else ``None``."""
    if value is None or not is_known(value):
        return None
    return value  # type: ignore[return-value]


def checked(value: pulumi.Input[T], check: Callable[[T], None]) -> pulumi.Input[T]:
    """Runs ``check`` on ``value`` now if it is known, else when it resolves.

    At resolution a failed check fails the resource that consumes the value, with the same
    message; during a preview an unknown value is not checked (Pulumi skips ``apply`` then).
    """
    if is_known(value):
        check(value)  # type: ignore[arg-type]
        return value

    def run(resolved: T) -> T:
        check(resolved)
        return resolved

    return pulumi.Output.from_input(value).apply(run)


def with_unknowns(value: Any) -> Any:
    """``value`` with every ``Output`` or awaitable inside replaced by :data:`UNKNOWN`."""
    if not is_known(value):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: with_unknowns(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [with_unknowns(v) for v in value]
    return value


def contains_unknowns(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(contains_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknowns(v) for v in value)
    return False


def with_whole_numbers(args: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """``args`` with each of ``fields`` that holds a whole ``float`` turned into an ``int``.

    Numbers from other languages cross the wire as protobuf doubles, so the component host hands
    ``2`` over as ``2.0``; its own int conversion (pulumi 3.272
    ``provider/experimental/component.py``, ``map_input_properties``) is overwritten by the
    line after it. ``2.5`` stays a float, for the checks to refuse.
    """
    normalized = dict(args)
    for field in fields:
        value = normalized.get(field)
        if isinstance(value, float) and value.is_integer():
            normalized[field] = int(value)
    return normalized
