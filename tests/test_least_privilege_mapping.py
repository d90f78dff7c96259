"""From a CloudTrail record to IAM actions and resource ARNs (components/least_privilege)."""

import datetime as dt

import pytest

from components import iam_actions
from components.least_privilege import actions, resources
from components.least_privilege.actions import COPY_SOURCE, TARGET, resolve
from components.least_privilege.resources import Pattern, Where, resources_of
from offline import cloudtrail_corpus as corpus

AT = Where("aws", "us-east-1", "123456789012")
WHEN = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def _record(source, name, params=None, **kw):
    return corpus.record(WHEN, source, name, params, **kw)


# --- actions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", actions.MAPPINGS, ids=lambda m: m.event_name)
def test_every_mapping_entry_resolves_to_the_actions_it_lists(entry):
    resolved = resolve(entry.event_source, entry.event_name)
    assert resolved.actions == entry.actions, entry
    assert not resolved.unmapped


@pytest.mark.parametrize("entry", actions.MAPPINGS, ids=lambda m: m.event_name)
def test_every_mapping_entry_names_only_actions_iam_knows(entry):
    for action, _ in entry.actions:
        assert iam_actions.action_info(action) is not None, action


@pytest.mark.parametrize("entry", actions.MAPPINGS, ids=lambda m: m.event_name)
def test_every_mapping_entry_cites_an_aws_documentation_page(entry):
    assert entry.doc.startswith("https://docs.aws.amazon.com/"), entry


@pytest.mark.parametrize("entry", actions.MAPPINGS, ids=lambda m: m.event_name)
def test_no_mapping_entry_restates_the_action_of_the_same_name(entry):
    prefix = actions.service_prefix(entry.event_source)
    assert [a for a, _ in entry.actions] != [f"{prefix}:{entry.event_name}"], entry


@pytest.mark.parametrize(
    ("plain", "versioned"), sorted(actions.VERSIONED_S3_ACTIONS.items()), ids=str
)
def test_a_versioned_s3_call_needs_the_version_permission(plain, versioned):
    name = plain.partition(":")[2]
    assert resolve("s3.amazonaws.com", name, versioned=True).actions == ((versioned, TARGET),)
    assert iam_actions.action_info(versioned) is not None


def test_head_object_of_a_version_needs_get_object_version():
    resolved = resolve("s3.amazonaws.com", "HeadObject", versioned=True)
    assert resolved.actions == (("s3:GetObjectVersion", TARGET),)


def test_copying_one_version_needs_get_object_version_on_the_source():
    assert resolve("s3.amazonaws.com", "CopyObject", copy_versioned=True).actions == (
        ("s3:PutObject", TARGET),
        ("s3:GetObjectVersion", COPY_SOURCE),
    )


def test_copy_object_needs_put_on_the_target_and_get_on_the_source():
    assert resolve("s3.amazonaws.com", "CopyObject").actions == (
        ("s3:PutObject", TARGET),
        ("s3:GetObject", COPY_SOURCE),
    )


@pytest.mark.parametrize(
    ("source", "prefix"), sorted(actions.SERVICE_PREFIX_BY_EVENT_SOURCE.items()), ids=str
)
def test_every_event_source_with_its_own_prefix_maps_to_a_known_service(source, prefix):
    assert actions.service_prefix(source) == prefix
    assert prefix in iam_actions.service_prefixes()


def test_cloudwatch_metrics_come_from_the_monitoring_event_source():
    resolved = resolve("monitoring.amazonaws.com", "PutMetricData")
    assert resolved.actions == (("cloudwatch:PutMetricData", TARGET),)


def test_a_call_named_as_its_action_maps_to_that_action():
    assert resolve("kms.amazonaws.com", "Decrypt").actions == (("kms:Decrypt", TARGET),)


def test_the_api_version_in_a_lambda_event_name_is_dropped():
    resolved = resolve("lambda.amazonaws.com", "GetFunction20150331v2")
    assert resolved.actions == (("lambda:GetFunction", TARGET),)


def test_digits_that_belong_to_the_action_name_are_kept():
    resolved = resolve("rds.amazonaws.com", "RestoreDBClusterFromS3")
    assert resolved.actions == (("rds:RestoreDBClusterFromS3", TARGET),)


