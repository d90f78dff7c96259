"""ProfileAttachment's dynamic provider, the parts that make no AWS call: the stack's aws:
settings as the provider reads them, the botocore session and clients built from them, the
noProxy matching, the AssumeRole requests, the EC2 look-ups against a fake client, and diff.
The calls themselves, against moto, are tests/test_profile_attachment.py."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from components.profile_attachment import (
    AttachmentError,
    _association,
    _bypasses_proxy,
    _Connection,
    _core_session,
    _current_association,
    _http_tokens,
    _instance,
    _live_instance,
    _pickled_module,
    _profile_name,
    _ProfileAttachmentProvider,
    _role_request,
    _seconds,
    _settings_from_config,
)

INSTANCE = "i-0123456789abcdef0"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"


@pytest.fixture(autouse=True)
def no_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No AWS setting of the machine reaches a test, but for a region (AWS_DEFAULT_REGION
    eu-west-1, which a connection needs); botocore never asks the instance metadata service
    for credentials."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


# --- the stack's settings -----------------------------------------------------------------------

UNSET: dict[str, Any] = {
    "region": None,
    "profile": None,
    "access_key": None,
    "secret_key": None,
    "token": None,
    "shared_credentials_files": [],
    "shared_config_files": [],
    "assume_roles": [],
    "web_identity": None,
    "allowed_account_ids": [],
    "forbidden_account_ids": [],
    "endpoints": {},
    "sts_region": None,
    "max_retries": None,
    "retry_mode": None,
    "ca_bundle": None,
    "insecure": False,
    "proxies": {},
    "no_proxy": "",
    "use_fips_endpoint": False,
    "use_dualstack_endpoint": False,
    "metadata_endpoint": None,
    "metadata_endpoint_mode": None,
}


def test_an_empty_config_is_every_setting_unset() -> None:
    assert _settings_from_config({}) == UNSET


def test_every_setting_is_read_from_its_aws_key() -> None:
    config = {
        "aws:region": "eu-west-2",
        "aws:profile": "deployer",
        "aws:accessKey": "AKIASTACK0000000000",
        "aws:secretKey": "stack-secret",
        "aws:token": "stack-token",
        "aws:sharedCredentialsFiles": '["~/creds", "/etc/aws/credentials"]',
        "aws:sharedConfigFiles": '["/etc/aws/config"]',
        "aws:assumeRoles": (
            '[{"roleArn": "arn:aws:iam::123456789012:role/first", "sessionName": "one"}, '
            '{"roleArn": "arn:aws:iam::123456789012:role/second"}]'
        ),
        "aws:assumeRoleWithWebIdentity": (
            '{"roleArn": "arn:aws:iam::123456789012:role/ci", "webIdentityTokenFile": "/run/token"}'
        ),
        "aws:allowedAccountIds": '["123456789012", 210987654321]',
        "aws:forbiddenAccountIds": '["999999999999"]',
        "aws:endpoints": (
            '[{"ec2": "https://ec2.example.test", "sts": "https://sts.example.test", '
            '"s3": "https://s3.example.test"}]'
        ),
        "aws:stsRegion": "us-east-1",
        "aws:maxRetries": "5",
        "aws:retryMode": "adaptive",
        "aws:customCaBundle": "/etc/ssl/corp.pem",
        "aws:insecure": "true",
        "aws:httpProxy": "http://proxy.corp:3128",
        "aws:httpsProxy": "http://secure-proxy.corp:3129",
        "aws:noProxy": "localhost,.internal",
        "aws:useFipsEndpoint": "true",
        "aws:useDualstackEndpoint": "true",
        "aws:ec2MetadataServiceEndpoint": "http://[fd00:ec2::254]",
        "aws:ec2MetadataServiceEndpointMode": "IPv6",
    }
    assert _settings_from_config(config) == {
        "region": "eu-west-2",
        "profile": "deployer",
        "access_key": "AKIASTACK0000000000",
        "secret_key": "stack-secret",
        "token": "stack-token",
        "shared_credentials_files": ["~/creds", "/etc/aws/credentials"],
        "shared_config_files": ["/etc/aws/config"],
        "assume_roles": [
            {"roleArn": "arn:aws:iam::123456789012:role/first", "sessionName": "one"},
            {"roleArn": "arn:aws:iam::123456789012:role/second"},
        ],
        "web_identity": {
            "roleArn": "arn:aws:iam::123456789012:role/ci",
            "webIdentityTokenFile": "/run/token",
        },
        "allowed_account_ids": ["123456789012", "210987654321"],
        "forbidden_account_ids": ["999999999999"],
        "endpoints": {"ec2": "https://ec2.example.test", "sts": "https://sts.example.test"},
        "sts_region": "us-east-1",
        "max_retries": "5",
        "retry_mode": "adaptive",
        "ca_bundle": "/etc/ssl/corp.pem",
        "insecure": True,
        "proxies": {"http": "http://proxy.corp:3128", "https": "http://secure-proxy.corp:3129"},
        "no_proxy": "localhost,.internal",
        "use_fips_endpoint": True,
        "use_dualstack_endpoint": True,
        "metadata_endpoint": "http://[fd00:ec2::254]",
        "metadata_endpoint_mode": "IPv6",
    }


def test_flags_spelt_with_a_capital_are_set() -> None:
    config = {
        "aws:insecure": "True",
        "aws:useFipsEndpoint": "TRUE",
        "aws:useDualstackEndpoint": "True",
    }
    assert _settings_from_config(config) == {
        **UNSET,
        "insecure": True,
        "use_fips_endpoint": True,
        "use_dualstack_endpoint": True,
    }


def test_flags_set_to_anything_but_true_are_unset() -> None:
    config = {
        "aws:insecure": "false",
        "aws:useFipsEndpoint": "false",
        "aws:useDualstackEndpoint": "no",
    }
    assert _settings_from_config(config) == UNSET


def test_lists_given_as_one_plain_string_are_lists_of_it() -> None:
    config = {
        "aws:sharedCredentialsFiles": "/etc/aws/credentials",
        "aws:sharedConfigFiles": "~/aws-config",
        "aws:allowedAccountIds": "123456789012",
        "aws:forbiddenAccountIds": "999999999999",
    }
    assert _settings_from_config(config) == {
        **UNSET,
        "shared_credentials_files": ["/etc/aws/credentials"],
        "shared_config_files": ["~/aws-config"],
        "allowed_account_ids": ["123456789012"],
        "forbidden_account_ids": ["999999999999"],
    }


def test_empty_lists_objects_proxies_and_flags_are_as_if_unset() -> None:
    keys = (
        "aws:sharedCredentialsFiles",
        "aws:sharedConfigFiles",
        "aws:assumeRoles",
        "aws:assumeRole",
        "aws:assumeRoleWithWebIdentity",
        "aws:allowedAccountIds",
        "aws:forbiddenAccountIds",
        "aws:endpoints",
        "aws:httpProxy",
        "aws:httpsProxy",
        "aws:noProxy",
        "aws:insecure",
        "aws:useFipsEndpoint",
        "aws:useDualstackEndpoint",
    )
    assert _settings_from_config(dict.fromkeys(keys, "")) == UNSET


def test_the_legacy_assume_role_alone_is_a_chain_of_one() -> None:
    config = {"aws:assumeRole": f'{{"roleArn": "{ROLE}", "externalId": "shared"}}'}
    assert _settings_from_config(config) == {
        **UNSET,
        "assume_roles": [{"roleArn": ROLE, "externalId": "shared"}],
    }


def test_the_legacy_assume_role_with_an_empty_chain_is_taken() -> None:
    config = {"aws:assumeRoles": "[]", "aws:assumeRole": f'{{"roleArn": "{ROLE}"}}'}
    assert _settings_from_config(config) == {**UNSET, "assume_roles": [{"roleArn": ROLE}]}


def test_both_assume_role_settings_are_refused() -> None:
    config = {
        "aws:assumeRoles": f'[{{"roleArn": "{ROLE}"}}]',
        "aws:assumeRole": f'{{"roleArn": "{ROLE}"}}',
    }
    with pytest.raises(AttachmentError) as raised:
        _settings_from_config(config)
    assert str(raised.value) == "Set aws:assumeRoles or aws:assumeRole, not both."


def test_roles_without_a_role_arn_are_dropped_from_the_chain() -> None:
    config = {
        "aws:assumeRoles": (
            f'[{{"sessionName": "no-arn"}}, {{"roleArn": ""}}, null, {{"roleArn": "{ROLE}"}}]'
        )
    }
    assert _settings_from_config(config) == {**UNSET, "assume_roles": [{"roleArn": ROLE}]}


def test_a_legacy_role_without_a_role_arn_is_dropped() -> None:
    assert _settings_from_config({"aws:assumeRole": '{"sessionName": "no-arn"}'}) == UNSET


def test_endpoints_of_other_services_are_dropped() -> None:
    config = {
        "aws:endpoints": (
            '[{"s3": "http://localhost:4566"}, {"ec2": "https://ec2.example.test"}, '
            '{"iam": "https://iam.example.test", "sts": "https://sts.example.test"}]'
        )
    }
    assert _settings_from_config(config) == {
        **UNSET,
        "endpoints": {"ec2": "https://ec2.example.test", "sts": "https://sts.example.test"},
    }


def test_an_endpoint_with_an_empty_value_is_dropped() -> None:
    config = {"aws:endpoints": '[{"ec2": "", "sts": "https://sts.example.test"}]'}
    assert _settings_from_config(config) == {
        **UNSET,
        "endpoints": {"sts": "https://sts.example.test"},
    }


def test_the_http_proxy_alone_carries_https_too() -> None:
    assert _settings_from_config({"aws:httpProxy": "http://proxy.corp:3128"}) == {
        **UNSET,
        "proxies": {"http": "http://proxy.corp:3128", "https": "http://proxy.corp:3128"},
    }


def test_the_https_proxy_alone_carries_https_only() -> None:
    assert _settings_from_config({"aws:httpsProxy": "http://proxy.corp:3129"}) == {
        **UNSET,
        "proxies": {"https": "http://proxy.corp:3129"},
    }


def test_both_proxies_each_carry_their_own_scheme() -> None:
    config = {"aws:httpProxy": "http://proxy.corp:3128", "aws:httpsProxy": "http://proxy.corp:3129"}
    assert _settings_from_config(config) == {
        **UNSET,
        "proxies": {"http": "http://proxy.corp:3128", "https": "http://proxy.corp:3129"},
    }


# --- the botocore session -----------------------------------------------------------------------

SESSION_VARIABLES = (
    "credentials_file",
    "config_file",
    "ca_bundle",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
)


def session_variables(settings: dict[str, Any]) -> dict[str, Any]:
    core = _core_session(settings)
    return {name: core.get_config_variable(name) for name in SESSION_VARIABLES}


def test_the_core_session_takes_every_setting_it_reads() -> None:
    settings = {
        **UNSET,
        "shared_credentials_files": ["/etc/aws/credentials"],
        "shared_config_files": ["/etc/aws/config"],
        "ca_bundle": "/etc/ssl/corp.pem",
        "use_fips_endpoint": True,
        "use_dualstack_endpoint": True,
        "metadata_endpoint": "http://[fd00:ec2::254]",
        "metadata_endpoint_mode": "IPv6",
    }
    assert session_variables(settings) == {
        "credentials_file": "/etc/aws/credentials",
        "config_file": "/etc/aws/config",
        "ca_bundle": "/etc/ssl/corp.pem",
        "use_fips_endpoint": True,
        "use_dualstack_endpoint": True,
        "ec2_metadata_service_endpoint": "http://[fd00:ec2::254]",
        "ec2_metadata_service_endpoint_mode": "IPv6",
    }


def test_only_the_first_shared_file_of_each_kind_is_read() -> None:
    settings = {
        **UNSET,
        "shared_credentials_files": ["/first/credentials", "/second/credentials"],
        "shared_config_files": ["/first/config", "/second/config"],
    }
    core = _core_session(settings)
    assert (
        core.get_config_variable("credentials_file"),
        core.get_config_variable("config_file"),
    ) == (
        "/first/credentials",
        "/first/config",
    )


def test_a_shared_file_under_home_is_expanded(tmp_path: Any) -> None:
    core = _core_session({**UNSET, "shared_credentials_files": ["~/aws/credentials"]})
    assert core.get_config_variable("credentials_file") == str(tmp_path / "aws" / "credentials")


def test_unset_settings_leave_the_environments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/env/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/env/config")
    monkeypatch.setenv("AWS_CA_BUNDLE", "/env/ca.pem")
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")
    monkeypatch.setenv("AWS_USE_DUALSTACK_ENDPOINT", "true")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv4")
    assert session_variables(UNSET) == {
        "credentials_file": "/env/credentials",
        "config_file": "/env/config",
        "ca_bundle": "/env/ca.pem",
        "use_fips_endpoint": True,
        "use_dualstack_endpoint": True,
        "ec2_metadata_service_endpoint": "http://169.254.169.254",
        "ec2_metadata_service_endpoint_mode": "IPv4",
    }


# --- noProxy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "no_proxy", "bypasses"),
    [
        pytest.param("example.com", "example.com", True, id="exact-host"),
        pytest.param("api.example.com", "example.com", True, id="domain-suffix"),
        pytest.param("api.example.com", ".example.com", True, id="leading-dot-subdomain"),
        pytest.param("example.com", ".example.com", False, id="leading-dot-not-the-domain"),
        pytest.param("api.example.com", "*.example.com", True, id="star-dot-subdomain"),
        pytest.param("example.com", "*.example.com", False, id="star-dot-not-the-domain"),
        pytest.param("badexample.com", "example.com", False, id="string-suffix-only"),
        pytest.param("example.com", "api.example.com", False, id="subdomain-entry-not-parent"),
        pytest.param("example.com", "other.test", False, id="other-host"),
        pytest.param("api.example.com", "*", True, id="star"),
        pytest.param("example.com", " Example.COM ", True, id="spaces-and-upper-case"),
        pytest.param("example.com", "other.test,  example.com", True, id="second-entry-spaced"),
        pytest.param("example.com", "example.com:443", True, id="entry-with-the-port"),
        pytest.param("example.com", "example.com:8443", False, id="entry-with-another-port"),
        pytest.param("example.com", ",,example.com", True, id="empty-entries-skipped"),
        pytest.param("example.com", "", False, id="empty-list"),
        pytest.param("example.com", "other.test,*", True, id="star-after-non-matching"),
        pytest.param("localhost", "", True, id="localhost-never-proxied"),
        pytest.param("127.0.0.2", "", True, id="loopback-never-proxied"),
        pytest.param("::1", "", True, id="v6-loopback-never-proxied"),
        pytest.param("10.1.2.3", "10.0.0.0/8", True, id="in-a-range"),
        pytest.param("192.168.0.1", "10.0.0.0/8", False, id="outside-a-range"),
        pytest.param("example.com", "10.0.0.0/8", False, id="a-range-is-not-a-name"),
        pytest.param("10.1.2.3", "10.1.2.3", True, id="an-address"),
        pytest.param("10.1.2.3", "10.1.2.3:443", True, id="an-address-with-the-port"),
        pytest.param("10.1.2.3", "10.1.2.3:80", False, id="an-address-with-another-port"),
        pytest.param("fd00::1", "fd00::1", True, id="a-v6-address"),
        pytest.param("fd00::1", "[fd00::1]:443", True, id="a-v6-address-with-the-port"),
        pytest.param("fd00::1", "fd00::/16", True, id="in-a-v6-range"),
        pytest.param("10.1.2.3", "1.2.3", False, id="a-name-never-matches-an-address"),
        pytest.param("10.1.2.4", "10.1.2.3", False, id="another-address"),
        pytest.param("example.com", "10.1.2.3,example.com", True, id="an-address-then-the-name"),
        pytest.param("example.com", ":443", False, id="a-port-without-a-host"),
        pytest.param("example.com", "10.0.0.0/99,example.com", True, id="a-bad-range-skipped"),
        pytest.param("10.1.2.3", "10.0.0.0/99,10.1.2.3", True, id="a-bad-range-then-the-address"),
        pytest.param("10.200.0.1", "10.1.2.3/8", True, id="a-range-with-host-bits"),
        pytest.param("10.1.2.3", "10.1.2.4:443,10.1.2.3", True, id="another-address-then-this"),
        pytest.param("10.1.2.3", "example.com,10.1.2.3", True, id="a-name-then-the-address"),
        pytest.param(
            "10.1.2.3", "192.168.0.0/16,10.1.2.3", True, id="another-range-then-the-address"
        ),
        pytest.param(
            "example.com", "example.com:8443,example.com", True, id="another-port-then-any"
        ),
        pytest.param("example.com", "example.com:", True, id="an-empty-port-is-any-port"),
        pytest.param("example.com", "example.com:443:443", False, id="two-ports-are-all-host"),
        pytest.param("fd00::1", "[fd00::1]", False, id="a-bracketed-address-without-a-port"),
    ],
)
def test_no_proxy_matching_is_gos(host: str, no_proxy: str, bypasses: bool) -> None:
    assert _bypasses_proxy(host, "443", no_proxy) is bypasses


# --- the connection ------------------------------------------------------------------------------


def connection(config: dict[str, str], props: dict[str, Any] | None = None) -> _Connection:
    return _Connection(_settings_from_config(config), props or {})


def credentials_of(session: Any) -> tuple[str, str, str | None] | None:
    found = session.get_credentials()
    if found is None:
        return None
    frozen = found.get_frozen_credentials()
    return (frozen.access_key, frozen.secret_key, frozen.token)


def access_key_of(session: Any) -> str | None:
    found = credentials_of(session)
    return None if found is None else found[0]


def retries_of(made: _Connection) -> Any:
    """The retries of the client config every client of ``made`` starts from."""
    config: Any = made._config  # botocore's Config sets its options as attributes at run time
    return config.retries


def test_no_retry_settings_leave_botocores_defaults() -> None:
    assert retries_of(connection({})) is None


def test_max_retries_zero_leaves_botocores_default() -> None:
    assert retries_of(connection({"aws:maxRetries": "0"})) is None


def test_max_retries_is_the_total_number_of_attempts() -> None:
    assert retries_of(connection({"aws:maxRetries": "3"})) == {"total_max_attempts": 3}


def test_the_retry_mode_is_passed_on() -> None:
    assert retries_of(connection({"aws:retryMode": "standard"})) == {"mode": "standard"}


def test_insecure_turns_tls_verification_off() -> None:
    assert connection({"aws:insecure": "true"})._verify is False


def test_without_insecure_botocore_verifies_tls_as_it_would() -> None:
    assert connection({"aws:insecure": "false"})._verify is None


@pytest.fixture
def credentials_file(tmp_path: Any) -> str:
    """A shared credentials file with the stack's profile and the resource's own."""
    path = tmp_path / "credentials"
    path.write_text(
        "[stack]\naws_access_key_id = AKIASTACKPROFILE000\naws_secret_access_key = stack-s\n"
        "[own]\naws_access_key_id = AKIAOWNPROFILE00000\naws_secret_access_key = own-s\n"
    )
    return str(path)


STATIC = {
    "aws:accessKey": "AKIASTATIC000000000",
    "aws:secretKey": "static-s",
    "aws:token": "static-t",
}


def test_static_keys_are_the_credentials() -> None:
    session = connection(STATIC).session
    assert (credentials_of(session), session.profile_name) == (
        ("AKIASTATIC000000000", "static-s", "static-t"),
        "default",
    )


def test_static_keys_without_a_token_carry_none() -> None:
    session = connection({**STATIC, "aws:token": ""}).session
    assert credentials_of(session) == ("AKIASTATIC000000000", "static-s", None)


def test_static_keys_win_over_the_stacks_profile(credentials_file: str) -> None:
    session = connection(
        {**STATIC, "aws:profile": "stack", "aws:sharedCredentialsFiles": credentials_file}
    ).session
    assert (credentials_of(session), session.profile_name) == (
        ("AKIASTATIC000000000", "static-s", "static-t"),
        "default",
    )


def test_the_stacks_profile_is_used_without_static_keys(credentials_file: str) -> None:
    session = connection(
        {"aws:profile": "stack", "aws:sharedCredentialsFiles": credentials_file}
    ).session
    assert (credentials_of(session), session.profile_name) == (
        ("AKIASTACKPROFILE000", "stack-s", None),
        "stack",
    )


def test_a_resource_profile_wins_over_static_keys(credentials_file: str) -> None:
    session = connection(
        {**STATIC, "aws:sharedCredentialsFiles": credentials_file}, {"profile": "own"}
    ).session
    assert (credentials_of(session), session.profile_name) == (
        ("AKIAOWNPROFILE00000", "own-s", None),
        "own",
    )


def test_a_resource_profile_wins_over_the_stacks_profile(credentials_file: str) -> None:
    session = connection(
        {"aws:profile": "stack", "aws:sharedCredentialsFiles": credentials_file}, {"profile": "own"}
    ).session
    assert (credentials_of(session), session.profile_name) == (
        ("AKIAOWNPROFILE00000", "own-s", None),
        "own",
    )


@pytest.fixture
def regions_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS_REGION and the session's own AWS_DEFAULT_REGION, each different."""
    monkeypatch.setenv("AWS_REGION", "ca-central-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")


