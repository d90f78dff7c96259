"""The attach-to-an-existing-instance resource's provider against moto: create, update to
another profile, delete, read (drift after a manual disassociation, IMDSv1 switched back on), a
missing instance, an instance that already has another profile; the credentials it takes from
the stack's aws: configuration; the retry while a new profile propagates. The resource as a
program declares it, and the options it refuses, are tests/test_profile_attachment_inputs.py."""

import base64
import json
import os
import pickle

import boto3
import dill
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from components.policy_documents import ec2_trust_policy
from components.profile_attachment import (
    IAM_PROPAGATION_TIMEOUT_SECONDS,
    STABLE_MODULE,
    AttachmentError,
    _ProfileAttachmentProvider,
)

from conftest import fake_aws_credentials

REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch):
    fake_aws_credentials(monkeypatch)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        iam = boto3.client("iam", region_name=REGION)
        for name in ("first", "second"):
            iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(ec2_trust_policy("ec2.amazonaws.com")),
            )
            iam.create_instance_profile(InstanceProfileName=name)
            iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
        ssm = boto3.client("ssm", region_name=REGION)
        image = ssm.get_parameter(
            Name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
        )["Parameter"]["Value"]
        instance = ec2.run_instances(
            ImageId=image,
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
        )["Instances"][0]["InstanceId"]
        yield ec2, instance


def props(instance, profile="first", **extra):
    return {
        "instance_id": instance,
        "instance_profile_name": profile,
        "replace_existing": False,
        "require_imdsv2": True,
        "restore_metadata_options": True,
        "region": REGION,
        **extra,
    }


def profile_of(ec2, instance):
    found = ec2.describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [instance]}]
    )
    live = [a for a in found["IamInstanceProfileAssociations"] if a["State"] == "associated"]
    return live[0]["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1] if live else None


def tokens_of(ec2, instance):
    return ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0][
        "MetadataOptions"
    ]["HttpTokens"]


def test_create_associates_the_profile_and_requires_imdsv2(aws):
    ec2, instance = aws
    result = _ProfileAttachmentProvider().create(props(instance))
    assert profile_of(ec2, instance) == "first"
    assert result.id.startswith("iip-assoc-")
    assert tokens_of(ec2, instance) == "required"
    assert result.outs["previous_http_tokens"] == "optional"