@pytest.mark.parametrize(
    ("source", "name", "action"),
    [
        ("lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction"),
        ("sqs.amazonaws.com", "SendMessageBatch", "sqs:SendMessage"),
        ("s3.amazonaws.com", "PutBucketReplication", "s3:PutReplicationConfiguration"),
        ("s3.amazonaws.com", "ListObjectsV2", "s3:ListBucket"),
        ("s3.amazonaws.com", "HeadObject", "s3:GetObject"),
    ],
)
def test_calls_trailscraper_maps_to_actions_iam_lacks_map_to_real_ones(source, name, action):
    assert resolve(source, name).actions == ((action, TARGET),)


def test_an_event_name_iam_does_not_know_is_unmapped_with_the_reason():
    resolved = resolve("s3.amazonaws.com", "FrobnicateBucket")
    assert resolved.actions == ()
    assert "s3:FrobnicateBucket is not an IAM action" in resolved.unmapped


@pytest.mark.parametrize("name", ["GetObjectTorren*", "GetObjectTorren?"])
def test_an_event_name_that_is_a_pattern_is_unmapped_even_when_it_matches_one_action(name):
    # The pattern matches only s3:GetObjectTorrent; a call names one action, never a pattern.
    assert resolve("s3.amazonaws.com", name).unmapped == (
        f"s3:{name} is not an IAM action, and no mapping names the permission this call needs"
    )


def test_an_event_source_iam_does_not_know_is_unmapped_with_the_reason():
    resolved = resolve("nosuchservice.amazonaws.com", "GetThing")
    assert "'nosuchservice.amazonaws.com' is not a service" in resolved.unmapped


def test_get_caller_identity_needs_no_permission():
    resolved = resolve("sts.amazonaws.com", "GetCallerIdentity")
    assert resolved.no_permission
    assert resolved.actions == ()


# --- resources --------------------------------------------------------------------------------


def _s3_record(name, key=None, *, listed=True, **params):
    record = corpus._s3(WHEN, name, key, corpus.random.Random(0))
    record["requestParameters"].update(params)
    if not listed:
        del record["resources"]
    return record


def test_a_bucket_action_gets_the_bucket_of_a_record_that_lists_bucket_and_object():
    record = _s3_record("GetObject", "a/b.txt")
    assert resources_of("s3:ListBucket", TARGET, record, AT) == ("arn:aws:s3:::my-app-data",)


def test_an_object_action_gets_the_object_of_a_record_that_lists_bucket_and_object():
    record = _s3_record("GetObject", "a/b.txt")
    assert resources_of("s3:GetObject", TARGET, record, AT) == ("arn:aws:s3:::my-app-data/a/b.txt",)


def test_an_object_arn_is_built_from_bucket_and_key_when_the_record_lists_no_resources():
    record = _s3_record("GetObject", "a/b.txt", listed=False)
    assert resources_of("s3:GetObject", TARGET, record, AT) == ("arn:aws:s3:::my-app-data/a/b.txt",)


def test_the_object_a_copy_reads_comes_from_its_copy_source():
    record = _s3_record(
        "CopyObject", "dst/x", **{"x-amz-copy-source": "src-bucket/in%20box/y?versionId=3"}
    )
    assert resources_of("s3:GetObject", COPY_SOURCE, record, AT) == (
        "arn:aws:s3:::src-bucket/in box/y",
    )
    assert resources_of("s3:PutObject", TARGET, record, AT) == ("arn:aws:s3:::my-app-data/dst/x",)


def test_a_multi_object_delete_gets_every_key_of_the_bucket_as_a_pattern():
    record = _s3_record("DeleteObjects", listed=False, delete="")
    found = resources_of("s3:DeleteObject", TARGET, record, AT)
    assert found == ("arn:aws:s3:::my-app-data/*",)
    assert isinstance(found[0], Pattern)


def test_a_partition_other_than_aws_is_used_in_built_arns():
    record = _s3_record("GetObject", "k", listed=False)
    china = Where("aws-cn", "cn-north-1", "123456789012")
    assert resources_of("s3:GetObject", TARGET, record, china) == ("arn:aws-cn:s3:::my-app-data/k",)


@pytest.mark.parametrize(
    "url",
    [
        "https://sqs.eu-west-1.amazonaws.com/210987654321/jobs",
        "https://eu-west-1.queue.amazonaws.com/210987654321/jobs",
        "https://vpce-0a1b2c3d-4e5f.sqs.eu-west-1.vpce.amazonaws.com/210987654321/jobs",
        "https://sqs-fips.eu-west-1.amazonaws.com/210987654321/jobs",
    ],
)
def test_a_queue_url_becomes_the_queue_arn(url):
    record = _record("sqs.amazonaws.com", "ReceiveMessage", {"queueUrl": url})
    assert resources_of("sqs:ReceiveMessage", TARGET, record, AT) == (
        "arn:aws:sqs:eu-west-1:210987654321:jobs",
    )