def regions_of(made: _Connection) -> tuple[str | None, str | None]:
    return (made.region, made.session.region_name)


@pytest.mark.usefixtures("regions_everywhere")
def test_the_resources_region_wins() -> None:
    made = connection({"aws:region": "eu-west-2"}, {"region": "eu-west-3"})
    assert regions_of(made) == ("eu-west-3", "eu-west-3")


@pytest.mark.usefixtures("regions_everywhere")
def test_the_stacks_region_wins_over_the_environments() -> None:
    assert regions_of(connection({"aws:region": "eu-west-2"})) == ("eu-west-2", "eu-west-2")


@pytest.mark.usefixtures("regions_everywhere")
def test_aws_region_wins_over_the_sessions_region() -> None:
    assert regions_of(connection({})) == ("ca-central-1", "ap-south-1")


def test_the_sessions_region_is_the_last_resort(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert regions_of(connection({})) == ("ap-south-1", "ap-south-1")


def test_an_overridden_endpoint_is_used_for_its_service_only() -> None:
    made = connection(
        {"aws:region": "eu-west-2", "aws:endpoints": '[{"ec2": "https://ec2.example.test"}]'}
    )
    assert (made.client("ec2").meta.endpoint_url, made.client("sts").meta.endpoint_url) == (
        "https://ec2.example.test",
        "https://sts.eu-west-2.amazonaws.com",
    )


def test_the_sts_region_is_used_for_sts_only() -> None:
    made = connection({"aws:region": "eu-west-2", "aws:stsRegion": "us-east-1"})
    assert (made.client("sts").meta.region_name, made.client("ec2").meta.region_name) == (
        "us-east-1",
        "eu-west-2",
    )


def facets(client: Any) -> dict[str, Any]:
    """What of a client's set-up the stack's settings decide."""
    return {
        "endpoint_url": client.meta.endpoint_url,
        "region": client.meta.region_name,
        "retries": client.meta.config.retries,
        "proxies": client.meta.config.proxies,
        "verify": client._endpoint.http_session._verify,
    }


def stack_with_a_proxy(no_proxy: str) -> dict[str, str]:
    return {
        "aws:region": "eu-west-2",
        "aws:stsRegion": "us-east-2",
        "aws:endpoints": '[{"sts": "https://STS.Example.Test"}]',
        "aws:maxRetries": "3",
        "aws:retryMode": "adaptive",
        "aws:insecure": "true",
        "aws:httpsProxy": "http://proxy.corp:3128",
        "aws:noProxy": no_proxy,
    }


def test_a_host_outside_no_proxy_gets_a_client_through_the_proxy() -> None:
    client = connection(stack_with_a_proxy("internal.example")).client("sts")
    assert facets(client) == {
        "endpoint_url": "https://STS.Example.Test",
        "region": "us-east-2",
        "retries": {"total_max_attempts": 3, "mode": "adaptive"},
        "proxies": {"https": "http://proxy.corp:3128"},
        "verify": False,
    }


def test_a_host_in_no_proxy_gets_a_client_without_the_proxy_and_all_else_kept() -> None:
    client = connection(stack_with_a_proxy("sts.example.test")).client("sts")
    assert facets(client) == {
        "endpoint_url": "https://STS.Example.Test",
        "region": "us-east-2",
        "retries": {"total_max_attempts": 3, "mode": "adaptive"},
        "proxies": {},
        "verify": False,
    }


@pytest.mark.parametrize(
    ("endpoint", "no_proxy", "bypasses"),
    [
        pytest.param("https://ec2.example.test", "ec2.example.test:443", True, id="https-is-443"),
        pytest.param("https://ec2.example.test", "ec2.example.test:80", False, id="https-not-80"),
        pytest.param("http://ec2.example.test", "ec2.example.test:80", True, id="http-is-80"),
        pytest.param("http://ec2.example.test", "ec2.example.test:443", False, id="http-not-443"),
        pytest.param("https://ec2.example.test:8443", "ec2.example.test:8443", True, id="own-port"),
    ],
)
def test_a_no_proxy_entrys_port_is_the_endpoints(
    endpoint: str, no_proxy: str, bypasses: bool
) -> None:
    stack = {
        "aws:region": "eu-west-2",
        "aws:endpoints": f'[{{"ec2": "{endpoint}"}}]',
        "aws:httpsProxy": "http://proxy.corp:3128",
        "aws:httpProxy": "http://proxy.corp:3128",
        "aws:noProxy": no_proxy,
    }
    proxies = connection(stack).client("ec2").meta.config.proxies
    assert (proxies == {}) is bypasses


def test_a_clients_own_config_is_merged_over_the_stacks() -> None:
    config = (
        connection({"aws:region": "eu-west-2", "aws:maxRetries": "3"})
        .client("sts", signature_version=UNSIGNED)
        .meta.config
    )
    assert (config.signature_version, config.retries) == (
        UNSIGNED,
        {"total_max_attempts": 3, "mode": "standard"},
    )


def test_without_proxies_botocore_is_left_to_the_environments() -> None:
    client = connection({"aws:noProxy": "*"}).client("ec2")
    assert client.meta.config.proxies is None


# --- roles and accounts, against a fake STS -----------------------------------------------------

Call = tuple[str, dict[str, Any], str | None, str, dict[str, Any]]


class FakeSts:
    """STS as the connection calls it. Each call is recorded with the client's service, its
    config and the access key of the session that asked for the client; AssumeRole answers
    numbered credentials."""

    def __init__(self, calls: list[Call], made_with: tuple[str, dict[str, Any], str | None]):
        self.calls, self.made_with = calls, made_with

    def _record(self, operation: str, request: dict[str, Any]) -> None:
        service, config, caller = self.made_with
        self.calls.append((service, config, caller, operation, request))

    def _credentials(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        self._record(operation, request)
        hop = len(self.calls)
        return {
            "Credentials": {
                "AccessKeyId": f"ASIAHOP{hop}",
                "SecretAccessKey": f"secret-{hop}",
                "SessionToken": f"token-{hop}",
            }
        }

    def assume_role(self, **request: Any) -> dict[str, Any]:
        return self._credentials("assume_role", request)

    def assume_role_with_web_identity(self, **request: Any) -> dict[str, Any]:
        return self._credentials("assume_role_with_web_identity", request)

    def get_caller_identity(self) -> dict[str, Any]:
        self._record("get_caller_identity", {})
        return {"Account": ACCOUNT}


@pytest.fixture
def sts_calls(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    calls: list[Call] = []

    def client(self: _Connection, service: str, **config: Any) -> FakeSts:
        return FakeSts(calls, (service, config, access_key_of(self.session)))

    monkeypatch.setattr(_Connection, "client", client)
    return calls


SECOND = f"arn:aws:iam::{ACCOUNT}:role/second"
CHAIN = {
    **STATIC,
    "aws:assumeRoles": f'[{{"roleArn": "{ROLE}"}}, {{"roleArn": "{SECOND}", "sessionName": "last"}}]',
}


def test_the_stacks_roles_are_assumed_in_order_each_with_the_last_ones_credentials(
    sts_calls: list[Call],
) -> None:
    connection(CHAIN)
    assert sts_calls == [
        (
            "sts",
            {},
            "AKIASTATIC000000000",
            "assume_role",
            {"RoleArn": ROLE, "RoleSessionName": "ec2-instance-role-profile-attachment"},
        ),
        ("sts", {}, "ASIAHOP1", "assume_role", {"RoleArn": SECOND, "RoleSessionName": "last"}),
    ]


@pytest.mark.usefixtures("sts_calls")
def test_the_connection_ends_with_the_last_roles_credentials() -> None:
    assert credentials_of(connection(CHAIN).session) == ("ASIAHOP2", "secret-2", "token-2")


@pytest.mark.usefixtures("sts_calls")
def test_a_roles_session_keeps_the_connections_region_and_the_stacks_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    session = connection(
        {**CHAIN, "aws:region": "eu-west-2", "aws:customCaBundle": "/etc/ssl/corp.pem"}
    ).session
    assert (session.region_name, session._session.get_config_variable("ca_bundle")) == (
        "eu-west-2",
        "/etc/ssl/corp.pem",
    )


def test_a_resource_role_replaces_the_stacks_chain(sts_calls: list[Call]) -> None:
    connection(CHAIN, {"assume_role_arn": SECOND, "assume_role_external_id": "shared"})
    assert sts_calls == [
        (
            "sts",
            {},
            "AKIASTATIC000000000",
            "assume_role",
            {
                "RoleArn": SECOND,
                "RoleSessionName": "ec2-instance-role-profile-attachment",
                "ExternalId": "shared",
            },
        )
    ]


def test_a_web_identity_role_is_assumed_unsigned_with_the_token_of_its_file(
    sts_calls: list[Call], tmp_path: Any
) -> None:
    (tmp_path / "token").write_text("  a-token \n")
    identity = (
        f'{{"roleArn": "{ROLE}", "webIdentityTokenFile": "~/token", "sessionName": "ci-run", '
        '"externalId": "x", "sourceIdentity": "me", "policy": "{}", "duration": "1h"}'
    )
    connection({"aws:assumeRoleWithWebIdentity": identity})
    assert sts_calls == [
        (
            "sts",
            {"signature_version": UNSIGNED},
            None,
            "assume_role_with_web_identity",
            {
                "WebIdentityToken": "a-token",
                "RoleArn": ROLE,
                "RoleSessionName": "ci-run",
                "Policy": "{}",
                "DurationSeconds": 3600,
            },
        )
    ]


def test_a_given_web_identity_token_wins_over_its_file(
    sts_calls: list[Call], tmp_path: Any
) -> None:
    (tmp_path / "token").write_text("file-token\n")
    identity = (
        f'{{"roleArn": "{ROLE}", "webIdentityToken": "given-token", '
        f'"webIdentityTokenFile": "{tmp_path / "token"}"}}'
    )
    connection({"aws:assumeRoleWithWebIdentity": identity})
    assert sts_calls == [
        (
            "sts",
            {"signature_version": UNSIGNED},
            None,
            "assume_role_with_web_identity",
            {
                "WebIdentityToken": "given-token",
                "RoleArn": ROLE,
                "RoleSessionName": "ec2-instance-role-profile-attachment",
            },
        )
    ]


def test_the_account_is_not_looked_up_without_account_rules(sts_calls: list[Call]) -> None:
    connection(STATIC)
    assert sts_calls == []


def test_an_allowed_account_is_looked_up_and_taken(sts_calls: list[Call]) -> None:
    connection({**STATIC, "aws:allowedAccountIds": ACCOUNT})
    assert sts_calls == [("sts", {}, "AKIASTATIC000000000", "get_caller_identity", {})]


@pytest.mark.usefixtures("sts_calls")
def test_an_account_not_forbidden_is_taken() -> None:
    made = connection({**STATIC, "aws:forbiddenAccountIds": "999999999999"})
    assert access_key_of(made.session) == "AKIASTATIC000000000"


ACCOUNT_REFUSED = (
    "The credentials are for account 123456789012, which the stack's aws:allowedAccountIds / "
    "aws:forbiddenAccountIds rule out. Nothing was changed."
)


@pytest.mark.usefixtures("sts_calls")
def test_an_account_outside_the_allowed_ones_is_refused() -> None:
    with pytest.raises(AttachmentError) as raised:
        connection({**STATIC, "aws:allowedAccountIds": '["999999999999"]'})
    assert str(raised.value) == ACCOUNT_REFUSED


@pytest.mark.usefixtures("sts_calls")
def test_a_forbidden_account_is_refused() -> None:
    with pytest.raises(AttachmentError) as raised:
        connection({**STATIC, "aws:forbiddenAccountIds": f'["999999999999", "{ACCOUNT}"]'})
    assert str(raised.value) == ACCOUNT_REFUSED


# --- AssumeRole requests and durations -----------------------------------------------------------


def test_a_role_with_only_its_arn_gets_the_default_session_name() -> None:
    assert _role_request({"roleArn": ROLE}) == {
        "RoleArn": ROLE,
        "RoleSessionName": "ec2-instance-role-profile-attachment",
    }


def test_every_role_field_is_sent_by_its_sts_name() -> None:
    role = {
        "roleArn": ROLE,
        "sessionName": "deploy",
        "externalId": "shared",
        "policy": '{"Version": "2012-10-17"}',
        "sourceIdentity": "alice",
        "duration": "15m",
        "policyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        "tags": {"team": "infra", "env": "dev"},
        "transitiveTagKeys": ["team"],
    }
    assert _role_request(role) == {
        "RoleArn": ROLE,
        "RoleSessionName": "deploy",
        "ExternalId": "shared",
        "Policy": '{"Version": "2012-10-17"}',
        "SourceIdentity": "alice",
        "DurationSeconds": 900,
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        "Tags": [{"Key": "team", "Value": "infra"}, {"Key": "env", "Value": "dev"}],
        "TransitiveTagKeys": ["team"],
    }


def test_empty_role_fields_are_left_out() -> None:
    role = {
        "roleArn": ROLE,
        "sessionName": "",
        "externalId": "",
        "policy": "",
        "sourceIdentity": "",
        "duration": "",
        "policyArns": [],
        "tags": {},
        "transitiveTagKeys": [],
    }
    assert _role_request(role) == {
        "RoleArn": ROLE,
        "RoleSessionName": "ec2-instance-role-profile-attachment",
    }


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        pytest.param("900s", 900, id="seconds"),
        pytest.param("2m30s", 150, id="minutes-and-seconds"),
        pytest.param("1h0m0s", 3600, id="as-go-prints-it"),
        pytest.param("1500ms", 1, id="milliseconds-in-whole-seconds"),
    ],
)
def test_go_durations_in_other_units(duration: str, seconds: int) -> None:
    assert _seconds(duration) == seconds


def test_a_duration_that_is_not_one_is_refused_with_examples() -> None:
    with pytest.raises(AttachmentError) as raised:
        _seconds("900")
    assert str(raised.value) == (
        "assume role duration '900' is not a duration like '1h', '15m' or '900s'."
    )


# --- serialized providers and association names -------------------------------------------------


def encoded(payload: bytes) -> str:
    return base64.b64encode(payload).decode()


STABLE_PICKLE = encoded(
    b"\x80\x04ec2_instance_role.profile_attachment\x94_ProfileAttachmentProvider"
)
OTHER_PICKLE = encoded(b"\x80\x04components.profile_attachment\x94_ProfileAttachmentProvider")


@pytest.mark.parametrize(
    ("serialized", "stable"),
    [
        pytest.param(STABLE_PICKLE, True, id="stable-path"),
        pytest.param(OTHER_PICKLE, False, id="other-path"),
        pytest.param({"value": STABLE_PICKLE}, True, id="secret-stable-path"),
        pytest.param({"value": OTHER_PICKLE}, False, id="secret-other-path"),
        pytest.param(None, None, id="absent"),
        pytest.param("", None, id="empty"),
        pytest.param(5, None, id="not-text"),
        pytest.param({"value": None}, None, id="secret-without-value"),
        pytest.param("abc", None, id="not-base64"),
    ],
)
def test_the_module_a_serialized_provider_names(serialized: Any, stable: bool | None) -> None:
    assert _pickled_module(serialized) is stable


def test_the_profile_name_is_the_last_part_of_its_arn() -> None:
    association = {
        "IamInstanceProfile": {"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/team/web/first"}
    }
    assert _profile_name(association) == "first"


# --- the EC2 look-ups, against a fake client -----------------------------------------------------


class FakeEc2:
    """The EC2 describe calls, answering literal lists (or raising ``error``) and recording
    each request."""

    def __init__(
        self,
        associations: list[dict[str, Any]] | None = None,
        reservations: list[dict[str, Any]] | None = None,
        error: Exception | None = None,
        pages: list[dict[str, Any]] | None = None,
    ) -> None:
        self.associations, self.reservations, self.error = associations, reservations, error
        self.pages = pages or []
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _answer(
        self, operation: str, request: dict[str, Any], answer: dict[str, Any]
    ) -> dict[str, Any]:
        self.calls.append((operation, request))
        if self.error is not None:
            raise self.error
        return answer

    def describe_iam_instance_profile_associations(self, **request: Any) -> dict[str, Any]:
        answer = {"IamInstanceProfileAssociations": self.associations or []}
        return self._answer("describe_iam_instance_profile_associations", request, answer)

    def get_paginator(self, operation: str) -> Any:
        """A paginator of ``operation``: the pages given, else one, the describe call's."""
        fake = self

        class Paginator:
            def paginate(self, **request: Any) -> list[dict[str, Any]]:
                return fake.pages or [getattr(fake, operation)(**request)]

        return Paginator()

    def describe_instances(self, **request: Any) -> dict[str, Any]:
        return self._answer(
            "describe_instances", request, {"Reservations": self.reservations or []}
        )


def association(number: int, state: str, profile: str = "first") -> dict[str, Any]:
    return {
        "AssociationId": f"iip-assoc-{number:017d}",
        "InstanceId": INSTANCE,
        "IamInstanceProfile": {"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{profile}"},
        "State": state,
    }


def aws_error(code: str, operation: str = "DescribeIamInstanceProfileAssociations") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} message"}}, operation)


