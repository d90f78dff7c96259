"""Lint of IAM permission policies against the action database: what IAM accepts without a word
but that fails, or over-grants, at run time.

Each rule returns :class:`Finding` s naming the statement (by Sid, or by index) and the fix.
The document has already passed :func:`components.policy_documents.check_policy_document`'s
structural checks; values still unknown (:data:`UNKNOWN`) are skipped.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from . import iam_actions
from ._values import UNKNOWN, as_list

_STAR: Final = "*"
_ONE: Final = "?"


@dataclass(frozen=True)
class Finding:
    where: str
    """The statement, by Sid or by index."""
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class OptIns:
    """The caller's explicit exceptions (InstanceRoleArgs fields of the same names)."""

    allow_wildcard_actions: Collection[str] = ()
    allow_wildcard_resource_actions: Collection[str] = ()
    allow_unknown_actions: Collection[str] = ()


def _listed(action: str, opt_ins: Collection[str]) -> bool:
    return action.lower() in {o.lower() for o in opt_ins}


def is_service_wildcard(action: str) -> bool:
    """``*``, or a ``service:`` pattern made only of ``*`` and ``?`` (``s3:*``, ``s3:?*``,
    ``s3:**``): every action, or every action of one service."""
    if action == _STAR:
        return True
    _, _, pattern = action.partition(":")
    return _STAR in pattern and set(pattern) <= {_STAR, _ONE}


def _strings(statement: Mapping[str, Any], element: str) -> list[str]:
    """The strings of an element that holds one or a list of them; none if it is absent."""
    if element not in statement:
        return []
    return [a for a in as_list(statement[element]) if isinstance(a, str)]


def lint_statement(statement: Mapping[str, Any], where: str, opt_ins: OptIns) -> list[Finding]:
    actions = _strings(statement, "Action")
    not_actions = _strings(statement, "NotAction")
    findings = list(_unknown_actions(actions + not_actions, where, opt_ins))
    if statement.get("Effect") != "Allow":
        return findings  # a Deny narrows what is granted; only typos matter there
    findings += _not_elements(statement, actions, where, opt_ins)
    findings += _wildcard_actions(actions, where, opt_ins)
    resources = as_list(statement["Resource"]) if "Resource" in statement else []
    if UNKNOWN in resources:
        return findings
    if _STAR in resources or "NotResource" in statement:
        findings += _wildcard_resources(actions, resources, where, opt_ins)
    else:
        findings += _resource_mismatches(actions, resources, where, opt_ins)
    return findings


def _unknown_actions(actions: Sequence[str], where: str, opt_ins: OptIns) -> Iterator[Finding]:
    for action in actions:
        if action == _STAR or _listed(action, opt_ins.allow_unknown_actions):
            continue
        if iam_actions.expand(action):
            continue
        hint = iam_actions.suggestion(action)
        what = (
            "matches no IAM action" if iam_actions.is_wildcard(action) else "is not an IAM action"
        )
        if not iam_actions.is_known_service(action):
            what = f"names the unknown service {action.partition(':')[0]!r}"
        yield Finding(
            where,
            f"{action!r} {what}"
            + (f"; did you mean {hint!r}?" if hint else ".")
            + " If it is newer than the action database, add it to allow_unknown_actions.",
        )


def _not_elements(
    statement: Mapping[str, Any], actions: Sequence[str], where: str, opt_ins: OptIns
) -> Iterator[Finding]:
    if "NotAction" in statement and not _listed(_STAR, opt_ins.allow_wildcard_actions):
        yield Finding(
            where,
            "an Allow with NotAction grants every action, current and future, except those "
            "listed. List the actions it should grant under Action instead, or, if you mean it, "
            "add '*' to allow_wildcard_actions.",
        )
    if "NotResource" in statement:
        unlisted = [a for a in actions if not _listed(a, opt_ins.allow_wildcard_resource_actions)]
        if unlisted or not actions:
            yield Finding(
                where,
                "an Allow with NotResource grants its actions on every resource, current and "
                "future, except those listed. Name the resources under Resource instead, or, if "
                f"you mean it, add {', '.join(map(repr, unlisted or ['*']))} to "
                "allow_wildcard_resource_actions.",
            )


