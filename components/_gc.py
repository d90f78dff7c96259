"""The garbage collector paused around code that must not meet a finalizer midway."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No collection (and so no finalizer) runs inside the block. On CPython 3.11.7 a finalizer
    that runs in the middle of ``ast.parse`` (an abandoned asyncio future logging its exception,
    say) makes it fail with "SystemError: AST constructor recursion depth mismatch"; the schema
    analyzer catches that and silently drops every docstring of the class it was reading."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