def test_the_current_association_is_looked_up_by_instance() -> None:
    ec2 = FakeEc2()
    _current_association(ec2, INSTANCE)
    assert ec2.calls == [
        (
            "describe_iam_instance_profile_associations",
            {"Filters": [{"Name": "instance-id", "Values": [INSTANCE]}]},
        )
    ]


@pytest.mark.parametrize("state", ["associating", "associated"])
def test_the_current_association_is_the_first_live_one(state: str) -> None:
    ec2 = FakeEc2(
        [association(1, "disassociated"), association(2, state), association(3, "associated")]
    )
    assert _current_association(ec2, INSTANCE) == association(2, state)


def test_the_associations_of_every_page_are_looked_at() -> None:
    ec2 = FakeEc2(
        pages=[
            {"IamInstanceProfileAssociations": [association(1, "disassociated")]},
            {"IamInstanceProfileAssociations": [association(2, "associated")]},
        ]
    )
    assert _current_association(ec2, INSTANCE) == association(2, "associated")


def test_the_attachment_is_the_live_association_with_its_profile_during_a_replacement() -> None:
    ec2 = FakeEc2([association(1, "associated", "old"), association(2, "associating", "new")])
    attached = _ProfileAttachmentProvider()._attached(
        ec2, {"instance_id": INSTANCE, "instance_profile_name": "new"}
    )
    assert attached == association(2, "associating", "new")