def test_a_queue_url_without_a_region_takes_the_calls_region():
    record = _record(
        "sqs.amazonaws.com",
        "ReceiveMessage",
        {"queueUrl": "https://queue.amazonaws.com/210987654321/jobs"},
    )
    assert resources_of("sqs:ReceiveMessage", TARGET, record, AT) == (
        "arn:aws:sqs:us-east-1:210987654321:jobs",
    )


def test_a_queue_name_becomes_the_queue_arn_in_the_calls_account_and_region():
    record = _record("sqs.amazonaws.com", "GetQueueUrl", {"queueName": "jobs"})
    assert resources_of("sqs:GetQueueUrl", TARGET, record, AT) == (
        "arn:aws:sqs:us-east-1:123456789012:jobs",
    )


def test_a_secret_name_becomes_its_arn_with_the_random_suffix_as_six_wildcards():
    record = _record("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "my-app/db"})
    assert resources_of("secretsmanager:GetSecretValue", TARGET, record, AT) == (
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/db-??????",
    )


def test_a_full_secret_arn_is_kept_as_the_record_gives_it():
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/db-Ab12Cd"
    record = _record("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": arn})
    assert resources_of("secretsmanager:GetSecretValue", TARGET, record, AT) == (arn,)


def test_the_secret_pattern_replaces_the_random_suffix():
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/db-Ab12Cd"
    assert resources.secret_pattern(arn) == arn[:-7] + "-??????"


def test_a_kms_key_id_becomes_the_key_arn():
    key = "1234abcd-12ab-34cd-56ef-1234567890ab"
    record = _record("kms.amazonaws.com", "Decrypt", {"keyId": key})
    assert resources_of("kms:Decrypt", TARGET, record, AT) == (
        f"arn:aws:kms:us-east-1:123456789012:key/{key}",
    )


def test_a_kms_alias_names_no_key():
    record = _record("kms.amazonaws.com", "Decrypt", {"keyId": "alias/app"})
    assert resources_of("kms:Decrypt", TARGET, record, AT) is None


def test_the_key_arn_in_resources_is_used_for_kms():
    arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    record = _record(
        "kms.amazonaws.com", "Decrypt", {}, resources=[{"ARN": arn, "type": "AWS::KMS::Key"}]
    )
    assert resources_of("kms:Decrypt", TARGET, record, AT) == (arn,)


@pytest.mark.parametrize(("name", "arn_name"), [("/app/db/url", "app/db/url"), ("flag", "flag")])
def test_a_parameter_name_becomes_its_arn_without_a_doubled_slash(name, arn_name):
    record = _record("ssm.amazonaws.com", "GetParameter", {"name": name})
    assert resources_of("ssm:GetParameter", TARGET, record, AT) == (
        f"arn:aws:ssm:us-east-1:123456789012:parameter/{arn_name}",
    )


def test_a_parameter_selector_is_not_part_of_its_arn():
    record = _record("ssm.amazonaws.com", "GetParameter", {"name": "/app/url:3"})
    assert resources_of("ssm:GetParameter", TARGET, record, AT) == (
        "arn:aws:ssm:us-east-1:123456789012:parameter/app/url",
    )


def test_a_public_parameter_has_no_account_in_its_arn():
    name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    record = _record("ssm.amazonaws.com", "GetParameter", {"name": name})
    assert resources_of("ssm:GetParameter", TARGET, record, AT) == (
        f"arn:aws:ssm:us-east-1::parameter{name}",
    )


def test_an_aws_owned_document_has_no_account_in_its_arn():
    record = _record("ssm.amazonaws.com", "GetDocument", {"name": "AWS-RunShellScript"})
    assert resources_of("ssm:GetDocument", TARGET, record, AT) == (
        "arn:aws:ssm:us-east-1::document/AWS-RunShellScript",
    )


def test_every_parameter_of_a_get_parameters_call_is_named():
    record = _record("ssm.amazonaws.com", "GetParameters", {"names": ["/a", "/b"]})
    assert resources_of("ssm:GetParameters", TARGET, record, AT) == (
        "arn:aws:ssm:us-east-1:123456789012:parameter/a",
        "arn:aws:ssm:us-east-1:123456789012:parameter/b",
    )


