"""Report workers as a fleet on AWS Auto Scaling: a consumer of the pip-installed
`ec2_instance_role` package. Every worker the group launches requires IMDSv2, has an encrypted
root volume and no public IP, and boots with the role's permissions already in place."""

import pulumi
import pulumi_aws as aws

from ec2_instance_role import AutoScalingGroupWithRole

config = pulumi.Config()
bucket = config.require("reportsBucket")
partition = aws.get_partition().partition

workers = AutoScalingGroupWithRole(
    "report-workers",
    {
        "role": {
            "enable_session_manager": True,
            "inline_policies": {
                "ReadReports": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "s3:GetObject",
                            "Resource": f"arn:{partition}:s3:::{bucket}/reports/*",
                        }
                    ],
                }
            },
        },
        "min_size": config.require_int("minWorkers"),
        "max_size": config.require_int("maxWorkers"),
        # The default subnets route to an internet gateway: a public IP is the workers' way to
        # S3 and Session Manager there (no inbound rule is opened for it).
        "associate_public_ip_address": True,
    },
)

pulumi.export("autoScalingGroupName", workers.autoscaling_group_name)
pulumi.export("launchTemplateId", workers.launch_template_id)
pulumi.export("roleArn", workers.role_arn)