def test_an_instance_with_only_ended_associations_has_none() -> None:
    ec2 = FakeEc2([association(1, "disassociating"), association(2, "disassociated")])
    assert _current_association(ec2, INSTANCE) is None


def test_an_association_is_looked_up_by_its_id() -> None:
    ec2 = FakeEc2([association(1, "associated")])
    _association(ec2, "iip-assoc-00000000000000001")
    assert ec2.calls == [
        (
            "describe_iam_instance_profile_associations",
            {"AssociationIds": ["iip-assoc-00000000000000001"]},
        )
    ]


@pytest.mark.parametrize("state", ["associating", "associated"])
def test_a_live_association_is_found(state: str) -> None:
    ec2 = FakeEc2([association(1, "disassociated"), association(2, state)])
    assert _association(ec2, "iip-assoc-00000000000000002") == association(2, state)


@pytest.mark.parametrize("state", ["disassociating", "disassociated"])
def test_an_ended_association_is_gone(state: str) -> None:
    assert _association(FakeEc2([association(1, state)]), "iip-assoc-00000000000000001") is None


@pytest.mark.parametrize("code", ["InvalidAssociationID.NotFound", "InvalidParameterValue"])
def test_an_association_ec2_does_not_know_is_gone(code: str) -> None:
    assert _association(FakeEc2(error=aws_error(code)), "iip-assoc-00000000000000001") is None


