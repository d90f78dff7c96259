"""Pulumi mocks that forward each resource to moto, making the AWS API calls the provider makes
for it (CreateRole, PutRolePolicy, AttachRolePolicy, CreateInstanceProfile,
AddRoleToInstanceProfile, RunInstances, ...) and returning what AWS returns. Run the program
inside ``moto.mock_aws()``; :func:`teardown` deletes in reverse order, as `pulumi destroy` would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.exceptions import ClientError
from pulumi.runtime import mocks as pulumi_mocks

from offline.mocks import ProviderError, UnmockedCallError, service_principal


class MotoMocks(pulumi_mocks.Mocks):
    def __init__(self, region: str, *, preview: bool = False) -> None:
        self.region = region
        self.preview = preview
        """Like `pulumi preview` of a deployed stack: data sources are read from the emulator,
        resources are planned, not created."""
        self.iam = boto3.client("iam", region_name=region)
        self.ec2 = boto3.client("ec2", region_name=region)
        self.ssm = boto3.client("ssm", region_name=region)
        self.sts = boto3.client("sts", region_name=region)
        self.kms = boto3.client("kms", region_name=region)
        self.autoscaling = boto3.client("autoscaling", region_name=region)
        _launch_templates_apply_profile_and_metadata()
        self.created: list[tuple[str, Callable[[], None]]] = []
        """(what, how to delete it), in creation order."""

    # --- resources ------------------------------------------------------------------------
    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:
            return f"{args.name}-component", {}
        handler = getattr(self, "_" + args.typ.rsplit(":", 1)[-1], None)
        if handler is None:
            raise UnmockedCallError(f"no emulator forwarding for {args.typ} ({args.name})")
        if self.preview:
            return None, dict(args.inputs)
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

    @staticmethod
    def _permission(inputs: dict) -> dict[str, Any]:
        """The rule's one source or destination, as the provider sends it (exactly one of
        cidr_ipv4, prefix_list_id and referenced_security_group_id)."""
        permission: dict[str, Any] = {
            "IpProtocol": inputs["ipProtocol"],
            "FromPort": int(inputs["fromPort"]),
            "ToPort": int(inputs["toPort"]),
        }
        description = inputs.get("description", "")
        if inputs.get("cidrIpv4"):
            permission["IpRanges"] = [{"CidrIp": inputs["cidrIpv4"], "Description": description}]
        elif inputs.get("prefixListId"):
            permission["PrefixListIds"] = [
                {"PrefixListId": inputs["prefixListId"], "Description": description}
            ]
        else:
            permission["UserIdGroupPairs"] = [
                {"GroupId": inputs["referencedSecurityGroupId"], "Description": description}
            ]
        return permission

    def _rule(self, direction: str, inputs: dict) -> tuple[str, dict]:
        """AuthorizeSecurityGroupIngress or ...Egress of one rule; revoked by its id."""
        group = inputs["securityGroupId"]
        authorize = getattr(self.ec2, f"authorize_security_group_{direction}")
        revoke = getattr(self.ec2, f"revoke_security_group_{direction}")
        rules = authorize(GroupId=group, IpPermissions=[self._permission(inputs)])
        rule_id = rules["SecurityGroupRules"][0]["SecurityGroupRuleId"]
        self.created.append(
            (
                f"{direction} rule {rule_id}",
                lambda: revoke(GroupId=group, SecurityGroupRuleIds=[rule_id]),
            )
        )
        return rule_id, dict(inputs)

    def _SecurityGroupEgressRule(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return self._rule("egress", inputs)

    def _SecurityGroupIngressRule(self, logical: str, inputs: dict) -> tuple[str, dict]:
        return self._rule("ingress", inputs)

    def _VpcEndpoint(self, logical: str, inputs: dict) -> tuple[str, dict]:
        kind = inputs.get("vpcEndpointType", "Gateway")
        request: dict[str, Any] = {
            "VpcId": inputs["vpcId"],
            "ServiceName": inputs["serviceName"],
            "VpcEndpointType": kind,
            # The provider sends PrivateDnsEnabled for every type (false for a gateway).
            "PrivateDnsEnabled": bool(inputs.get("privateDnsEnabled")),
        }
        if inputs.get("tags"):
            request["TagSpecifications"] = [
                {
                    "ResourceType": "vpc-endpoint",
                    "Tags": [{"Key": k, "Value": v} for k, v in inputs["tags"].items()],
                }
            ]
        if kind == "Interface":
            request["SubnetIds"] = list(inputs.get("subnetIds", []))
            request["SecurityGroupIds"] = list(inputs.get("securityGroupIds", []))
        else:
            request["RouteTableIds"] = list(inputs.get("routeTableIds", []))
        endpoint = self.ec2.create_vpc_endpoint(**request)["VpcEndpoint"]
        endpoint_id = endpoint["VpcEndpointId"]
        self.created.append(
            (
                f"endpoint {endpoint_id}",
                lambda: self.ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id]),
            )
        )
        state = {**inputs, "state": endpoint.get("State", "available")}
        if kind == "Gateway":
            state["prefixListId"] = self._prefix_list(inputs["serviceName"])
        return endpoint_id, state

    def _prefix_list(self, service_name: str) -> str:
        """What the provider reads back for a gateway endpoint (DescribePrefixLists by name)."""
        (prefix_list,) = self.ec2.describe_prefix_lists(
            Filters=[{"Name": "prefix-list-name", "Values": [service_name]}]
        )["PrefixLists"]
        return str(prefix_list["PrefixListId"])

    def _Instance(self, logical: str, inputs: dict) -> tuple[str, dict]:
        options = inputs.get("metadataOptions", {})
        root = inputs.get("rootBlockDevice", {})
        groups = list(inputs.get("vpcSecurityGroupIds", []))
        # With a subnet and associate_public_ip_address set (true or false), the provider sends
        # them as network interface 0 (terraform-provider-aws buildNetworkInterfaceOpts).
        if "associatePublicIpAddress" in inputs:
            network: dict[str, Any] = {
                "NetworkInterfaces": [
                    {
                        "DeviceIndex": 0,
                        "SubnetId": inputs["subnetId"],
                        "Groups": groups,
                        "AssociatePublicIpAddress": bool(inputs["associatePublicIpAddress"]),
                    }
                ]
            }
        else:
            network = {"SubnetId": inputs["subnetId"], "SecurityGroupIds": groups}
        reservation = self.ec2.run_instances(
            ImageId=inputs["ami"],
            InstanceType=inputs["instanceType"],
            MinCount=1,
            MaxCount=1,
            **network,
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
        return instance_id, {
            **inputs,
            "arn": arn,
            "privateIp": instance["PrivateIpAddress"],
            "publicIp": instance.get("PublicIpAddress", ""),
        }

    def _LaunchTemplate(self, logical: str, inputs: dict) -> tuple[str, dict]:
        """CreateLaunchTemplate, with the request data the provider builds from the inputs
        (terraform-provider-aws expandRequestLaunchTemplateData): the tri-state strings
        ("true"/"false") as booleans, user data as given (already base64)."""
        data: dict[str, Any] = {
            "ImageId": inputs["imageId"],
            "InstanceType": inputs["instanceType"],
            "IamInstanceProfile": {"Name": inputs["iamInstanceProfile"]["name"]},
            "MetadataOptions": {
                "HttpTokens": inputs["metadataOptions"]["httpTokens"],
                "HttpEndpoint": inputs["metadataOptions"]["httpEndpoint"],
                "HttpPutResponseHopLimit": int(
                    inputs["metadataOptions"]["httpPutResponseHopLimit"]
                ),
                "InstanceMetadataTags": inputs["metadataOptions"]["instanceMetadataTags"],
            },
            "BlockDeviceMappings": [
                {
                    "DeviceName": m["deviceName"],
                    "Ebs": {
                        "Encrypted": m["ebs"].get("encrypted") == "true",
                        "VolumeType": m["ebs"].get("volumeType", "gp3"),
                        "VolumeSize": int(m["ebs"].get("volumeSize", 8)),
                        "DeleteOnTermination": m["ebs"].get("deleteOnTermination") == "true",
                        **({"KmsKeyId": m["ebs"]["kmsKeyId"]} if "kmsKeyId" in m["ebs"] else {}),
                    },
                }
                for m in inputs.get("blockDeviceMappings", [])
            ],
            "NetworkInterfaces": [
                {
                    "DeviceIndex": int(n.get("deviceIndex", 0)),
                    "AssociatePublicIpAddress": n.get("associatePublicIpAddress") == "true",
                    "DeleteOnTermination": n.get("deleteOnTermination") == "true",
                    "Groups": list(n.get("securityGroups", [])),
                }
                for n in inputs.get("networkInterfaces", [])
            ],
            "Monitoring": {"Enabled": bool(inputs.get("monitoring", {}).get("enabled"))},
            "TagSpecifications": [
                {
                    "ResourceType": spec["resourceType"],
                    "Tags": [{"Key": k, "Value": v} for k, v in spec.get("tags", {}).items()],
                }
                for spec in inputs.get("tagSpecifications", [])
            ],
        }
        if "userData" in inputs:
            data["UserData"] = inputs["userData"]
        if "keyName" in inputs:
            data["KeyName"] = inputs["keyName"]
        name = self._autoname(logical, inputs)
        template = self.ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)
        template_id = str(template["LaunchTemplate"]["LaunchTemplateId"])
        self.created.append(
            (
                f"launch template {template_id}",
                lambda: self.ec2.delete_launch_template(LaunchTemplateId=template_id),
            )
        )
        arn = f"arn:aws:ec2:{self.region}:{self._account()}:launch-template/{template_id}"
        version = int(template["LaunchTemplate"]["LatestVersionNumber"])
        return template_id, {**inputs, "arn": arn, "name": name, "latestVersion": version}

    def _Group(self, logical: str, inputs: dict) -> tuple[str, dict]:
        """CreateAutoScalingGroup; moto launches min_size instances at once, from the
        template's version the group names."""
        name = self._autoname(logical, inputs)
        template = inputs["launchTemplate"]
        extra: dict[str, Any] = {}
        if "desiredCapacity" in inputs:
            extra["DesiredCapacity"] = int(inputs["desiredCapacity"])
        self.autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=name,
            LaunchTemplate={"LaunchTemplateId": template["id"], "Version": template["version"]},
            MinSize=int(inputs["minSize"]),
            MaxSize=int(inputs["maxSize"]),
            VPCZoneIdentifier=",".join(inputs["vpcZoneIdentifiers"]),
            HealthCheckType=inputs.get("healthCheckType", "EC2"),
            HealthCheckGracePeriod=int(inputs.get("healthCheckGracePeriod", 300)),
            Tags=[
                {"Key": t["key"], "Value": t["value"], "PropagateAtLaunch": t["propagateAtLaunch"]}
                for t in inputs.get("tags", [])
            ],
            **extra,
        )
        self.created.append((f"auto scaling group {name}", lambda: self._delete_group(name)))
        (group,) = self.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
            "AutoScalingGroups"
        ]
        return name, {**inputs, "name": name, "arn": group["AutoScalingGroupARN"]}

    def _delete_group(self, name: str) -> None:
        """As the provider deletes a group without force_delete: to zero instances first, then
        the group (terraform-provider-aws resourceGroupDelete, drainGroup)."""
        self.autoscaling.update_auto_scaling_group(
            AutoScalingGroupName=name, MinSize=0, MaxSize=0, DesiredCapacity=0
        )
        self.autoscaling.delete_auto_scaling_group(AutoScalingGroupName=name)

    def _terminate(self, instance_id: str) -> None:
        self.ec2.modify_instance_attribute(
            InstanceId=instance_id, DisableApiTermination={"Value": False}
        )
        self.ec2.terminate_instances(InstanceIds=[instance_id])

    def _account(self) -> str:
        return str(self.sts.get_caller_identity()["Account"])

    # --- functions ------------------------------------------------------------------------
    def call(self, args: pulumi_mocks.MockCallArgs) -> Any:
        try:
            return self._call(args.token, dict(args.args))
        except (ClientError, ProviderError) as error:
            # What AWS refused reaches the program as a failed invoke, as from the provider.
            return {}, [("", str(error))]

    def _call(self, token: str, a: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911 (a dispatch table)
        if token == "aws:index/getPartition:getPartition":
            return {
                "id": "aws",
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
            }
        if token == "aws:index/getServicePrincipal:getServicePrincipal":
            return service_principal(a["serviceName"], "aws", self.region)
        if token == "aws:kms/getKey:getKey":
            key = self.kms.describe_key(KeyId=a["keyId"])["KeyMetadata"]
            return {"id": key["KeyId"], "keyId": a["keyId"], "arn": key["Arn"]}
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
            return self._vpc(a)
        if token == "aws:ec2/getSubnet:getSubnet":
            (subnet,) = self.ec2.describe_subnets(SubnetIds=[a["id"]])["Subnets"]
            return {
                "id": subnet["SubnetId"],
                "vpcId": subnet["VpcId"],
                "availabilityZone": subnet["AvailabilityZone"],
                "defaultForAz": subnet["DefaultForAz"],
                "mapPublicIpOnLaunch": subnet["MapPublicIpOnLaunch"],
                "cidrBlock": subnet["CidrBlock"],
            }
        if token == "aws:ec2/getRouteTables:getRouteTables":
            filters = [{"Name": f["name"], "Values": f["values"]} for f in a.get("filters", [])]
            tables = self.ec2.describe_route_tables(Filters=filters)["RouteTables"]
            return {"id": self.region, "ids": [t["RouteTableId"] for t in tables]}
        if token == "aws:ec2/getRouteTable:getRouteTable":
            (table,) = self.ec2.describe_route_tables(RouteTableIds=[a["routeTableId"]])[
                "RouteTables"
            ]
            return {
                "id": table["RouteTableId"],
                "routeTableId": table["RouteTableId"],
                "vpcId": table["VpcId"],
                # As the data source reads them: the local route and endpoint routes left out.
                "routes": [
                    {
                        "cidrBlock": r.get("DestinationCidrBlock", ""),
                        **{
                            field: r.get(key, "")
                            for field, key in (
                                ("gatewayId", "GatewayId"),
                                ("natGatewayId", "NatGatewayId"),
                                ("transitGatewayId", "TransitGatewayId"),
                                ("networkInterfaceId", "NetworkInterfaceId"),
                                ("vpcPeeringConnectionId", "VpcPeeringConnectionId"),
                                ("instanceId", "InstanceId"),
                            )
                        },
                    }
                    for r in table["Routes"]
                    if r.get("GatewayId") != "local" and "DestinationPrefixListId" not in r
                ],
            }
        if token == "aws:ec2/getVpcEndpoint:getVpcEndpoint":
            return self._vpc_endpoint(a)
        if token == "aws:ec2/getVpcEndpointService:getVpcEndpointService":
            name = f"com.amazonaws.{self.region}.{a['service']}"
            # Raises InvalidServiceName for a service the emulated region does not offer.
            details = self.ec2.describe_vpc_endpoint_services(ServiceNames=[name])["ServiceDetails"]
            wanted = a.get("serviceType")
            matching = [
                d for d in details if wanted in [t["ServiceType"] for t in d["ServiceType"]]
            ]
            if not matching:
                raise ProviderError("no matching EC2 VPC Endpoint Service found")
            return {
                "id": matching[0]["ServiceId"],
                "service": a["service"],
                "serviceName": matching[0]["ServiceName"],
                "serviceType": wanted,
                "availabilityZones": matching[0]["AvailabilityZones"],
            }
        if token == "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings":
            filters = [{"Name": f["name"], "Values": f["values"]} for f in a.get("filters", [])]
            offers = self.ec2.describe_instance_type_offerings(
                LocationType=a["locationType"], Filters=filters
            )["InstanceTypeOfferings"]
            return {
                "id": self.region,
                "instanceTypes": [o["InstanceType"] for o in offers],
                "locations": [o["Location"] for o in offers],
                "locationTypes": [o["LocationType"] for o in offers],
            }
        if token == "aws:ec2/getAmi:getAmi":
            filters = [{"Name": f["name"], "Values": f["values"]} for f in a.get("filters", [])]
            images = self.ec2.describe_images(Filters=filters)["Images"]
            if len(images) != 1:
                raise ProviderError(f"Your query returned {len(images)} results, not one")
            return {
                "id": images[0]["ImageId"],
                "imageId": images[0]["ImageId"],
                "rootDeviceName": images[0]["RootDeviceName"],
            }
        if token == "aws:ec2/getSubnets:getSubnets":
            filters = [{"Name": f["name"], "Values": f["values"]} for f in a.get("filters", [])]
            subnets = self.ec2.describe_subnets(Filters=filters)["Subnets"]
            return {"id": self.region, "ids": [s["SubnetId"] for s in subnets]}
        raise UnmockedCallError(
            f"no emulator forwarding for {token} with {json.dumps(a, default=str)}"
        )

    def _vpc_endpoint(self, a: dict[str, Any]) -> dict[str, Any]:
        """DescribeVpcEndpoints, then one match or the provider's errors for none or several."""
        filters = [
            {"Name": name, "Values": [a[key]]}
            for name, key in (
                ("vpc-id", "vpcId"),
                ("service-name", "serviceName"),
                ("vpc-endpoint-type", "vpcEndpointType"),
                ("vpc-endpoint-state", "state"),
            )
            if a.get(key)
        ]
        found = self.ec2.describe_vpc_endpoints(Filters=filters)["VpcEndpoints"]
        # moto ignores some filters; apply them as AWS does.
        found = [
            e
            for e in found
            if (not a.get("state") or e["State"].lower() == a["state"])
            and (not a.get("vpcEndpointType") or e["VpcEndpointType"] == a["vpcEndpointType"])
            and (not a.get("serviceName") or e["ServiceName"] == a["serviceName"])
            and (not a.get("vpcId") or e["VpcId"] == a["vpcId"])
        ]
        if not found:
            raise ProviderError("no matching EC2 VPC Endpoint found")
        if len(found) > 1:
            raise ProviderError("multiple EC2 VPC Endpoints matched; use additional constraints")
        (endpoint,) = found
        return {
            "id": endpoint["VpcEndpointId"],
            "vpcId": endpoint["VpcId"],
            "serviceName": endpoint["ServiceName"],
            "vpcEndpointType": endpoint["VpcEndpointType"],
            "state": endpoint["State"],
            "privateDnsEnabled": bool(endpoint.get("PrivateDnsEnabled")),
            "securityGroupIds": [g["GroupId"] for g in endpoint.get("Groups", [])],
            "routeTableIds": endpoint.get("RouteTableIds", []),
            "subnetIds": endpoint.get("SubnetIds", []),
            "prefixListId": (
                self._prefix_list(endpoint["ServiceName"])
                if endpoint["VpcEndpointType"] == "Gateway"
                else ""
            ),
            "tags": {t["Key"]: t["Value"] for t in endpoint.get("Tags", [])},
        }

    def _vpc(self, a: dict[str, Any]) -> dict[str, Any]:
        if a.get("default") is True:
            filters = [{"Name": "is-default", "Values": ["true"]}]
            (vpc,) = self.ec2.describe_vpcs(Filters=filters)["Vpcs"]
        else:
            (vpc,) = self.ec2.describe_vpcs(VpcIds=[a["id"]])["Vpcs"]
        vpc_id = vpc["VpcId"]
        main = self.ec2.describe_route_tables(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "association.main", "Values": ["true"]},
            ]
        )["RouteTables"][0]["RouteTableId"]

        def attribute(name: str, key: str) -> bool:
            answer = self.ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)
            return bool(answer[key]["Value"])

        return {
            "id": vpc_id,
            "default": vpc["IsDefault"],
            "cidrBlock": vpc["CidrBlock"],
            "mainRouteTableId": main,
            "enableDnsSupport": attribute("enableDnsSupport", "EnableDnsSupport"),
            "enableDnsHostnames": attribute("enableDnsHostnames", "EnableDnsHostnames"),
        }


