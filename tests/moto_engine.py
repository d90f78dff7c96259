"""Pulumi mocks that forward each resource to moto, making the AWS API calls the provider makes
for it (CreateRole, PutRolePolicy, AttachRolePolicy, CreateInstanceProfile,
AddRoleToInstanceProfile, RunInstances, ...) and returning what AWS returns. Run the program
inside ``moto.mock_aws()``; :func:`teardown` deletes in reverse order, as `pulumi destroy` would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
from pulumi.runtime import mocks as pulumi_mocks

from offline.mocks import UnmockedCallError


class MotoMocks(pulumi_mocks.Mocks):
    def __init__(self, region: str) -> None:
        self.region = region
        self.iam = boto3.client("iam", region_name=region)
        self.ec2 = boto3.client("ec2", region_name=region)
        self.ssm = boto3.client("ssm", region_name=region)
        self.sts = boto3.client("sts", region_name=region)
        self.created: list[tuple[str, Callable[[], None]]] = []
        """(what, how to delete it), in creation order."""

    # --- resources ------------------------------------------------------------------------
    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:
            return f"{args.name}-component", {}
        handler = getattr(self, "_" + args.typ.rsplit(":", 1)[-1], None)
        if handler is None:
            raise UnmockedCallError(f"no emulator forwarding for {args.typ} ({args.name})")
        return handler(args.name, dict(args.inputs))

    @staticmethod
    def _autoname(logical: str, inputs: dict[str, Any]) -> str:
        return str(inputs.get("name") or f"{logical}-0a1b2c3")

    def _Role(self, logical: str, inputs: dict) -> tuple[str, dict]:
        name = self._autoname(logical, inputs)
        role = self.iam.create_role(
            RoleName=name,
            Path=inputs.get("path", "/"),
            AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
            **({"Description": inputs["description"]} if inputs.get("description") else {}),
        )["Role"]
        self.created.append((f"role {name}", lambda: self.iam.delete_role(RoleName=name)))
        return name, {**inputs, "name": name, "arn": role["Arn"], "uniqueId": role["RoleId"]}

    def _RolePolicy(self, logical: str, inputs: dict) -> tuple[str, dict]:
        role, name = inputs["role"], inputs["name"]
        self.iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=inputs["policy"])
        self.created.append(
            (
                f"inline policy {name}",
                lambda: self.iam.delete_role_policy(RoleName=role, PolicyName=name),
            )
        )
        return f"{role}:{name}", dict(inputs)

    def _RolePolicyAttachment(self, logical: str, inputs: dict) -> tuple[str, dict]:
        role, arn = inputs["role"], inputs["policyArn"]
        self.iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        self.created.append(
            (f"attachment {arn}", lambda: self.iam.detach_role_policy(RoleName=role, PolicyArn=arn))
        )
        return f"{role}-{arn.rsplit('/', 1)[-1]}", dict(inputs)

    def _RolePoliciesExclusive(self, logical: str, inputs: dict) -> tuple[str, dict]:
        # The provider lists the role's inline policies and deletes those not named.
        role, wanted = inputs["roleName"], set(inputs.get("policyNames") or [])
        for name in self.iam.list_role_policies(RoleName=role)["PolicyNames"]:
            if name not in wanted:
                self.iam.delete_role_policy(RoleName=role, PolicyName=name)
        return role, dict(inputs)

    def _RolePolicyAttachmentsExclusive(self, logical: str, inputs: dict) -> tuple[str, dict]:
        role, wanted = inputs["roleName"], set(inputs.get("policyArns") or [])
        for attached in self.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            if attached["PolicyArn"] not in wanted:
                self.iam.detach_role_policy(RoleName=role, PolicyArn=attached["PolicyArn"])
        return role, dict(inputs)

    def _InstanceProfile(self, logical: str, inputs: dict) -> tuple[str, dict]:
        name = self._autoname(logical, inputs)
        profile = self.iam.create_instance_profile(
            InstanceProfileName=name, Path=inputs.get("path", "/")
        )["InstanceProfile"]
        self.created.append(
            (f"profile {name}", lambda: self.iam.delete_instance_profile(InstanceProfileName=name))
        )
        if role := inputs.get("role"):
            self.iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
            self.created.append(
                (
                    f"role {role} in profile {name}",
                    lambda: self.iam.remove_role_from_instance_profile(
                        InstanceProfileName=name, RoleName=role
                    ),
                )
            )
        return name, {**inputs, "name": name, "arn": profile["Arn"]}

    def _SecurityGroup(self, logical: str, inputs: dict) -> tuple[str, dict]:
        name = self._autoname(logical, inputs)
        group_id = self.ec2.create_security_group(
            GroupName=name,
            Description=inputs.get("description", "Managed by Pulumi"),
            VpcId=inputs["vpcId"],
        )["GroupId"]
        # The provider removes the allow-all egress rule AWS adds to a new group.
        self.ec2.revoke_security_group_egress(
            GroupId=group_id,
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
        self.created.append(
            (f"group {name}", lambda: self.ec2.delete_security_group(GroupId=group_id))
        )
        return group_id, {**inputs, "name": name}

    def _SecurityGroupEgressRule(self, logical: str, inputs: dict) -> tuple[str, dict]:
        permission = {
            "IpProtocol": inputs["ipProtocol"],
            "FromPort": int(inputs["fromPort"]),
            "ToPort": int(inputs["toPort"]),
            "IpRanges": [
                {"CidrIp": inputs["cidrIpv4"], "Description": inputs.get("description", "")}
            ],
        }
        group = inputs["securityGroupId"]
        rules = self.ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[permission])
        rule_id = rules["SecurityGroupRules"][0]["SecurityGroupRuleId"]
        self.created.append(
            (
                f"egress rule {rule_id}",
                lambda: self.ec2.revoke_security_group_egress(
                    GroupId=group, SecurityGroupRuleIds=[rule_id]
                ),
            )
        )
        return rule_id, dict(inputs)

    def _Instance(self, logical: str, inputs: dict) -> tuple[str, dict]:
        options = inputs.get("metadataOptions", {})
        root = inputs.get("rootBlockDevice", {})
        reservation = self.ec2.run_instances(
            ImageId=inputs["ami"],
            InstanceType=inputs["instanceType"],
            MinCount=1,
            MaxCount=1,
            SubnetId=inputs["subnetId"],
            SecurityGroupIds=list(inputs.get("vpcSecurityGroupIds", [])),
            IamInstanceProfile={"Name": inputs["iamInstanceProfile"]},
            MetadataOptions={
                "HttpTokens": options["httpTokens"],
                "HttpEndpoint": options["httpEndpoint"],
                "HttpPutResponseHopLimit": int(options["httpPutResponseHopLimit"]),
                "InstanceMetadataTags": options["instanceMetadataTags"],
            },
            BlockDeviceMappings=[
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "Encrypted": bool(root.get("encrypted")),
                        "VolumeType": root.get("volumeType", "gp3"),
                        # AWS takes the AMI's size when none is given; moto insists on one.
                        "VolumeSize": int(root.get("volumeSize", 8)),
                    },
                }
            ],
            Monitoring={"Enabled": bool(inputs.get("monitoring"))},
            DisableApiTermination=bool(inputs.get("disableApiTermination")),
            TagSpecifications=[
                {
                    "ResourceType": "instance",
                    "Tags": [{"Key": k, "Value": v} for k, v in (inputs.get("tags") or {}).items()],
                }
            ],
        )
        instance = reservation["Instances"][0]
        instance_id = instance["InstanceId"]
        self.created.append((f"instance {instance_id}", lambda: self._terminate(instance_id)))
        arn = f"arn:aws:ec2:{self.region}:{self._account()}:instance/{instance_id}"
        return instance_id, {**inputs, "arn": arn, "privateIp": instance["PrivateIpAddress"]}

    def _terminate(self, instance_id: str) -> None:
        self.ec2.modify_instance_attribute(
            InstanceId=instance_id, DisableApiTermination={"Value": False}
        )
        self.ec2.terminate_instances(InstanceIds=[instance_id])

    def _account(self) -> str:
        return str(self.sts.get_caller_identity()["Account"])

    # --- functions ------------------------------------------------------------------------
    def call(self, args: pulumi_mocks.MockCallArgs) -> dict:  # type: ignore[override]
        token, a = args.token, dict(args.args)
        if token == "aws:index/getPartition:getPartition":
            return {
                "id": "aws",
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
            }
        if token == "aws:index/getRegion:getRegion":
            return {"id": self.region, "region": self.region, "name": self.region}
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            identity = self.sts.get_caller_identity()
            return {
                "id": identity["Account"],
                "accountId": identity["Account"],
                "arn": identity["Arn"],
                "userId": identity["UserId"],
            }
        if token == "aws:ssm/getParameter:getParameter":
            value = self.ssm.get_parameter(Name=a["name"])["Parameter"]["Value"]
            return {
                "id": a["name"],
                "name": a["name"],
                "type": "String",
                "value": value,
                "insecureValue": value,
            }
        if token == "aws:ec2/getVpc:getVpc":
            vpc = self.ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])[
                "Vpcs"
            ][0]
            return {"id": vpc["VpcId"], "default": True, "cidrBlock": vpc["CidrBlock"]}
        if token == "aws:ec2/getSubnets:getSubnets":
            filters = [{"Name": f["name"], "Values": f["values"]} for f in a.get("filters", [])]
            subnets = self.ec2.describe_subnets(Filters=filters)["Subnets"]
            return {"id": self.region, "ids": [s["SubnetId"] for s in subnets]}
        raise UnmockedCallError(
            f"no emulator forwarding for {token} with {json.dumps(a, default=str)}"
        )


def teardown(mocks: MotoMocks) -> None:
    """Deletes what the run created, newest first, as `pulumi destroy` orders it."""
    for _, delete in reversed(mocks.created):
        delete()
    mocks.created.clear()