def test_a_log_stream_action_gets_the_stream_arn_from_group_and_stream_names():
    params = {"logGroupName": "/app", "logStreamName": "i-1"}
    record = _record("logs.amazonaws.com", "CreateLogStream", params)
    assert resources_of("logs:CreateLogStream", TARGET, record, AT) == (
        "arn:aws:logs:us-east-1:123456789012:log-group:/app:log-stream:i-1",
    )


def test_a_log_group_action_gets_the_group_arn_and_the_groups_children():
    record = _record("logs.amazonaws.com", "DescribeLogStreams", {"logGroupName": "/app"})
    assert resources_of("logs:DescribeLogStreams", TARGET, record, AT) == (
        "arn:aws:logs:us-east-1:123456789012:log-group:/app",
        "arn:aws:logs:us-east-1:123456789012:log-group:/app:*",
    )


def test_a_dynamodb_batch_names_every_table_it_touched():
    record = _record(
        "dynamodb.amazonaws.com", "BatchGetItem", {"requestItems": {"Orders": {}, "Users": {}}}
    )
    assert resources_of("dynamodb:BatchGetItem", TARGET, record, AT) == (
        "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
        "arn:aws:dynamodb:us-east-1:123456789012:table/Users",
    )


def test_a_query_of_an_index_gets_the_index_arn():
    record = _record(
        "dynamodb.amazonaws.com", "Query", {"tableName": "Orders", "indexName": "byDate"}
    )
    assert resources_of("dynamodb:Query", TARGET, record, AT) == (
        "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/byDate",
    )


def test_a_function_name_becomes_the_function_arn():
    record = _record("lambda.amazonaws.com", "Invoke", {"functionName": "resize"})
    assert resources_of("lambda:InvokeFunction", TARGET, record, AT) == (
        "arn:aws:lambda:us-east-1:123456789012:function:resize",
    )


def test_a_partial_function_arn_becomes_the_function_arn_in_its_account():
    record = _record(
        "lambda.amazonaws.com", "Invoke", {"functionName": "210987654321:function:resize"}
    )
    assert resources_of("lambda:InvokeFunction", TARGET, record, AT) == (
        "arn:aws:lambda:us-east-1:210987654321:function:resize",
    )


def test_an_action_without_resource_level_permissions_gets_any_resource():
    record = _record("monitoring.amazonaws.com", "PutMetricData", {"namespace": "App"})
    assert resources_of("cloudwatch:PutMetricData", TARGET, record, AT) == ("*",)


def test_an_arn_of_the_wrong_type_in_the_request_is_not_used():
    record = _record(
        "sqs.amazonaws.com",
        "SendMessage",
        {"queueUrl": "not a url", "topicArn": "arn:aws:sns:us-east-1:123456789012:t"},
    )
    assert resources_of("sqs:SendMessage", TARGET, record, AT) is None


def test_only_arns_listed_as_a_records_resources_are_taken():
    record = {"resources": ["arn:aws:s3:::b", {"ARN": 5}, {"ARN": "b"}, {"ARN": "arn:aws:s3:::c"}]}
    assert list(resources._from_resources(record)) == ["arn:aws:s3:::c"]


def test_account_scoping_of_an_action_the_database_lacks_has_no_formats():
    assert resources.account_scoped("s3:NoSuchAction", AT) == ()


def test_account_scoping_fills_partition_region_and_account_and_nothing_else():
    assert resources.account_scoped("dynamodb:GetItem", AT) == (
        "arn:aws:dynamodb:us-east-1:123456789012:table/*",
    )


@pytest.mark.parametrize(
    ("arn", "written"),
    [
        ("arn:aws:s3:::b/what?.txt", "arn:aws:s3:::b/what${?}.txt"),
        ("arn:aws:s3:::b/a*b", "arn:aws:s3:::b/a${*}b"),
        ("arn:aws:s3:::b/$HOME", "arn:aws:s3:::b/${$}HOME"),
        ("arn:aws:s3:::b/plain", "arn:aws:s3:::b/plain"),
    ],
)
def test_a_concrete_arn_writes_irregular_characters_as_policy_variables(arn, written):
    assert resources.literal(arn) == written


def test_a_pattern_is_written_as_it_is():
    assert resources.literal(Pattern("arn:aws:s3:::b/*")) == "arn:aws:s3:::b/*"


def test_the_agents_policies_are_the_managed_policies_aws_publishes():
    import json

    from moto.iam.aws_managed_policies import aws_managed_policies_data

    from components.least_privilege.agent_policies import AGENT_POLICY_DOCUMENTS

    published = json.loads(aws_managed_policies_data)

    def normal(document):
        return sorted(json.dumps(s, sort_keys=True) for s in document["Statement"])

    for name, document in AGENT_POLICY_DOCUMENTS.items():
        assert normal(document) == normal(published[name]["Document"]), name


