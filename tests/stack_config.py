"""The tests' view of the stack-config merge (offline/stack_config.py)."""

from offline.stack_config import (  # noqa: F401
    ROOT,
    StackConfigError,
    merged_config,
    project,
    run_stack_program,
    stack_file,
)
