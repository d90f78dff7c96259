"""ProfileAttachment: attaches an instance profile to an EC2 instance this program does not manage.

The Terraform AWS provider has no resource for this (terraform-provider-aws #563 and #27219 were
closed unresolved), so pulumi-aws has none either. This is a Pulumi dynamic provider using
boto3, the calls the AWS guide makes by hand: AssociateIamInstanceProfile, or
ReplaceIamInstanceProfileAssociation when the caller allows replacing another profile (on a
stopped instance, which that call is not for, DisassociateIamInstanceProfile and then
AssociateIamInstanceProfile, as terraform-provider-aws does); it waits
until the association is `associated`, disassociates on delete, and can require IMDSv2 on the
instance (ModifyInstanceMetadataOptions) and restore the previous setting on delete.

What a real engine does with it, and what this relies on:

- **Credentials.** A dynamic resource's calls are made by the ``pulumi-python`` provider, which
  never sees an ``aws.Provider``: given as ``provider=`` (or inherited from a parent's
  ``providers``) it is dropped without a word (pulumi 3.272 ``resource.py`` ``_get_providers``
  keeps only a provider of the resource's own package). So such an option is refused here.
  The engine sends the dynamic provider the whole stack configuration, namespaces kept, object
  values as JSON text and secrets decrypted (pulumi ``pkg/resource/deploy/target.go``: "For
  dynamic providers, we always pass the full configuration"); :meth:`configure` builds the
  boto3 session from the same ``aws:`` settings the AWS provider reads (pulumi-aws 7
  ``config/vars.py``): region, profile, shared files, static keys, ``assumeRoles`` (a chain,
  in order) or the older ``assumeRole``, ``assumeRoleWithWebIdentity``, allowed and forbidden
  account IDs, the EC2 and STS endpoints, STS's region, retries, proxies, a CA bundle,
  ``insecure``, FIPS and dual-stack endpoints, and the metadata endpoint. The resource's own
  ``region``, ``profile`` and ``assume_role_arn`` inputs win over the stack's.
- **IAM propagation.** A profile created in the same `up` may not be visible to EC2 yet:
  AssociateIamInstanceProfile and ReplaceIamInstanceProfileAssociation are retried on "Invalid
  IAM Instance Profile" for up to two minutes with backoff, as terraform-provider-aws does for
  ``aws_instance`` (``associateInstanceProfile``, ``iamPropagationTimeout = 2 * time.Minute``).
- **Drift.** ``read`` reports the attachment gone when the instance no longer has a live
  association with the profile (a manual disassociation, another profile put in its place, a
  terminated instance). It reports the instance's ``HttpTokens``, so a refresh shows IMDSv1
  switched back on and the next `up` requires tokens again. ``delete`` of an association
  already gone succeeds. While waiting for a new association, EC2's answer to an ID it does
  not know yet (an empty list, ``InvalidAssociationID.NotFound``, or
  ``InvalidParameterValue``) means "not yet".
- **Import** is refused: ``create`` adopts an instance's existing association with the same
  profile, which is what importing it would do.
- **State.** Pulumi pickles the provider into the state (with dill) by reference to its class,
  so the state names the module this class is imported from, and a later `up`, refresh or
  destroy imports it again. The stack program and pip consumers both import it as
  ``ec2_instance_role.profile_attachment``, the installed distribution's path (requirements.txt
  installs it), never ``components.profile_attachment``: renaming the repository's folder
  cannot strand a stack. Never move this class or rename it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import pulumi
from pulumi.dynamic import (
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)
from pulumi.dynamic.dynamic import PROVIDER_KEY

from . import validation as v

ASSOCIATED_TIMEOUT_SECONDS = 120
#: terraform-provider-aws iamPropagationTimeout, for AssociateIamInstanceProfile's retry.
IAM_PROPAGATION_TIMEOUT_SECONDS = 120
#: The path the state names (see the module docstring).
STABLE_MODULE = "ec2_instance_role.profile_attachment"

#: The AWS provider's assumeRoles entry fields (pulumi-aws 7 ``config/outputs.py``
#: AssumeRoles; ``aws:assumeRole``, one such object, in pulumi-aws 6) and STS's names for them.
_ASSUME_ROLE_FIELDS = {
    "roleArn": "RoleArn",
    "sessionName": "RoleSessionName",
    "externalId": "ExternalId",
    "policy": "Policy",
    "sourceIdentity": "SourceIdentity",
}
SESSION_NAME = "ec2-instance-role-profile-attachment"
#: What Go's net.SplitHostPort accepts: the last colon ends the host, which holds no other
#: colon unless bracketed; no bracket anywhere else.
_HOST_PORT = re.compile(r"(?:\[(?P<bracketed>[^\[\]]*)\]|(?P<host>[^\[\]:]*)):(?P<port>[^\[\]:]*)")


class AttachmentError(Exception):
    """The attachment cannot be made as asked; the message names the instance and the fix."""


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    return str((response or {}).get("Error", {}).get("Code", ""))


def _settings_from_config(config: Any) -> dict[str, Any]:
    """The AWS provider's stack settings (pulumi-aws 7 ``config/vars.py``), from the dynamic
    provider's config: strings, objects and lists as JSON text, secrets decrypted."""

    def loaded(key: str) -> Any:
        value = config.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            return json.loads(value)
        return value or None

    def flag(key: str) -> bool:
        return str(config.get(key)).lower() == "true"

    def listed(key: str) -> list[str]:
        value = loaded(key)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    roles = list(loaded("aws:assumeRoles") or [])
    if legacy := loaded("aws:assumeRole"):
        if roles:
            raise AttachmentError("Set aws:assumeRoles or aws:assumeRole, not both.")
        roles = [legacy]
    endpoints: dict[str, str] = {}
    for entry in loaded("aws:endpoints") or []:
        # Only EC2's and STS's matter here: no other service is called.
        endpoints.update({k: str(v) for k, v in entry.items() if k in ("ec2", "sts") and v})
    http_proxy, https_proxy = config.get("aws:httpProxy"), config.get("aws:httpsProxy")
    proxies = {}
    if http_proxy:
        proxies["http"] = str(http_proxy)
    if https_proxy or http_proxy:
        # The provider's legacy proxy mode (terraform-provider-aws HTTPProxyModeLegacy) uses
        # httpProxy for HTTPS too when httpsProxy is not set; every call here is HTTPS.
        proxies["https"] = str(https_proxy or http_proxy)
    return {
        "region": config.get("aws:region"),
        "profile": config.get("aws:profile"),
        "access_key": config.get("aws:accessKey"),
        "secret_key": config.get("aws:secretKey"),
        "token": config.get("aws:token"),
        "shared_credentials_files": listed("aws:sharedCredentialsFiles"),
        "shared_config_files": listed("aws:sharedConfigFiles"),
        "assume_roles": [r for r in roles if r and r.get("roleArn")],
        "web_identity": loaded("aws:assumeRoleWithWebIdentity"),
        "allowed_account_ids": listed("aws:allowedAccountIds"),
        "forbidden_account_ids": listed("aws:forbiddenAccountIds"),
        "endpoints": endpoints,
        "sts_region": config.get("aws:stsRegion"),
        "max_retries": config.get("aws:maxRetries"),
        "retry_mode": config.get("aws:retryMode"),
        "ca_bundle": config.get("aws:customCaBundle"),
        "insecure": flag("aws:insecure"),
        "proxies": proxies,
        "no_proxy": str(config.get("aws:noProxy") or ""),
        "use_fips_endpoint": flag("aws:useFipsEndpoint"),
        "use_dualstack_endpoint": flag("aws:useDualstackEndpoint"),
        "metadata_endpoint": config.get("aws:ec2MetadataServiceEndpoint"),
        "metadata_endpoint_mode": config.get("aws:ec2MetadataServiceEndpointMode"),
    }