def test_other_errors_looking_up_an_association_are_raised() -> None:
    error = aws_error("UnauthorizedOperation")
    with pytest.raises(ClientError) as raised:
        _association(FakeEc2(error=error), "iip-assoc-00000000000000001")
    assert raised.value is error


def reservation(state: str | None, tokens: str | None = "optional") -> dict[str, Any]:
    instance: dict[str, Any] = {"InstanceId": INSTANCE}
    if state is not None:
        instance["State"] = {"Name": state}
    if tokens is not None:
        instance["MetadataOptions"] = {"HttpTokens": tokens, "HttpEndpoint": "enabled"}
    return {"Instances": [instance]}


def test_an_instance_is_looked_up_by_its_id() -> None:
    ec2 = FakeEc2(reservations=[reservation("running")])
    _instance(ec2, INSTANCE, "eu-west-1")
    assert ec2.calls == [("describe_instances", {"InstanceIds": [INSTANCE]})]


def test_the_instance_is_the_first_of_its_reservation() -> None:
    ec2 = FakeEc2(reservations=[reservation("running")])
    assert _instance(ec2, INSTANCE, "eu-west-1") == reservation("running")["Instances"][0]


def test_a_missing_instance_is_refused_with_its_region() -> None:
    ec2 = FakeEc2(error=aws_error("InvalidInstanceID.NotFound", "DescribeInstances"))
    with pytest.raises(AttachmentError) as raised:
        _instance(ec2, INSTANCE, "eu-west-1")
    assert str(raised.value) == (
        f"Instance {INSTANCE} does not exist in region eu-west-1. Check existingInstanceIds "
        "and the stack's aws:region."
    )


