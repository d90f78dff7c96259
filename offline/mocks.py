"""The mocks the repository's own tests and tools use: the package's test kit
(``ec2_instance_role.testing``, components/testing.py), under the path they have always
imported."""

from components.testing import (
    AL2023_PARAMETER,
    CHINA,
    DEFAULT_VPC,
    NAT_GATEWAY,
    OWN_VPC,
    PROJECT,
    AwsMocks,
    AwsTarget,
    ProviderError,
    RecordingMonitor,
    Registration,
    Run,
    UnmockedCallError,
    default_subnets,
    run_program,
    service_principal,
    unknown_output,
)

__all__ = [
    "AL2023_PARAMETER",
    "CHINA",
    "DEFAULT_VPC",
    "NAT_GATEWAY",
    "OWN_VPC",
    "PROJECT",
    "AwsMocks",
    "AwsTarget",
    "ProviderError",
    "RecordingMonitor",
    "Registration",
    "Run",
    "UnmockedCallError",
    "default_subnets",
    "run_program",
    "service_principal",
    "unknown_output",
]
