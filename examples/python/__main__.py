"""Workers that read one bucket prefix, sharing one role: a consumer of the pip-installed
`ec2_instance_role` package (import name distinct from this repository's `components/` folder)."""

import pulumi
import pulumi_aws as aws

from ec2_instance_role import InstanceRole, InstanceWithRole

config = pulumi.Config()
bucket = config.require("reportsBucket")
partition = aws.get_partition().partition

readers = InstanceRole(
    "report-readers",
    {
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
)

workers = [
    InstanceWithRole(
        f"report-worker-{index}",
        {"existing_instance_profile_name": readers.instance_profile_name},
    )
    for index in range(config.require_int("workerCount"))
]

pulumi.export("roleArn", readers.role_arn)
pulumi.export("instanceIds", [worker.instance_id for worker in workers])
