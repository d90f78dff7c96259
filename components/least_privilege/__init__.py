"""Least privilege from CloudTrail: the policy an instance role's records show it needs, and
what it is granted in vain (``ec2-instance-role least-privilege``; docs/least-privilege.md)."""

from .analysis import Analysis, Options
from .cli import run

__all__ = ["Analysis", "Options", "run"]