def _wildcard_actions(actions: Sequence[str], where: str, opt_ins: OptIns) -> Iterator[Finding]:
    for action in actions:
        if not is_service_wildcard(action) or _listed(action, opt_ins.allow_wildcard_actions):
            continue
        matched = iam_actions.expand(action)
        summary = iam_actions.access_level_summary(matched)
        scope = "" if action == _STAR else " of the service"
        yield Finding(
            where,
            f"allows Action {action!r}: every current and future action{scope}"
            + (f" ({len(matched)} today: {summary})" if summary else "")
            + ". List the actions the application calls (CloudTrail shows them), or, if you "
            f"mean it, add {action!r} to allow_wildcard_actions.",
        )


def _wildcard_resources(
    actions: Sequence[str], resources: Sequence[Any], where: str, opt_ins: OptIns
) -> Iterator[Finding]:
    if _STAR not in resources:
        return  # NotResource: reported by _not_elements
    for action in actions:
        if _covers_pass_role(action):
            yield Finding(
                where,
                f"allows {action!r} on Resource '*': the instance could hand any role in the "
                "account, including an administrator's, to a service it controls. Name the role "
                "ARNs it may pass, and limit the service with an iam:PassedToService condition.",
            )
            continue
        if _listed(action, opt_ins.allow_wildcard_resource_actions):
            continue
        scoped = [a for a in iam_actions.expand(action) if _supports_resource_level(a)]
        if iam_actions.is_wildcard(action):
            # A pattern such as ec2:Describe* cannot name its ARNs; only its actions that
            # change things (Write, Tagging, Permissions management) make '*' dangerous.
            scoped = [a for a in scoped if _changes_things(a)]
        if scoped:
            shown = ", ".join(scoped[:3]) + (
                f" and {len(scoped) - 3} more" if len(scoped) > 3 else ""
            )
            yield Finding(
                where,
                f"allows {action!r} on Resource '*', but {shown} can be limited to specific "
                "resources. Name the ARNs it needs under Resource, or, if you mean every "
                f"resource, add {action!r} to allow_wildcard_resource_actions.",
            )


def _supports_resource_level(action: str) -> bool:
    info = iam_actions.action_info(action)
    return info is not None and bool(info.resource_formats)


def _changes_things(action: str) -> bool:
    info = iam_actions.action_info(action)
    return info is not None and info.access_level not in ("Read", "List")


def _covers_pass_role(action: str) -> bool:
    return action == _STAR or "iam:PassRole" in iam_actions.expand(action)


def _resource_mismatches(
    actions: Sequence[str], resources: Sequence[Any], where: str, opt_ins: OptIns
) -> Iterator[Finding]:
    arns = [r for r in resources if isinstance(r, str)]
    for action in actions:
        if iam_actions.is_wildcard(action) or _listed(action, opt_ins.allow_unknown_actions):
            continue  # patterns span many resource types; judged by the wildcard rules
        info = iam_actions.action_info(action)
        if info is None:
            continue
        if not info.resource_formats:
            if any(iam_actions.is_wildcard(arn) for arn in arns):
                continue  # a pattern such as arn:aws:s3:::* is how AWS's own examples do it
            yield Finding(
                where,
                f"{info.name!r} does not support resource-level permissions, so on "
                f"{', '.join(arns)} it is never granted. Give it its own statement with "
                "Resource '*'.",
            )
            continue
        if not any(arn_overlaps(fmt, arn) for fmt in info.resource_formats for arn in arns):
            yield Finding(
                where,
                f"{info.name!r} acts on {' or '.join(info.resource_formats)}, and no Resource "
                f"here ({', '.join(arns)}) can be one, so it is never granted. Name a resource of "
                "that type (for an S3 object action, the bucket ARN followed by '/*').",
            )


# A template variable matches one or more characters; these never hold '/' or ':' (S3 bucket
# names have no '/'; partition, region and account ids neither). Any other variable (object
# keys, log group names, role names with paths) may hold anything.
NARROW_VARIABLES: Final = frozenset({"BucketName", "Partition", "Region", "Account"})
# Region and account are empty in the ARNs of global or AWS-owned resources (public SSM
# parameters, AWS-owned SSM documents, multi-Region access points).
MAY_BE_EMPTY_VARIABLES: Final = frozenset({"Region", "Account"})
_ANYTHING: Final = frozenset[str]()
_NO_SEPARATORS: Final = frozenset({"/", ":"})

