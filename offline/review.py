"""Offline review of a stack: what `pulumi preview` would plan, without the CLI, the provider or
cloud credentials.

    python -m offline.review --stack dev [--out review-out/dev] [--json] [--no-checkov]

Runs the real __main__.py with the stack's real config under the Pulumi mock runtime, writes
resources.json, diagram.md, policy.json, plan.json and checkov.json to the output folder, and
prints the resource tree with every IAM policy document, the policy pack's results and checkov's.
Exits 1 when a mandatory policy rule or a checkov check fails.

Account, region and partition: the region is the stack's ``aws:region``; the partition follows
from it (``cn-`` regions are aws-cn, ``us-gov-`` ones aws-us-gov); the account is the first of
``aws:allowedAccountIds`` when the stack sets it, else the documented fake ``123456789012``.
Secrets read as ``[secret]``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from offline import changes, tfplan
from offline.mocks import AwsTarget, Registration, Run, run_program
from offline.policy_args import (
    default_config,
    resource_args,
    resource_violations,
    stack_resources,
    stack_violations,
)
from offline.stack_config import ROOT, merged_config, run_stack_program
from policy import reachability
from policy.tokens import EXISTING_NETWORK

FAKE_ACCOUNT: Final = "123456789012"
POLICY_PROPERTIES: Final = ("assumeRolePolicy", "policy")
CHECKOV_CONFIG: Final = ROOT / ".checkov.yaml"
CHECKOV_SKIPS: Final = ROOT / "checkov-skips.yaml"


def target_for(config: Mapping[str, str]) -> AwsTarget:
    region = config.get("aws:region", "us-east-1")
    if region.startswith("cn-"):
        partition, suffix = "aws-cn", "amazonaws.com.cn"
    elif region.startswith("us-gov-"):
        partition, suffix = "aws-us-gov", "amazonaws.com"
    else:
        partition, suffix = "aws", "amazonaws.com"
    accounts = json.loads(config.get("aws:allowedAccountIds", "[]"))
    return AwsTarget(
        partition=partition,
        dns_suffix=suffix,
        region=region,
        account_id=str(accounts[0]) if accounts else FAKE_ACCOUNT,
    )


def render(stack: str) -> Run:
    config = merged_config(stack)
    run = run_program(run_stack_program, config=config, stack=stack, target=target_for(config))
    # What is alive after a process's first render (the modules, the SDK's and the provider's
    # types, the IAM action database, the run) lives until the review ends: frozen, it leaves
    # the garbage collector's reach, and the collector's pass over it at exit was most of what
    # the render cost beyond its imports. (During the run, run_program freezes what existed
    # before it.) Only when nothing is frozen yet, so a test session that renders many stacks
    # freezes only the first and keeps collecting the others.
    if not gc.get_freeze_count():
        gc.freeze()
    return run


# --- resources.json ----------------------------------------------------------------------------


def _policy_documents(inputs: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for prop in POLICY_PROPERTIES:
        value = inputs.get(prop)
        if isinstance(value, Mapping):
            found[prop] = value
        elif isinstance(value, str):
            try:
                found[prop] = json.loads(value)
            except json.JSONDecodeError:
                continue
    return found


def resources_document(
    run: Run, stack: str, config: Mapping[str, str] | None = None
) -> dict[str, Any]:
    resources = []
    for r in sorted(run.registrations, key=lambda r: r.urn):
        entry: dict[str, Any] = {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "parent": r.parent,
            "custom": r.custom,
            "dependencies": sorted(set(r.dependencies)),
            "propertyDependencies": {k: sorted(v) for k, v in r.property_dependencies.items() if v},
            "inputs": r.inputs,
            "ignoreChanges": sorted(r.ignore_changes),
            "options": r.options,
        }
        if documents := _policy_documents(r.inputs):
            entry["policyDocuments"] = documents
        if not r.custom and r.outputs:
            entry["outputs"] = r.outputs
        resources.append(entry)
    provider_config = {k: v for k, v in (config or {}).items() if k.startswith("aws:")}
    return {"stack": stack, "providerConfig": provider_config, "resources": resources}


def to_json(document: Any) -> str:
    """Byte-stable JSON: sorted keys, fixed indentation, a final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- the tree ----------------------------------------------------------------------------------