#: botocore session variables set from the settings, on every session (each role hop too).
_SESSION_VARIABLES = (
    ("credentials_file", "shared_credentials_files"),
    ("config_file", "shared_config_files"),
    ("ca_bundle", "ca_bundle"),
    ("use_fips_endpoint", "use_fips_endpoint"),
    ("use_dualstack_endpoint", "use_dualstack_endpoint"),
    ("ec2_metadata_service_endpoint", "metadata_endpoint"),
    ("ec2_metadata_service_endpoint_mode", "metadata_endpoint_mode"),
)


def _core_session(settings: Mapping[str, Any]) -> Any:
    import botocore.session

    core = botocore.session.Session()
    for variable, key in _SESSION_VARIABLES:
        value = settings.get(key)
        if value:
            # botocore reads one shared file of each kind: the first, as the provider's own
            # default order puts the user's files first.
            if isinstance(value, list):
                value = os.path.expanduser(value[0])
            core.set_config_variable(variable, value)
    return core


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _host_and_port(entry: str) -> tuple[str, str]:
    """A noProxy entry's host and port as Go's net.SplitHostPort splits ``host:port`` or
    ``[host]:port``; anything else (a bare host, an IPv6 address) is all host, as
    golang.org/x/net/http/httpproxy takes an entry SplitHostPort refuses."""
    match = _HOST_PORT.fullmatch(entry)
    if match is None:
        return entry, ""
    host = match["host"] if match["bracketed"] is None else match["bracketed"]
    return host, match["port"]