SAMPLE_ARNS = [
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/k/x",
    "arn:aws:sqs:us-east-1:123456789012:q",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:a/b-Ab12Cd",
    "arn:aws:logs:us-east-1:123456789012:log-group:/app:log-stream:s",
    "arn:aws:ssm:us-east-1::parameter/aws/x",
    "arn:aws:dynamodb:us-east-1:123456789012:table/T/index/I",
    "arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/k",
]


@pytest.mark.parametrize("service", ["s3", "sqs", "secretsmanager", "logs", "ssm", "dynamodb"])
def test_the_fast_reading_of_arn_formats_agrees_with_the_lints(service):
    from components.policy_lint import arn_overlaps

    for action in iam_actions.expand(f"{service}:*"):
        formats = iam_actions.action_info(action).resource_formats
        for arn in SAMPLE_ARNS:
            assert resources.fits(formats, arn) == any(arn_overlaps(f, arn) for f in formats), (
                action,
                arn,
            )


# --- each service's resources from a request's parameters, builder by builder ---------------


@pytest.mark.parametrize(
    ("copied", "arns"),
    [
        ("/src/dir/a%20b?versionId=3?", ["arn:aws:s3:::src/dir/a b"]),
        ("src/a%3Fb", ["arn:aws:s3:::src/a?b"]),
        ("src/dir/", ["arn:aws:s3:::src/dir/"]),
        ("src", []),
        ("", []),
        (5, []),
    ],
    ids=[
        "leading slash, nested key and a version",
        "an encoded ?",
        "a folder marker (a key ending in /)",
        "no key",
        "empty",
        "a number",
    ],
)
def test_a_copy_source_names_the_object_it_copies(copied, arns):
    assert list(resources._copy_source({"x-amz-copy-source": copied}, AT)) == arns


@pytest.mark.parametrize(
    ("params", "arns"),
    [
        ({"bucketName": 5, "key": "a"}, []),
        ({"bucketName": "", "key": "a"}, []),
        ({"bucketName": "b", "key": 5}, ["arn:aws:s3:::b"]),
        ({"bucketName": "b", "key": ""}, ["arn:aws:s3:::b"]),
        ({"bucketName": "b", "key": "a/c"}, ["arn:aws:s3:::b", "arn:aws:s3:::b/a/c"]),
    ],
    ids=[
        "a bucket that is not a name",
        "an empty bucket",
        "a key that is not a name",
        "an empty key",
        "a bucket and a key",
    ],
)
def test_s3_resources_are_named_only_by_names(params, arns):
    assert list(resources._s3(params, AT)) == arns


@pytest.mark.parametrize(
    ("params", "arns"),
    [
        (
            {"logGroupName": "/app", "logStreamName": 7},
            [
                "arn:aws:logs:us-east-1:123456789012:log-group:/app",
                Pattern(r"arn:aws:logs:us-east-1:123456789012:log-group:/app:*"),
            ],
        ),
        ({"logGroupName": 5}, []),
        ({"logGroupName": ""}, []),
    ],
    ids=["a stream that is not a name", "a group that is not a name", "an empty group"],
)
def test_log_resources_are_named_only_by_names(params, arns):
    assert list(resources._logs(params, AT)) == arns


@pytest.mark.parametrize(
    ("params", "arns"),
    [
        ({"tableName": 5}, []),
        (
            {"tableName": "Orders", "indexName": ""},
            ["arn:aws:dynamodb:us-east-1:123456789012:table/Orders"],
        ),
        (
            {"tableName": "Orders", "indexName": 5},
            ["arn:aws:dynamodb:us-east-1:123456789012:table/Orders"],
        ),
    ],
    ids=["a table that is not a name", "an empty index", "an index that is not a name"],
)
def test_dynamodb_resources_are_named_only_by_names(params, arns):
    assert list(resources._dynamodb(params, AT)) == arns


@pytest.mark.parametrize(
    "name",
    ["arn:aws:lambda:us-east-1:210987654321:function:resize", 5, ""],
    ids=["a full ARN", "a number", "empty"],
)
def test_a_function_named_by_full_arn_or_not_by_a_name_gives_no_built_arn(name):
    assert list(resources._lambda({"functionName": name}, AT)) == []