# A token: (_LITERAL, c) one literal character; (_ONE_CHARACTER, excluded) exactly one
# character not in excluded; (_RUN, excluded) any number of such characters. The kinds are
# named once: only a run and a literal are asked for by name.
_LITERAL: Final = "lit"
_ONE_CHARACTER: Final = "one"
_RUN: Final = "run"
_Token = tuple[str, Any]


def _tokens(text: str, *, template: bool) -> list[_Token]:
    """A pattern as tokens. ``${...}`` (a variable of the ARN format, or a policy variable in a
    policy) is one or more characters; ``*`` is a wildcard in both, ``?`` in a policy."""
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        if text.startswith("${", i) and (end := text.find("}", i)) != -1:
            name = text[i + 2 : end]
            excluded = _NO_SEPARATORS if template and name in NARROW_VARIABLES else _ANYTHING
            if not (template and name in MAY_BE_EMPTY_VARIABLES):
                tokens.append((_ONE_CHARACTER, excluded))
            tokens.append((_RUN, excluded))
            i = end + 1
            continue
        char = text[i]
        if char == _STAR:  # a wildcard in a policy, and in some of the database's formats
            tokens.append((_RUN, _ANYTHING))
        elif not template and char == _ONE:
            tokens.append((_ONE_CHARACTER, _ANYTHING))
        else:
            tokens.append((_LITERAL, char))
        i += 1
    return tokens


def _compatible(a: _Token, b: _Token) -> bool:
    """Whether one character can satisfy both tokens."""
    if a[0] == _LITERAL and b[0] == _LITERAL:
        return a[1] == b[1]
    if a[0] == _LITERAL:
        return a[1] not in b[1]
    if b[0] == _LITERAL:
        return b[1] not in a[1]
    return True  # two wildcard classes always share some character


# Both are pure functions of two strings, asked again for every statement naming the same ARN
# (each instance of a program whose roles share a policy), so their answers are kept.
@functools.lru_cache(maxsize=4096)
def arn_overlaps(arn_format: str, resource: str) -> bool:
    """Whether some ARN fits both the database's ``arn_format`` and the policy's ``resource``
    (which may hold wildcards and policy variables): whether the statement can ever apply."""
    return _overlap(_tokens(arn_format, template=True), _tokens(resource, template=False))


@functools.lru_cache(maxsize=4096)
def patterns_overlap(first: str, second: str) -> bool:
    """Whether some ARN fits both policy Resource patterns (wildcards on both sides)."""
    return _overlap(_tokens(first, template=False), _tokens(second, template=False))


def _overlap(left: list[_Token], right: list[_Token]) -> bool:
    # Where neither side is a run, each side takes exactly one character, so the two ends of
    # the patterns are matched token by token (an ARN's literal head such as "arn:aws:s3:::"
    # and its tail); only the middle, between the first and the last run, needs the search.
    start = 0
    while start < min(len(left), len(right)) and _RUN not in (left[start][0], right[start][0]):
        if not _compatible(left[start], right[start]):
            return False
        start += 1
    end = 0
    while end < min(len(left), len(right)) - start and _RUN not in (
        left[-1 - end][0],
        right[-1 - end][0],
    ):
        if not _compatible(left[-1 - end], right[-1 - end]):
            return False
        end += 1
    return _search(left[start : len(left) - end], right[start : len(right) - end])


def _search(left: list[_Token], right: list[_Token]) -> bool:
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))  # pragma: no mutate (it only saves revisiting a state)
        if i == len(left) and j == len(right):
            return True
        if i < len(left) and left[i][0] == _RUN:
            todo.append((i + 1, j))  # the run matches nothing
        if j < len(right) and right[j][0] == _RUN:
            todo.append((i, j + 1))
        if i < len(left) and j < len(right) and _compatible(left[i], right[j]):
            # Both sides produce one character; a run stays where it is.
            step = (i if left[i][0] == _RUN else i + 1, j if right[j][0] == _RUN else j + 1)
            if step != (i, j):
                todo.append(step)
    return False
