"""The tests' view of the mock engine (offline/mocks.py), shared with `make review`."""

from offline.mocks import (  # noqa: F401
    AL2023_PARAMETER,
    CHINA,
    PROJECT,
    AwsMocks,
    AwsTarget,
    RecordingMonitor,
    Registration,
    Run,
    UnmockedCallError,
    default_subnets,
    run_program,
    unknown_output,
)
