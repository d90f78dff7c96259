"""The resources a call acted on, as ARNs, from a CloudTrail record.

Candidates come from the record's ``resources[]`` and from its ``requestParameters`` (bucket and
key, queue URL, secret id, key id, parameter and log group names, ...). Only candidates that fit
one of the action's ARN formats in the IAM action database are kept, so a bucket action gets
the bucket and an object action the object, whatever the record lists.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .. import iam_actions
from ..policy_lint import MAY_BE_EMPTY_VARIABLES, NARROW_VARIABLES, arn_overlaps
from .actions import COPY_SOURCE

# A queue URL's path is /<account>/<name> whatever its host (sqs.<region>.amazonaws.com, the
# legacy <region>.queue.amazonaws.com and queue.amazonaws.com, FIPS and VPC endpoint names).
_QUEUE_PATH: Final = re.compile(
    r"^https?://(?P<host>[^/]+)/(?P<account>\d{12})/(?P<name>[^/?\s]+)/?\Z"
)
_REGION_IN_HOST: Final = re.compile(r"(?:^|\.)(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)\.")
_KMS_KEY_ID: Final = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})\Z"
)
# Secrets Manager appends '-' and six random characters to a secret's name in its ARN
# (Secrets Manager user guide, "Secret ARN"), so a policy names a secret as name-??????.
_SECRET_SUFFIX: Final = re.compile(r"-[A-Za-z0-9]{6}$")
SECRET_SUFFIX_PATTERN: Final = "-??????"


class Pattern(str):
    """A resource that is already a policy pattern (holds ``*`` or ``?`` meant as wildcards),
    not a concrete ARN."""

    __slots__ = ()


#: Every resource: what IAM requires for an action without resource-level permissions.
ANY: Final = Pattern("*")


@dataclass(frozen=True)
class Where:
    """The record's partition, region and account: the parts a built ARN needs."""

    partition: str
    region: str
    account: str


def where(record: Mapping[str, Any], partition: str) -> Where:
    identity = record.get("userIdentity") or {}
    account = str(record.get("recipientAccountId") or identity.get("accountId") or "")
    return Where(partition, str(record.get("awsRegion") or ""), account)


def resources_of(
    action: str, source: str, record: Mapping[str, Any], at: Where
) -> tuple[str, ...] | None:
    """The ARNs ``action`` acted on in this call: ``("*",)`` when the action supports no
    resource-level permissions, ``None`` when the record names none that fits."""
    info = iam_actions.action_info(action)
    if info is None or not info.resource_formats:
        return (ANY,)
    params = record.get("requestParameters")
    params = params if isinstance(params, Mapping) else {}
    if source == COPY_SOURCE:
        candidates = list(_copy_source(params, at))
    else:
        candidates = list(_from_resources(record)) + list(_from_request(action, params, at))
    fitting = tuple(dict.fromkeys(arn for arn in candidates if fits(info.resource_formats, arn)))
    return fitting or None


def fits(formats: tuple[str, ...], arn: str) -> bool:
    """Whether ``arn`` can be a resource of one of ``formats`` (the action database's)."""
    if isinstance(arn, Pattern):
        return _pattern_fits(formats, str(arn))
    return _formats_regex(formats).fullmatch(arn) is not None


@functools.lru_cache(maxsize=4096)
def _pattern_fits(formats: tuple[str, ...], pattern: str) -> bool:
    return any(arn_overlaps(fmt, pattern) for fmt in formats)


# The same reading of a format as policy_lint.arn_overlaps, for a concrete ARN: a variable is
# one or more characters, without '/' or ':' for the narrow ones, and may be empty for region
# and account (AWS-owned resources).


@functools.cache
def _formats_regex(formats: tuple[str, ...]) -> re.Pattern[str]:
    def one(fmt: str) -> str:
        out: list[str] = []
        for literal_text, variable in re.findall(
            r"([^$]*(?:\$(?!\{)[^$]*)*)(?:\$\{([^}]+)\}|$)", fmt
        ):
            out.append(".*".join(re.escape(part) for part in literal_text.split("*")))
            if variable:
                chars = "[^/:]" if variable in NARROW_VARIABLES else "."
                out.append(chars + ("*" if variable in MAY_BE_EMPTY_VARIABLES else "+"))
        return "".join(out)

    # DOTALL: an S3 key may hold a newline, which a variable matches like any character.
    return re.compile("|".join(f"(?:{one(f)})" for f in formats), re.DOTALL)


