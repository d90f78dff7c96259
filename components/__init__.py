"""Keyless AWS access for EC2: an instance role component, an instance that runs as it, and an
Auto Scaling group whose instances all do."""

from ._meta import PACKAGE_NAME, __version__
from .auto_scaling_group_with_role import (
    AutoScalingGroupWithRole,
    AutoScalingGroupWithRoleArgs,
    check_auto_scaling_group_with_role_args,
)
from .instance_role import InstanceRole, InstanceRoleArgs, check_instance_role_args
from .instance_with_role import (
    InstanceWithRole,
    InstanceWithRoleArgs,
    check_instance_with_role_args,
)
from .profile_attachment import ProfileAttachment
from .validation import InputError

__all__ = [
    "PACKAGE_NAME",
    "AutoScalingGroupWithRole",
    "AutoScalingGroupWithRoleArgs",
    "InputError",
    "InstanceRole",
    "InstanceRoleArgs",
    "InstanceWithRole",
    "InstanceWithRoleArgs",
    "ProfileAttachment",
    "__version__",
    "check_auto_scaling_group_with_role_args",
    "check_instance_role_args",
    "check_instance_with_role_args",
]