def display_type(token: str) -> str:
    """``aws:ec2/instance:Instance`` as `pulumi preview` shows it: ``aws:ec2:Instance``."""
    package, module, name = [*token.split(":"), "", ""][:3]
    return f"{package}:{module.split('/')[0]}:{name}" if module else token


def network_line(facts: Mapping[str, Any]) -> str:
    """What an ExistingNetwork recorded, in one line."""
    default = " (a default subnet)" if facts.get("default_for_az") else ""
    route = facts.get("default_route") or "nowhere"
    line = (
        f"subnet {facts.get('subnet_id')}{default} in {facts.get('vpc_id')}, "
        f"{facts.get('availability_zone')}: 0.0.0.0/0 -> {route} "
        f"(route table {facts.get('route_table_id')})"
    )
    if endpoints := facts.get("vpc_endpoints"):
        line += "; existing endpoints: " + ", ".join(sorted(endpoints))
    return line


_AWS_MANAGED_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?(?P<name>[^/]+)$")


def managed_policy_summary(arn: str) -> str:
    """What an attachment grants, for the reviewer: an AWS managed policy's allowed actions by
    access level (its default version, from moto's copy of AWS's managed policies, counted
    with the IAM action database), or that it is the account's own."""
    match = _AWS_MANAGED_ARN.match(arn)
    if match is None:
        return "customer managed: read it in IAM"
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    from components import iam_actions

    policy = json.loads(aws_managed_policies_data).get(match.group("name"))
    if policy is None:
        return "AWS managed, not in the emulator's copy: read it in IAM"
    statements = policy["Document"]["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    actions: set[str] = set()
    for statement in statements:
        if statement.get("Effect") != "Allow" or "Action" not in statement:
            continue
        listed = statement["Action"]
        for action in [listed] if isinstance(listed, str) else listed:
            if action == "*":
                return "AWS managed: EVERY action of every service"
            actions.update(iam_actions.expand(action))
    summary = iam_actions.access_level_summary(tuple(sorted(actions))) or "no known action"
    return f"AWS managed: {len(actions)} actions ({summary})"


def _whole(value: object) -> object:
    """A number as the engine sends it (a double) in the form it was written."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _on(value: object) -> str:
    return "on" if value is True or value == "true" else "off"


def access_lines(r: Registration) -> list[str]:
    """The settings of ``r`` that decide who gets what, one line each."""
    inputs = r.inputs
    if r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        arn = str(inputs.get("policyArn", ""))
        return [f"policyArn: {arn}", f"  {managed_policy_summary(arn)}"]
    if r.type == "aws:ec2/instance:Instance":
        root = inputs.get("rootBlockDevice") or {}
        return [
            _metadata_line(inputs),
            _root_line(root.get("volumeType"), root.get("encrypted"), root.get("kmsKeyId")),
            f"public IPv4: {'yes' if inputs.get('associatePublicIpAddress') else 'no'}; "
            f"termination protection: {_on(inputs.get('disableApiTermination'))}; "
            f"profile: {inputs.get('iamInstanceProfile', 'none')}",
        ]
    if r.type == "aws:ec2/launchTemplate:LaunchTemplate":
        (mapping, *_) = inputs.get("blockDeviceMappings") or [{}]
        ebs = mapping.get("ebs") or {}
        (interface, *_) = inputs.get("networkInterfaces") or [{}]
        profile = inputs.get("iamInstanceProfile") or {}
        return [
            _metadata_line(inputs),
            _root_line(ebs.get("volumeType"), ebs.get("encrypted"), ebs.get("kmsKeyId"))
            + f" ({mapping.get('deviceName', 'no root mapping')})",
            f"public IPv4: {'yes' if interface.get('associatePublicIpAddress') == 'true' else 'no'}"
            f"; profile: {profile.get('name') or profile.get('arn') or 'none'}",
        ]
    return []


def _metadata_line(inputs: Mapping[str, Any]) -> str:
    metadata = inputs.get("metadataOptions") or {}
    return (
        f"metadata: tokens {metadata.get('httpTokens', 'optional (EC2 default)')}, hop limit "
        f"{_whole(metadata.get('httpPutResponseHopLimit', 1))}, endpoint "
        f"{metadata.get('httpEndpoint', 'enabled')}, instance tags "
        f"{metadata.get('instanceMetadataTags', 'disabled')}"
    )


def _root_line(volume_type: object, encrypted: object, key: object) -> str:
    sealed = "encrypted" if encrypted in (True, "true") else "NOT encrypted"
    default_key = "the account's aws/ebs key"
    return f"root volume: {volume_type or 'AMI default'}, {sealed} with {key or default_key}"


def tree(run: Run, stack: str, project: str) -> str:
    children: dict[str, list[Registration]] = {}
    for r in sorted(run.registrations, key=lambda r: r.urn):
        children.setdefault(r.parent, []).append(r)
    root_urn = next(
        (p for p in children if p.endswith("::pulumi:pulumi:Stack::" + f"{project}-{stack}")), ""
    )
    lines = [f"    {'Type':<48} Name", f" +  {'pulumi:pulumi:Stack':<48} {project}-{stack}"]

    def walk(parent: str, prefix: str) -> None:
        kids = children.get(parent, [])
        for index, r in enumerate(kids):
            last = index == len(kids) - 1
            branch = "└─ " if last else "├─ "
            lines.append(f" +  {prefix + branch + display_type(r.type):<48} {r.name}")
            below = prefix + ("   " if last else "│  ")
            if r.type == EXISTING_NETWORK and r.outputs:
                lines.append(f"    {below}   {network_line(r.outputs)}")
            lines.extend(f"    {below}   {line}" for line in access_lines(r))
            for prop, document in _policy_documents(r.inputs).items():
                lines.append(f"    {below}   {prop}:")
                lines.extend(
                    f"    {below}     {line}"
                    for line in json.dumps(document, indent=2).splitlines()
                )
            walk(r.urn, below)

    walk(root_urn, "")
    return "\n".join(lines) + "\n"


# --- the diagram -------------------------------------------------------------------------------


def direct_edges(edges: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """``edges`` without those another path already implies (a transitive reduction): the
    instance waits for the role through the profile, so no instance -> role arrow."""

    def reachable(start: str, skip: tuple[str, str]) -> set[str]:
        seen: set[str] = set()
        stack = [b for a, b in edges if a == start and (a, b) != skip]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack += [b for a, b in edges if a == node]
        return seen

    return {(a, b) for a, b in edges if b not in reachable(a, (a, b))}


def mermaid(run: Run) -> str:
    """The stack's AWS resources grouped by the component that holds them, each arrow a direct
    dependency (what a resource waits for), with a legend."""
    custom = sorted((r for r in run.registrations if r.custom), key=lambda r: r.urn)
    components = {r.urn: r for r in run.registrations if not r.custom}
    ids = {r.urn: f"r{i}" for i, r in enumerate(custom)}
    lines = ["flowchart LR"]
    held: dict[str, list[Registration]] = {}  # component URN ("" for the stack) -> members
    for r in sorted(run.registrations, key=lambda r: r.urn):
        held.setdefault(r.parent if r.parent in components else "", []).append(r)
    boxes = {urn: f"g{i}" for i, urn in enumerate(sorted(components))}

    def draw(owner: str, depth: int) -> None:
        indent = "  " * depth
        for member in held.get(owner, []):
            if member.custom:
                lines.append(
                    f'{indent}{ids[member.urn]}["{display_type(member.type)}<br/>{member.name}"]'
                )
            elif held.get(member.urn):
                lines.append(
                    f'{indent}subgraph {boxes[member.urn]}["{display_type(member.type)} '
                    f'{member.name}"]'
                )
                draw(member.urn, depth + 1)
                lines.append(f"{indent}end")

    draw("", 1)
    edges: set[tuple[str, str]] = set()
    for r in custom:
        deps = set(r.dependencies) | {u for urns in r.property_dependencies.values() for u in urns}
        edges |= {(ids[r.urn], ids[d]) for d in deps if d in ids and d != r.urn}
    lines += [f"  {a} --> {b}" for a, b in sorted(direct_edges(edges))]
    lines.append(
        '  legend["Legend: A --> B, A waits for B (uses its output or depends on it)<br/>'
        'a box: the component that holds its resources"]:::legend'
    )
    lines.append("  classDef legend fill:none,stroke-dasharray:3 3")
    return "\n".join(lines) + "\n"


# --- the policy pack ---------------------------------------------------------------------------


@dataclass
class PolicyResult:
    policy: str
    level: str
    message: str
    urn: str


def _pack_config(stack: str) -> dict[str, Any]:
    path = ROOT / "policy" / f"config.{stack}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _pack_setting(stack: str, policy: str) -> dict[str, Any]:
    setting = _pack_config(stack).get(policy, {})
    return {"enforcementLevel": setting} if isinstance(setting, str) else dict(setting)


def pack_settings(stack: str, policy: str) -> dict[str, Any]:
    """The settings ``policy/config.<stack>.json`` gives ``policy``, its level left out."""
    return {k: v for k, v in _pack_setting(stack, policy).items() if k != "enforcementLevel"}


def policy_results(run: Run, stack: str) -> list[PolicyResult]:
    from policy import rules

    results: list[PolicyResult] = []
    for policy in rules.POLICIES:
        setting = _pack_setting(stack, policy.name)
        level = setting.pop("enforcementLevel", policy.enforcement_level.value)
        if level == "disabled":
            continue
        config = {**default_config(policy), **setting}
        if policy in rules.STACK_POLICIES:
            found = stack_violations(policy, stack_resources(run.registrations), config)
            results += [PolicyResult(policy.name, level, m, u or "") for m, u in found]
            continue
        for r in run.registrations:
            if r.custom:
                args = resource_args(r.type, r.inputs, name=r.name, config=config)
                for message in resource_violations(policy, args):
                    results.append(PolicyResult(policy.name, level, message, r.urn))
    return results


# --- checkov -----------------------------------------------------------------------------------


def checkov_binary() -> str | None:
    configured = os.environ.get("CHECKOV")
    if configured:
        return configured
    default = ROOT / "checkov-venv" / "bin" / "checkov"
    return str(default) if default.exists() else None


def configured_skips(stack: str) -> dict[str, str]:
    """The checks skipped for ``stack``, each with its reason."""
    import yaml

    skips = yaml.safe_load(CHECKOV_SKIPS.read_text()) or {}
    return {**(skips.get("all") or {}), **(skips.get(stack) or {})}


@dataclass
class CheckovResult:
    passed: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


CHECKOV_CACHE = ROOT / "review-out" / ".checkov-cache"


def cached_checkov(
    plan_path: Path, binary: str, skips: Sequence[str] = (), cache: Path | None = CHECKOV_CACHE
) -> tuple[CheckovResult, bool]:
    """:func:`run_checkov`, or its earlier result for the same scan: the key is the plan's
    bytes, checkov's config, the skips and the checkov script itself (its path, size and
    modification time: reinstalling checkov rewrites it). Returns the result and whether it
    came from the cache. ``cache=None`` always scans."""
    if cache is None:
        return run_checkov(plan_path, binary, skips), False
    script = Path(binary).resolve()
    stat = script.stat()
    key = hashlib.sha256()
    for part in (
        plan_path.read_bytes(),
        CHECKOV_CONFIG.read_bytes(),
        ",".join(sorted(skips)).encode(),
        f"{script}:{stat.st_size}:{stat.st_mtime_ns}".encode(),
    ):
        key.update(hashlib.sha256(part).digest())
    entry = cache / f"{key.hexdigest()}.json"
    if entry.is_file():
        return CheckovResult(**json.loads(entry.read_text())), True
    result = run_checkov(plan_path, binary, skips)
    cache.mkdir(parents=True, exist_ok=True)
    entry.write_text(json.dumps(result.__dict__))
    return result, False


def run_checkov(plan_path: Path, binary: str, skips: Sequence[str] = ()) -> CheckovResult:
    plan_path = plan_path.resolve()
    command = [binary, "-f", str(plan_path), "--config-file", str(CHECKOV_CONFIG), "-o", "json"]
    if skips:
        command += ["--skip-check", ",".join(skips)]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        cwd=plan_path.parent,
    )
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({completed.returncode}): {completed.stderr[-2000:]}")
    report = json.loads(completed.stdout)
    report = report[0] if isinstance(report, list) else report
    results = report.get("results", {})

    def brief(check: Mapping[str, Any]) -> dict[str, str]:
        return {
            "check_id": check["check_id"],
            "resource": check["resource"],
            "name": check.get("check_name", ""),
        }

    result = CheckovResult(
        passed=len(results.get("passed_checks", [])),
        failed=[brief(c) for c in results.get("failed_checks", [])],
        skipped=[brief(c) for c in results.get("skipped_checks", [])],
    )
    planned = json.loads(plan_path.read_text())["planned_values"]["root_module"]["resources"]
    scanned = int(report.get("summary", {}).get("resource_count", 0))
    if scanned != len(planned) or not (result.passed or result.failed):
        # checkov says nothing about what it could not scan (a wrong path, a plan without
        # terraform_version, a resource without address or mode): never call that clean.
        raise RuntimeError(
            f"checkov scanned {scanned} of the {len(planned)} resources in {plan_path}"
        )
    return result


# --- the command -------------------------------------------------------------------------------


def existing_stacks() -> list[str]:
    """The stacks this project has: one Pulumi.<stack>.yaml each."""
    return sorted(
        p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in ROOT.glob("Pulumi.*.yaml")
    )


def _program_frame(error: BaseException) -> str:
    """`` at <file>:<line>``: the innermost frame of this repository's code outside offline/,
    where a reviewer's fix goes."""
    import traceback

    found = ""
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(ROOT) and not path.is_relative_to(ROOT / "offline"):
            found = f" at {path.relative_to(ROOT)}:{frame.lineno}"
    return found


