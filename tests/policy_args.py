"""The tests' view of the policy argument builders (offline/policy_args.py)."""

from offline.policy_args import (  # noqa: F401
    default_config,
    policy_resource,
    resource_args,
    resource_violations,
    stack_resources,
    stack_violations,
)
