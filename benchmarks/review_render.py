"""How long the offline review's render step takes, next to a fair floor (a process that imports
everything the render imports and loads the IAM action database, but renders nothing), and the
whole review next to the render.

    python benchmarks/review_render.py [--runs 7] [--stack dev]

Each measurement is a fresh Python process timed from start to exit, its teardown included (a
user's process ends too). The floor and the render run in turn, and their ratio is taken pair
by pair, so drift in the machine's load hits both alike. Target (issue "A stack's cost grows
linearly"): the render within 1.1x of the floor, and the review within 2x of the render when
checkov's cache is warm.

The review is the command `make review` runs once its install steps are up to date (`python -m
offline.review --stack STACK`, checkov from $CHECKOV or ./checkov-venv), writing to a folder of
its own so that review-out/<stack> is left alone (checkov's cache, review-out/.checkov-cache, is
the one `make review` uses). Its first run, before the timed ones, fills checkov's cache (keyed
by the plan's content), so every timed run is a warm one. Without checkov the review row is
skipped, saying so. Prints figures; it asserts nothing, because these machines are shared and
noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.1
REVIEW_TARGET_RATIO = 2.0

# What the render imports (the review, the stack program's app/ and components, the policy
# pack, and the pulumi_aws modules the program uses: pulumi_aws loads a submodule on first
# attribute access, so a bare `import pulumi_aws` would flatter the ratio), and the action
# database the policy lint reads: a floor without it flattered the render too. It freezes the
# garbage collector's view of its heap as the render does (offline.review.render), so that
# both end the same way: the frozen heap is skipped by the collection at exit, and a floor
# without the freeze would count that collection against itself, not against the render.
FLOOR = """
import gc
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
gc.freeze()
"""
RENDER = """
from offline.review import render, resources_document, to_json
to_json(resources_document(render({stack!r}), {stack!r}))
"""


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    """Seconds from start to exit; what the command prints is kept back unless it fails."""
    started = time.perf_counter()
    done = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{' '.join(command[:4])} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed


def review_command(stack: str, out: str) -> tuple[list[str], dict[str, str]] | None:
    """What `make review` runs once its install steps are up to date, or None without checkov."""
    sys.path.insert(0, str(ROOT))
    from offline.review import checkov_binary  # the review's own lookup: $CHECKOV, then the venv

    binary = checkov_binary()
    if binary is None:
        return None
    command = [sys.executable, "-m", "offline.review", "--stack", stack, "--out", out]
    return command, {**os.environ, "CHECKOV": binary}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--stack", default="dev")
    args = parser.parse_args()
    floor_command = [sys.executable, "-c", FLOOR]
    render_command = [sys.executable, "-c", RENDER.format(stack=args.stack)]
    with tempfile.TemporaryDirectory(prefix="review-bench-") as out:
        review = review_command(args.stack, out)
        print(
            f"==> {args.runs} rounds of floor, render"
            + (" and warm review" if review else "")
            + f" of stack {args.stack!r}, each a fresh process",
            file=sys.stderr,
        )
        timed(render_command)  # warm the file cache once so the first run is not an outlier
        if review:
            timed(*review)  # fills checkov's cache: every timed review is a warm one
        floors: list[float] = []
        renders: list[float] = []
        reviews: list[float] = []
        for _ in range(args.runs):
            floors.append(timed(floor_command))
            renders.append(timed(render_command))
            if review:
                reviews.append(timed(*review))
    runs = f"median of {args.runs}"
    floor, render = statistics.median(floors), statistics.median(renders)
    print(f"floor (the render's imports and the action database): {floor:.2f} s ({runs})")
    print(f"render of stack {args.stack!r} (imports included): {render:.2f} s ({runs})")
    report("render/floor", [r / f for r, f in zip(renders, floors, strict=True)], TARGET_RATIO)
    if not review:
        print("review: skipped, no checkov (run `make checkov-venv` or set CHECKOV)")
        return
    print(
        f"review of stack {args.stack!r}, checkov's cache warm: "
        f"{statistics.median(reviews):.2f} s ({runs})"
    )
    report(
        "review/render",
        [v / r for v, r in zip(reviews, renders, strict=True)],
        REVIEW_TARGET_RATIO,
    )


def report(what: str, ratios: list[float], target: float) -> None:
    ratio = statistics.median(ratios)
    verdict = "within" if ratio <= target else "OVER"
    print(
        f"{what}, pair by pair: {ratio:.2f}x, from {min(ratios):.2f} to {max(ratios):.2f} "
        f"({verdict} the {target}x target)"
    )


if __name__ == "__main__":
    main()