def _failed(cause: str, details: str = "") -> int:
    print(f"Review failed: {cause}")
    if details.strip():
        print("\n".join(f"  {line}" for line in details.strip().splitlines()))
    print("\nRESULT: FAIL")
    return 1


class ReviewFailure(Exception):
    """The review cannot be made: its cause in one line, and details."""


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _review(argv)
    except ReviewFailure as failure:
        return _failed(*failure.args)


def _review(argv: Sequence[str] | None) -> int:
    parser = argparse.ArgumentParser(description="Review a stack offline.")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--out", type=Path, help="output folder (default review-out/<stack>)")
    parser.add_argument("--json", action="store_true", help="print one JSON summary for tools")
    parser.add_argument("--no-checkov", action="store_true", help="skip the checkov scan")
    parser.add_argument(
        "--no-checkov-cache",
        action="store_true",
        help=f"scan even when the same plan was scanned before (cache: {CHECKOV_CACHE})",
    )
    parser.add_argument(
        "--against",
        nargs="?",
        const="",
        metavar="RESOURCES_JSON",
        help="also print what changed since this resources.json (default: the committed "
        "snapshots/resources.<stack>.json), who may do what first",
    )
    args = parser.parse_args(argv)
    out: Path = args.out or ROOT / "review-out" / args.stack
    stacks = existing_stacks()
    if args.stack not in stacks:
        raise ReviewFailure(
            f"there is no stack {args.stack!r}: this project has "
            f"{', '.join(stacks) or 'none'} (a Pulumi.<stack>.yaml each). Use one of them, or "
            f"create Pulumi.{args.stack}.yaml first."
        )
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        run = render(args.stack)
    except Exception as error:  # the program's own error, for the reviewer to read
        first, _, rest = str(error).strip().partition("\n")
        where = _program_frame(error)
        raise ReviewFailure(
            f"the stack program failed{where}: {type(error).__name__}: {first}",
            rest,
        ) from None
    project = "ec2-instance-role"
    document = resources_document(run, args.stack, merged_config(args.stack))
    (out / "resources.json").write_text(to_json(document))
    change_report = None
    if args.against is not None:
        against = Path(args.against or ROOT / "snapshots" / f"resources.{args.stack}.json")
        if not against.is_file():
            raise ReviewFailure(
                f"--against {against}: no such file (a resources.json to compare with)"
            )
        try:
            earlier = json.loads(against.read_text())
        except ValueError as error:
            raise ReviewFailure(f"--against {against} is not JSON ({error})") from None
        if not isinstance(earlier, dict) or not isinstance(earlier.get("resources"), list):
            raise ReviewFailure(
                f"--against {against} is not a resources.json (no 'resources' list)"
            )
        if earlier.get("stack") not in (None, args.stack):
            raise ReviewFailure(
                f"--against {against} is stack {earlier.get('stack')!r}'s, not {args.stack!r}'s"
            )
        # Through JSON, as the snapshot was written: Unknowns and tuples read as they do there.
        change_report = changes.report(earlier, json.loads(to_json(document)))
        (out / "changes.txt").write_text(change_report)
    else:
        (out / "changes.txt").unlink(missing_ok=True)  # never leave an earlier run's report
    (out / "diagram.md").write_text("```mermaid\n" + mermaid(run) + "```\n")
    plan_document, not_scanned = tfplan.plan(run.registrations)
    (out / "plan.json").write_text(to_json(plan_document))
    rendered = time.perf_counter()

    # checkov runs in a process of its own while the policy pack runs here.
    scan: concurrent.futures.Future[tuple[CheckovResult, bool]] | None = None
    pool: concurrent.futures.ThreadPoolExecutor | None = None
    skips: dict[str, str] = {}
    if not args.no_checkov:
        binary = checkov_binary()
        if binary is None:
            raise ReviewFailure("checkov not found: run `make checkov-venv` or set CHECKOV")
        skips = configured_skips(args.stack)
        cache = None if args.no_checkov_cache else CHECKOV_CACHE
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        scan = pool.submit(cached_checkov, out / "plan.json", binary, list(skips), cache)
    violations = policy_results(run, args.stack)
    (out / "policy.json").write_text(to_json([v.__dict__ for v in violations]))
    checked = time.perf_counter()

    checkov: CheckovResult | None = None
    from_cache = False
    if scan is not None and pool is not None:
        try:
            checkov, from_cache = scan.result()
        except RuntimeError as error:
            raise ReviewFailure(f"checkov did not finish its scan: {error}") from None
        finally:
            pool.shutdown()
        # checkov reports a check skipped by --skip-check nowhere in its output (only inline
        # suppressions appear among its skipped_checks): the summary lists them with reasons.
        checkov.skipped = [
            {"check_id": check, "reason": reason} for check, reason in skips.items()
        ] + checkov.skipped
        (out / "checkov.json").write_text(to_json(checkov.__dict__))
    else:
        (out / "checkov.json").unlink(missing_ok=True)  # never leave an earlier run's result

    scanned = time.perf_counter()
    checkov_step = (
        "checkov skipped"
        if scan is None
        else f"checkov {scanned - rendered:.1f} s"
        + (" (the same plan's earlier result)" if from_cache else " (beside the pack)")
    )
    print(
        f"==> review of {args.stack}: render {rendered - started:.1f} s, policy pack "
        f"{checked - rendered:.1f} s, {checkov_step}",
        file=sys.stderr,
    )
    verdicts = reachability.analyse(stack_resources(run.registrations))
    mandatory = [v for v in violations if v.level == "mandatory"]
    failed = bool(mandatory) or bool(checkov and checkov.failed)
    if args.json:
        print(
            to_json(
                {
                    "stack": args.stack,
                    "output": str(out),
                    "resources": len(run.registrations),
                    "policyViolations": [v.__dict__ for v in violations],
                    "checkov": checkov.__dict__ if checkov else None,
                    "notScanned": not_scanned,
                    "reachability": [reachability.summary(v) for v in verdicts],
                    "changes": change_report,
                    "ok": not failed,
                }
            ),
            end="",
        )
        return 1 if failed else 0

    shown = out.resolve().relative_to(ROOT) if out.resolve().is_relative_to(ROOT) else out
    print(f"Offline review of stack {args.stack!r} (mock runtime; written to {shown})\n")
    print(tree(run, args.stack, project))
    if change_report is not None:
        print(f"What this change does (against {args.against or 'the committed snapshot'}):")
        print(change_report)
    print(f"Diagram ({shown / 'diagram.md'}; Mermaid, renders on GitHub):\n")
    print(mermaid(run))
    print("Reachability (the AWS services each instance's role uses, and its way to each):")
    for verdict in verdicts:
        print(f"  {reachability.summary(verdict)}")
    if not verdicts:
        print("  no instance whose role is in the stack")
    print(f"\nPolicy pack: {len(violations)} violation(s), {len(mandatory)} mandatory")
    for v in violations:
        print(f"  [{v.level}] {v.policy}: {v.message} ({v.urn})")
    if checkov is not None:
        print(
            f"checkov: {checkov.passed} passed, {len(checkov.failed)} failed; skipped for this "
            f"stack, each with its reason in {CHECKOV_SKIPS.name}: "
            f"{', '.join(configured_skips(args.stack))}"
        )
        for c in checkov.failed:
            print(f"  FAILED {c['check_id']} {c['name']} on {c['resource']}")
    for urn in not_scanned:
        print(f"  not in plan.json (no Terraform type mapped): {urn}")
    print("\nRESULT:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