def _bypasses_proxy(host: str, port: str, no_proxy: str) -> bool:
    """Whether a request to ``host`` on ``port`` goes around the proxy, as the AWS provider's
    Go reads its noProxy setting (golang.org/x/net/http/httpproxy ``config.useProxy``, through
    aws-sdk-go-base): never through a proxy to localhost or a loopback address; ``*`` for
    every host; an IP range (``10.0.0.0/8``) or an address for IP hosts only; a name for it
    and its subdomains, ``.name`` or ``*.name`` for its subdomains only; an entry's port, when
    it has one, must be the request's."""
    ip = _ip(host)
    if host == "localhost" or (ip is not None and ip.is_loopback):
        return True
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if entry == "*":
            return True
        try:
            # A range, or an address as a range of one: either matches on any port, as Go's
            # CIDR and port-less address matchers do.
            network = ipaddress.ip_interface(entry).network  # host bits allowed, as in Go
        except ValueError:
            network = None
        if network is not None:
            if ip is not None and ip in network:
                return True
            continue
        name, entry_port = _host_and_port(entry)
        if entry_port not in ("", port):
            continue
        if (entry_ip := _ip(name)) is not None:
            if ip == entry_ip:
                return True
            continue
        if not name or ip is not None:
            continue  # an empty entry; names never match an IP host
        if name.startswith("*."):
            name = name[1:]
        if host.endswith(name if name.startswith(".") else "." + name) or host == name:
            return True
    return False


