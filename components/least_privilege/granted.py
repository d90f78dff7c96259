"""What a role is granted: its inline policies and its managed policies' default versions, read
from IAM, from a policy file, or from a stack's rendered review (``resources.json``), so that a
role can be judged before it exists.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .._values import as_list
from ..policy_lint import patterns_overlap
from ..validation import InputError
from .agent_policies import AGENT_POLICY_DOCUMENTS
from .resources import Pattern

#: The AWS managed policies of the agents on the instance, by the agent that calls with them.
AGENT_POLICIES: Final[dict[str, str]] = {
    "ssm-agent": "AmazonSSMManagedInstanceCore",
    "cloudwatch-agent": "CloudWatchAgentServerPolicy",
}
_AWS_MANAGED: Final = re.compile(r"^arn:[a-z-]+:iam::aws:policy/(?:.*/)?(?P<name>[^/]+)$")


@dataclass(frozen=True)
class Statement:
    policy: str
    where: str
    """The statement's Sid, or ``#<index>`` when it has none."""
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditional: bool
    not_elements: bool
    """It uses NotAction or NotResource, which this tool does not diff."""
    _action_patterns: tuple[re.Pattern[str], ...] = field(repr=False, compare=False, default=())
    _resource_patterns: tuple[re.Pattern[str], ...] = field(repr=False, compare=False, default=())

    def allows_action(self, action: str) -> tuple[int, ...]:
        """The indexes of this statement's actions that match ``action``."""
        return tuple(i for i, p in enumerate(self._action_patterns) if p.fullmatch(action))

    def covers_resource(self, resource: str) -> tuple[int, ...]:
        """The indexes of this statement's resources that ``resource`` can be: a concrete ARN
        matched as IAM does, a :class:`~.resources.Pattern` by overlap."""
        if isinstance(resource, Pattern):
            return _overlapping(self.resources, str(resource))
        return tuple(i for i, p in enumerate(self._resource_patterns) if p.fullmatch(resource))


@functools.lru_cache(maxsize=4096)
def _overlapping(resources: tuple[str, ...], pattern: str) -> tuple[int, ...]:
    return tuple(i for i, r in enumerate(resources) if patterns_overlap(r, pattern))


@dataclass(frozen=True)
class Grants:
    """Everything granted to the role that is not an agent's policy, plus what is known only
    by name."""

    statements: tuple[Statement, ...] = ()
    attached: tuple[str, ...] = ()
    """ARNs of the managed policies attached to the role."""
    unread: tuple[str, ...] = ()
    """Managed policies whose documents could not be read (a resources.json has only ARNs)."""
    source: str = ""
    role_name: str | None = None
    """The role the grants were read for, when a resources.json named it."""

    def agent_attached(self, agent: str) -> bool:
        names = {m.group("name") for a in self.attached if (m := _AWS_MANAGED.match(a))}
        return AGENT_POLICIES[agent] in names


@functools.cache
def agent_statements(agent: str) -> tuple[Statement, ...]:
    """What the agent's managed policy grants: an agent's call is left out of the application's
    policy only when this grants it (Session Manager's S3 or CloudWatch Logs logging, for one,
    is not in AmazonSSMManagedInstanceCore)."""
    name = AGENT_POLICIES[agent]
    return tuple(statements_of(name, AGENT_POLICY_DOCUMENTS[name]))


def is_agent_policy(arn: str) -> bool:
    match = _AWS_MANAGED.match(arn)
    return match is not None and match.group("name") in AGENT_POLICIES.values()


