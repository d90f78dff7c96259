"""Ready-to-paste commands that verify a deployed stack (the guide's checks, for IMDSv2)."""

from __future__ import annotations

IMDS = "http://169.254.169.254"
#: Endpoints the verification itself calls: STS GetCallerIdentity (which needs no permission, so
#: no policy names it). A private instance needs an endpoint for it too.
VERIFIER_ENDPOINTS = ("sts",)


def describe_instance_command(instance_id: str, region: str) -> str:
    """Run from a workstation: the instance's profile and metadata options."""
    return (
        f"aws ec2 describe-instances --region {region} --instance-ids {instance_id} "
        "--query 'Reservations[0].Instances[0].{Profile:IamInstanceProfile.Arn,"
        "HttpTokens:MetadataOptions.HttpTokens,HopLimit:MetadataOptions.HttpPutResponseHopLimit}'"
    )


def session_command(instance_id: str, region: str) -> str:
    """Opens a shell on the instance through Session Manager (no SSH key, no open port)."""
    return f"aws ssm start-session --region {region} --target {instance_id}"


def _group_instances(group: str, region: str, query: str) -> str:
    return (
        f"aws autoscaling describe-auto-scaling-groups --region {region} "
        f"--auto-scaling-group-names {group} --query '{query}' --output text"
    )


def list_instances_command(group: str, region: str) -> str:
    """Run from a workstation: the IDs of the group's instances."""
    return _group_instances(group, region, "AutoScalingGroups[0].Instances[].InstanceId")


def group_session_command(group: str, region: str) -> str:
    """Opens a shell on the group's first instance through Session Manager."""
    first = _group_instances(group, region, "AutoScalingGroups[0].Instances[0].InstanceId")
    return f'aws ssm start-session --region {region} --target "$({first})"'


def describe_group_command(group: str, region: str) -> str:
    """Run from a workstation: each instance of the group with its profile and metadata
    options."""
    return (
        f"aws ec2 describe-instances --region {region} --filters "
        f"Name=tag:aws:autoscaling:groupName,Values={group} "
        "Name=instance-state-name,Values=pending,running "
        "--query 'Reservations[].Instances[].{Id:InstanceId,Profile:IamInstanceProfile.Arn,"
        "HttpTokens:MetadataOptions.HttpTokens,HopLimit:MetadataOptions.HttpPutResponseHopLimit}'"
    )


def on_instance_script(role_name: str) -> str:
    """Run on the instance: IMDSv1 refused, the role's credentials through an IMDSv2 token,
    and the caller identity they give."""
    credentials = f"{IMDS}/latest/meta-data/iam/security-credentials/"
    with_token = '-H "X-aws-ec2-metadata-token: $TOKEN"'
    return "\n".join(
        [
            "curl -s -o /dev/null -w 'IMDSv1 without token: HTTP %{http_code} (expect 401)\\n' "
            f"{IMDS}/latest/meta-data/",
            f"TOKEN=$(curl -sS -X PUT {IMDS}/latest/api/token "
            "-H 'X-aws-ec2-metadata-token-ttl-seconds: 300')",
            f"curl -sS {with_token} {credentials}; echo '  (expect {role_name})'",
            f"curl -sS {with_token} {credentials}{role_name} | grep -E '\"(Code|Expiration)\"'",
            "aws sts get-caller-identity --query Arn --output text",
        ]
    )


def verifier_command(role_name: str) -> str:
    """Runs verify/verify_instance.py on the instance (copy the file there first)."""
    return f"python3 verify_instance.py --expected-role {role_name}"