class _Connection:
    """The AWS session and clients for one call: the resource's own settings over the stack's,
    as the AWS provider would connect (see the module docstring)."""

    def __init__(self, settings: Mapping[str, Any], props: dict[str, Any]) -> None:
        import boto3
        from botocore.config import Config as ClientConfig

        self.settings = settings
        retries: dict[str, Any] = {}
        if str(settings.get("max_retries") or "0") != "0":
            # aws-sdk-go-base passes maxRetries as the number of attempts.
            retries["total_max_attempts"] = int(settings["max_retries"])
        if settings.get("retry_mode"):
            retries["mode"] = str(settings["retry_mode"])
        self._config = ClientConfig(retries=retries or None)
        self._verify = False if settings.get("insecure") else None
        profile = props.get("profile") or settings.get("profile")
        # Static keys win over the stack's profile, as in the AWS provider; a profile given to
        # the resource itself wins over both.
        static = bool(settings.get("access_key")) and not props.get("profile")
        session = boto3.Session(
            aws_access_key_id=settings.get("access_key") if static else None,
            aws_secret_access_key=settings.get("secret_key") if static else None,
            aws_session_token=(settings.get("token") or None) if static else None,
            profile_name=None if static else (profile or None),
            region_name=props.get("region") or settings.get("region") or None,
            botocore_session=_core_session(settings),
        )
        # botocore reads AWS_DEFAULT_REGION only; the AWS provider also AWS_REGION.
        region = (
            props.get("region")
            or settings.get("region")
            or os.environ.get("AWS_REGION")
            or session.region_name
        )
        if not region:
            # botocore would refuse the first client with "You must specify a region".
            raise AttachmentError(
                "No AWS region to attach the profile in: set the stack's aws:region (or the "
                "resource's region, or AWS_REGION). Nothing was changed."
            )
        self.region: str = region
        self.session = session
        if web := settings.get("web_identity"):
            self._assume_with_web_identity(web)
        roles = list(settings.get("assume_roles") or [])
        if props.get("assume_role_arn"):
            role = {"roleArn": props["assume_role_arn"]}
            if props.get("assume_role_external_id"):
                role["externalId"] = props["assume_role_external_id"]
            roles = [role]
        # A chain, in order, each assumed with the previous one's credentials, as the provider.
        for role in roles:
            self._switch_to(self.client("sts").assume_role(**_role_request(role))["Credentials"])
        self._check_account()

    def client(self, service: str, **config: Any) -> Any:
        """A client of ``service`` with the stack's endpoint, proxies, retries and TLS."""
        from botocore.config import Config as ClientConfig

        endpoint = (self.settings.get("endpoints") or {}).get(service)
        region = (self.settings.get("sts_region") or self.region) if service == "sts" else None
        merged = self._config.merge(ClientConfig(**config))
        proxies = self.settings.get("proxies") or None
        client = self.session.client(
            service,
            region_name=region or self.region,
            endpoint_url=endpoint,
            config=merged.merge(ClientConfig(proxies=proxies)),
            verify=self._verify,
        )
        # A client's endpoint always has a host, which urlsplit gives lower-cased.
        url = urlsplit(client.meta.endpoint_url)
        port = url.port or (443 if url.scheme == "https" else 80)
        if proxies and _bypasses_proxy(str(url.hostname), str(port), self.settings["no_proxy"]):
            # No proxy for this host: {}, as None would let botocore read the environment's.
            client = self.session.client(
                service,
                region_name=region or self.region,
                endpoint_url=endpoint,
                config=merged.merge(ClientConfig(proxies={})),
                verify=self._verify,
            )
        return client

    def _switch_to(self, credentials: dict[str, Any]) -> None:
        import boto3

        self.session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.region,
            botocore_session=_core_session(self.settings),
        )

    def _assume_with_web_identity(self, web: dict[str, Any]) -> None:
        from botocore import UNSIGNED

        request = _role_request(web)
        request.pop("ExternalId", None)
        request.pop("SourceIdentity", None)
        token = web.get("webIdentityToken")
        if not token and web.get("webIdentityTokenFile"):
            with open(os.path.expanduser(web["webIdentityTokenFile"])) as file:
                token = file.read().strip()
        sts = self.client("sts", signature_version=UNSIGNED)
        self._switch_to(
            sts.assume_role_with_web_identity(WebIdentityToken=token, **request)["Credentials"]
        )

    def _check_account(self) -> None:
        allowed = self.settings.get("allowed_account_ids") or []
        forbidden = self.settings.get("forbidden_account_ids") or []
        if not allowed and not forbidden:
            return
        account = self.client("sts").get_caller_identity()["Account"]
        if (allowed and account not in allowed) or account in forbidden:
            raise AttachmentError(
                f"The credentials are for account {account}, which the stack's "
                "aws:allowedAccountIds / aws:forbiddenAccountIds rule out. Nothing was changed."
            )


def _role_request(role: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {
        api: role[field] for field, api in _ASSUME_ROLE_FIELDS.items() if role.get(field)
    }
    request.setdefault("RoleSessionName", SESSION_NAME)
    if role.get("duration"):
        request["DurationSeconds"] = _seconds(str(role["duration"]))
    if role.get("policyArns"):
        request["PolicyArns"] = [{"arn": arn} for arn in role["policyArns"]]
    if role.get("tags"):
        request["Tags"] = [{"Key": k, "Value": val} for k, val in role["tags"].items()]
    if role.get("transitiveTagKeys"):
        request["TransitiveTagKeys"] = list(role["transitiveTagKeys"])
    return request


_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)")
_GO_UNITS = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def _seconds(duration: str) -> int:
    """A Go duration as the AWS provider takes it ("1h", "15m", "1.5h") in whole seconds."""
    parts = _GO_DURATION.findall(duration)
    if not duration or "".join(n + u for n, u in parts) != duration:
        raise AttachmentError(
            f"assume role duration {duration!r} is not a duration like '1h', '15m' or '900s'."
        )
    return int(sum(float(n) * _GO_UNITS[u] for n, u in parts))


