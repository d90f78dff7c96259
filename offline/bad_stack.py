"""A deliberately bad stack, built from raw pulumi_aws resources (the components refuse all of
this): IMDSv1 allowed, a public IP, an unencrypted root volume and `s3:*` on `*`, plus a
launch template that hands out public IPs and the `s3:*` document given as an object. The tests
render it through the same bridge as the real stacks to prove checkov and the policy pack catch
it."""

from __future__ import annotations

import json
from typing import Any, cast

import pulumi_aws as aws

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
S3_EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def bad_stack() -> None:
    role = aws.iam.Role("bad-role", assume_role_policy=json.dumps(TRUST))
    aws.iam.RolePolicy("bad-s3-everything", role=role.id, policy=json.dumps(S3_EVERYTHING))
    # The same document given as an object, as users write it: pulumi-aws accepts it at run time,
    # though its typed form (PolicyDocumentArgsDict) spells the keys in snake_case.
    as_object = cast(Any, S3_EVERYTHING)
    aws.iam.RolePolicy("bad-s3-everything-object", role=role.id, policy=as_object)
    aws.ec2.LaunchTemplate(
        "bad-template",
        image_id="ami-0123456789abcdef0",
        metadata_options={"http_tokens": "required", "http_endpoint": "enabled"},
        network_interfaces=[{"associate_public_ip_address": "true"}],
    )
    profile = aws.iam.InstanceProfile("bad-profile", role=role.name)
    aws.ec2.Instance(
        "bad-instance",
        ami="ami-0123456789abcdef0",
        instance_type="t3.micro",
        subnet_id="subnet-0123456789abcdef0",
        iam_instance_profile=profile.name,
        associate_public_ip_address=True,
        metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
            http_tokens="optional", http_endpoint="enabled"
        ),
        root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=False),
    )