def test_a_connection_without_any_region_is_refused_naming_where_to_set_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(AttachmentError) as raised:
        connection({"aws:accessKey": "AKIASTATIC000000000", "aws:secretKey": "s"})
    assert str(raised.value) == (
        "No AWS region to attach the profile in: set the stack's aws:region (or the "
        "resource's region, or AWS_REGION). Nothing was changed."
    )


def test_a_malformed_instance_id_is_a_missing_instance() -> None:
    ec2 = FakeEc2(error=aws_error("InvalidInstanceID.Malformed", "DescribeInstances"))
    with pytest.raises(AttachmentError) as raised:
        _instance(ec2, INSTANCE, "eu-west-1")
    assert str(raised.value) == (
        f"Instance {INSTANCE} does not exist in region eu-west-1. Check existingInstanceIds "
        "and the stack's aws:region."
    )


def test_a_missing_instance_told_only_in_the_message_is_refused() -> None:
    ec2 = FakeEc2(error=RuntimeError("InvalidInstanceID.NotFound: no such instance"))
    with pytest.raises(AttachmentError) as raised:
        _instance(ec2, INSTANCE, "eu-west-1")
    assert str(raised.value) == (
        f"Instance {INSTANCE} does not exist in region eu-west-1. Check existingInstanceIds "
        "and the stack's aws:region."
    )


