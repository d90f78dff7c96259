"""``python -m ec2_instance_role.least_privilege``: the same as ``ec2-instance-role
least-privilege``."""

from .cli import run

raise SystemExit(run(prog="python -m ec2_instance_role.least_privilege"))
