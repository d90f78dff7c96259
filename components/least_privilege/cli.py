"""``ec2-instance-role least-privilege``: the policy an instance role's CloudTrail records show
it needs, and what it is granted in vain.

Every flag is checked before anything is read; AWS is called only for the sources and the
grants asked for, with the default credential chain (``AWS_PROFILE``, ...) and ``--region``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..validation import INLINE_POLICY_NAME_MAX, InputError, check_iam_name, is_resource_id
from . import records as sources
from .analysis import Analysis, Options, parse_role_arn
from .granted import Grants, from_file, from_iam
from .render import text

PROG = "ec2-instance-role least-privilege"


def parser(prog: str = PROG) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="The IAM policy an EC2 instance role's CloudTrail records show it needs, "
        "and, against what it is granted, what it never used and what it was refused.",
    )
    p.add_argument("--role-arn", required=True, help="the instance role (every instance of it)")
    p.add_argument("--instance-id", help="keep only this instance's calls")
    p.add_argument(
        "--cloudtrail-dir",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="a folder of CloudTrail log files (*.json.gz or *.json; CloudTrail's S3 layout)",
    )
    p.add_argument(
        "--cloudtrail-s3",
        action="append",
        default=[],
        metavar="s3://BUCKET/PREFIX",
        help="the trail's files in S3",
    )
    p.add_argument(
        "--lookup-events",
        action="store_true",
        help="CloudTrail LookupEvents (management events only, one region, 90 days)",
    )
    p.add_argument("--since", help="first time kept: 2026-11-01, 2026-11-01T00:00:00Z or 30d")
    p.add_argument("--until", help="last time kept, in the same forms")
    p.add_argument(
        "--granted",
        metavar="iam|FILE",
        help="what the role is granted: 'iam' (read it), a policy JSON file, a "
        "{name: document} map, or a stack's resources.json",
    )
    p.add_argument("--granted-role", help="the role's logical name when a resources.json has more")
    p.add_argument("--exact", action="store_true", help="keep every S3 key as it is")
    p.add_argument(
        "--include-missing", action="store_true", help="also grant the calls that were refused"
    )
    p.add_argument(
        "--policy-name", default="AppAccess", help="the inline policy's name (default AppAccess)"
    )
    p.add_argument("--region", help="AWS region for S3, CloudTrail and IAM calls")
    p.add_argument("--format", choices=("text", "json"), default="text")
    return p


def _options(args: argparse.Namespace) -> Options:
    if parse_role_arn(args.role_arn) is None:
        raise InputError(
            f"--role-arn {args.role_arn!r} is not an IAM role ARN. Give "
            "arn:aws:iam::<account>:role/<name> (the stack's roleArn output)."
        )
    if args.instance_id and not is_resource_id(args.instance_id, "i"):
        raise InputError(
            f"--instance-id {args.instance_id!r} is not an instance ID. Give i- followed by 8 "
            "or 17 hexadecimal digits, or leave it out to keep every instance of the role."
        )
    if not (args.cloudtrail_dir or args.cloudtrail_s3 or args.lookup_events):
        raise InputError(
            "No records to read. Give --cloudtrail-dir DIR, --cloudtrail-s3 s3://BUCKET/PREFIX "
            "or --lookup-events (one or more)."
        )
    for url in args.cloudtrail_s3:
        sources.parse_s3_url(url)
    check_iam_name(args.policy_name, input_name="--policy-name", max_length=INLINE_POLICY_NAME_MAX)
    since = sources.parse_time(args.since, flag="--since") if args.since else None
    until = sources.parse_time(args.until, flag="--until") if args.until else None
    if since and until and since >= until:
        raise InputError(f"--since {args.since} is not before --until {args.until}. Swap them.")
    if args.granted_role and (args.granted is None or args.granted == "iam"):
        raise InputError("--granted-role picks a role in a resources.json: give --granted FILE.")
    if args.lookup_events and not (args.region or _default_region()):
        raise InputError(
            "--lookup-events reads one region's events, and none is set. Give --region, or "
            "set AWS_REGION (or a profile's region)."
        )
    return Options(
        role_arn=args.role_arn,
        instance_id=args.instance_id,
        exact=args.exact,
        include_missing=args.include_missing,
        policy_name=args.policy_name,
        since=since,
        until=until,
        lookup_events=args.lookup_events,
    )


def _default_region() -> str | None:
    import boto3

    return boto3.Session().region_name


def _say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr)  # line-buffered since Python 3.9, even redirected


class _Clients:
    """boto3 clients, made only when a flag needs one."""

    def __init__(self, region: str | None) -> None:
        self._region = region
        self._session: Any = None

    def __call__(self, service: str) -> Any:
        if self._session is None:
            import boto3

            self._session = boto3.Session(region_name=self._region)
        return self._session.client(service)


def _grants(args: argparse.Namespace, clients: _Clients) -> Grants | None:
    if args.granted is None:
        return None
    if args.granted == "iam":
        match = parse_role_arn(args.role_arn)
        assert match is not None
        _say(f"Reading what IAM grants role {match.group('name')}")
        return from_iam(clients("iam"), match.group("name"))
    return from_file(Path(args.granted), role=args.granted_role)


def _records(args: argparse.Namespace, options: Options, clients: _Clients) -> Iterator[Any]:
    window = {"since": options.since, "until": options.until, "progress": _say}
    for folder in args.cloudtrail_dir:
        _say(f"Reading CloudTrail files under {folder}")
        yield from sources.from_directory(folder, **window)
    for url in args.cloudtrail_s3:
        _say(f"Reading CloudTrail files from {url}")
        yield from sources.from_s3(clients("s3"), url, **window)
    if args.lookup_events:
        _say("Looking up management events (CloudTrail LookupEvents)")
        yield from sources.from_lookup_events(clients("cloudtrail"), **window)


def run(argv: Sequence[str] | None = None, *, prog: str = PROG) -> int:
    args = parser(prog).parse_args(argv)
    try:
        options = _options(args)
        clients = _Clients(args.region)
        grants = _grants(args, clients)
        analysis = Analysis(options, grants)
        started = time.monotonic()
        for record in sources.within(
            _records(args, options, clients), options.since, options.until
        ):
            analysis.add(record)
        _say(
            f"Read {analysis.read} records ({analysis.kept} of this role) in "
            f"{time.monotonic() - started:.1f} s"
        )
        report = analysis.report()
    except InputError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # botocore's errors: no credentials, access denied, no bucket
        if type(error).__module__.split(".")[0] not in ("botocore", "boto3"):
            raise
        print(
            f"{prog}: error: AWS refused or could not be reached: {error}. Check the "
            "credentials (AWS_PROFILE), --region, and that they may read the source.",
            file=sys.stderr,
        )
        return 1
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        print(text(report, options.role_arn), end="")
    return 0


def main() -> None:
    raise SystemExit(run())