def _live_associations(ec2: Any, instance_id: str) -> list[dict[str, Any]]:
    """The instance's live (associating or associated) associations, from every page: one,
    or two for a moment while a replacement makes a new one and ends the old."""
    pages = ec2.get_paginator("describe_iam_instance_profile_associations").paginate(
        Filters=[{"Name": "instance-id", "Values": [instance_id]}]
    )
    return [
        association
        for page in pages
        for association in page["IamInstanceProfileAssociations"]
        if association["State"] in ("associating", "associated")
    ]


def _current_association(ec2: Any, instance_id: str) -> dict[str, Any] | None:
    live = _live_associations(ec2, instance_id)
    return live[0] if live else None


def _association(ec2: Any, association_id: str) -> dict[str, Any] | None:
    """The association if it is live, else ``None`` (gone, or not listed yet: see the module
    docstring)."""
    try:
        found = ec2.describe_iam_instance_profile_associations(AssociationIds=[association_id])
    except Exception as error:
        if _error_code(error) in ("InvalidAssociationID.NotFound", "InvalidParameterValue"):
            return None
        raise
    live = [
        a
        for a in found["IamInstanceProfileAssociations"]
        if a["State"] in ("associating", "associated")
    ]
    return live[0] if live else None


def _instance(ec2: Any, instance_id: str, region: str) -> dict[str, Any]:
    try:
        reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    except Exception as error:
        # A botocore ClientError's text holds its code: "An error occurred (InvalidInstanceID..."
        if "InvalidInstanceID" in str(error):
            raise AttachmentError(
                f"Instance {instance_id} does not exist in region {region}. "
                "Check existingInstanceIds and the stack's aws:region."
            ) from None
        raise
    return reservations[0]["Instances"][0]


def _live_instance(ec2: Any, instance_id: str) -> dict[str, Any] | None:
    """The instance unless it is gone: EC2 lists a terminated instance for about an hour, and
    its metadata options can no longer be changed then."""
    try:
        reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    except Exception as error:
        if "InvalidInstanceID" in _error_code(error):
            return None
        raise
    if not reservations:
        return None
    instance = reservations[0]["Instances"][0]
    if instance.get("State", {}).get("Name") in ("shutting-down", "terminated"):
        return None
    return instance


def _http_tokens(ec2: Any, instance_id: str) -> str | None:
    instance = _live_instance(ec2, instance_id)
    return None if instance is None else instance.get("MetadataOptions", {}).get("HttpTokens")


def _pickled_module(serialized: Any) -> bool | None:
    """Whether a serialized provider names :data:`STABLE_MODULE`; ``None`` when unknown."""
    import base64

    if isinstance(serialized, dict):  # a secret, as the SDK serializes it by default
        serialized = serialized.get("value")
    if not isinstance(serialized, str) or not serialized:
        return None
    try:
        return STABLE_MODULE.encode() in base64.b64decode(serialized)
    except ValueError:
        return None


