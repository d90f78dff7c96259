"""From a CloudTrail record's ``eventSource`` and ``eventName`` to the IAM actions the call needed.

Most calls need the action of the same name in the service's IAM prefix. The exceptions are
here, each with the AWS page that says so; everything produced is checked against the IAM
action database (:mod:`components.iam_actions`), and a call whose action the database does not
know is reported, never emitted.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final

from .. import iam_actions

#: Event sources whose IAM service prefix is not the first label of the host name.
#: CloudTrail's "CloudTrail supported services" page gives each service's event source; the
#: Service Authorization Reference gives its prefix.
SERVICE_PREFIX_BY_EVENT_SOURCE: Final[dict[str, str]] = {
    "monitoring.amazonaws.com": "cloudwatch",
    "email.amazonaws.com": "ses",
    "api.ecr.amazonaws.com": "ecr",
    "streams.dynamodb.amazonaws.com": "dynamodb",
    "tagging.amazonaws.com": "tag",
    "runtime.sagemaker.amazonaws.com": "sagemaker",
}

_S3_PERMISSIONS: Final = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html"
)
_SQS_PERMISSIONS: Final = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html"
_LAMBDA_PERMISSIONS: Final = (
    "https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html"
)
_SNS_PUBLISH_BATCH: Final = "https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html"
_STS_CALLER_IDENTITY: Final = (
    "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"
)

#: Where the resource of an action comes from: the request's own target, or the object a copy
#: reads (``x-amz-copy-source``).
TARGET: Final = "target"
COPY_SOURCE: Final = "copy-source"


@dataclass(frozen=True)
class Mapping:
    """A call whose IAM actions differ from its name."""

    event_source: str
    event_name: str
    actions: tuple[tuple[str, str], ...]
    """(action, where its resource comes from: :data:`TARGET` or :data:`COPY_SOURCE`)."""
    doc: str
    """The AWS page that gives the permission the call needs."""


# The two builders below run only while the module is imported, before a mutation run switches
# any mutant on, so no mutant of them could ever be tested; the table they build is checked entry
# by entry instead (tests/test_least_privilege_mapping.py).
def _s3(event_name: str, *actions: str, copies: bool = False) -> Mapping:  # pragma: no mutate block
    pairs = tuple((f"s3:{a}", TARGET) for a in actions)
    if copies:
        pairs += (("s3:GetObject", COPY_SOURCE),)
    return Mapping("s3.amazonaws.com", event_name, pairs, _S3_PERMISSIONS)


def _sqs(event_name: str, action: str) -> Mapping:  # pragma: no mutate block
    return Mapping("sqs.amazonaws.com", event_name, ((f"sqs:{action}", TARGET),), _SQS_PERMISSIONS)


MAPPINGS: Final[tuple[Mapping, ...]] = (
    # S3: listing is a bucket permission; reading metadata, selecting and every part of an
    # upload or a copy are object permissions (API reference, "Permissions" of each operation).
    _s3("ListObjects", "ListBucket"),
    _s3("ListObjectsV2", "ListBucket"),
    _s3("HeadBucket", "ListBucket"),
    _s3("ListObjectVersions", "ListBucketVersions"),
    _s3("ListBuckets", "ListAllMyBuckets"),
    _s3("HeadObject", "GetObject"),
    _s3("SelectObjectContent", "GetObject"),
    _s3("CopyObject", "PutObject", copies=True),
    _s3("UploadPartCopy", "PutObject", copies=True),
    _s3("CreateMultipartUpload", "PutObject"),
    _s3("UploadPart", "PutObject"),
    _s3("CompleteMultipartUpload", "PutObject"),
    _s3("ListParts", "ListMultipartUploadParts"),
    _s3("ListMultipartUploads", "ListBucketMultipartUploads"),
    # A multi-object delete needs s3:DeleteObject for each key; CloudTrail logs no keys for it.
    _s3("DeleteObjects", "DeleteObject"),
    _s3("GetBucketCors", "GetBucketCORS"),
    _s3("PutBucketCors", "PutBucketCORS"),
    _s3("DeleteBucketCors", "PutBucketCORS"),
    _s3("GetBucketLifecycle", "GetLifecycleConfiguration"),
    _s3("GetBucketLifecycleConfiguration", "GetLifecycleConfiguration"),
    _s3("PutBucketLifecycle", "PutLifecycleConfiguration"),
    _s3("PutBucketLifecycleConfiguration", "PutLifecycleConfiguration"),
    _s3("DeleteBucketLifecycle", "PutLifecycleConfiguration"),
    _s3("GetBucketEncryption", "GetEncryptionConfiguration"),
    _s3("PutBucketEncryption", "PutEncryptionConfiguration"),
    _s3("DeleteBucketEncryption", "PutEncryptionConfiguration"),
    _s3("GetBucketReplication", "GetReplicationConfiguration"),
    _s3("PutBucketReplication", "PutReplicationConfiguration"),
    _s3("DeleteBucketReplication", "PutReplicationConfiguration"),
    _s3("DeleteBucketTagging", "PutBucketTagging"),
    _s3("GetBucketNotificationConfiguration", "GetBucketNotification"),
    _s3("PutBucketNotificationConfiguration", "PutBucketNotification"),
    _s3("GetPublicAccessBlock", "GetBucketPublicAccessBlock"),
    _s3("PutPublicAccessBlock", "PutBucketPublicAccessBlock"),
    _s3("DeletePublicAccessBlock", "PutBucketPublicAccessBlock"),
    _s3("DeleteBucketOwnershipControls", "PutBucketOwnershipControls"),
    _s3("GetBucketAccelerateConfiguration", "GetAccelerateConfiguration"),
    _s3("PutBucketAccelerateConfiguration", "PutAccelerateConfiguration"),
    _s3("GetBucketAnalyticsConfiguration", "GetAnalyticsConfiguration"),
    _s3("ListBucketAnalyticsConfigurations", "GetAnalyticsConfiguration"),
    _s3("PutBucketAnalyticsConfiguration", "PutAnalyticsConfiguration"),
    _s3("DeleteBucketAnalyticsConfiguration", "PutAnalyticsConfiguration"),
    _s3("GetBucketInventoryConfiguration", "GetInventoryConfiguration"),
    _s3("ListBucketInventoryConfigurations", "GetInventoryConfiguration"),
    _s3("PutBucketInventoryConfiguration", "PutInventoryConfiguration"),
    _s3("DeleteBucketInventoryConfiguration", "PutInventoryConfiguration"),
    _s3("GetBucketMetricsConfiguration", "GetMetricsConfiguration"),
    _s3("ListBucketMetricsConfigurations", "GetMetricsConfiguration"),
    _s3("PutBucketMetricsConfiguration", "PutMetricsConfiguration"),
    _s3("DeleteBucketMetricsConfiguration", "PutMetricsConfiguration"),
    _s3("GetBucketIntelligentTieringConfiguration", "GetIntelligentTieringConfiguration"),
    _s3("ListBucketIntelligentTieringConfigurations", "GetIntelligentTieringConfiguration"),
    _s3("PutBucketIntelligentTieringConfiguration", "PutIntelligentTieringConfiguration"),
    _s3("DeleteBucketIntelligentTieringConfiguration", "PutIntelligentTieringConfiguration"),
    _s3("GetObjectLockConfiguration", "GetBucketObjectLockConfiguration"),
    _s3("PutObjectLockConfiguration", "PutBucketObjectLockConfiguration"),
    # SQS: "batch actions ... require the permission of the action they batch".
    _sqs("SendMessageBatch", "SendMessage"),
    _sqs("DeleteMessageBatch", "DeleteMessage"),
    _sqs("ChangeMessageVisibilityBatch", "ChangeMessageVisibility"),
    # Lambda logs invocations as Invoke; the permission is lambda:InvokeFunction, also for a
    # streamed response.
    Mapping(
        "lambda.amazonaws.com",
        "Invoke",
        (("lambda:InvokeFunction", TARGET),),
        _LAMBDA_PERMISSIONS,
    ),
    Mapping(
        "lambda.amazonaws.com",
        "InvokeWithResponseStream",
        (("lambda:InvokeFunction", TARGET),),
        _LAMBDA_PERMISSIONS,
    ),
    # SNS: a batch publish needs sns:Publish.
    Mapping("sns.amazonaws.com", "PublishBatch", (("sns:Publish", TARGET),), _SNS_PUBLISH_BATCH),
)

#: S3 calls on one version of an object (a ``versionId`` in the request) need the ``*Version*``
#: permission instead (the same S3 page).
VERSIONED_S3_ACTIONS: Final[dict[str, str]] = {
    "s3:GetObject": "s3:GetObjectVersion",
    "s3:DeleteObject": "s3:DeleteObjectVersion",
    "s3:GetObjectAcl": "s3:GetObjectVersionAcl",
    "s3:PutObjectAcl": "s3:PutObjectVersionAcl",
    "s3:GetObjectTagging": "s3:GetObjectVersionTagging",
    "s3:PutObjectTagging": "s3:PutObjectVersionTagging",
    "s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
    "s3:GetObjectAttributes": "s3:GetObjectVersionAttributes",
    "s3:GetObjectTorrent": "s3:GetObjectVersionTorrent",
}

#: Calls that need no permission: AWS answers them for any valid credentials.
NO_PERMISSION_NEEDED: Final[dict[tuple[str, str], str]] = {
    ("sts.amazonaws.com", "GetCallerIdentity"): _STS_CALLER_IDENTITY,
}

_BY_EVENT: Final = {(m.event_source, m.event_name): m for m in MAPPINGS}
# Lambda (and a few older APIs) log the API version in the event name: GetFunction20150331v2.
_VERSION_SUFFIX: Final = re.compile(r"(?:20\d{6}(?:v\d+)?|20\d\d_\d\d_\d\d)$")


@dataclass(frozen=True)
class Resolved:
    """What one call needed: its actions (each with the source of its resource), or why none."""

    actions: tuple[tuple[str, str], ...] = ()
    no_permission: bool = False
    unmapped: str = ""
    """Why no IAM action could be named (empty when one was)."""


def service_prefix(event_source: str) -> str:
    if event_source in SERVICE_PREFIX_BY_EVENT_SOURCE:
        return SERVICE_PREFIX_BY_EVENT_SOURCE[event_source]
    return event_source.partition(".")[0].lower()


@functools.lru_cache(maxsize=4096)
def resolve(
    event_source: str, event_name: str, *, versioned: bool = False, copy_versioned: bool = False
) -> Resolved:
    """The IAM actions a call needed, by the mapping table, or the action of the same name.
    ``versioned``: the call names a version (``versionId``); ``copy_versioned``: the object a
    copy reads is one version (``x-amz-copy-source`` with ``?versionId=``)."""
    if (event_source, event_name) in NO_PERMISSION_NEEDED:
        return Resolved(no_permission=True)
    mapping = _BY_EVENT.get((event_source, event_name))
    if mapping is not None:
        pairs = mapping.actions
    else:
        prefix = service_prefix(event_source)
        if prefix not in iam_actions.service_prefixes():
            return Resolved(
                unmapped=f"event source {event_source!r} is not a service the IAM action "
                f"database knows (prefix {prefix!r})"
            )
        canonical = _known(f"{prefix}:{event_name}") or _known(
            f"{prefix}:{_VERSION_SUFFIX.sub('', event_name)}"
        )
        if canonical is None:
            return Resolved(
                unmapped=f"{prefix}:{event_name} is not an IAM action, and no mapping names "
                "the permission this call needs"
            )
        pairs = ((canonical, TARGET),)
    checked: list[tuple[str, str]] = []
    for named, source in pairs:
        on_version = versioned if source == TARGET else copy_versioned
        action = VERSIONED_S3_ACTIONS.get(named, named) if on_version else named
        canonical = _known(action)
        if canonical is None:
            return Resolved(unmapped=f"the mapping names {action}, which IAM does not know")
        checked.append((canonical, source))
    return Resolved(actions=tuple(checked))


def _known(action: str) -> str | None:
    found = iam_actions.expand(action)
    return found[0] if len(found) == 1 and "*" not in action and "?" not in action else None
