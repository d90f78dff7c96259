"""Values shared by the policy checks: the stand-in for deploy-time values, and IAM's
"a string or a list of strings" elements."""

from __future__ import annotations

from typing import Any, Final


class _Unknown:
    """Stands in for a value known only at deploy time; :data:`UNKNOWN` is its one instance."""

    def __repr__(self) -> str:
        return "<unknown until deployment>"


UNKNOWN: Final = _Unknown()


def as_list(value: Any) -> list[Any]:
    """An IAM element that may be one value or a list of them, as a list."""
    return list(value) if isinstance(value, (list, tuple)) else [value]
