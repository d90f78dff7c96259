"""How long the offline review's render step takes, next to a fair floor: a process that imports
everything the render imports and loads the IAM action database, but renders nothing.

    python benchmarks/review_render.py [--runs 7] [--stack dev]

Each measurement is a fresh Python process timed from start to exit, its teardown included (a
user's process ends too). The floor and the render run in turn, and their ratio is taken pair
by pair, so drift in the machine's load hits both alike. Target (issue "A stack's cost grows
linearly"): the render within 1.1x of the floor. Prints figures; it asserts nothing, because
these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.1

# What the render imports (the review, the stack program's app/ and components, the policy
# pack, and the pulumi_aws modules the program uses: pulumi_aws loads a submodule on first
# attribute access, so a bare `import pulumi_aws` would flatter the ratio), and the action
# database the policy lint reads: a floor without it flattered the render too.
FLOOR = """
import offline.review, policy.rules, app.network, app.permissions, app.verification
import components, components.network, botocore.loaders
from pulumi_aws import get_caller_identity, get_partition, get_region
from pulumi_aws.ec2 import Instance, SecurityGroup, VpcEndpoint, get_route_table, get_route_tables
from pulumi_aws.ec2 import get_subnet, get_subnets, get_vpc, get_vpc_endpoint_service
from pulumi_aws.iam import InstanceProfile, Role, RolePolicy, RolePolicyAttachment
from pulumi_aws.ssm import get_parameter_output
from pulumi_aws.vpc import SecurityGroupEgressRule, SecurityGroupIngressRule
from components import iam_actions
iam_actions.service_prefixes()
iam_actions.expand("s3:*")
"""
RENDER = """
from offline.review import render, resources_document, to_json
to_json(resources_document(render({stack!r}), {stack!r}))
"""


def timed(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--stack", default="dev")
    args = parser.parse_args()
    render_code = RENDER.format(stack=args.stack)
    timed(render_code)  # warm the file cache once so the first run is not an outlier
    floors: list[float] = []
    renders: list[float] = []
    ratios: list[float] = []
    for _ in range(args.runs):
        floors.append(timed(FLOOR))
        renders.append(timed(render_code))
        ratios.append(renders[-1] / floors[-1])
    floor, render, ratio = (statistics.median(x) for x in (floors, renders, ratios))
    runs = f"median of {args.runs}"
    print(f"floor (the render's imports and the action database): {floor:.2f} s ({runs})")
    print(f"render of stack {args.stack!r} (imports included): {render:.2f} s ({runs})")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(
        f"ratio, pair by pair: {ratio:.2f}x, from {min(ratios):.2f} to {max(ratios):.2f} "
        f"({verdict} the {TARGET_RATIO}x target)"
    )


if __name__ == "__main__":
    main()
