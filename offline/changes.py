"""What a change does: the stack as rendered now against a resources.json written before (the
committed snapshot, or the base branch's), like a preview, property by property, with every
change to who may do what called out first.

``python -m offline.review --stack dev --against snapshots/resources.dev.json`` prints it after
the tree; the pull-request workflow passes the base branch's snapshot, so a reviewer sees what
the pull request adds, removes and changes, forks included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE = "aws:iam/role:Role"
INSTANCE = "aws:ec2/instance:Instance"


def _display(entry: Mapping[str, Any]) -> str:
    head, _, tail = str(entry["type"]).rpartition(":")
    package, _, module = head.partition(":")
    return f"{package}:{module.split('/')[0]}:{tail} {entry['name']}"


def _flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping) and value:
        for key in sorted(value):
            yield from _flatten(value[key], f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value and any(isinstance(v, Mapping) for v in value):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{path}[{index}]")
    else:
        yield path, value


def grants(document: Any) -> set[str]:
    """A policy document as the set of what it allows or denies, one line per effect, action
    and resource (or principal, for a trust policy), so two documents compare by meaning."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return {f"(unreadable document) {document}"}
    if not isinstance(document, Mapping):
        return set()
    statements = document.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    found: set[str] = set()
    for statement in statements:
        if not isinstance(statement, Mapping):
            continue

        def listed(key: str, statement: Mapping[str, Any] = statement) -> list[str]:
            value = statement.get(key)
            if value is None:
                return []
            if isinstance(value, Mapping):
                return [
                    f"{k}:{v}"
                    for k, vs in value.items()
                    for v in (vs if isinstance(vs, list) else [vs])
                ]
            return [str(v) for v in (value if isinstance(value, list) else [value])]

        effect = statement.get("Effect", "?")
        actions = [*listed("Action"), *(f"NOT {a}" for a in listed("NotAction"))]
        targets = [*listed("Resource"), *(f"NOT {r}" for r in listed("NotResource"))]
        targets += [f"principal {p}" for p in listed("Principal")]
        targets += [f"every principal but {p}" for p in listed("NotPrincipal")]
        condition = statement.get("Condition")
        suffix = f" if {json.dumps(condition, sort_keys=True)}" if condition else ""
        for action in actions:
            for target in targets or ["(no resource)"]:
                found.add(f"{effect} {action} on {target}{suffix}")
    return found


#: Properties that change who may do what, besides the policy documents and attachments.
ACCESS_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    ROLE: ("inputs.permissionsBoundary", "inputs.maxSessionDuration"),
    ATTACHMENT: ("inputs.role",),
    "aws:iam/rolePolicy:RolePolicy": ("inputs.role",),
    "aws:iam/instanceProfile:InstanceProfile": ("inputs.role",),
    INSTANCE: (
        "inputs.iamInstanceProfile",
        "inputs.metadataOptions.httpTokens",
        "inputs.metadataOptions.httpPutResponseHopLimit",
        "inputs.metadataOptions.httpEndpoint",
        "inputs.associatePublicIpAddress",
    ),
}


def _get(entry: Mapping[str, Any], path: str) -> Any:
    value: Any = entry
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _access_changes(
    old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    lines: list[str] = []
    for urn in sorted(set(old) | set(new)):
        before, after = old.get(urn), new.get(urn)
        entry = after or before
        assert entry is not None
        if entry["type"] == ATTACHMENT:
            if before is None:
                lines.append(f"+ {_display(entry)} attaches {entry['inputs'].get('policyArn')}")
            elif after is None:
                lines.append(
                    f"- {_display(entry)} no longer attaches {entry['inputs'].get('policyArn')}"
                )
            elif before["inputs"].get("policyArn") != after["inputs"].get("policyArn"):
                lines.append(
                    f"~ {_display(entry)} attaches {after['inputs'].get('policyArn')} instead of "
                    f"{before['inputs'].get('policyArn')}"
                )
        for path in ACCESS_PROPERTIES.get(str(entry["type"]), ()):
            was = _get(before, path) if before else None
            now = _get(after, path) if after else None
            if before is not None and after is not None and was != now:
                lines.append(f"~ {_display(entry)} {path}: {json.dumps(was)} => {json.dumps(now)}")
        documents_before = (before or {}).get("policyDocuments", {})
        documents_after = (after or {}).get("policyDocuments", {})
        for prop in sorted(set(documents_before) | set(documents_after)):
            was = grants(documents_before.get(prop))
            now = grants(documents_after.get(prop))
            for line in sorted(now - was):
                lines.append(f"+ {_display(entry)} {prop}: {line}")
            for line in sorted(was - now):
                lines.append(f"- {_display(entry)} {prop}: {line}")
    return lines


def report(old_document: Mapping[str, Any], new_document: Mapping[str, Any]) -> str:
    """The change from ``old_document`` to ``new_document`` (both resources.json), for a
    reviewer: who may do what first, then every resource added, removed or changed."""
    old = {r["urn"]: r for r in old_document.get("resources", [])}
    new = {r["urn"]: r for r in new_document.get("resources", [])}
    access = _access_changes(old, new)
    counted = f"{len(access)} change(s)" if access else "no change"
    lines = [f"Who may do what: {counted}"]
    lines += [f"  {line}" for line in access]
    resources: list[str] = []
    for urn in sorted(set(new) - set(old)):
        resources.append(f"  + {_display(new[urn])}")
    for urn in sorted(set(old) - set(new)):
        resources.append(f"  - {_display(old[urn])}")
    for urn in sorted(set(old) & set(new)):
        changed = []
        for section in ("inputs", "options", "ignoreChanges"):
            was = dict(_flatten(old[urn].get(section, {}), section))
            now = dict(_flatten(new[urn].get(section, {}), section))
            for path in sorted(set(was) | set(now)):
                if was.get(path) != now.get(path):
                    changed.append(
                        f"      {path}: {json.dumps(was.get(path))} => {json.dumps(now.get(path))}"
                    )
        if changed:
            resources.append(f"  ~ {_display(new[urn])}")
            resources += changed
    count = len([r for r in resources if not r.startswith("      ")])
    counted = f"{count} added, removed or changed" if count else "no change"
    lines.append(f"Resources: {counted}")
    lines += resources
    return "\n".join(lines) + "\n"
