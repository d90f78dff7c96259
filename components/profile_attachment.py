"""ProfileAttachment: attaches an instance profile to an EC2 instance this program does not manage.

The Terraform AWS provider has no resource for this (terraform-provider-aws #563 and #27219 were
closed unresolved), so pulumi-aws has none either. This is a Pulumi dynamic provider using
boto3, the calls the AWS guide makes by hand: AssociateIamInstanceProfile, or
ReplaceIamInstanceProfileAssociation when the caller allows replacing another profile; it waits
until the association is `associated`, disassociates on delete, and can require IMDSv2 on the
instance (ModifyInstanceMetadataOptions) and restore the previous setting on delete.

Pulumi pickles a dynamic provider into the state (with dill), so the provider holds no client:
each method builds its boto3 client from the resource's own inputs and the usual AWS credential
chain of the machine that runs `pulumi up`.
"""

from __future__ import annotations

import time
from typing import Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

ASSOCIATED_TIMEOUT_SECONDS = 120


class AttachmentError(Exception):
    """The attachment cannot be made as asked; the message names the instance and the fix."""


def _ec2(props: dict[str, Any]) -> Any:
    import boto3

    return boto3.client("ec2", region_name=props.get("region") or None)


def _current_association(ec2: Any, instance_id: str) -> dict[str, Any] | None:
    found = ec2.describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [instance_id]}]
    )["IamInstanceProfileAssociations"]
    live = [a for a in found if a["State"] in ("associating", "associated")]
    return live[0] if live else None


def _check_instance_exists(ec2: Any, instance_id: str, region: str | None) -> dict[str, Any]:
    try:
        reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    except Exception as error:
        if "InvalidInstanceID" in str(error):
            raise AttachmentError(
                f"Instance {instance_id} does not exist in region {region or 'of the provider'}. "
                "Check existingInstanceIds and the stack's aws:region."
            ) from None
        raise
    return reservations[0]["Instances"][0]


def _wait_associated(ec2: Any, association_id: str) -> None:
    deadline = time.monotonic() + ASSOCIATED_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        found = ec2.describe_iam_instance_profile_associations(AssociationIds=[association_id])
        states = [a["State"] for a in found["IamInstanceProfileAssociations"]]
        if states == ["associated"]:
            return
        time.sleep(2)
    raise AttachmentError(f"Association {association_id} did not reach 'associated' in time.")


def _profile_name(association: dict[str, Any]) -> str:
    return str(association["IamInstanceProfile"]["Arn"]).rsplit("/", 1)[-1]


class _ProfileAttachmentProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        ec2 = _ec2(props)
        instance_id, profile = props["instance_id"], props["instance_profile_name"]
        instance = _check_instance_exists(ec2, instance_id, props.get("region"))
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
            association_id = ec2.replace_iam_instance_profile_association(
                AssociationId=current["AssociationId"], IamInstanceProfile={"Name": profile}
            )["IamInstanceProfileAssociation"]["AssociationId"]
        else:
            association_id = ec2.associate_iam_instance_profile(
                InstanceId=instance_id, IamInstanceProfile={"Name": profile}
            )["IamInstanceProfileAssociation"]["AssociationId"]
        _wait_associated(ec2, association_id)
        previous_tokens = instance.get("MetadataOptions", {}).get("HttpTokens", "")
        if props.get("require_imdsv2"):
            ec2.modify_instance_metadata_options(
                InstanceId=instance_id, HttpTokens="required", HttpEndpoint="enabled"
            )
        outs = {**props, "association_id": association_id, "previous_http_tokens": previous_tokens}
        return CreateResult(id_=association_id, outs=outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        ec2 = _ec2(props)
        found = ec2.describe_iam_instance_profile_associations(AssociationIds=[id_])
        live = [a for a in found["IamInstanceProfileAssociations"] if a["State"] == "associated"]
        if not live:
            # Disassociated by hand: report it gone, so `pulumi refresh` shows the drift and the
            # next `pulumi up` attaches the profile again.
            return ReadResult(id_="", outs={})
        return ReadResult(id_=id_, outs={**props, "instance_profile_name": _profile_name(live[0])})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = (
            "instance_id",
            "instance_profile_name",
            "replace_existing",
            "require_imdsv2",
            "restore_metadata_options",
            "region",
        )
        changed = [k for k in keys if olds.get(k) != news.get(k)]
        replaces = [k for k in ("instance_id", "region") if k in changed]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=True)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        ec2 = _ec2(news)
        association_id = id_
        if olds.get("instance_profile_name") != news["instance_profile_name"]:
            association_id = ec2.replace_iam_instance_profile_association(
                AssociationId=id_, IamInstanceProfile={"Name": news["instance_profile_name"]}
            )["IamInstanceProfileAssociation"]["AssociationId"]
            _wait_associated(ec2, association_id)
        if news.get("require_imdsv2") and not olds.get("require_imdsv2"):
            ec2.modify_instance_metadata_options(
                InstanceId=news["instance_id"], HttpTokens="required", HttpEndpoint="enabled"
            )
        outs = {
            **news,
            "association_id": association_id,
            "previous_http_tokens": olds.get("previous_http_tokens", ""),
        }
        return UpdateResult(outs=outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        ec2 = _ec2(props)
        found = ec2.describe_iam_instance_profile_associations(AssociationIds=[id_])
        if any(
            a["State"] in ("associating", "associated")
            for a in found["IamInstanceProfileAssociations"]
        ):
            ec2.disassociate_iam_instance_profile(AssociationId=id_)
        previous = props.get("previous_http_tokens")
        if props.get("require_imdsv2") and props.get("restore_metadata_options") and previous:
            ec2.modify_instance_metadata_options(
                InstanceId=props["instance_id"], HttpTokens=previous
            )


class ProfileAttachment(Resource):
    """Attaches an instance profile to an existing EC2 instance (see the module docstring)."""

    association_id: pulumi.Output[str]
    """ID of the instance profile association."""

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
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
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
                "association_id": None,
                "previous_http_tokens": None,
            },
            opts,
        )