def test_a_queue_url_without_a_region_takes_the_region_given():
    url = "https://queue.amazonaws.com/210987654321/jobs"
    assert resources.queue_arn(url, "aws", "eu-west-2") == "arn:aws:sqs:eu-west-2:210987654321:jobs"


def test_a_queue_url_without_a_region_or_one_given_is_in_us_east_1():
    url = "https://queue.amazonaws.com/210987654321/jobs"
    assert resources.queue_arn(url, "aws-cn") == "arn:aws-cn:sqs:us-east-1:210987654321:jobs"


SSM_BASE = "arn:aws:ssm:us-east-1:123456789012"
SSM_AWS = "arn:aws:ssm:us-east-1:"


@pytest.mark.parametrize(
    ("params", "arns"),
    [
        (
            {"name": "/aws/service/ami/x:2"},
            [f"{SSM_AWS}:parameter/aws/service/ami/x", f"{SSM_BASE}:document//aws/service/ami/x"],
        ),
        (
            {"path": "/app/db"},
            [f"{SSM_BASE}:parameter/app/db", f"{SSM_BASE}:document//app/db"],
        ),
        (
            {"parameterName": "a:b:c"},
            [f"{SSM_BASE}:parameter/a", f"{SSM_BASE}:document/a"],
        ),
        (
            {"names": ["AWS-RunShellScript", 5, "", f"{SSM_BASE}:parameter/x"]},
            [f"{SSM_BASE}:parameter/AWS-RunShellScript", f"{SSM_AWS}:document/AWS-RunShellScript"],
        ),
        (
            {"name": "AmazonCloudWatch-Agent"},
            [
                f"{SSM_BASE}:parameter/AmazonCloudWatch-Agent",
                f"{SSM_AWS}:document/AmazonCloudWatch-Agent",
            ],
        ),
        (
            {"name": "AWSSupport-Run"},
            [f"{SSM_BASE}:parameter/AWSSupport-Run", f"{SSM_AWS}:document/AWSSupport-Run"],
        ),
    ],
    ids=[
        "a public parameter with a version",
        "a path",
        "a parameter name with a label",
        "names, of which one is AWS's document",
        "an Amazon document",
        "an AWS Support document",
    ],
)
def test_ssm_names_become_their_parameter_and_document_arns(params, arns):
    assert list(resources._ssm(params, AT)) == arns


EU = Where("aws", "eu-west-2", "123456789012")


@pytest.mark.parametrize(
    ("params", "arns"),
    [
        (
            {"queueUrl": "https://queue.amazonaws.com/210987654321/jobs"},
            ["arn:aws:sqs:eu-west-2:210987654321:jobs"],
        ),
        (
            {"queueName": "jobs", "queueOwnerAWSAccountId": "210987654321"},
            ["arn:aws:sqs:eu-west-2:210987654321:jobs"],
        ),
        (
            {"queueName": "jobs", "queueOwnerAWSAccountId": ""},
            ["arn:aws:sqs:eu-west-2:123456789012:jobs"],
        ),
        (
            {"queueName": "jobs", "queueOwnerAWSAccountId": 5},
            ["arn:aws:sqs:eu-west-2:123456789012:jobs"],
        ),
        ({"queueName": 5}, []),
        ({"queueUrl": 5}, []),
    ],
    ids=[
        "a url without a region takes the call's",
        "a name with its owner",
        "an empty owner",
        "an owner that is not an account",
        "a name that is not a name",
        "a url that is not a url",
    ],
)
def test_sqs_queues_are_named_by_url_or_by_name_and_owner(params, arns):
    assert list(resources._sqs(params, EU)) == arns


# --- a value with a final newline is not the value ------------------------------------------------


def test_a_role_arn_with_a_final_newline_is_no_role_arn():
    from components.least_privilege.analysis import parse_role_arn

    arn = "arn:aws:iam::123456789012:role/app"
    assert parse_role_arn(arn) is not None
    assert parse_role_arn(arn + "\n") is None


def test_a_queue_url_with_a_final_newline_names_no_queue():
    url = "https://sqs.eu-west-1.amazonaws.com/210987654321/jobs"
    assert resources.queue_arn(url, "aws") == "arn:aws:sqs:eu-west-1:210987654321:jobs"
    assert resources.queue_arn(url + "\n", "aws") is None


def test_a_kms_key_id_with_a_final_newline_names_no_key():
    record = _record(
        "kms.amazonaws.com", "Decrypt", {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab\n"}
    )
    assert resources_of("kms:Decrypt", TARGET, record, AT) is None
