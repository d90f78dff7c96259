"""Values shared by the policy checks: the stand-in for deploy-time values, and IAM's
"a string or a list of strings" elements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final


class _Unknown:
    """Stands in for a value known only at deploy time; :data:`UNKNOWN` is its one instance."""

    def __repr__(self) -> str:
        return "<unknown until deployment>"


UNKNOWN: Final = _Unknown()


def as_list(value: Any) -> list[Any]:
    """An IAM element that may be one value or a list of them, as a list."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return [value]


def truthy(value: Any) -> bool:
    """A boolean property as the engine hands it over; launch templates carry them as strings
    ("true")."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def plain(value: Any) -> Any:
    """``value`` with every mapping and non-string sequence copied into a dict or list: the
    policy SDK hands properties over as read-only proxies, which json and isinstance checks for
    dict or list do not accept."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(v) for v in value]
    return value
