"""The example's own unit tests, as a consumer writes them: the package's test kit runs the
program under mocks that answer every data source the components call, for the account and
region of your choice. Run them with `python -m pytest` in this directory."""

import runpy
from pathlib import Path

from ec2_instance_role.testing import AwsTarget, run_program

HERE = Path(__file__).resolve().parent
CONFIG = {"reports-workers:reportsBucket": "acme-reports", "reports-workers:workerCount": "3"}


def deploy():
    return run_program(
        lambda: runpy.run_path(str(HERE / "__main__.py"), run_name="__main__"),
        config=CONFIG,
        project="reports-workers",
        target=AwsTarget(region="eu-central-1", account_id="111122223333"),
    )


def test_workers_share_one_role_and_require_imdsv2():
    run = deploy()
    assert len(run.of_type("aws:iam/role:Role")) == 1
    instances = run.of_type("aws:ec2/instance:Instance")
    assert len(instances) == 3
    assert {i.inputs["metadataOptions"]["httpTokens"] for i in instances} == {"required"}


def test_workers_read_only_the_reports_prefix():
    (policy,) = run_program_policies(deploy())
    assert '"Resource":"arn:aws:s3:::acme-reports/reports/*"' in policy


def run_program_policies(run):
    return [p.inputs["policy"] for p in run.of_type("aws:iam/rolePolicy:RolePolicy")]