def iam_pattern(text: str, *, case_sensitive: bool) -> re.Pattern[str]:
    """IAM's matching: ``*`` any run, ``?`` one character; ``${*}``, ``${?}``, ``${$}`` are
    those characters; any other policy variable (``${aws:username}``) may be anything."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("${", i) and (end := text.find("}", i)) != -1:
            name = text[i + 2 : end]
            out.append(re.escape(name) if name in ("*", "?", "$") else ".+")
            i = end + 1
            continue
        char = text[i]
        out.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
        i += 1
    flags = re.DOTALL | (0 if case_sensitive else re.IGNORECASE)
    return re.compile("".join(out), flags)


def statements_of(name: str, document: Mapping[str, Any]) -> list[Statement]:
    """The Allow statements of one policy document."""
    out: list[Statement] = []
    # No Statement is [None], and None is no statement.
    for index, statement in enumerate(as_list(document.get("Statement"))):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        actions = tuple(str(a) for a in as_list(statement.get("Action", [])))
        resources = tuple(str(r) for r in as_list(statement.get("Resource", [])))
        sid = statement.get("Sid")
        out.append(
            Statement(
                policy=name,
                where=sid if isinstance(sid, str) and sid else f"#{index}",
                actions=actions,
                resources=resources,
                conditional="Condition" in statement,
                not_elements="NotAction" in statement or "NotResource" in statement,
                _action_patterns=tuple(iam_pattern(a, case_sensitive=False) for a in actions),
                _resource_patterns=tuple(iam_pattern(r, case_sensitive=True) for r in resources),
            )
        )
    return out


def _document(value: Any, *, where: str) -> Mapping[str, Any]:
    try:
        document = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        raise InputError(f"{where} is not an IAM policy document (not JSON).") from None
    if not isinstance(document, Mapping) or "Statement" not in document:
        raise InputError(f"{where} is not an IAM policy document (no 'Statement').")
    return document


def from_documents(documents: Mapping[str, Any], *, attached: Sequence[str] = ()) -> Grants:
    statements = [s for n, d in documents.items() for s in statements_of(n, _document(d, where=n))]
    return Grants(tuple(statements), tuple(attached), source="documents")


def from_iam(iam: Any, role_name: str) -> Grants:
    """``iam`` is a boto3 IAM client: the role's inline policies and the default version of each
    attached managed policy (agent policies by name only)."""
    documents: dict[str, Any] = {}
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
        for name in page["PolicyNames"]:
            documents[name] = iam.get_role_policy(RoleName=role_name, PolicyName=name)[
                "PolicyDocument"
            ]
    attached: list[str] = []
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
        for policy in page["AttachedPolicies"]:
            arn = policy["PolicyArn"]
            attached.append(arn)
            if is_agent_policy(arn):
                continue
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            documents[arn] = iam.get_policy_version(PolicyArn=arn, VersionId=version)[
                "PolicyVersion"
            ]["Document"]
    grants = from_documents(documents, attached=attached)
    return Grants(grants.statements, grants.attached, source=f"IAM role {role_name}")


def from_file(path: Path, *, role: str | None = None) -> Grants:
    """A policy document, a ``{name: document}`` map (``inline_policies``), or a stack's
    ``resources.json``."""
    try:
        content = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(
            f"--granted {path}: no such file. Give 'iam', a policy JSON file, or a stack's "
            "resources.json (make review writes it)."
        ) from None
    except ValueError as error:
        raise InputError(f"--granted {path} is not JSON ({error}).") from None
    except OSError as error:
        raise InputError(
            f"--granted {path} cannot be read ({error.strerror}). Give 'iam', a policy JSON "
            "file, or a stack's resources.json."
        ) from None
    if isinstance(content, Mapping) and isinstance(content.get("resources"), list):
        return _from_resources_json(content["resources"], path, role)
    if isinstance(content, Mapping) and "Statement" in content:
        grants = from_documents({path.stem: content})
    elif (
        isinstance(content, Mapping)
        and content
        and "Version" not in content
        and all(isinstance(v, (Mapping, str)) for v in content.values())
    ):
        grants = from_documents(content)
    else:
        raise InputError(
            f"--granted {path} is neither a policy document, a {{name: document}} map, nor a "
            "resources.json."
        )
    return Grants(grants.statements, source=str(path))


_ROLE: Final = "aws:iam/role:Role"


def _from_resources_json(resources: list[Any], path: Path, role: str | None) -> Grants:
    roles = [r for r in resources if r.get("type") == _ROLE]
    names = [str(r.get("name")) for r in roles]
    chosen = [r for r in roles if role is None or r.get("name") == role]
    if len(chosen) != 1:
        shown = ", ".join(names) or "none"
        fix = (
            f"Pick one with --granted-role (roles here: {shown})."
            if role is None
            else f"No role {role!r} here (roles: {shown})."
        )
        raise InputError(f"--granted {path} holds {len(roles)} IAM roles. {fix}")
    urn = chosen[0]["urn"]
    documents: dict[str, Any] = {}
    attached: list[str] = []
    for r in resources:
        if urn not in r.get("dependencies", []):
            continue
        inputs = r.get("inputs", {})
        if r.get("type") == "aws:iam/rolePolicy:RolePolicy":
            parsed = r.get("policyDocuments", {}).get("policy") or inputs.get("policy")
            documents[str(inputs.get("name") or r.get("name"))] = parsed
        elif r.get("type") == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            attached.append(str(inputs.get("policyArn")))
    grants = from_documents(documents, attached=attached)
    unread = tuple(a for a in attached if not is_agent_policy(a))
    source = f"{path} (role {chosen[0].get('name')})"
    role_name = _role_name(chosen[0], resources)
    return Grants(grants.statements, grants.attached, unread, source=source, role_name=role_name)


def _role_name(role: Mapping[str, Any], resources: list[Any]) -> str | None:
    """The role's name as the rendered stack knows it: its own input, or the ``role`` input of
    a policy attached to it."""
    named = role.get("inputs", {}).get("name")
    if isinstance(named, str):
        return named
    for r in resources:
        given = r.get("inputs", {}).get("role")
        if role["urn"] in r.get("dependencies", []) and isinstance(given, str):
            return given
    return None
