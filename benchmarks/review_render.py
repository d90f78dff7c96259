"""How long the offline review's render step takes, next to the floor of merely importing the
SDK modules it needs, measured in the same run on the same machine.

    python benchmarks/review_render.py [--runs 5] [--stack dev]

Each measurement is a fresh Python process (imports are what dominates, and a warm process
would hide them), started and ended the same way for both: each snippet ends with os._exit(0),
so the interpreter's teardown of whatever it built (freeing the IAM action database, for one)
counts in neither. The median of the runs is reported. Target: render within 1.5x the floor.
Prints figures; it asserts nothing, because these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5

# pulumi_aws loads a submodule on first attribute access, so the floor names what the render
# uses: a bare `import pulumi_aws.ec2` would load almost nothing and flatter the ratio.
FLOOR = """
import pulumi, pulumi.runtime.mocks
from pulumi_aws import get_caller_identity, get_partition, get_region
from pulumi_aws.ec2 import Instance, SecurityGroup, VpcEndpoint, get_route_table, get_route_tables
from pulumi_aws.ec2 import get_subnet, get_subnets, get_vpc, get_vpc_endpoint_service
from pulumi_aws.iam import InstanceProfile, Role, RolePolicy, RolePolicyAttachment
from pulumi_aws.ssm import get_parameter_output
from pulumi_aws.vpc import SecurityGroupEgressRule, SecurityGroupIngressRule
import botocore.loaders
import os; os._exit(0)
"""
RENDER = """
from offline.review import render, resources_document, to_json
to_json(resources_document(render({stack!r}), {stack!r}))
import os; os._exit(0)
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
    for _ in range(args.runs):  # interleaved, so drift in the machine's load hits both alike
        floors.append(timed(FLOOR))
        renders.append(timed(render_code))
    floor, render = statistics.median(floors), statistics.median(renders)
    ratio = render / floor
    runs = f"median of {args.runs}"
    print(f"import floor (pulumi + the pulumi_aws modules used): {floor:.2f} s ({runs})")
    print(f"render of stack {args.stack!r} (imports included): {render:.2f} s ({runs})")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"ratio: {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target)")


if __name__ == "__main__":
    main()
