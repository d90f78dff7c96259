"""The fleet example's own unit tests, as a consumer writes them, with the package's test kit.
Run them with `python -m pytest` in this directory."""

import json
import runpy
from pathlib import Path

from ec2_instance_role.testing import AwsTarget, run_program

HERE = Path(__file__).resolve().parent
CONFIG = {
    "reports-fleet:reportsBucket": "acme-reports",
    "reports-fleet:minWorkers": "3",
    "reports-fleet:maxWorkers": "9",
}


def deploy():
    return run_program(
        lambda: runpy.run_path(str(HERE / "__main__.py"), run_name="__main__"),
        config=CONFIG,
        project="reports-fleet",
        target=AwsTarget(region="eu-central-1", account_id="111122223333"),
    )


def test_the_group_scales_between_the_configured_sizes_from_an_imdsv2_template():
    run = deploy()
    group = run.one("aws:autoscaling/group:Group").inputs
    template = run.one("aws:ec2/launchTemplate:LaunchTemplate").inputs
    assert (group["minSize"], group["maxSize"]) == (3, 9)
    assert template["metadataOptions"]["httpTokens"] == "required"


def test_the_workers_read_only_the_reports_prefix():
    (policy,) = [p.inputs["policy"] for p in deploy().of_type("aws:iam/rolePolicy:RolePolicy")]
    (statement,) = json.loads(policy)["Statement"]
    assert statement["Resource"] == "arn:aws:s3:::acme-reports/reports/*"
