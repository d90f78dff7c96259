"""The type tokens the guardrails look for, as the engine hands them to a policy pack: one place
for the rules, the reachability analysis and the offline review."""

from typing import Final

from components._meta import PACKAGE_NAME

INSTANCE: Final = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE: Final = "aws:ec2/launchTemplate:LaunchTemplate"
AUTOSCALING_GROUP: Final = "aws:autoscaling/group:Group"
VOLUME: Final = "aws:ebs/volume:Volume"
ROLE: Final = "aws:iam/role:Role"
ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY: Final = "aws:iam/policy:Policy"
ATTACHMENT: Final = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PROFILE: Final = "aws:iam/instanceProfile:InstanceProfile"
SUBNET: Final = "aws:ec2/subnet:Subnet"
ROUTE_TABLE: Final = "aws:ec2/routeTable:RouteTable"
ROUTE: Final = "aws:ec2/route:Route"
ASSOCIATION: Final = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INTERNET_GATEWAY: Final = "aws:ec2/internetGateway:InternetGateway"
NAT_GATEWAY: Final = "aws:ec2/natGateway:NatGateway"
SECURITY_GROUP: Final = "aws:ec2/securityGroup:SecurityGroup"
ENDPOINT: Final = "aws:ec2/vpcEndpoint:VpcEndpoint"
EXISTING_NETWORK: Final = f"{PACKAGE_NAME}:index:ExistingNetwork"