def _from_resources(record: Mapping[str, Any]) -> Iterator[str]:
    listed = record.get("resources")
    for entry in listed if isinstance(listed, list) else []:
        arn = entry.get("ARN") if isinstance(entry, Mapping) else None
        if isinstance(arn, str) and arn.startswith("arn:"):
            yield arn


def _from_request(action: str, params: Mapping[str, Any], at: Where) -> Iterator[str]:
    service = action.partition(":")[0]
    builder = _BUILDERS.get(service)
    if builder is not None:
        yield from builder(params, at)
    for value in params.values():
        if isinstance(value, str) and value.startswith("arn:"):
            yield value


def _s3(params: Mapping[str, Any], at: Where) -> Iterator[str]:
    bucket = params.get("bucketName")
    if not isinstance(bucket, str) or not bucket:
        return
    yield s3_arn(at.partition, bucket)
    key = params.get("key")
    if isinstance(key, str) and key:
        yield s3_arn(at.partition, bucket, key)
    elif "delete" in params:
        # DeleteObjects: CloudTrail logs the bucket, not the keys (S3 user guide, "Logging
        # options for Amazon S3"), so the narrowest honest resource is every key.
        yield Pattern(s3_arn(at.partition, bucket, ANY))


def _copy_source(params: Mapping[str, Any], at: Where) -> Iterator[str]:
    copied = params.get("x-amz-copy-source")
    if not isinstance(copied, str) or not copied:
        return
    # "<bucket>/<key>", URL-encoded, with an optional leading "/" and "?versionId=..." (a "?" in
    # a key is encoded, so the first one starts the query).
    path = urllib.parse.unquote(copied.partition("?")[0]).removeprefix("/")
    bucket, _, key = path.partition("/")
    if bucket and key:
        yield s3_arn(at.partition, bucket, key)


def s3_arn(partition: str, bucket: str, key: str | None = None) -> str:
    return f"arn:{partition}:s3:::{bucket}" + ("" if key is None else f"/{key}")


def _sqs(params: Mapping[str, Any], at: Where) -> Iterator[str]:
    url = params.get("queueUrl")
    if isinstance(url, str) and (arn := queue_arn(url, at.partition, at.region)):
        yield arn
    name = params.get("queueName")
    if isinstance(name, str) and name:
        owner = params.get("queueOwnerAWSAccountId")
        account = owner if isinstance(owner, str) and owner else at.account
        yield f"arn:{at.partition}:sqs:{at.region}:{account}:{name}"


def queue_arn(url: str, partition: str, region: str = "") -> str | None:
    """``https://sqs.us-east-1.amazonaws.com/123456789012/q`` (or any other host of the queue)
    as ``arn:aws:sqs:us-east-1:123456789012:q``; ``region`` when the host names none."""
    match = _QUEUE_PATH.match(url)
    if match is None:
        return None
    in_host = _REGION_IN_HOST.search(match.group("host"))
    where = in_host.group("region") if in_host else region or "us-east-1"
    return f"arn:{partition}:sqs:{where}:{match.group('account')}:{match.group('name')}"


def _secretsmanager(params: Mapping[str, Any], at: Where) -> Iterator[str]:
    secret = params.get("secretId")
    if isinstance(secret, str) and secret and not secret.startswith("arn:"):
        # A name, which carries no suffix: the ARN is the name, '-' and six random characters.
        base = f"arn:{at.partition}:secretsmanager:{at.region}:{at.account}:secret:{secret}"
        yield Pattern(base + SECRET_SUFFIX_PATTERN)


def secret_pattern(arn: str) -> str:
    """A secret's full ARN with its random suffix as ``-??????``: the form that survives the
    secret being recreated (Secrets Manager user guide, "Secret ARN"; a partial ARN, without
    the suffix, gets one added)."""
    prefix, sep, name = arn.partition(":secret:")
    if not sep:
        return arn
    return f"{prefix}{sep}{_SECRET_SUFFIX.sub('', name)}{SECRET_SUFFIX_PATTERN}"


def _kms(params: Mapping[str, Any], at: Where) -> Iterator[str]:
    key = params.get("keyId")
    if isinstance(key, str) and _KMS_KEY_ID.match(key):
        yield f"arn:{at.partition}:kms:{at.region}:{at.account}:key/{key}"