def test_other_errors_looking_up_the_instance_are_raised() -> None:
    error = aws_error("UnauthorizedOperation", "DescribeInstances")
    with pytest.raises(ClientError) as raised:
        _instance(FakeEc2(error=error), INSTANCE, "eu-west-1")
    assert raised.value is error


def test_a_live_instance_is_looked_up_by_its_id() -> None:
    ec2 = FakeEc2(reservations=[reservation("running")])
    _live_instance(ec2, INSTANCE)
    assert ec2.calls == [("describe_instances", {"InstanceIds": [INSTANCE]})]


@pytest.mark.parametrize("state", ["pending", "running", "stopping", "stopped", None])
def test_an_instance_not_ending_is_live(state: str | None) -> None:
    ec2 = FakeEc2(reservations=[reservation(state)])
    assert _live_instance(ec2, INSTANCE) == reservation(state)["Instances"][0]


@pytest.mark.parametrize("state", ["shutting-down", "terminated"])
def test_an_ending_instance_is_not_live(state: str) -> None:
    assert _live_instance(FakeEc2(reservations=[reservation(state)]), INSTANCE) is None


def test_an_instance_ec2_no_longer_lists_is_not_live() -> None:
    assert _live_instance(FakeEc2(reservations=[]), INSTANCE) is None


