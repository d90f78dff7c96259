"""How fast `ec2-instance-role least-privilege` reads CloudTrail, in how much memory, beside
trailscraper 0.10 on the same corpus; and how many actions IAM does not know each one emits.

    python benchmarks/least_privilege.py [--records 1000000] [--runs 3] [--workdir DIR]

The corpus is the guide's application (offline/cloudtrail_corpus.py) in CloudTrail's S3 layout:
a tenth of the records and all of them, to show that memory does not grow with the records.
Each run is a fresh process, timed from start to exit (teardown included). On the tenth, ours
and trailscraper's run in turn and their ratio is taken pair by pair; trailscraper holds every
record in memory (4.7 GiB, and not done after 40 minutes, for a million here), so it runs on all
of them only with --trailscraper-at-full. A second, small corpus holds one record of each of 30
common calls, several whose IAM action differs from the call's name; each
tool's policy for it is checked against the IAM action database. trailscraper runs from its own
virtual environment (make trailscraper-venv); without it, its rows are skipped and it says so.
Prints figures; asserts nothing (these machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from offline import cloudtrail_corpus as corpus  # noqa: E402

RECORDS_PER_CYCLE = 7 + 3 / 5 + 4 / 60  # what cloudtrail_corpus.cycle yields on average
TRAILSCRAPER = ROOT / "trailscraper-venv" / "bin" / "trailscraper"

# (event source, event name, request parameters): calls an application on EC2 commonly makes.
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("s3.amazonaws.com", "GetObject", {"bucketName": "b", "key": "k"}),
    ("s3.amazonaws.com", "PutObject", {"bucketName": "b", "key": "k"}),
    ("s3.amazonaws.com", "HeadObject", {"bucketName": "b", "key": "k"}),
    ("s3.amazonaws.com", "ListObjects", {"bucketName": "b"}),
    ("s3.amazonaws.com", "ListObjectsV2", {"bucketName": "b"}),
    (
        "s3.amazonaws.com",
        "CopyObject",
        {"bucketName": "b", "key": "k2", "x-amz-copy-source": "b/k"},
    ),
    ("s3.amazonaws.com", "CreateMultipartUpload", {"bucketName": "b", "key": "big"}),
    ("s3.amazonaws.com", "UploadPart", {"bucketName": "b", "key": "big"}),
    ("s3.amazonaws.com", "CompleteMultipartUpload", {"bucketName": "b", "key": "big"}),
    ("s3.amazonaws.com", "DeleteObjects", {"bucketName": "b", "delete": ""}),
    ("s3.amazonaws.com", "PutBucketReplication", {"bucketName": "b"}),
    ("s3.amazonaws.com", "GetBucketLifecycle", {"bucketName": "b"}),
    ("sqs.amazonaws.com", "SendMessageBatch", {"queueUrl": corpus.QUEUE_URL}),
    ("sqs.amazonaws.com", "DeleteMessageBatch", {"queueUrl": corpus.QUEUE_URL}),
    ("sqs.amazonaws.com", "ReceiveMessage", {"queueUrl": corpus.QUEUE_URL}),
    ("lambda.amazonaws.com", "Invoke", {"functionName": "resize"}),
    ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "resize"}),
    ("lambda.amazonaws.com", "ListFunctions20150331", {}),
    ("rds.amazonaws.com", "RestoreDBClusterFromS3", {}),
    ("rds.amazonaws.com", "DescribeDBInstances", {}),
    ("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "my-app/db"}),
    ("kms.amazonaws.com", "Decrypt", {}),
    ("kms.amazonaws.com", "GenerateDataKey", {}),
    ("ssm.amazonaws.com", "GetParameter", {"name": "/app/url"}),
    ("ssm.amazonaws.com", "GetParametersByPath", {"path": "/app"}),
    ("dynamodb.amazonaws.com", "GetItem", {"tableName": "Orders"}),
    ("dynamodb.amazonaws.com", "BatchWriteItem", {"requestItems": {"Orders": []}}),
    ("monitoring.amazonaws.com", "PutMetricData", {"namespace": "App"}),
    ("logs.amazonaws.com", "CreateLogStream", {"logGroupName": "/app", "logStreamName": "s"}),
    ("sns.amazonaws.com", "Publish", {"topicArn": "arn:aws:sns:us-east-1:123456789012:t"}),
]


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def guide_corpus(workdir: Path, records: int) -> tuple[Path, int]:
    cycles = math.ceil(records / RECORDS_PER_CYCLE)
    folder = workdir / f"guide-{cycles}"
    done = folder / "DONE"
    if not done.exists():
        say(f"Writing a corpus of about {records:,} records to {folder} (once; reused after)")
        _, written = corpus.write(folder, cycles)
        done.write_text(str(written))
    return folder, int(done.read_text())


def calls_corpus(workdir: Path) -> Path:
    folder = workdir / "calls"
    day = folder / "AWSLogs" / corpus.ACCOUNT / "CloudTrail" / corpus.REGION / "2026/11/30"
    day.mkdir(parents=True, exist_ok=True)
    when = corpus.START
    items = [corpus.record(when, s, n, p, data=s.startswith(("s3", "sqs"))) for s, n, p in CALLS]
    # trailscraper reads only files named as CloudTrail names them.
    name = f"{corpus.ACCOUNT}_CloudTrail_{corpus.REGION}_20261130T0000Z_0000000000000000.json.gz"
    with gzip.open(day / name, "wt") as stream:
        json.dump({"Records": items}, stream)
    return folder


def ours(folder: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ec2_instance_role.least_privilege",
        "--role-arn",
        corpus.ROLE_ARN,
        "--cloudtrail-dir",
        str(folder),
        "--format",
        "json",
    ]


def theirs(folder: Path) -> str:
    select = (
        f"{TRAILSCRAPER} select --log-dir {folder} --filter-assumed-role-arn {corpus.ROLE_ARN} "
        "--from 2026-11-29 --to 2030-01-01"
    )
    return f"{select} | {TRAILSCRAPER} generate"


def measure(command: list[str] | str) -> tuple[float, float, bytes]:
    """Wall seconds, peak resident MiB of the largest process, and what it printed."""
    started = time.perf_counter()
    shell = isinstance(command, str)
    process = subprocess.Popen(
        command, shell=shell, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd="/"
    )
    out = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command} failed with exit {process.returncode}")
    # wait4's figures cover the child and the descendants it waited for (a pipeline's shell
    # waits for both sides), and ru_maxrss is the largest of them, in KiB.
    peak = usage.ru_maxrss / 1024
    return wall, peak, out


def invalid_actions(policy: dict[str, Any]) -> list[str]:
    """The policy's actions that the IAM action database does not know."""
    from components import iam_actions

    found = []
    for statement in policy.get("Statement", []):
        listed = statement.get("Action", [])
        for action in [listed] if isinstance(listed, str) else listed:
            if iam_actions.action_info(action) is None:
                found.append(action)
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/least-privilege-bench"))
    parser.add_argument(
        "--trailscraper-at-full",
        action="store_true",
        help="also run trailscraper once on all the records (it holds them all in memory: "
        "4.7 GiB, and not done after 40 minutes, for a million here)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    have_theirs = TRAILSCRAPER.exists()
    if not have_theirs:
        say(f"trailscraper is not at {TRAILSCRAPER}: its rows are skipped (make trailscraper-venv)")
    small, small_n = guide_corpus(args.workdir, args.records // 10)
    large, large_n = guide_corpus(args.workdir, args.records)

    say(f"Timing ours on {large_n:,} records, {args.runs} runs")
    walls: list[float] = []
    peaks: list[float] = []
    for run in range(args.runs):
        wall, peak, _ = measure(ours(large))
        walls.append(wall)
        peaks.append(peak)
        say(f"run {run + 1} of {args.runs}: {wall:.1f} s, {peak:.0f} MiB")

    say(f"Ours and trailscraper in turn on {small_n:,} records, {args.runs} pairs")
    small_walls: list[float] = []
    small_peaks: list[float] = []
    their_walls: list[float] = []
    their_peaks: list[float] = []
    ratios: list[float] = []
    for run in range(args.runs):
        wall, peak, _ = measure(ours(small))
        small_walls.append(wall)
        small_peaks.append(peak)
        if have_theirs:
            their_wall, their_peak, _ = measure(theirs(small))
            their_walls.append(their_wall)
            their_peaks.append(their_peak)
            ratios.append(wall / their_wall)
        say(
            f"pair {run + 1} of {args.runs}: ours {wall:.1f} s"
            + (f", trailscraper {their_walls[-1]:.1f} s" if have_theirs else "")
        )
    their_full = ""
    if have_theirs and args.trailscraper_at_full:
        say(f"trailscraper once on {large_n:,} records")
        full_wall, full_peak, _ = measure(theirs(large))
        their_full = f"{full_wall:.0f} s, {full_peak:,.0f} MiB"

    calls = calls_corpus(args.workdir)
    our_invalid = invalid_actions(json.loads(measure(ours(calls))[2])["policy"])
    their_invalid: list[str] = []
    if have_theirs:
        their_policy = json.loads(measure(theirs(calls))[2])
        if not their_policy.get("Statement"):
            raise SystemExit("trailscraper read no record of the calls corpus: nothing to compare")
        their_invalid = invalid_actions(their_policy)

    def median(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    skipped = "skipped"
    wall, peak = median(walls), median(peaks)
    small_wall, small_peak = median(small_walls), median(small_peaks)
    their_wall, their_peak = median(their_walls), median(their_peaks)
    rows = [
        (
            f"{small_n:,} records: wall",
            f"{small_wall:.1f} s",
            f"{their_wall:.1f} s" if have_theirs else skipped,
        ),
        (
            f"{small_n:,} records: records per second",
            f"{small_n / small_wall:,.0f}",
            f"{small_n / their_wall:,.0f}" if have_theirs else skipped,
        ),
        (
            f"{small_n:,} records: ours / trailscraper, pair by pair",
            f"{median(ratios):.2f}" if have_theirs else skipped,
            "",
        ),
        (
            f"{small_n:,} records: peak memory",
            f"{small_peak:.0f} MiB",
            f"{their_peak:,.0f} MiB" if have_theirs else skipped,
        ),
        (
            f"{large_n:,} records: wall and peak memory",
            f"{wall:.1f} s, {peak:.0f} MiB",
            their_full or "not run (--trailscraper-at-full)",
        ),
        (f"{large_n:,} records: records per second", f"{large_n / wall:,.0f}", ""),
        ("peak memory for 10x the records", f"{peak / small_peak:.2f}x", ""),
        (
            f"actions IAM does not know, of {len(CALLS)} common calls",
            str(len(our_invalid)),
            f"{len(their_invalid)}: {', '.join(their_invalid)}" if have_theirs else skipped,
        ),
    ]
    cores = os.cpu_count()
    print(f"least-privilege, {dt.date.today()}, {cores} cores, medians of {args.runs} runs")
    print("| | ours | trailscraper 0.10 |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
