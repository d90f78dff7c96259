"""The report for a person: the policy, the entry to paste into ``InstanceRoleArgs``, and each
section of the JSON report in a line per finding."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from typing import Any


def _heading(title: str, items: list[Any]) -> list[str]:
    return ["", f"{title} ({len(items)})" + (":" if items else ": none")]


def _on(resource: Any) -> str:
    if isinstance(resource, list):
        return ", ".join(resource)
    return str(resource)


def paste_entry(report: Mapping[str, Any]) -> list[str]:
    """The ``inline_policies`` entry, one statement per line: valid Python and JSON."""
    lines = ['"inline_policies": {']
    for name, document in report["inline_policies"].items():
        lines += [
            f"    {json.dumps(name)}: {{",
            f'        "Version": {json.dumps(document["Version"])},',
            '        "Statement": [',
        ]
        lines += [f"            {json.dumps(s)}," for s in document["Statement"]]
        lines += ["        ],", "    },"]
    return [*lines, "},"]


def text(report: Mapping[str, Any], role_arn: str) -> str:
    records = report["records"]
    window = f"{records['first']} to {records['last']}" if records["first"] else "no calls"
    lines = [
        f"Least privilege for {role_arn}",
        f"{records['kept']} of {records['read']} records are this role's calls ({window}).",
    ]
    statements = report["policy"]["Statement"]
    lines += _heading("Policy: what the records show the application needs", statements)
    for statement in statements:
        lines.append(f"  {statement['Sid']}: {', '.join(statement['Action'])}")
        lines += [f"      on {r}" for r in statement["Resource"]]
    if report["inline_policies"]:
        lines += ["", "Ready to paste into InstanceRoleArgs:", *paste_entry(report)]
    unused = report["unused"]
    lines += _heading("Granted but not used", unused)
    for item in unused:
        what = item.get("action") or item.get("resource")
        where = f" on {_on(item['resources'])}" if item.get("resources") else ""
        seen = f" [seen: {', '.join(item['observed'])}]" if item.get("observed") else ""
        lines.append(
            f"  {item['policy']}/{item['statement']}: {what}{where}: {item['reason']}{seen}"
        )
    missing = report["missing"]
    lines += _heading("Refused (missing)", missing)
    for item in missing:
        granted = (
            f"; granted by {', '.join(item['granted_by'])}, so something else denies it (an SCP, "
            "a permissions boundary, a resource policy or a Deny statement)"
            if item["granted_by"]
            else ""
        )
        lines.append(
            f"  {item['action']} on {item['resource']}: {item['error_code']} x{item['count']} "
            f"({item['event']}, from {', '.join(item['instances'])}){granted}"
        )
    imdsv1 = report["imdsv1"]
    lines += _heading("Credentials delivered through IMDSv1", imdsv1)
    for item in imdsv1:
        lines.append(
            f"  {item['instance_id']}: {item['calls']} calls from {item['first_seen']} to "
            f"{item['last_seen']} ({', '.join(item['actions'])}): require IMDSv2 on it "
            f"(aws ec2 modify-instance-metadata-options --http-tokens required --instance-id "
            f"{item['instance_id']})"
        )
    unmapped = report["unmapped"]
    lines += _heading("Calls with no IAM action (not in the policy)", unmapped)
    for item in unmapped:
        lines.append(
            f"  {item['event_source']} {item['event_name']} x{item['count']}: {item['reason']} "
            f"(event {item['example_event_id']})"
        )
    left_out = report["left_out"]
    lines += _heading("Left out (not the application's to grant)", left_out)
    for item in left_out:
        lines.append(f"  {item['call']} x{item['count']}: {item['reason']}")
    lines += ["", "Caveats:"]
    for note in report["caveats"]:
        lines += textwrap.wrap(note, width=100, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"
