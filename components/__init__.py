"""Keyless AWS access for EC2: an instance role component and an instance that runs as it."""

from .instance_role import InstanceRole, InstanceRoleArgs
from .instance_with_role import InstanceWithRole, InstanceWithRoleArgs
from .validation import InputError

__all__ = [
    "InputError",
    "InstanceRole",
    "InstanceRoleArgs",
    "InstanceWithRole",
    "InstanceWithRoleArgs",
]