def test_update_to_another_profile_replaces_the_association(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    provider.update(created.id, created.outs, props(instance, "second"))
    assert profile_of(ec2, instance) == "second"


def test_delete_disassociates_and_restores_the_metadata_setting(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    provider.delete(created.id, created.outs)
    assert profile_of(ec2, instance) is None
    assert tokens_of(ec2, instance) == "optional"


def test_read_reports_the_attachment_gone_after_a_manual_disassociation(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    assert provider.read(created.id, created.outs).id == created.id
    ec2.disassociate_iam_instance_profile(AssociationId=created.id)
    gone = provider.read(created.id, created.outs)
    # Empty outputs, not None: the SDK's Read handler adds the provider's key to them
    # (pulumi/dynamic/__main__.py, ``outs[PROVIDER_KEY] = ...``).
    assert (gone.id, gone.outs) == ("", {})


def created_then_tokens_made_optional(aws):
    """An attachment created on ``aws``'s instance, whose tokens were then made optional again
    by hand: (provider, create result)."""
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    ec2.modify_instance_metadata_options(InstanceId=instance, HttpTokens="optional")
    return provider, created


def test_read_reports_the_live_tokens_and_the_region_over_the_states(aws):
    provider, created = created_then_tokens_made_optional(aws)
    stale = {**created.outs, "http_tokens": "stale", "resolved_region": "stale"}
    refreshed = provider.read(created.id, stale)
    assert refreshed.id == created.id
    assert refreshed.outs == {**created.outs, "http_tokens": "optional"}


def test_read_while_the_instance_terminates_reports_no_tokens(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    with_client(provider, ShuttingDown(ec2))
    assert provider.read(created.id, created.outs).outs["http_tokens"] == ""


def test_missing_instance_is_a_clear_error(aws):
    with pytest.raises(AttachmentError) as raised:
        _ProfileAttachmentProvider().create(props("i-0000000000000dead"))
    assert str(raised.value) == (
        "Instance i-0000000000000dead does not exist in region eu-west-1. Check "
        "existingInstanceIds and the stack's aws:region."
    )


def test_instance_with_another_profile_is_refused_without_the_replace_flag(aws):
    ec2, instance = aws
    ec2.associate_iam_instance_profile(InstanceId=instance, IamInstanceProfile={"Name": "second"})
    with pytest.raises(AttachmentError) as raised:
        _ProfileAttachmentProvider().create(props(instance))
    assert str(raised.value) == (
        f"Instance {instance} already has instance profile 'second'; nothing was changed. Set "
        "replace_existing=True to replace it with this one."
    )
    assert profile_of(ec2, instance) == "second"
    assert tokens_of(ec2, instance) == "optional"


def test_instance_with_another_profile_is_replaced_with_the_flag(aws):
    ec2, instance = aws
    ec2.associate_iam_instance_profile(InstanceId=instance, IamInstanceProfile={"Name": "second"})
    _ProfileAttachmentProvider().create(props(instance, replace_existing=True))
    assert profile_of(ec2, instance) == "first"


def test_changing_the_instance_replaces_the_attachment():
    diff = _ProfileAttachmentProvider().diff("x", props("i-1"), props("i-2"))
    assert diff.replaces == ["instance_id"]


def test_provider_survives_pickling():
    # Pulumi serialises a dynamic provider into the state; it must hold no live client.
    import dill

    restored = pickle.loads(dill.dumps(_ProfileAttachmentProvider()))
    assert isinstance(restored, _ProfileAttachmentProvider)


# --- credentials from the stack's configuration ---------------------------------------------


def configured(settings):
    """The provider as the dynamic provider process hands it over: configured with the whole
    stack configuration, namespaces kept, objects as JSON text (pulumi target.go)."""
    provider = _ProfileAttachmentProvider()
    provider.configure(ConfigureRequest(Config(raw_config=settings, project_name="stack")))
    return provider


def access_key_of(client):
    return client._request_signer._credentials.access_key


def test_stack_profile_and_credentials_file_are_used(aws, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[deployer]\naws_access_key_id = AKIADEPLOYER0000000\naws_secret_access_key = s\n"
    )
    provider = configured(
        {
            "aws:profile": "deployer",
            "aws:sharedCredentialsFiles": json.dumps([str(credentials)]),
            "aws:region": REGION,
        }
    )
    client, region = provider._ec2({"instance_id": "i-1"})
    assert access_key_of(client) == "AKIADEPLOYER0000000"
    assert region == REGION


def test_stack_assume_role_is_assumed_before_any_ec2_call(aws):
    ec2, instance = aws
    role = boto3.client("iam", region_name=REGION).create_role(
        RoleName="deployer",
        AssumeRolePolicyDocument=json.dumps(ec2_trust_policy("ec2.amazonaws.com")),
    )["Role"]["Arn"]
    provider = configured(
        {
            "aws:assumeRole": json.dumps({"roleArn": role, "sessionName": "deploy"}),
            "aws:region": REGION,
        }
    )
    client, _ = provider._ec2({"instance_id": instance})
    assert access_key_of(client).startswith("ASIA"), "a session from AssumeRole"
    assert access_key_of(client) != os.environ["AWS_ACCESS_KEY_ID"]
    provider.create(props(instance))
    assert profile_of(ec2, instance) == "first"


def test_resource_assume_role_wins_over_the_stacks(aws):
    _, instance = aws
    provider = configured({"aws:region": REGION})
    client, _ = provider._ec2(
        {"instance_id": instance, "assume_role_arn": "arn:aws:iam::123456789012:role/x"}
    )
    assert access_key_of(client).startswith("ASIA")


def test_without_configuration_the_default_credential_chain_is_used(aws):
    client, _ = _ProfileAttachmentProvider()._ec2({"region": REGION})
    assert access_key_of(client) == os.environ["AWS_ACCESS_KEY_ID"]


def caller_arn(client):
    """Who ``client``'s credentials are, as STS says."""
    credentials = client._request_signer._credentials
    sts = boto3.client(
        "sts",
        region_name=REGION,
        aws_access_key_id=credentials.access_key,
        aws_secret_access_key=credentials.secret_key,
        aws_session_token=credentials.token,
    )
    return sts.get_caller_identity()["Arn"]


def test_a_chain_of_stack_roles_is_assumed_in_order(aws):
    iam = boto3.client("iam", region_name=REGION)
    trust = json.dumps(ec2_trust_policy("ec2.amazonaws.com"))
    first, second = (
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        for name in ("hop-one", "hop-two")
    )
    roles = json.dumps([{"roleArn": first}, {"roleArn": second, "sessionName": "last-hop"}])
    client, _ = configured({"aws:assumeRoles": roles, "aws:region": REGION})._ec2({})
    assert caller_arn(client).endswith(":assumed-role/hop-two/last-hop")


def test_a_web_identity_role_from_the_stack_is_assumed(aws):
    identity = json.dumps(
        {"roleArn": "arn:aws:iam::123456789012:role/ci", "webIdentityToken": "a-token"}
    )
    client, _ = configured({"aws:assumeRoleWithWebIdentity": identity, "aws:region": REGION})._ec2(
        {}
    )
    assert ":assumed-role/ci/" in caller_arn(client)


@pytest.fixture
def sts(monkeypatch):
    """Moto's STS alone, for the credential tests that need no instance."""
    fake_aws_credentials(monkeypatch)
    with mock_aws():
        yield


def web_identity_client(**identity):
    settings = {"roleArn": "arn:aws:iam::123456789012:role/ci", **identity}
    provider = configured(
        {"aws:assumeRoleWithWebIdentity": json.dumps(settings), "aws:region": REGION}
    )
    client, _ = provider._ec2({})
    return client


def test_a_web_identity_token_is_read_from_its_file_under_home(sts, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "token").write_text("a-token\n")
    client = web_identity_client(webIdentityTokenFile="~/token")
    assert ":assumed-role/ci/" in caller_arn(client)


def test_a_web_identity_token_given_wins_over_its_file(sts, tmp_path):
    client = web_identity_client(
        webIdentityToken="a-token", webIdentityTokenFile=str(tmp_path / "missing")
    )
    assert ":assumed-role/ci/" in caller_arn(client)


def test_a_web_identity_role_takes_no_external_id_or_source_identity(sts):
    # AssumeRoleWithWebIdentity has neither parameter: botocore refuses the call if they go in.
    client = web_identity_client(
        webIdentityToken="a-token", externalId="x", sourceIdentity="me", sessionName="ci-run"
    )
    assert caller_arn(client).endswith(":assumed-role/ci/ci-run")


def test_the_web_identity_call_is_unsigned(sts, monkeypatch):
    # A CI job may hold its token and nothing to sign the call with; STS needs no signature.
    from botocore import UNSIGNED

    from components.profile_attachment import _Connection

    made = []
    client = _Connection.client

    def recording(self, service, **config):
        made.append((service, client(self, service, **config)))
        return made[-1][1]

    monkeypatch.setattr(_Connection, "client", recording)
    web_identity_client(webIdentityToken="a-token")
    assert [c.meta.config.signature_version for s, c in made if s == "sts"] == [UNSIGNED]


def test_fips_endpoints_from_the_stack_are_used(aws):
    client, _ = configured({"aws:useFipsEndpoint": "true", "aws:region": "us-east-1"})._ec2({})
    assert client.meta.endpoint_url == "https://ec2-fips.us-east-1.amazonaws.com"


def test_endpoint_overrides_of_other_services_do_not_matter(aws):
    endpoints = json.dumps([{"s3": "http://localhost:4566"}, {"ec2": "https://ec2.example.test"}])
    client, _ = configured({"aws:endpoints": endpoints, "aws:region": REGION})._ec2({})
    assert client.meta.endpoint_url == "https://ec2.example.test"


def test_both_assume_role_settings_at_once_are_refused():
    one = json.dumps({"roleArn": "arn:aws:iam::1:role/a"})
    with pytest.raises(AttachmentError) as raised:
        configured({"aws:assumeRoles": f"[{one}]", "aws:assumeRole": one})
    assert str(raised.value) == "Set aws:assumeRoles or aws:assumeRole, not both."


def test_credentials_of_a_forbidden_account_change_nothing(aws):
    ec2, instance = aws
    provider = configured({"aws:allowedAccountIds": json.dumps(["999999999999"])})
    with pytest.raises(AttachmentError) as raised:
        provider.create(props(instance))
    assert str(raised.value) == (
        "The credentials are for account 123456789012, which the stack's aws:allowedAccountIds / "
        "aws:forbiddenAccountIds rule out. Nothing was changed."
    )
    assert profile_of(ec2, instance) is None


# --- IAM propagation ----------------------------------------------------------------------------


class Propagating:
    """The EC2 client, refusing the new profile ``failures`` times as EC2 does until IAM has
    propagated it."""

    def __init__(self, ec2, failures, message=None):
        self._ec2, self.failures, self.calls, self.message = ec2, failures, 0, message

    def __getattr__(self, name):
        return getattr(self._ec2, name)

    @staticmethod
    def refusal(operation, message=None):
        text = message or (
            "Value (first) for parameter iamInstanceProfile.name is invalid. Invalid IAM "
            "Instance Profile name"
        )
        return ClientError({"Error": {"Code": "InvalidParameterValue", "Message": text}}, operation)

    def associate_iam_instance_profile(self, **kwargs):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.refusal("AssociateIamInstanceProfile", self.message)
        return self._ec2.associate_iam_instance_profile(**kwargs)

    def replace_iam_instance_profile_association(self, **kwargs):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.refusal("ReplaceIamInstanceProfileAssociation", self.message)
        return self._ec2.replace_iam_instance_profile_association(**kwargs)


def with_client(provider, client):
    """``provider`` calling ``client``, with a clock that only its sleeps advance."""
    provider._ec2 = lambda props: (client, REGION)
    slept = []
    provider.sleep = slept.append
    provider.clock = lambda: sum(slept)
    return slept


def test_association_is_retried_while_the_new_profile_propagates(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    propagating = Propagating(ec2, failures=3)
    slept = with_client(provider, propagating)
    provider.create(props(instance))
    assert propagating.calls == 4
    assert slept[:3] == [1.0, 2.0, 4.0]
    assert profile_of(ec2, instance) == "first"


def test_association_gives_up_after_about_two_minutes(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    propagating = Propagating(ec2, failures=10_000)
    slept = with_client(provider, propagating)
    with pytest.raises(ClientError, match="Invalid IAM Instance Profile"):
        provider.create(props(instance))
    # Doubling from one second, at most 16 at a time, while the next wait ends in time.
    assert slept == [1.0, 2.0, 4.0, 8.0] + [16.0] * 6
    assert sum(slept) + 16 > IAM_PROPAGATION_TIMEOUT_SECONDS


def test_a_retry_that_would_end_exactly_at_the_deadline_is_made():
    from components.profile_attachment import _with_propagation_retry

    answers = iter([Propagating.refusal("AssociateIamInstanceProfile")])

    def call():
        for refusal in answers:
            raise refusal
        return "associated"

    slept: list[float] = []
    now = iter([0.0, IAM_PROPAGATION_TIMEOUT_SECONDS - 1.0])
    assert _with_propagation_retry(call, sleep=slept.append, clock=lambda: next(now)) == (
        "associated"
    )
    assert slept == [1.0]


def test_another_invalid_parameter_is_not_retried(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    refusing = Propagating(ec2, failures=1, message="Value (x) for parameter instanceId is invalid")
    slept = with_client(provider, refusing)
    with pytest.raises(ClientError, match="parameter instanceId is invalid"):
        provider.create(props(instance))
    assert (refusing.calls, slept) == (1, [])


def test_a_replacement_is_retried_while_the_new_profile_propagates(aws):
    ec2, instance = aws
    ec2.associate_iam_instance_profile(InstanceId=instance, IamInstanceProfile={"Name": "second"})
    provider = _ProfileAttachmentProvider()
    propagating = Propagating(ec2, failures=2)
    slept = with_client(provider, propagating)
    provider.create(props(instance, replace_existing=True))
    assert (propagating.calls, slept[:2]) == (3, [1.0, 2.0])
    assert profile_of(ec2, instance) == "first"


def test_other_errors_are_not_retried(aws):
    ec2, _ = aws
    provider = _ProfileAttachmentProvider()
    slept = with_client(provider, ec2)
    with pytest.raises(AttachmentError, match="does not exist"):
        provider.create(props("i-0000000000000dead"))
    assert slept == []


# --- drift, delete, import -------------------------------------------------------------------------


def test_read_of_an_unknown_association_reports_it_gone(aws):
    assert _ProfileAttachmentProvider().read("iip-assoc-0000000000000dead", props("i-1")).id == ""


def test_read_reports_imdsv1_switched_back_on_and_the_update_requires_tokens_again(aws):
    ec2, instance = aws
    provider, created = created_then_tokens_made_optional(aws)
    refreshed = provider.read(created.id, created.outs)
    assert refreshed.outs["http_tokens"] == "optional"
    diff = provider.diff(created.id, refreshed.outs, props(instance))
    assert diff.changes is True
    assert diff.replaces == []
    updated = provider.update(created.id, refreshed.outs, props(instance))
    assert tokens_of(ec2, instance) == "required"
    assert updated.outs["http_tokens"] == "required"


def test_no_change_is_reported_while_tokens_stay_required(aws):
    _, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    refreshed = provider.read(created.id, created.outs)
    assert provider.diff(created.id, refreshed.outs, props(instance)).changes is False


def test_delete_after_a_manual_disassociation_succeeds(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    ec2.disassociate_iam_instance_profile(AssociationId=created.id)
    provider.delete(created.id, created.outs)
    assert tokens_of(ec2, instance) == "optional"


def test_delete_after_the_instance_was_terminated_succeeds(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    ec2.terminate_instances(InstanceIds=[instance])
    provider.delete(created.id, created.outs)


def test_read_without_inputs_as_pulumi_import_calls_it_is_refused():
    with pytest.raises(AttachmentError) as raised:
        _ProfileAttachmentProvider().read("iip-assoc-0123456789abcdef0", {})
    assert str(raised.value) == (
        "ProfileAttachment 'iip-assoc-0123456789abcdef0' cannot be imported. Declare it in the "
        "program instead: its create adopts the instance's existing association with the same "
        "profile, which is what an import would do."
    )


# --- the path in the state -------------------------------------------------------------------------


def test_stack_program_pickles_the_provider_by_the_installed_distributions_path():
    from offline.mocks import AwsTarget, run_program
    from offline.stack_config import merged_config, run_stack_program

    run = run_program(
        run_stack_program,
        config=merged_config(
            "dev", {"ec2-instance-role:existingInstanceIds": ["i-0123456789abcdef0"]}
        ),
        stack="dev",
        target=AwsTarget(),
    )
    (attachment,) = run.of_type("pulumi-python:dynamic:Resource")
    serialized = attachment.inputs["__provider"]
    # A secret: the SDK serializes a dynamic provider as one by default.
    pickled = base64.b64decode(serialized["value"] if isinstance(serialized, dict) else serialized)
    assert b"ec2_instance_role.profile_attachment" in pickled
    assert b"components.profile_attachment" not in pickled
    restored = dill.loads(pickled)
    assert type(restored).__module__ == STABLE_MODULE


# --- what real EC2 does that moto does not ---------------------------------------------------------


class RealReplace:
    """The EC2 client, replacing an association as EC2 does: under a new association ID
    (moto keeps the old one)."""

    def __init__(self, ec2):
        self._ec2, self.modified = ec2, []

    def __getattr__(self, name):
        return getattr(self._ec2, name)

    def replace_iam_instance_profile_association(self, AssociationId, IamInstanceProfile):
        (old,) = self._ec2.describe_iam_instance_profile_associations(
            AssociationIds=[AssociationId]
        )["IamInstanceProfileAssociations"]
        self._ec2.disassociate_iam_instance_profile(AssociationId=AssociationId)
        return self._ec2.associate_iam_instance_profile(
            InstanceId=old["InstanceId"], IamInstanceProfile=IamInstanceProfile
        )

    def modify_instance_metadata_options(self, **options):
        self.modified.append(options)
        return self._ec2.modify_instance_metadata_options(**options)


def test_after_a_profile_change_refresh_and_destroy_follow_the_new_association(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    with_client(provider, RealReplace(ec2))
    created = provider.create(props(instance))
    updated = provider.update(created.id, created.outs, props(instance, "second"))
    assert updated.outs["association_id"] != created.id
    refreshed = provider.read(created.id, {**updated.outs})
    assert refreshed.id == created.id, "a live attachment must not be reported gone"
    assert refreshed.outs["instance_profile_name"] == "second"
    again = provider.update(created.id, refreshed.outs, props(instance, "first"))
    assert profile_of(ec2, instance) == "first"
    provider.delete(created.id, provider.read(created.id, again.outs).outs)
    assert profile_of(ec2, instance) is None


def created_with_real_replace(aws):
    """An attachment created on ``aws``'s instance by a provider whose client replaces as EC2
    does, its record of metadata changes then cleared: (provider, create result, client)."""
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    client = RealReplace(ec2)
    with_client(provider, client)
    created = provider.create(props(instance))
    client.modified.clear()
    return provider, created, client


def test_delete_after_termination_changes_no_metadata_option(aws):
    provider, created, client = created_with_real_replace(aws)
    ec2, instance = aws
    ec2.terminate_instances(InstanceIds=[instance])
    provider.delete(created.id, created.outs)
    assert client.modified == []


def test_delete_restores_the_metadata_endpoint_too(aws):
    ec2, instance = aws
    ec2.modify_instance_metadata_options(
        InstanceId=instance, HttpTokens="optional", HttpEndpoint="disabled"
    )
    provider = _ProfileAttachmentProvider()
    client = RealReplace(ec2)
    with_client(provider, client)
    created = provider.create(props(instance))
    provider.delete(created.id, created.outs)
    assert client.modified[-1] == {
        "InstanceId": instance,
        "HttpTokens": "optional",
        "HttpEndpoint": "disabled",
    }


def test_state_of_a_provider_pickled_from_another_path_is_rewritten_by_an_update():
    import components.profile_attachment as in_tree
    import ec2_instance_role.profile_attachment as installed

    def serialized(module):
        return base64.b64encode(dill.dumps(module._ProfileAttachmentProvider())).decode()

    old = {**props("i-1"), "__provider": serialized(in_tree)}
    new = {**props("i-1"), "__provider": serialized(installed)}
    diff = _ProfileAttachmentProvider().diff("x", old, new)
    assert diff.changes is True
    assert diff.replaces == []
    assert _ProfileAttachmentProvider().diff("x", new, new).changes is False


# --- connection details -------------------------------------------------------------------------


def test_http_proxy_alone_also_carries_https_as_in_the_provider():
    settings = configured({"aws:httpProxy": "http://proxy.corp:3128"})._settings
    assert settings["proxies"] == {
        "http": "http://proxy.corp:3128",
        "https": "http://proxy.corp:3128",
    }


def ec2_proxies_with_no_proxy(no_proxy):
    provider = configured(
        {"aws:httpsProxy": "http://proxy.corp:3128", "aws:noProxy": no_proxy, "aws:region": REGION}
    )
    client, _ = provider._ec2({})
    return client.meta.config.proxies


def test_no_proxy_hosts_bypass_the_proxy(aws):
    assert ec2_proxies_with_no_proxy("localhost,.amazonaws.com") == {}


def test_hosts_outside_no_proxy_use_the_proxy(aws):
    assert ec2_proxies_with_no_proxy("internal.example") == {"https": "http://proxy.corp:3128"}


def test_resource_profile_wins_over_the_stacks_static_keys(aws, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[own]\naws_access_key_id = AKIAOWN000000000000\naws_secret_access_key = s\n"
    )
    provider = configured(
        {
            "aws:accessKey": "AKIASTACK0000000000",
            "aws:secretKey": "s",
            "aws:sharedCredentialsFiles": json.dumps([str(credentials)]),
            "aws:region": REGION,
        }
    )
    client, _ = provider._ec2({"profile": "own"})
    assert access_key_of(client) == "AKIAOWN000000000000"
    client, _ = provider._ec2({})
    assert access_key_of(client) == "AKIASTACK0000000000"


def test_profile_region_survives_an_assumed_role(aws, tmp_path, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")  # which would win over the profile's, as in Go
    config = tmp_path / "config"
    config.write_text("[profile own]\nregion = ap-south-1\n")
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[own]\naws_access_key_id = AKIAOWN000000000000\naws_secret_access_key = s\n"
    )
    provider = configured(
        {
            "aws:profile": "own",
            "aws:sharedConfigFiles": json.dumps([str(config)]),
            "aws:sharedCredentialsFiles": json.dumps([str(credentials)]),
            "aws:assumeRoles": json.dumps([{"roleArn": "arn:aws:iam::123456789012:role/x"}]),
        }
    )
    client, region = provider._ec2({})
    assert region == "ap-south-1"
    assert client.meta.region_name == "ap-south-1"


def test_aws_region_variable_wins_as_in_the_provider(aws, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "ca-central-1")
    client, region = _ProfileAttachmentProvider()._ec2({})
    assert (region, client.meta.region_name) == ("ca-central-1", "ca-central-1")


def test_empty_stack_settings_are_as_if_unset(aws):
    provider = configured(
        {"aws:sharedConfigFiles": "", "aws:assumeRoles": "", "aws:region": REGION}
    )
    assert provider._ec2({})[1] == REGION


def test_an_allowed_account_given_as_one_string_is_one_account(aws):
    _, instance = aws
    provider = configured({"aws:allowedAccountIds": "123456789012", "aws:region": REGION})
    provider.create(props(instance))


@pytest.mark.parametrize(
    ("duration", "seconds"), [("1h", 3600), ("1.5h", 5400), ("15m", 900), ("1h30m", 5400)]
)
def test_assume_role_durations_read_as_go_durations(duration, seconds):
    from components.profile_attachment import _seconds

    assert _seconds(duration) == seconds


@pytest.mark.parametrize("duration", ["900", "1d", "", "h"])
def test_what_go_would_not_read_as_a_duration_is_refused(duration):
    from components.profile_attachment import _seconds

    with pytest.raises(AttachmentError) as raised:
        _seconds(duration)
    assert str(raised.value) == (
        f"assume role duration {duration!r} is not a duration like '1h', '15m' or '900s'."
    )


# --- AWS's error codes ---------------------------------------------------------------------------


def test_the_error_code_is_the_one_aws_answered() -> None:
    from components.profile_attachment import _error_code

    error = ClientError(
        {"Error": {"Code": "IncorrectInstanceState"}}, "ModifyInstanceMetadataOptions"
    )
    assert _error_code(error) == "IncorrectInstanceState"


def test_an_error_that_is_not_aws_has_an_empty_code() -> None:
    from components.profile_attachment import _error_code

    assert _error_code(RuntimeError("connection reset")) == ""


def test_an_aws_error_without_a_code_has_an_empty_code() -> None:
    from components.profile_attachment import _error_code

    assert _error_code(ClientError({"Error": {"Message": "boom"}}, "DescribeInstances")) == ""
    assert _error_code(ClientError({}, "DescribeInstances")) == ""


# --- adopting, waiting, and races with the instance ---------------------------------------------


class Failing:
    """The EC2 client, failing ``method`` with the AWS error ``code`` and recording the metadata
    options it is asked to set."""

    def __init__(self, ec2, method=None, code=""):
        self._ec2, self._method, self._code = ec2, method, code
        self.metadata_calls: list[dict] = []

    def __getattr__(self, name):
        if name == self._method:

            def fail(**kwargs):
                raise ClientError({"Error": {"Code": self._code, "Message": "no"}}, name)

            return fail
        return getattr(self._ec2, name)

    def modify_instance_metadata_options(self, **kwargs):
        self.metadata_calls.append(kwargs)
        if self._method == "modify_instance_metadata_options":
            return self.__getattr__(self._method)(**kwargs)
        return self._ec2.modify_instance_metadata_options(**kwargs)


def associated(ec2, instance):
    found = ec2.describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [instance]}]
    )["IamInstanceProfileAssociations"]
    return [a["AssociationId"] for a in found if a["State"] == "associated"]


def test_create_adopts_the_instances_association_with_the_same_profile(aws):
    ec2, instance = aws
    existing = ec2.associate_iam_instance_profile(
        InstanceId=instance, IamInstanceProfile={"Name": "first"}
    )["IamInstanceProfileAssociation"]["AssociationId"]
    created = _ProfileAttachmentProvider().create(props(instance))
    assert (created.id, created.outs["association_id"]) == (existing, existing)
    assert associated(ec2, instance) == [existing]


def test_an_association_that_never_completes_times_out_naming_it(aws, monkeypatch):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    slept = with_client(provider, ec2)
    monkeypatch.setattr(
        "components.profile_attachment._association",
        lambda client, association_id: {"AssociationId": association_id, "State": "associating"},
    )
    with pytest.raises(
        AttachmentError, match=r"^Association iip-assoc-\w+ did not reach 'associated' in time\.$"
    ):
        provider.create(props(instance))
    assert slept == [2] * 60


def test_read_of_an_older_state_finds_the_instances_association_with_its_profile(aws):
    _, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    older = {k: v for k, v in created.outs.items() if k != "association_id"}
    assert provider.read("iip-assoc-0000000000000000", older).outs["association_id"] == created.id


def test_read_of_an_older_state_does_not_take_another_profiles_association(aws):
    _, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    older = {k: v for k, v in created.outs.items() if k != "association_id"}
    older["instance_profile_name"] = "second"
    assert provider.read("iip-assoc-0000000000000000", older).id == ""


def test_a_profile_change_after_a_manual_disassociation_is_refused_with_the_fix(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    ec2.disassociate_iam_instance_profile(AssociationId=created.id)
    with pytest.raises(AttachmentError) as raised:
        provider.update(created.id, created.outs, props(instance, "second"))
    assert str(raised.value) == (
        f"Instance {instance} no longer has the association this attachment made; nothing was "
        "changed. Run `pulumi refresh`, then `pulumi up` attaches the profile again."
    )
    assert profile_of(ec2, instance) is None


def created_then_failing(aws, method, code):
    """An attachment created on ``aws``'s instance, its provider's client then failing
    ``method`` with ``code``: (provider, create result, ec2, instance)."""
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    with_client(provider, Failing(ec2, method, code))
    return provider, created, ec2, instance


def created_then_recorded(aws, **extra):
    """An attachment created on ``aws``'s instance with ``props(instance, **extra)``, its
    provider's client then recording the metadata options it sets: (provider, create result,
    client, instance)."""
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance, **extra))
    client = Failing(ec2)
    with_client(provider, client)
    return provider, created, client, instance


def test_delete_succeeds_when_the_association_goes_between_its_read_and_its_removal(aws):
    provider, created, ec2, instance = created_then_failing(
        aws, "disassociate_iam_instance_profile", "InvalidAssociationID.NotFound"
    )
    provider.delete(created.id, created.outs)
    assert tokens_of(ec2, instance) == "optional"


def test_delete_fails_on_any_other_error_of_the_removal(aws):
    provider, created, _, _ = created_then_failing(
        aws, "disassociate_iam_instance_profile", "UnauthorizedOperation"
    )
    with pytest.raises(ClientError, match="UnauthorizedOperation"):
        provider.delete(created.id, created.outs)


def test_delete_succeeds_when_the_instance_is_stopping_as_the_setting_is_restored(aws):
    provider, created, ec2, instance = created_then_failing(
        aws, "modify_instance_metadata_options", "IncorrectInstanceState"
    )
    provider.delete(created.id, created.outs)
    assert profile_of(ec2, instance) is None


def test_delete_fails_on_any_other_error_of_the_restore(aws):
    provider, created, _, _ = created_then_failing(
        aws, "modify_instance_metadata_options", "UnauthorizedOperation"
    )
    with pytest.raises(ClientError, match="UnauthorizedOperation"):
        provider.delete(created.id, created.outs)


def test_delete_of_an_attachment_that_did_not_require_tokens_leaves_the_setting_alone(aws):
    provider, created, client, instance = created_then_recorded(aws, require_imdsv2=False)
    ec2, _ = aws
    provider.delete(created.id, created.outs)
    assert (profile_of(ec2, instance), client.metadata_calls) == (None, [])


def test_delete_restores_only_the_token_setting_when_the_endpoint_was_not_recorded(aws):
    provider, created, client, instance = created_then_recorded(aws)
    provider.delete(created.id, {**created.outs, "previous_http_endpoint": ""})
    assert client.metadata_calls == [{"InstanceId": instance, "HttpTokens": "optional"}]


# --- what an update returns and changes ---------------------------------------------------------


def outs_after(instance, association_id, http_tokens, **inputs):
    """The outputs of a create of, or an update to, ``props(instance, **inputs)`` on the
    fixture's instance, whose tokens were optional and endpoint enabled before."""
    return {
        **props(instance, **inputs),
        "association_id": association_id,
        "previous_http_tokens": "optional",
        "previous_http_endpoint": "enabled",
        "http_tokens": http_tokens,
        "resolved_region": REGION,
    }


def test_create_returns_its_inputs_the_association_and_the_settings_it_found(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    client = Failing(ec2)
    with_client(provider, client)
    created = provider.create(props(instance))
    assert created.outs == outs_after(instance, created.id, "required")
    assert client.metadata_calls == [
        {"InstanceId": instance, "HttpTokens": "required", "HttpEndpoint": "enabled"}
    ]


def test_create_without_requiring_tokens_records_the_instances_and_changes_none(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    client = Failing(ec2)
    with_client(provider, client)
    created = provider.create(props(instance, require_imdsv2=False))
    assert created.outs == outs_after(instance, created.id, "optional", require_imdsv2=False)
    assert client.metadata_calls == []


def test_an_update_that_keeps_the_profile_keeps_the_association_and_requires_tokens_again(aws):
    ec2, instance = aws
    provider, created = created_then_tokens_made_optional(aws)
    refreshed = provider.read(created.id, created.outs)
    client = Failing(ec2, "replace_iam_instance_profile_association", "NotExpected")
    with_client(provider, client)
    updated = provider.update(created.id, refreshed.outs, props(instance))
    assert updated.outs == outs_after(instance, created.id, "required")
    assert client.metadata_calls == [
        {"InstanceId": instance, "HttpTokens": "required", "HttpEndpoint": "enabled"}
    ]


def test_an_update_to_another_profile_returns_the_new_association_and_leaves_tokens_alone(aws):
    provider, created, client = created_with_real_replace(aws)
    ec2, instance = aws
    updated = provider.update(created.id, created.outs, props(instance, "second"))
    assert updated.outs == outs_after(
        instance, associated(ec2, instance)[0], "required", profile="second"
    )
    assert updated.outs["association_id"] != created.id
    assert client.modified == []


def test_an_update_that_starts_requiring_tokens_requires_them(aws):
    provider, created, client, instance = created_then_recorded(aws, require_imdsv2=False)
    ec2, _ = aws
    updated = provider.update(created.id, created.outs, props(instance))
    assert updated.outs == outs_after(instance, created.id, "required")
    assert client.metadata_calls == [
        {"InstanceId": instance, "HttpTokens": "required", "HttpEndpoint": "enabled"}
    ]
    assert tokens_of(ec2, instance) == "required"


def test_an_update_that_does_not_require_tokens_leaves_them_as_they_were(aws):
    provider, created, client, instance = created_then_recorded(aws, require_imdsv2=False)
    news = props(instance, require_imdsv2=False, replace_existing=True)
    updated = provider.update(created.id, created.outs, news)
    assert updated.outs == outs_after(
        instance, created.id, "optional", require_imdsv2=False, replace_existing=True
    )
    assert client.metadata_calls == []


def test_an_update_of_an_older_state_keeps_its_id_as_the_association(aws):
    provider, created, client, instance = created_then_recorded(aws)
    recorded_later = (
        "association_id",
        "previous_http_tokens",
        "previous_http_endpoint",
        "http_tokens",
    )
    older = {k: v for k, v in created.outs.items() if k not in recorded_later}
    updated = provider.update(created.id, older, props(instance, replace_existing=True))
    assert updated.outs == {
        **props(instance, replace_existing=True),
        "association_id": created.id,
        "previous_http_tokens": "",
        "previous_http_endpoint": "",
        "http_tokens": "",
        "resolved_region": REGION,
    }
    assert client.metadata_calls == []


# --- an instance that reports no metadata options, and a region changed since -------------------


class NoMetadataOptions:
    """The EC2 client, describing instances without their MetadataOptions."""

    def __init__(self, ec2):
        self._ec2 = ec2

    def __getattr__(self, name):
        return getattr(self._ec2, name)

    def describe_instances(self, **kwargs):
        found = self._ec2.describe_instances(**kwargs)
        for reservation in found["Reservations"]:
            for instance in reservation["Instances"]:
                instance.pop("MetadataOptions", None)
        return found


class ShuttingDown(NoMetadataOptions):
    """The EC2 client, describing the instance as shutting down (its association is still
    listed then)."""

    def describe_instances(self, **kwargs):
        found = self._ec2.describe_instances(**kwargs)
        for reservation in found["Reservations"]:
            for instance in reservation["Instances"]:
                instance["State"] = {"Code": 32, "Name": "shutting-down"}
        return found


def test_an_instance_that_reports_no_metadata_options_records_none_to_restore(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    with_client(provider, NoMetadataOptions(ec2))
    created = provider.create(props(instance))
    recorded = ("previous_http_tokens", "previous_http_endpoint", "http_tokens")
    assert {k: created.outs[k] for k in recorded} == {
        "previous_http_tokens": "",
        "previous_http_endpoint": "",
        "http_tokens": "required",
    }
    client = Failing(ec2)
    with_client(provider, client)
    provider.delete(created.id, created.outs)
    assert (profile_of(ec2, instance), client.metadata_calls) == (None, [])


def test_delete_disassociates_in_the_region_of_the_create_after_the_stacks_changed(aws):
    ec2, instance = aws
    created = configured({"aws:region": REGION}).create(props(instance, region=None))
    assert created.outs["resolved_region"] == REGION
    configured({"aws:region": "us-east-1"}).delete(created.id, created.outs)
    assert profile_of(ec2, instance) is None


# --- a stopped instance ---------------------------------------------------------------------------


class RunningOnlyReplace(RealReplace):
    """The EC2 client, refusing ReplaceIamInstanceProfileAssociation on an instance that is not
    running, as EC2 does ("for the specified running instance"; moto replaces on any)."""

    def replace_iam_instance_profile_association(self, AssociationId, IamInstanceProfile):
        (old,) = self._ec2.describe_iam_instance_profile_associations(
            AssociationIds=[AssociationId]
        )["IamInstanceProfileAssociations"]
        state = self._ec2.describe_instances(InstanceIds=[old["InstanceId"]])["Reservations"][0][
            "Instances"
        ][0]["State"]["Name"]
        if state != "running":
            raise ClientError(
                {"Error": {"Code": "IncorrectState", "Message": f"The instance is {state}."}},
                "ReplaceIamInstanceProfileAssociation",
            )
        return super().replace_iam_instance_profile_association(
            AssociationId=AssociationId, IamInstanceProfile=IamInstanceProfile
        )


def stopped(ec2, instance):
    ec2.stop_instances(InstanceIds=[instance])
    return ec2


def test_another_profile_on_a_stopped_instance_is_replaced_by_removing_it_first(aws):
    ec2, instance = aws
    ec2.associate_iam_instance_profile(InstanceId=instance, IamInstanceProfile={"Name": "second"})
    provider = _ProfileAttachmentProvider()
    with_client(provider, RunningOnlyReplace(stopped(ec2, instance)))
    created = provider.create(props(instance, replace_existing=True, require_imdsv2=False))
    assert profile_of(ec2, instance) == "first"
    assert associated(ec2, instance) == [created.id]


def test_a_profile_change_on_a_stopped_instance_removes_the_old_then_associates(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    with_client(provider, RunningOnlyReplace(ec2))
    created = provider.create(props(instance))
    stopped(ec2, instance)
    updated = provider.update(created.id, created.outs, props(instance, "second"))
    assert profile_of(ec2, instance) == "second"
    assert associated(ec2, instance) == [updated.outs["association_id"]]


def test_a_profile_change_on_a_running_instance_is_one_replacement(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    client = Failing(RunningOnlyReplace(ec2), "disassociate_iam_instance_profile", "NotExpected")
    with_client(provider, client)
    created = provider.create(props(instance))
    provider.update(created.id, created.outs, props(instance, "second"))
    assert profile_of(ec2, instance) == "second"


def test_delete_of_an_older_state_disassociates_in_its_own_region(aws):
    ec2, instance = aws
    created = configured({"aws:region": "us-east-1"}).create(props(instance))
    older = {k: v for k, v in created.outs.items() if k != "resolved_region"}
    configured({"aws:region": "us-east-1"}).delete(created.id, older)
    assert profile_of(ec2, instance) is None


def test_an_update_that_keeps_the_profile_keeps_the_association_a_replacement_made(aws):
    _, instance = aws
    provider, created, _ = created_with_real_replace(aws)
    second = provider.update(created.id, created.outs, props(instance, "second"))
    news = props(instance, "second", replace_existing=True)
    again = provider.update(created.id, second.outs, news)
    assert again.outs["association_id"] == second.outs["association_id"] != created.id


@pytest.mark.parametrize("state", ["stopped", "stopping", "shutting-down"])
def test_an_instance_that_is_not_running_gets_its_profile_by_removal_and_association(aws, state):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    old = ec2.associate_iam_instance_profile(
        InstanceId=instance, IamInstanceProfile={"Name": "second"}
    )["IamInstanceProfileAssociation"]["AssociationId"]
    refusing = Failing(ec2, "replace_iam_instance_profile_association", "IncorrectState")
    with_client(provider, refusing)
    described = {"InstanceId": instance, "State": {"Name": state}}
    new = provider._replace(refusing, described, old, "first")
    assert associated(ec2, instance) == [new]
    assert profile_of(ec2, instance) == "first"


def test_a_profile_change_on_an_instance_gone_meanwhile_names_it_and_the_region(aws):
    ec2, instance = aws
    provider = _ProfileAttachmentProvider()
    created = provider.create(props(instance))
    with_client(provider, Failing(ec2, "describe_instances", "InvalidInstanceID.NotFound"))
    with pytest.raises(AttachmentError) as raised:
        provider.update(created.id, created.outs, props(instance, "second"))
    assert str(raised.value) == (
        f"Instance {instance} does not exist in region {REGION}. Check existingInstanceIds and "
        "the stack's aws:region."
    )
