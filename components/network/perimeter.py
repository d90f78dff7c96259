"""The guard AWS documents against instance-credential exfiltration: the role's credentials are
denied when they are used from anywhere but the instance itself, inside its own VPC.

EC2 stamps the credentials it delivers to an instance with the VPC and the private IPv4 address
they were delivered to (``aws:Ec2InstanceSourceVpc``, ``aws:Ec2InstanceSourcePrivateIPv4``); a
request that reaches AWS through a VPC endpoint carries the VPC and address it came from
(``aws:SourceVpc``, ``aws:VpcSourceIp``). Both statements below are AWS's own, from the IAM User
Guide, "AWS global condition context keys" (docs.aws.amazon.com/IAM/latest/UserGuide/
reference_policies_condition-keys.html), sections ``aws:Ec2InstanceSourceVpc`` and
``aws:Ec2InstanceSourcePrivateIPv4``:

- the first compares the request's VPC with the credentials' VPC. A request over the internet
  has no ``aws:SourceVpc``, and a negated operator on a missing key matches, so it is denied too:
  use this only where every call goes through a VPC endpoint (the private network mode);
- the second compares the credentials' address with the request's, so they are refused from
  another host of the same VPC as well;
- ``Null ec2:SourceInstanceARN = false`` limits both to credentials EC2 delivered to an instance,
  and ``BoolIfExists aws:ViaAWSService = false`` exempts calls an AWS service makes on the role's
  behalf (S3 calling KMS for an encrypted object), which carry no VPC of the instance.

GuardDuty reports stolen instance credentials as UnauthorizedAccess:IAMUser/
InstanceCredentialExfiltration.OutsideAWS (used from outside AWS) and .InsideAWS (used from
another AWS account); this denies those calls instead of only reporting them.
"""

from __future__ import annotations

from typing import Any, Final

#: The inline policy's name on the role.
GUARD_POLICY_NAME: Final = "DenyCredentialUseOutsideItsInstance"

_FROM_AN_INSTANCE_NOT_VIA_A_SERVICE: Final = {
    "Null": {"ec2:SourceInstanceARN": "false"},
    "BoolIfExists": {"aws:ViaAWSService": "false"},
}


def credential_network_guard() -> dict[str, Any]:
    """The guard as an IAM policy document of two Deny statements."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RequireSameVPC",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:SourceVpc": "${aws:Ec2InstanceSourceVpc}"},
                    **_FROM_AN_INSTANCE_NOT_VIA_A_SERVICE,
                },
            },
            {
                "Sid": "RequireSameInstanceAddress",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:Ec2InstanceSourcePrivateIPv4": "${aws:VpcSourceIp}"},
                    **_FROM_AN_INSTANCE_NOT_VIA_A_SERVICE,
                },
            },
        ],
    }