def _with_propagation_retry(
    call: Callable[[], Any],
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Any:
    """``call()``, retried while EC2 does not yet see a new instance profile."""
    deadline = clock() + IAM_PROPAGATION_TIMEOUT_SECONDS
    delay = 1.0
    while True:
        try:
            return call()
        except Exception as error:
            propagating = _error_code(error) == "InvalidParameterValue" and (
                "Invalid IAM Instance Profile" in str(error)
            )
            if not propagating or clock() + delay > deadline:
                raise
            sleep(delay)
            delay = min(delay * 2, 16.0)


def _profile_name(association: dict[str, Any]) -> str:
    return str(association["IamInstanceProfile"]["Arn"]).rpartition("/")[2]


class _ProfileAttachmentProvider(ResourceProvider):
    """The dynamic provider (see the module docstring). Its module path and name are in every
    stack's state."""

    #: Injected by tests; ``time.sleep`` and ``time.monotonic`` otherwise.
    sleep: Callable[[float], None] = staticmethod(time.sleep)
    clock: Callable[[], float] = staticmethod(time.monotonic)

    #: The stack's ``aws:`` settings, which :meth:`configure` sets; none before (also in a
    #: provider unpickled from the state of a version that kept them per instance).
    _settings: Mapping[str, Any] = {}

    def configure(self, req: ConfigureRequest) -> None:
        self._settings = _settings_from_config(req.config)

    def _ec2(self, props: dict[str, Any]) -> tuple[Any, str]:
        connection = _Connection(self._settings, props)
        return connection.client("ec2"), connection.region

    def create(self, props: dict[str, Any]) -> CreateResult:
        ec2, region = self._ec2(props)
        instance_id, profile = props["instance_id"], props["instance_profile_name"]
        instance = _instance(ec2, instance_id, region)
        current = _current_association(ec2, instance_id)
        if current is not None and _profile_name(current) == profile:
            association_id = current["AssociationId"]
        elif current is not None:
            if not props.get("replace_existing"):
                raise AttachmentError(
                    f"Instance {instance_id} already has instance profile "
                    f"{_profile_name(current)!r}; nothing was changed. Set replace_existing=True "
                    "to replace it with this one."
                )
            association_id = self._replace(ec2, instance, current["AssociationId"], profile)
        else:
            association_id = self._associate(ec2, instance_id, profile)
        self._wait_associated(ec2, association_id)
        previous_tokens = instance.get("MetadataOptions", {}).get("HttpTokens", "")
        previous_endpoint = instance.get("MetadataOptions", {}).get("HttpEndpoint", "")
        if props.get("require_imdsv2"):
            ec2.modify_instance_metadata_options(
                InstanceId=instance_id, HttpTokens="required", HttpEndpoint="enabled"
            )
        outs = {
            **props,
            "association_id": association_id,
            "previous_http_tokens": previous_tokens,
            "previous_http_endpoint": previous_endpoint,
            "http_tokens": "required" if props.get("require_imdsv2") else previous_tokens,
            "resolved_region": region,
        }
        return CreateResult(id_=association_id, outs=outs)

    def _associate(self, ec2: Any, instance_id: str, profile: str) -> str:
        return self._new_association(
            lambda: ec2.associate_iam_instance_profile(
                InstanceId=instance_id, IamInstanceProfile={"Name": profile}
            )
        )

    def _replace(
        self, ec2: Any, instance: dict[str, Any], association_id: str, profile: str
    ) -> str:
        """A new association of ``profile`` in place of ``association_id``: one
        ReplaceIamInstanceProfileAssociation call on a running instance; on one stopped,
        stopping or shutting down, which that call is not for ("for the specified running
        instance", EC2 API reference), the old association removed and the new one made, as
        terraform-provider-aws does for aws_instance (ec2_instance.go resourceInstanceUpdate,
        GH-8262)."""
        if instance["State"]["Name"] in ("stopped", "stopping", "shutting-down"):
            ec2.disassociate_iam_instance_profile(AssociationId=association_id)
            return self._associate(ec2, instance["InstanceId"], profile)
        return self._new_association(
            lambda: ec2.replace_iam_instance_profile_association(
                AssociationId=association_id, IamInstanceProfile={"Name": profile}
            )
        )

    def _new_association(self, call: Callable[[], Any]) -> str:
        """The ID of the association ``call`` makes, retried while the profile propagates."""
        answer = _with_propagation_retry(call, sleep=self.sleep, clock=self.clock)
        return answer["IamInstanceProfileAssociation"]["AssociationId"]

    def _wait_associated(self, ec2: Any, association_id: str) -> None:
        deadline = self.clock() + ASSOCIATED_TIMEOUT_SECONDS
        while self.clock() < deadline:
            found = _association(ec2, association_id)
            if found is not None and found["State"] == "associated":
                return
            self.sleep(2)
        raise AttachmentError(f"Association {association_id} did not reach 'associated' in time.")

    def _attached(self, ec2: Any, props: dict[str, Any]) -> dict[str, Any] | None:
        """The instance's live association with this profile: the one this resource made, or
        one made by hand since with the same profile. An instance has one live association
        ("You cannot associate more than one IAM instance profile with an instance",
        AssociateIamInstanceProfile), or two while a replacement is under way; a replacement
        makes a new association under a new ID, so the association recorded in
        ``association_id`` is gone once another profile took its place."""
        for association in _live_associations(ec2, props["instance_id"]):
            if _profile_name(association) == props.get("instance_profile_name"):
                return association
        return None

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if not props.get("instance_id"):
            raise AttachmentError(
                f"ProfileAttachment {id_!r} cannot be imported. Declare it in the program "
                "instead: its create adopts the instance's existing association with the same "
                "profile, which is what an import would do."
            )
        ec2, region = self._ec2(props)
        live = self._attached(ec2, props)
        if live is None:
            # Disassociated by hand or the instance is gone: report it gone, so `pulumi
            # refresh` shows the drift and the next `pulumi up` attaches the profile again.
            return ReadResult(id_="", outs={})
        outs = {
            **props,
            "association_id": live["AssociationId"],
            "http_tokens": _http_tokens(ec2, props["instance_id"]) or "",
            "resolved_region": region,
        }
        return ReadResult(id_=id_, outs=outs)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = (
            "instance_id",
            "instance_profile_name",
            "replace_existing",
            "require_imdsv2",
            "restore_metadata_options",
            "region",
            "profile",
            "assume_role_arn",
            "assume_role_external_id",
        )
        changed = [k for k in keys if olds.get(k) != news.get(k)]
        # A refresh that saw IMDSv1 switched back on: the update requires tokens again.
        tokens_off = bool(news.get("require_imdsv2")) and olds.get("http_tokens") not in (
            None,
            "required",
        )
        # State written by a version that imported this class from another path: an update
        # (no AWS call) rewrites the serialized provider, which refresh and destroy read.
        repickle = _pickled_module(olds.get(PROVIDER_KEY)) is False and bool(
            _pickled_module(news.get(PROVIDER_KEY))
        )
        replaces = [k for k in ("instance_id", "region") if k in changed]
        return DiffResult(
            changes=bool(changed) or tokens_off or repickle,
            replaces=replaces,
            delete_before_replace=True,
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        ec2, region = self._ec2(news)
        association_id = olds.get("association_id") or id_
        if olds.get("instance_profile_name") != news["instance_profile_name"]:
            live = self._attached(ec2, olds)
            if live is None:
                raise AttachmentError(
                    f"Instance {news['instance_id']} no longer has the association this "
                    "attachment made; nothing was changed. Run `pulumi refresh`, then `pulumi "
                    "up` attaches the profile again."
                )
            instance = _instance(ec2, news["instance_id"], region)
            association_id = self._replace(
                ec2, instance, live["AssociationId"], news["instance_profile_name"]
            )
            self._wait_associated(ec2, association_id)
        tokens = olds.get("http_tokens")
        if news.get("require_imdsv2") and (
            not olds.get("require_imdsv2") or tokens not in (None, "required")
        ):
            ec2.modify_instance_metadata_options(
                InstanceId=news["instance_id"], HttpTokens="required", HttpEndpoint="enabled"
            )
            tokens = "required"
        outs = {
            **news,
            "association_id": association_id,
            "previous_http_tokens": olds.get("previous_http_tokens", ""),
            "previous_http_endpoint": olds.get("previous_http_endpoint", ""),
            "http_tokens": tokens or "",
            "resolved_region": region,
        }
        return UpdateResult(outs=outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # The region the attachment was made in, even if the stack's has changed since: the
        # create's (``resolved_region``: its input, else the stack's then); a state written
        # before that was recorded has the input only.
        ec2, _ = self._ec2({**props, "region": props.get("resolved_region") or props.get("region")})
        live = self._attached(ec2, props)
        if live is not None:
            try:
                ec2.disassociate_iam_instance_profile(AssociationId=live["AssociationId"])
            except Exception as error:
                if _error_code(error) != "InvalidAssociationID.NotFound":
                    raise
        previous = props.get("previous_http_tokens")
        restore = props.get("require_imdsv2") and props.get("restore_metadata_options")
        if not (restore and previous):
            return
        if _live_instance(ec2, props["instance_id"]) is None:
            return  # terminated or terminating: nothing to restore
        options: dict[str, Any] = {"InstanceId": props["instance_id"], "HttpTokens": previous}
        if props.get("previous_http_endpoint"):
            options["HttpEndpoint"] = props["previous_http_endpoint"]
        try:
            ec2.modify_instance_metadata_options(**options)
        except Exception as error:
            if _error_code(error) != "IncorrectInstanceState":
                raise


class ProfileAttachment(Resource):
    """Attaches an instance profile to an existing EC2 instance (see the module docstring)."""

    association_id: pulumi.Output[str]
    """ID of the instance profile association."""

    http_tokens: pulumi.Output[str]
    """The instance's metadata token setting as last seen (`required` once attached)."""

    def __init__(
        self,
        name: str,
        *,
        instance_id: pulumi.Input[str],
        instance_profile_name: pulumi.Input[str],
        replace_existing: bool = False,
        require_imdsv2: bool = True,
        restore_metadata_options: bool = False,
        region: pulumi.Input[str] | None = None,
        profile: str | None = None,
        assume_role_arn: pulumi.Input[str] | None = None,
        assume_role_external_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        _check_options(name, opts)
        if isinstance(instance_id, str) and not v.is_resource_id(instance_id, "i"):
            raise v.InputError(
                f"ProfileAttachment {name!r}: instance_id {instance_id!r} is not an instance ID "
                "(for example 'i-0123456789abcdef0')."
            )
        if isinstance(instance_profile_name, str):
            v.check_iam_name(
                instance_profile_name,
                input_name="instance_profile_name",
                max_length=v.INSTANCE_PROFILE_NAME_MAX,
            )
        for flag, value in (
            ("replace_existing", replace_existing),
            ("require_imdsv2", require_imdsv2),
            ("restore_metadata_options", restore_metadata_options),
        ):
            v.check_bool(value, input_name=flag)
        super().__init__(
            _ProfileAttachmentProvider(),
            name,
            {
                "instance_id": instance_id,
                "instance_profile_name": instance_profile_name,
                "replace_existing": replace_existing,
                "require_imdsv2": require_imdsv2,
                "restore_metadata_options": restore_metadata_options,
                "region": region,
                "profile": profile,
                "assume_role_arn": assume_role_arn,
                # A secret in the state: an external ID is the role owner's shared secret.
                "assume_role_external_id": (
                    None
                    if assume_role_external_id is None
                    else pulumi.Output.secret(assume_role_external_id)
                ),
                # The outputs the resource exposes as attributes. What else the provider
                # returns (the metadata options to restore, the region it resolved) stays in the
                # state, which the engine hands back to it whatever is declared here.
                "association_id": None,
                "http_tokens": None,
            },
            opts,
        )


def _check_options(name: str, opts: pulumi.ResourceOptions | None) -> None:
    """Refuses what the pulumi-python provider would drop silently (see the module
    docstring)."""
    if opts is None:
        return
    fix = (
        "Give ProfileAttachment region=, profile= or assume_role_arn= instead, or set the "
        "stack's aws: configuration, which it reads."
    )
    given = opts.providers.values() if isinstance(opts.providers, Mapping) else opts.providers or []
    if opts.provider is not None or any(p.package == "aws" for p in given):
        raise v.InputError(
            f"ProfileAttachment {name!r} got a provider option, which a dynamic resource "
            f"cannot use: its AWS calls are made by Pulumi's Python dynamic provider. {fix}"
        )
    parent = opts.parent
    # get_provider keys by the package of the type token it is given: any aws one will do.
    if parent is not None and parent.get_provider("aws::") is not None:
        raise v.InputError(
            f"ProfileAttachment {name!r} has a parent with an explicit aws provider, which a "
            f"dynamic resource cannot use. {fix}"
        )
    if opts.import_:
        raise v.InputError(
            f"ProfileAttachment {name!r} cannot be imported (import_={opts.import_!r}). Drop "
            "import_: its create adopts the instance's existing association with the same "
            "profile, which is what an import would do."
        )
