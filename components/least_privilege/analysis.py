"""The records of one role, read once, as a policy and a diff against what it is granted.

:class:`Analysis` takes records one at a time (:meth:`Analysis.add`) and keeps only aggregates:
one entry per distinct action and resource, per refused call, per instance. Its
:meth:`Analysis.report` is the JSON document the command prints.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .. import iam_actions
from ..policy_documents import INLINE_POLICIES_MAX_CHARACTERS, POLICY_VERSION, minified_length
from ..policy_lint import arn_overlaps
from . import actions as mapping
from . import resources as arns
from .granted import AGENT_POLICIES, Grants, Statement, agent_statements, iam_pattern
from .records import Record, event_time

#: Error codes of a call that IAM (or the service's authorization) refused.
DENIED_ERRORS: Final = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "Client.UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
    }
)
#: The agents' calls, by the User-Agent they send: the SSM agent appends
#: ``amazon-ssm-agent/<version>`` to the Go SDK's (agent/ssm/service.go in aws/amazon-ssm-agent);
#: the CloudWatch agent prepends ``CWAgent/<version>`` (internal/version/version.go in
#: aws/amazon-cloudwatch-agent). ec2messages and ssmmessages serve only the SSM agent.
_AGENT_USER_AGENTS: Final = (("amazon-ssm-agent/", "ssm-agent"), ("CWAgent/", "cloudwatch-agent"))
_AGENT_ONLY_SOURCES: Final = {
    "ec2messages.amazonaws.com": "ssm-agent",
    "ssmmessages.amazonaws.com": "ssm-agent",
}
#: Calls CloudTrail logs only as data events (CloudTrail user guide, "Logging data events"):
#: off unless a trail or event data store asks for them.
_DATA_EVENT_SERVICES: Final = ("s3", "sqs", "lambda", "dynamodb", "sns")
_DATA_EVENT_ACTIONS: Final = frozenset(
    {
        "s3:listbucket",
        "s3:listbucketversions",
        "s3:listbucketmultipartuploads",
        "sqs:sendmessage",
        "sqs:receivemessage",
        "sqs:deletemessage",
        "sqs:changemessagevisibility",
        "lambda:invokefunction",
        "sns:publish",
        "dynamodb:getitem",
        "dynamodb:putitem",
        "dynamodb:updateitem",
        "dynamodb:deleteitem",
        "dynamodb:query",
        "dynamodb:scan",
        "dynamodb:batchgetitem",
        "dynamodb:batchwriteitem",
        "dynamodb:conditioncheckitem",
    }
)
_ROLE_ARN: Final = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{12}):role/(?:[\x21-\x7e]*/)?(?P<name>[\w+=,.@-]{1,64})\Z"
)
#: Keys at a bucket's root stay exact; past this many for one action they become bucket/*.
ROOT_KEYS_MAX: Final = 10
#: Keys under one top-level folder of a bucket become folder/* from this many distinct keys.
KEYS_PER_FOLDER: Final = 2
_MATCH_CACHE_MAX: Final = 65536


def parse_role_arn(arn: str) -> re.Match[str] | None:
    return _ROLE_ARN.match(arn)


def is_data_event_action(action: str) -> bool:
    lower = action.lower()
    if lower in _DATA_EVENT_ACTIONS:
        return True
    if not lower.startswith("s3:"):
        return False
    info = iam_actions.action_info(action)
    return info is not None and any("${ObjectName}" in f for f in info.resource_formats)


@dataclass(frozen=True)
class Options:
    role_arn: str
    instance_id: str | None = None
    exact: bool = False
    include_missing: bool = False
    policy_name: str = "AppAccess"
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    lookup_events: bool = False


@dataclass
class _Refused:
    event: str
    error_code: str
    error_message: str
    count: int = 0
    instances: set[str] = field(default_factory=set)


@dataclass
class _Delivery:
    calls: int = 0
    first_seen: str = ""
    last_seen: str = ""
    actions: set[str] = field(default_factory=set)


@dataclass
class _Folder:
    keys: set[str] = field(default_factory=set)
    grouped: bool = False


class Analysis:
    def __init__(self, options: Options, grants: Grants | None) -> None:
        match = parse_role_arn(options.role_arn)
        if match is None:
            raise ValueError(f"not a role ARN: {options.role_arn}")
        self.options = options
        self.grants = grants
        self._role = (match.group("account"), match.group("name").lower())
        self._partition = match.group("partition")
        self.read = 0
        self.kept = 0
        self._first: dt.datetime | None = None
        self._last: dt.datetime | None = None
        self._used: dict[str, set[str]] = {}
        self._folders: dict[tuple[str, str, str], _Folder] = {}
        self._roots: dict[tuple[str, str], _Folder] = {}
        self._scoped: dict[str, tuple[str, ...]] = {}
        self._delete_objects: set[str] = set()
        self._refused: dict[tuple[str, str], _Refused] = {}
        self._imdsv1: dict[str, _Delivery] = {}
        self._unmapped: dict[tuple[str, str], tuple[str, str, Counter[str]]] = {}
        self._left_out: Counter[tuple[str, str]] = Counter()
        self._data_services: set[str] = set()
        statements = grants.statements if grants else ()
        self._statements = statements
        self._used_actions: dict[int, set[int]] = {i: set() for i in range(len(statements))}
        self._used_resources: dict[int, set[int]] = {i: set() for i in range(len(statements))}
        self._wildcard_seen: dict[tuple[int, int], set[str]] = {}
        self._any_resource_seen: dict[int, set[str]] = {}
        self._match_cache: dict[
            tuple[str, str], tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ...]
        ] = {}

    # --- reading ------------------------------------------------------------------------------

    def _is_ours(self, record: Record) -> str | None:
        """The instance (role session) of a call made with this role, or ``None``."""
        identity = record.get("userIdentity")
        if not isinstance(identity, Mapping):
            return None
        context = identity.get("sessionContext")
        issuer = context.get("sessionIssuer") if isinstance(context, Mapping) else None
        arn = issuer.get("arn") if isinstance(issuer, Mapping) else None
        match = parse_role_arn(arn) if isinstance(arn, str) else None
        if match is None or (match.group("account"), match.group("name").lower()) != self._role:
            return None
        if match.group("partition") != self._partition:
            return None
        session = str(identity.get("arn") or "").rpartition("/")[2]
        if self.options.instance_id and session != self.options.instance_id:
            return None
        return session

    def add(self, record: Record) -> None:
        self.read += 1
        if not isinstance(record, Mapping):
            return  # not a record (a stray value in a Records array)
        session = self._is_ours(record)
        if session is None:
            return
        event_type = record.get("eventType", "AwsApiCall")
        if event_type != "AwsApiCall":
            return
        self.kept += 1
        when = event_time(record)
        if when is not None:
            self._first = when if self._first is None else min(self._first, when)
            self._last = when if self._last is None else max(self._last, when)
        source = str(record.get("eventSource", ""))
        name = str(record.get("eventName", ""))
        if record.get("eventCategory") == "Data" or record.get("managementEvent") is False:
            self._data_services.add(mapping.service_prefix(source))
        params = record.get("requestParameters")
        params = params if isinstance(params, Mapping) else {}
        resolved = mapping.resolve(
            source,
            name,
            versioned=bool(params.get("versionId")),
            copy_versioned="versionId=" in str(params.get("x-amz-copy-source")),
        )
        call = f"{source} {name}"
        context = record["userIdentity"].get("sessionContext") or {}
        if context.get("ec2RoleDelivery") == "1.0":
            self._note_imdsv1(session, record, resolved.actions, call)
        if resolved.no_permission:
            self._left_out[(f"{mapping.service_prefix(source)}:{name}", "")] += 1
            return
        if resolved.unmapped and record.get("errorCode") in DENIED_ERRORS:
            # Refused, and no IAM action to name: still something the application tried.
            self._note_refused(call, "", call, record, session)
        if resolved.unmapped:
            _, _, counts = self._unmapped.setdefault(
                (source, name), (resolved.unmapped, str(record.get("eventID", "")), Counter())
            )
            counts["calls"] += 1
            return
        at = arns.where(record, self._partition)
        denied = record.get("errorCode") in DENIED_ERRORS
        agent = self._agent_of(record, source)
        for action, origin in resolved.actions:
            found = arns.resources_of(action, origin, record, at)
            scoped = found is None
            if found is None:
                found = arns.account_scoped(action, at)
            if denied:
                # One entry per refused call and action, whatever number of resources it names.
                self._note_refused(action, ", ".join(found), call, record, session)
                if self.options.include_missing:
                    for resource in found:
                        self._note_used(action, resource, name)
                continue
            if agent is not None and self._agent_grants(agent, action, found):
                self._left_out[(action, agent)] += 1
                continue
            for resource in found:
                self._mark_grants(action, resource)
            if scoped:
                self._scoped.setdefault(action, found)
            for resource in found:
                self._note_used(action, resource, name)

    def _agent_of(self, record: Record, source: str) -> str | None:
        agent = _AGENT_ONLY_SOURCES.get(source)
        user_agent = str(record.get("userAgent"))  # "None" when absent, which no agent matches
        for marker, name in _AGENT_USER_AGENTS:
            if marker in user_agent:
                agent = name
        if agent is None:
            return None
        if self.grants is None or self.grants.agent_attached(agent):
            return agent
        return None

    def _agent_grants(self, agent: str, action: str, found: tuple[str, ...]) -> bool:
        """Whether the agent's managed policy grants this call on every resource it touched."""
        statements = agent_statements(agent)
        return all(
            any(s.allows_action(action) and s.covers_resource(r) for s in statements) for r in found
        )

    def _note_imdsv1(
        self, session: str, record: Record, resolved: tuple[tuple[str, str], ...], call: str
    ) -> None:
        entry = self._imdsv1.setdefault(session, _Delivery())
        entry.calls += 1
        when = str(record.get("eventTime", ""))
        entry.first_seen = min(entry.first_seen or when, when)
        entry.last_seen = max(entry.last_seen, when)
        entry.actions.update(a for a, _ in resolved)
        if not resolved:
            entry.actions.add(call)

    def _note_refused(
        self, action: str, resource: str, event: str, record: Record, session: str
    ) -> None:
        """A call refused by one of DENIED_ERRORS, which its record's errorCode holds."""
        entry = self._refused.setdefault(
            (action, resource),
            _Refused(
                event=event,
                error_code=str(record["errorCode"]),
                error_message=str(record.get("errorMessage", ""))[:300],
            ),
        )
        entry.count += 1
        entry.instances.add(session)

    def _note_used(self, action: str, resource: str, event_name: str) -> None:
        if event_name == "DeleteObjects":
            self._delete_objects.add(action)
        if ":secretsmanager:" in resource and not isinstance(resource, arns.Pattern):
            resource = arns.Pattern(arns.secret_pattern(resource))
        elif not self.options.exact and not isinstance(resource, arns.Pattern):
            object_key = _s3_object(resource)
            if object_key is not None:
                self._note_object(action, *object_key)
                return
        self._used.setdefault(action, set()).add(resource)

    def _note_object(self, action: str, prefix: str, bucket: str, key: str) -> None:
        folder, sep, _ = key.partition("/")
        if sep:
            entry = self._folders.setdefault((action, f"{prefix}{bucket}", folder), _Folder())
            limit = KEYS_PER_FOLDER
        else:
            entry = self._roots.setdefault((action, f"{prefix}{bucket}"), _Folder())
            limit = ROOT_KEYS_MAX + 1
        if entry.grouped:
            return
        entry.keys.add(key)
        if len(entry.keys) >= limit:
            entry.grouped = True
            entry.keys.clear()

    def _mark_grants(self, action: str, resource: str) -> None:
        for index, action_hits, resource_hits in self._matches(action, resource):
            self._used_actions[index].update(action_hits)
            self._used_resources[index].update(resource_hits)
            statement = self._statements[index]
            for i in action_hits:
                if iam_actions.is_wildcard(statement.actions[i]):
                    self._wildcard_seen.setdefault((index, i), set()).add(action)
            if "*" in statement.resources and resource != arns.ANY:
                seen = self._any_resource_seen.setdefault(index, set())
                if len(seen) < 5:
                    seen.add(resource)

    def _matches(
        self, action: str, resource: str
    ) -> tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ...]:
        """The statements that grant ``action`` on ``resource``, with the indexes of the
        statement's actions and resources that matched."""
        key = (action, resource)
        # The cache saves time only: a mutant of its four lines answers the same, so they are
        # not mutated (the answers themselves are tested).
        cached = self._match_cache.get(key)  # pragma: no mutate
        if cached is not None:  # pragma: no mutate
            return cached
        hits: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
        for index, statement in enumerate(self._statements):
            if statement.not_elements:
                continue
            action_hits = statement.allows_action(action)
            if not action_hits:
                continue
            resource_hits = statement.covers_resource(resource)
            if resource_hits:
                hits.append((index, action_hits, resource_hits))
        result = tuple(hits)
        if len(self._match_cache) < _MATCH_CACHE_MAX:  # pragma: no mutate
            self._match_cache[key] = result  # pragma: no mutate
        return result

    # --- the report ---------------------------------------------------------------------------

    def policy_resources(self) -> dict[str, list[str]]:
        """Each action the application used, with the resources for its statement."""
        out: dict[str, set[str]] = {a: set(r) for a, r in self._used.items()}
        for (action, bucket, folder), entry in self._folders.items():
            if entry.grouped:
                # The folder's name is the records' text: its own * or ? stay literal.
                pattern = arns.Pattern(f"{arns.literal(f'{bucket}/{folder}')}/{ANY_KEY}")
                out.setdefault(action, set()).add(pattern)
            else:
                out.setdefault(action, set()).update(f"{bucket}/{k}" for k in entry.keys)
        for (action, bucket), entry in self._roots.items():
            if entry.grouped:
                out.setdefault(action, set()).add(arns.Pattern(f"{bucket}/*"))
            else:
                out.setdefault(action, set()).update(f"{bucket}/{k}" for k in entry.keys)
        return {a: sorted(_collapse(out[a])) for a in sorted(out)}

    def policy(self) -> dict[str, Any]:
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for action, resources in self.policy_resources().items():
            service = action.partition(":")[0]
            groups.setdefault((service, tuple(resources)), []).append(action)
        ordered = sorted(groups.items())
        bases = [_sid(service, actions[0], resources) for (service, resources), actions in ordered]
        shared = {b for b, n in Counter(bases).items() if n > 1}
        statements: list[dict[str, Any]] = []
        sids: Counter[str] = Counter()
        for base, ((_, resources), actions) in zip(bases, ordered, strict=True):
            # Two statements of one kind (S3 objects read here, written there) are told apart
            # by the access level of their actions, then by a number.
            sid = base + _level(actions) if base in shared else base
            sids[sid] += 1
            statements.append(
                {
                    "Sid": sid if sids[sid] == 1 else f"{sid}{sids[sid]}",
                    "Effect": "Allow",
                    "Action": sorted(actions),
                    "Resource": [arns.literal(r) for r in resources],
                }
            )
        return {"Version": POLICY_VERSION, "Statement": statements}

    def report(self) -> dict[str, Any]:
        policy = self.policy()
        return {
            "policy": policy,
            "inline_policies": {self.options.policy_name: policy} if policy["Statement"] else {},
            "unused": self.unused(),
            "missing": self.missing(),
            "imdsv1": self.imdsv1(),
            "unmapped": self.unmapped(),
            "caveats": self.caveats(policy),
            "left_out": self.left_out(),
            "records": {
                "read": self.read,
                "kept": self.kept,
                "first": _iso(self._first),
                "last": _iso(self._last),
            },
        }

    def unused(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for index, statement in enumerate(self._statements):
            if statement.not_elements:
                continue
            used_actions = self._used_actions[index]
            for i, action in enumerate(statement.actions):
                if action.lower() == "iam:passrole":
                    continue  # never logged: see the caveats
                if i not in used_actions:
                    out.append(
                        self._unused_entry(
                            statement,
                            action=action,
                            resources=list(statement.resources),
                            reason="no call in the records needed it" + self._unlogged_note(action),
                        )
                    )
                elif iam_actions.is_wildcard(action):
                    # _mark_grants records a wildcard's calls whenever it marks the action used.
                    seen = sorted(self._wildcard_seen[(index, i)])
                    granted = len(iam_actions.expand(action))
                    out.append(
                        self._unused_entry(
                            statement,
                            action=action,
                            observed=seen,
                            reason=f"a wildcard that grants {granted} actions, of which the "
                            f"records show {len(seen)}: grant those instead",
                        )
                    )
            if not used_actions:
                continue
            for j, resource in enumerate(statement.resources):
                if resource == arns.ANY:
                    seen = sorted(self._any_resource_seen.get(index, set()))
                    if seen:
                        out.append(
                            self._unused_entry(
                                statement,
                                resource=resource,
                                observed=seen,
                                reason="Resource '*', where the records show only these "
                                "resources (up to five)",
                            )
                        )
                elif j not in self._used_resources[index]:
                    out.append(
                        self._unused_entry(
                            statement,
                            resource=resource,
                            reason="no call in the records touched it",
                        )
                    )
        return out

    def _unlogged_note(self, action: str) -> str:
        service = action.partition(":")[0].lower()
        data = is_data_event_action(action) or ("*" in action and service in _DATA_EVENT_SERVICES)
        if data and service not in self._data_services:
            return (
                f" (but the records hold no {service} data events, and CloudTrail logs this "
                "call only as one: enable them before removing it)"
            )
        return ""

    @staticmethod
    def _unused_entry(statement: Statement, **fields: Any) -> dict[str, Any]:
        return {"policy": statement.policy, "statement": statement.where, **fields}

    def missing(self) -> list[dict[str, Any]]:
        out = []
        for (action, resource), entry in sorted(self._refused.items()):
            first = resource.partition(", ")[0]
            granted_by = [
                f"{self._statements[i].policy}/{self._statements[i].where}"
                for i, _, _ in self._matches(action, first)
            ]
            for agent, policy in AGENT_POLICIES.items():
                if self.grants is None or not self.grants.agent_attached(agent):
                    continue
                if any(
                    s.allows_action(action) and s.covers_resource(first)
                    for s in agent_statements(agent)
                ):
                    granted_by.append(policy)
            named = " " not in action  # a refused call with no IAM action is kept by event
            out.append(
                {
                    "action": action if named else None,
                    "resource": resource or None,
                    "event": entry.event,
                    "error_code": entry.error_code,
                    "error_message": entry.error_message,
                    "count": entry.count,
                    "instances": sorted(entry.instances),
                    "granted_by": granted_by,
                }
            )
        return out

    def imdsv1(self) -> list[dict[str, Any]]:
        return [
            {
                "instance_id": instance,
                "calls": entry.calls,
                "first_seen": entry.first_seen,
                "last_seen": entry.last_seen,
                "actions": sorted(entry.actions),
            }
            for instance, entry in sorted(self._imdsv1.items())
        ]

    def unmapped(self) -> list[dict[str, Any]]:
        return [
            {
                "event_source": source,
                "event_name": name,
                "reason": reason,
                "count": counts["calls"],
                "example_event_id": example,
            }
            for (source, name), (reason, example, counts) in sorted(self._unmapped.items())
        ]

    def left_out(self) -> list[dict[str, Any]]:
        out = []
        for (call, agent), count in sorted(self._left_out.items()):
            if agent:
                reason = (
                    f"the {agent}'s own call, granted by {AGENT_POLICIES[agent]}, which stays "
                    "attached"
                )
            else:
                reason = "needs no permission"
            out.append({"call": call, "by": agent or None, "reason": reason, "count": count})
        return out

    def caveats(self, policy: Mapping[str, Any]) -> list[str]:
        notes: list[str] = []
        o = self.options
        window = f"from {_iso(self._first)} to {_iso(self._last)}" if self._first else "none at all"
        bounds = ""
        if o.since or o.until:
            bounds = f" (--since {_iso(o.since) or '-'} --until {_iso(o.until) or '-'})"
        notes.append(
            f"Time window: {self.kept} of the {self.read} records read are this role's calls, "
            f"{window}{bounds}. A call the application makes less often than that (a monthly "
            "job, an error path) is not in them."
        )
        if o.instance_id:
            notes.append(
                f"Only {o.instance_id}'s calls were kept (--instance-id); the role's other "
                "instances may need more."
            )
        if o.lookup_events:
            notes.append(
                "LookupEvents returns management events only, of one region, for the last 90 "
                "days: S3 object calls, SQS message calls and Lambda invocations are never in "
                "it. Read the trail's files (--cloudtrail-dir or --cloudtrail-s3) with data "
                "events enabled."
            )
        if not self._data_services:
            notes.append(
                "The records hold no data events. S3 object calls and SQS message calls are "
                "data events, which a trail logs only when asked (docs: Least privilege from "
                "CloudTrail): until then they are neither in the policy nor counted as used."
            )
        else:
            missing = sorted(set(_DATA_EVENT_SERVICES[:2]) - self._data_services)
            if missing:
                notes.append(
                    f"The records hold data events of {', '.join(sorted(self._data_services))}"
                    f" but none of {', '.join(missing)}: if the application calls "
                    f"{' or '.join(missing)}, enable that service's data events too."
                )
        notes.append(
            "iam:PassRole is never logged (IAM checks it inside the call that passes a role), "
            "so it is neither in the policy nor reported unused: if the application passes a "
            "role, add it by hand for that role's ARN."
        )
        any_resource = [
            a for s in policy["Statement"] if s["Resource"] == [arns.ANY] for a in s["Action"]
        ]
        if any_resource:
            notes.append(
                f"{', '.join(any_resource)} support no resource-level permissions, so IAM "
                "requires Resource '*' for them."
            )
        for action, scoped in sorted(self._scoped.items()):
            notes.append(
                f"The records name no resource for {action}; it is scoped to "
                f"{', '.join(scoped)} (the call's account and region). Narrow it by hand."
            )
        for action in sorted(self._delete_objects):
            notes.append(
                f"{action} via DeleteObjects: CloudTrail logs the bucket but not the keys of a "
                "multi-object delete, so it is granted on the bucket's every key."
            )
        if any(f.grouped for f in self._folders.values()):
            notes.append(
                f"Object keys under one top-level folder became folder/* once the records "
                f"showed {KEYS_PER_FOLDER} or more of them; keys at a bucket's root stay exact "
                f"up to {ROOT_KEYS_MAX} per action. --exact keeps every key as it is."
            )
        if any(f.grouped for f in self._roots.values()):
            notes.append(
                f"More than {ROOT_KEYS_MAX} keys at a bucket's root for one action became "
                "bucket/*. --exact keeps every key as it is."
            )
        notes += self._grant_caveats()
        grants = self.grants
        if grants is not None and grants.role_name and grants.role_name.lower() != self._role[1]:
            notes.append(
                f"The role in {grants.source} is named {grants.role_name}, but --role-arn names "
                f"{o.role_arn.rpartition('/')[2]}: check that the grant is this role's (a "
                "deployed role's generated name differs from the rendered one)."
            )
        if any(a in ("s3:GetObject", "s3:GetObjectVersion") for a, _ in self._refused):
            notes.append(
                "S3 answers AccessDenied, not NoSuchKey, for a key that does not exist when the "
                "caller lacks s3:ListBucket on the bucket: a refused s3:GetObject may be a "
                "missing key."
            )
        refused = len(self._refused)
        if refused and not o.include_missing:
            notes.append(
                f"{refused} refused action(s) are listed under missing and are not in the policy: "
                "grant the ones the application needs, or run again with --include-missing."
            )
        if policy["Statement"] and minified_length(policy) > INLINE_POLICIES_MAX_CHARACTERS:
            notes.append(
                f"The policy is {minified_length(policy)} characters, over IAM's "
                f"{INLINE_POLICIES_MAX_CHARACTERS} for a role's inline policies together: "
                "group keys (leave out --exact) or split it into managed policies."
            )
        return notes

    def _grant_caveats(self) -> list[str]:
        grants = self.grants
        if grants is None:
            return [
                "No --granted: unused is empty, and the agents' calls are left out on the "
                "assumption that their managed policies (AmazonSSMManagedInstanceCore, "
                "CloudWatchAgentServerPolicy) stay attached."
            ]
        notes = [
            f"{arn} is attached, but its document is not in {grants.source}: its grants are not "
            "diffed (use --granted iam)."
            for arn in grants.unread
        ]
        if any(s.conditional for s in grants.statements):
            notes.append(
                "Conditions in the granted statements are not evaluated: a statement counts as "
                "used when its actions and resources match a call."
            )
        for s in grants.statements:
            if s.not_elements:
                notes.append(
                    f"{s.policy}/{s.where} uses NotAction or NotResource and is not diffed."
                )
        return notes


ANY_KEY: Final = "*"


def _s3_object(resource: str) -> tuple[str, str, str] | None:
    prefix, sep, rest = resource.partition(":s3:::")
    if not sep or "/" not in rest:
        return None
    bucket, _, key = rest.partition("/")
    return f"{prefix}{sep}", bucket, key


def _collapse(resources: set[str]) -> set[str]:
    """Drops resources a pattern in the same set already covers (``bucket/*`` and one of its
    keys)."""
    patterns = [r for r in resources if isinstance(r, arns.Pattern)]
    if not patterns:
        return resources
    compiled = [(p, iam_pattern(p, case_sensitive=True)) for p in patterns]
    return {r for r in resources if not any(p != r and c.fullmatch(r) for p, c in compiled)}


def _sid(service: str, action: str, resources: tuple[str, ...]) -> str:
    prefix = "".join(part.capitalize() for part in re.split(r"[^a-z0-9]+", service))
    if resources == (arns.ANY,):
        return f"{prefix}AnyResource"
    info = iam_actions.action_info(action)
    for fmt in info.resource_formats if info else ():
        if arn_overlaps(fmt, resources[0]):
            names = re.findall(r"\$\{([A-Za-z]+)\}", fmt)
            kind = re.split(r"Name|Id|Arn", names[-1])[0] if names else ""
            if kind and kind not in ("Partition", "Region", "Account"):
                return prefix + kind
    return prefix


def _level(actions: list[str]) -> str:
    levels = {(info.access_level if (info := iam_actions.action_info(a)) else "") for a in actions}
    word = levels.pop() if len(levels) == 1 else ""
    return re.sub(r"[^A-Za-z0-9]", "", word.title()) or "Mixed"


def _iso(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""