def _launch_templates_apply_profile_and_metadata() -> None:
    """Fills gaps of moto 5.2.5: an instance launched from a launch template (by RunInstances
    or by an Auto Scaling group) gets the template's user data, type, key and top-level groups,
    but not its IamInstanceProfile and MetadataOptions, its interface's AssociatePublicIpAddress
    and Groups, and its volumes only beside a default unencrypted root volume
    (moto/ec2/models/instances.py run_instances and Instance.setup_defaults;
    moto/autoscaling/models.py
    replace_autoscaling_group_instances). AWS applies every template parameter (EC2 user
    guide, "Launch an instance from a launch template"), a mapping of the AMI's root device
    name replacing the root volume's settings. Without this the emulator would show a fleet's
    instances with IMDSv1 allowed, no role, a public IP, the default security group and an
    unencrypted root volume whatever the template said. Idempotent."""
    from moto.ec2.models import EC2Backend

    if getattr(EC2Backend.run_instances, "applies_template_profile", False):
        return
    original = EC2Backend.run_instances

    def run_instances(self: Any, image_id: Any, count: int, *args: Any, **kwargs: Any) -> Any:
        template = kwargs.get("launch_template")
        data = self._get_template_from_args(template).data if template else {}
        if template and "metadata_options" not in kwargs and "MetadataOptions" in data:
            kwargs["metadata_options"] = {
                key: str(value) for key, value in data["MetadataOptions"].items()
            }
        if template and "block_device_mappings" not in kwargs and data.get("BlockDeviceMappings"):
            kwargs["block_device_mappings"] = data["BlockDeviceMappings"]
        interfaces = data.get("NetworkInterfaces") or [{}]
        if (
            template
            and kwargs.get("associate_public_ip") is None
            and "AssociatePublicIpAddress" in interfaces[0]
        ):
            kwargs["associate_public_ip"] = bool(interfaces[0]["AssociatePublicIpAddress"])
        if template and not kwargs.get("security_group_ids") and interfaces[0].get("Groups"):
            kwargs["security_group_ids"] = list(interfaces[0]["Groups"])
        reservation = original(self, image_id, count, *args, **kwargs)
        profile = data.get("IamInstanceProfile", {}).get("Name")
        if template and profile and not kwargs.get("iam_instance_profile_name"):
            for instance in reservation.instances:
                self.associate_iam_instance_profile(
                    instance_id=instance.id, iam_instance_profile_name=profile
                )
        return reservation

    setattr(run_instances, "applies_template_profile", True)  # noqa: B010 (a function attribute)
    EC2Backend.run_instances = run_instances


def complete_default_vpc(ec2: Any) -> str:
    """Gives moto's default VPC what AWS gives every default VPC and moto leaves out: an
    internet gateway, and a route to it for 0.0.0.0/0 in the main route table (VPC user guide,
    "Default VPC components"). Returns the gateway's id."""
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc["VpcId"])
    (main,) = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"]
    ec2.create_route(
        RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway
    )
    return str(gateway)


def teardown(mocks: MotoMocks) -> None:
    """Deletes what the run created, newest first, as `pulumi destroy` orders it."""
    for _, delete in reversed(mocks.created):
        delete()
    mocks.created.clear()


@contextmanager
def iam_enforced() -> Iterator[None]:
    """moto authorizes every request from here on against IAM policies, as AWS does (moto
    leaves the first requests unauthorized unless INITIAL_NO_AUTH_ACTION_COUNT is 0)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    before = settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    try:
        yield
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = before
