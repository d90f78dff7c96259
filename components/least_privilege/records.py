"""CloudTrail records, one at a time, from where CloudTrail keeps them.

Each source yields records as dicts, one file (or one page) in memory at a time: a trail's
files are at most a few megabytes, so memory stays flat however many files there are.

- a folder in CloudTrail's S3 layout (``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/``),
  ``*.json.gz`` or ``*.json`` files each holding a ``Records`` array (CloudTrail user guide,
  "CloudTrail log file examples");
- the same layout in S3, listed page by page and read as a stream;
- CloudTrail's LookupEvents (management events only; one region; the last 90 days).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, Protocol

from ..validation import InputError

Record = Mapping[str, Any]


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


Progress = Callable[[str], None]

_SUFFIXES: Final = (".json.gz", ".json")
# Digest and Insights files share the layout but hold no API calls.
_NOT_CALLS: Final = ("CloudTrail-Digest", "CloudTrail-Insight")
_DAY_IN_KEY: Final = re.compile(r"/CloudTrail/[^/]+/(\d{4})/(\d{2})/(\d{2})/")
# A log archive bucket also holds other services' files (AWSLogs/<account>/Config/...).
_OTHER_SERVICE: Final = re.compile(r"/AWSLogs/(?:o-[^/]+/)?\d{12}/(?!CloudTrail/)")
# A file is delivered within about 15 minutes of its records (CloudTrail FAQ), so a folder
# dated one day either side of the window can still hold records inside it.
_DELIVERY_SLACK: Final = dt.timedelta(days=1)


def parse_time(value: str, *, flag: str) -> dt.datetime:
    """``2026-11-30``, ``2026-11-30T12:00:00Z`` or a span back from now (``7d``, ``12h``)."""
    text = value.strip()
    span = re.fullmatch(r"(\d+)([dh])", text)
    if span:
        amount = int(span.group(1))
        delta = dt.timedelta(days=amount) if span.group(2) == "d" else dt.timedelta(hours=amount)
        return dt.datetime.now(dt.UTC) - delta
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{flag} {value!r} is not a time. Give a date (2026-11-30), a UTC time "
            "(2026-11-30T12:00:00Z) or a span back from now (7d, 12h)."
        ) from None
    if flag == "--until" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        parsed += dt.timedelta(days=1, microseconds=-1)  # a day given as the end includes it
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def event_time(record: Record) -> dt.datetime | None:
    value = record.get("eventTime")
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _records_of(stream: _Readable, name: str, progress: Progress | None) -> list[Any]:
    try:
        document = json.load(stream)
    except (ValueError, EOFError, OSError) as error:
        raise InputError(
            f"{name} is not a CloudTrail log file ({error}). Remove it, or point the source at "
            "the folder CloudTrail delivers to."
        ) from None
    records = document.get("Records") if isinstance(document, dict) else None
    if not isinstance(records, list):
        if progress is not None:
            progress(f"skipped {name}: it holds no 'Records' array, so no CloudTrail calls")
        return []
    return records


def _is_log_file(name: str) -> bool:
    if _OTHER_SERVICE.search(name):
        return False
    return name.endswith(_SUFFIXES) and not any(part in name for part in _NOT_CALLS)


def _within_days(name: str, since: dt.datetime | None, until: dt.datetime | None) -> bool:
    """Whether a file dated by its folder can hold records of the window."""
    match = _DAY_IN_KEY.search(name)
    if match is None or (since is None and until is None):
        return True
    day = dt.datetime(*map(int, match.groups()), tzinfo=dt.UTC)
    if since is not None and day + dt.timedelta(days=1) + _DELIVERY_SLACK <= since:
        return False
    return not (until is not None and day - _DELIVERY_SLACK > until)


def from_directory(
    folder: Path,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Iterator[Record]:
    if not folder.is_dir():
        raise InputError(
            f"--cloudtrail-dir {folder}: no such folder. Give the folder that holds the trail's "
            "files (for example a copy made with aws s3 sync s3://BUCKET/AWSLogs/ ./trail)."
        )
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and _is_log_file(p.as_posix()) and _within_days(p.as_posix(), since, until)
    )
    for count, path in enumerate(files, 1):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as stream:
            yield from _records_of(stream, str(path), progress)
        if progress is not None and count % 500 == 0:
            progress(f"read {count} of {len(files)} files in {folder}")


def parse_s3_url(url: str) -> tuple[str, str]:
    match = re.fullmatch(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(.*))?", url)
    if match is None:
        raise InputError(
            f"--cloudtrail-s3 {url!r} is not an S3 location. Give s3://BUCKET/PREFIX, for "
            "example s3://my-trail-bucket/AWSLogs/123456789012/CloudTrail/."
        )
    return match.group(1), match.group(2) or ""


def from_s3(
    s3: Any,
    url: str,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Iterator[Record]:
    """``s3`` is a boto3 S3 client; keys are listed page by page and each object is read as a
    gzip stream."""
    bucket, prefix = parse_s3_url(url)
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            if not _is_log_file(key) or not _within_days(f"/{key}", since, until):
                continue
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            stream: _Readable = gzip.GzipFile(fileobj=body) if key.endswith(".gz") else body
            yield from _records_of(stream, f"s3://{bucket}/{key}", progress)
            count += 1
            if progress is not None and count % 100 == 0:
                progress(f"read {count} files from s3://{bucket}/{prefix}")


def from_lookup_events(
    cloudtrail: Any,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Iterator[Record]:
    """``cloudtrail`` is a boto3 CloudTrail client. LookupEvents returns each event's record as
    a JSON string (``CloudTrailEvent``); it holds management events only."""
    arguments: dict[str, Any] = {}
    if since is not None:
        arguments["StartTime"] = since
    if until is not None:
        arguments["EndTime"] = until
    count = 0
    for page in cloudtrail.get_paginator("lookup_events").paginate(**arguments):
        for event in page.get("Events", []):
            text = event.get("CloudTrailEvent")
            if isinstance(text, str):
                yield json.loads(text)
                count += 1
        if progress is not None:
            progress(f"looked up {count} events")


def within(
    records: Iterable[Record], since: dt.datetime | None, until: dt.datetime | None
) -> Iterator[Record]:
    for record in records:
        when = event_time(record)
        if when is not None and (
            (since is not None and when < since) or (until is not None and when > until)
        ):
            continue
        yield record