@pytest.mark.parametrize("code", ["InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed"])
def test_an_instance_ec2_does_not_know_is_not_live(code: str) -> None:
    ec2 = FakeEc2(error=aws_error(code, "DescribeInstances"))
    assert _live_instance(ec2, INSTANCE) is None


def test_other_errors_looking_up_a_live_instance_are_raised() -> None:
    error = RuntimeError("InvalidInstanceID in the text only")
    with pytest.raises(RuntimeError) as raised:
        _live_instance(FakeEc2(error=error), INSTANCE)
    assert raised.value is error


def test_the_token_setting_is_looked_up_by_instance() -> None:
    ec2 = FakeEc2(reservations=[reservation("running")])
    _http_tokens(ec2, INSTANCE)
    assert ec2.calls == [("describe_instances", {"InstanceIds": [INSTANCE]})]


def test_the_token_setting_is_the_live_instances() -> None:
    assert _http_tokens(FakeEc2(reservations=[reservation("running", "optional")]), INSTANCE) == (
        "optional"
    )


def test_an_ended_instance_has_no_token_setting() -> None:
    assert _http_tokens(FakeEc2(reservations=[reservation("terminated")]), INSTANCE) is None


def test_an_instance_without_metadata_options_has_no_token_setting() -> None:
    assert _http_tokens(FakeEc2(reservations=[reservation("running", None)]), INSTANCE) is None


# --- diff ---------------------------------------------------------------------------------------

INPUTS: dict[str, Any] = {
    "instance_id": INSTANCE,
    "instance_profile_name": "first",
    "replace_existing": False,
    "require_imdsv2": True,
    "restore_metadata_options": False,
    "region": "eu-west-1",
    "profile": "ops",
    "assume_role_arn": ROLE,
    "assume_role_external_id": "shared",
}
CHANGED: dict[str, Any] = {
    "instance_id": "i-0fedcba9876543210",
    "instance_profile_name": "second",
    "replace_existing": True,
    "require_imdsv2": False,
    "restore_metadata_options": True,
    "region": "eu-west-2",
    "profile": "other",
    "assume_role_arn": SECOND,
    "assume_role_external_id": "other-secret",
}
NO_CHANGE = {"changes": False, "replaces": [], "stables": None, "delete_before_replace": True}
UPDATE = {"changes": True, "replaces": [], "stables": None, "delete_before_replace": True}


def diff(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    result = _ProfileAttachmentProvider().diff("iip-assoc-00000000000000001", olds, news)
    return {
        "changes": result.changes,
        "replaces": result.replaces,
        "stables": result.stables,
        "delete_before_replace": result.delete_before_replace,
    }


def test_the_same_inputs_are_no_change() -> None:
    assert diff(INPUTS, INPUTS) == NO_CHANGE


def test_the_outputs_in_the_old_state_are_no_change() -> None:
    olds = {
        **INPUTS,
        "association_id": "iip-assoc-00000000000000001",
        "previous_http_tokens": "optional",
        "previous_http_endpoint": "enabled",
        "http_tokens": "required",
        "resolved_region": "eu-west-1",
    }
    assert diff(olds, INPUTS) == NO_CHANGE


@pytest.mark.parametrize(
    "key",
    [
        "instance_profile_name",
        "replace_existing",
        "require_imdsv2",
        "restore_metadata_options",
        "profile",
        "assume_role_arn",
        "assume_role_external_id",
    ],
)
def test_a_changed_input_is_an_update_in_place(key: str) -> None:
    assert diff(INPUTS, {**INPUTS, key: CHANGED[key]}) == UPDATE


@pytest.mark.parametrize("key", ["instance_id", "region"])
def test_another_instance_or_region_is_a_replacement_deleted_first(key: str) -> None:
    assert diff(INPUTS, {**INPUTS, key: CHANGED[key]}) == {**UPDATE, "replaces": [key]}


def test_another_instance_and_region_replace_by_both() -> None:
    news = {**INPUTS, "instance_id": CHANGED["instance_id"], "region": CHANGED["region"]}
    assert diff(INPUTS, news) == {**UPDATE, "replaces": ["instance_id", "region"]}


def test_a_newly_given_input_is_a_change() -> None:
    olds = {k: v for k, v in INPUTS.items() if k != "profile"}
    assert diff(olds, INPUTS) == UPDATE


def test_imdsv1_switched_back_on_is_an_update_when_tokens_are_required() -> None:
    assert diff({**INPUTS, "http_tokens": "optional"}, INPUTS) == UPDATE


@pytest.mark.parametrize(
    ("require_imdsv2", "http_tokens"),
    [
        pytest.param(True, "required", id="tokens-still-required"),
        pytest.param(True, None, id="tokens-never-seen"),
        pytest.param(False, "optional", id="tokens-not-asked-for"),
    ],
)
def test_the_token_setting_is_no_change(require_imdsv2: bool, http_tokens: str | None) -> None:
    inputs = {**INPUTS, "require_imdsv2": require_imdsv2}
    olds = inputs if http_tokens is None else {**inputs, "http_tokens": http_tokens}
    assert diff(olds, inputs) == NO_CHANGE


def test_state_pickled_from_another_path_is_rewritten_by_an_update() -> None:
    olds = {**INPUTS, "__provider": {"value": OTHER_PICKLE}}
    assert diff(olds, {**INPUTS, "__provider": {"value": STABLE_PICKLE}}) == UPDATE


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(None, STABLE_PICKLE, id="old-path-unknown"),
        pytest.param(OTHER_PICKLE, OTHER_PICKLE, id="new-path-not-stable"),
        pytest.param(OTHER_PICKLE, None, id="new-path-unknown"),
        pytest.param(STABLE_PICKLE, STABLE_PICKLE, id="both-stable"),
    ],
)
def test_the_serialized_provider_is_otherwise_no_change(old: str | None, new: str | None) -> None:
    olds = {**INPUTS, "__provider": old}
    assert diff(olds, {**INPUTS, "__provider": new}) == NO_CHANGE