def _ssm(params: Mapping[str, Any], at: Where) -> Iterator[str]:
    names: list[Any] = []
    for key in ("name", "path", "parameterName"):
        names.append(params.get(key))
    listed = params.get("names")
    names += listed if isinstance(listed, list) else []
    base = f"arn:{at.partition}:ssm:{at.region}:{at.account}"
    for name in names:
        if isinstance(name, str) and name and not name.startswith("arn:"):
            # A parameter's ARN is parameter/ followed by its name without the leading '/' and
            # without a :version or :label selector; AWS's public parameters (/aws/service/...)
            # and AWS-owned documents (AWS-*, Amazon*) have no account in their ARN.
            bare = name.partition(":")[0]
            owner = f"arn:{at.partition}:ssm:{at.region}::"
            public = bare.startswith("/aws/")
            yield f"{owner if public else base + ':'}parameter/{bare.removeprefix('/')}"
            owned = bare.startswith(("AWS-", "Amazon", "AWSSupport-"))
            yield f"{owner if owned else base + ':'}document/{bare}"


def _logs(params: Mapping[str, Any], at: Where) -> Iterator[str]:
    group = params.get("logGroupName")
    if not isinstance(group, str) or not group:
        return
    arn = f"arn:{at.partition}:logs:{at.region}:{at.account}:log-group:{group}"
    yield arn
    stream = params.get("logStreamName")
    if isinstance(stream, str) and stream:
        yield f"{arn}:log-stream:{stream}"
    else:
        # IAM checks many log-group actions against log-group:NAME:* (CloudWatch Logs user
        # guide, "CloudWatch Logs permissions reference").
        yield Pattern(f"{literal(arn)}:*")


def _dynamodb(params: Mapping[str, Any], at: Where) -> Iterator[str]:
    tables: list[Any] = [params.get("tableName")]
    items = params.get("requestItems")
    tables += list(items) if isinstance(items, Mapping) else []
    index = params.get("indexName")
    for table in tables:
        if isinstance(table, str) and table:
            arn = f"arn:{at.partition}:dynamodb:{at.region}:{at.account}:table/{table}"
            # A query or scan of an index is authorized on the index alone.
            yield f"{arn}/index/{index}" if isinstance(index, str) and index else arn


def _lambda(params: Mapping[str, Any], at: Where) -> Iterator[str]:
    """A function's name, ``name:qualifier``, or partial ARN ``<account>:function:<name>``."""
    name = params.get("functionName")
    if not isinstance(name, str) or not name or name.startswith("arn:"):
        return
    partial = re.fullmatch(r"(\d{12}):function:(.+)", name)
    account, name = (partial.group(1), partial.group(2)) if partial else (at.account, name)
    yield f"arn:{at.partition}:lambda:{at.region}:{account}:function:{name}"


_BUILDERS: Final = {
    "s3": _s3,
    "sqs": _sqs,
    "secretsmanager": _secretsmanager,
    "kms": _kms,
    "ssm": _ssm,
    "logs": _logs,
    "dynamodb": _dynamodb,
    "lambda": _lambda,
}


def account_scoped(action: str, at: Where) -> tuple[str, ...]:
    """When the record names no resource of the action's type: its ARN formats with the call's
    partition, region and account filled in and every other part left as ``*``."""
    info = iam_actions.action_info(action)
    formats = info.resource_formats if info else ()
    known = {"Partition": at.partition, "Region": at.region, "Account": at.account}

    def fill(match: re.Match[str]) -> str:
        return known.get(match.group(1)) or ANY

    return tuple(dict.fromkeys(Pattern(re.sub(r"\$\{([^}]+)\}", fill, fmt)) for fmt in formats))


_POLICY_SPECIALS: Final = re.compile(r"[*?$]")


def literal(arn: str) -> str:
    """A concrete ARN as a policy Resource (a :class:`Pattern` stays as it is): IAM reads
    ``*``, ``?`` and ``$`` specially, and writes them literally as ``${*}``, ``${?}`` and
    ``${$}`` (IAM policy variables reference, "Special characters")."""
    if isinstance(arn, Pattern):
        return str(arn)
    return _POLICY_SPECIALS.sub(lambda m: "${" + m.group(0) + "}", arn)
