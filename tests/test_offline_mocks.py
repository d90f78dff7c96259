"""The offline runner itself: what a run leaves behind."""

import asyncio

from components import InstanceWithRole
from offline.mocks import AwsMocks, run_program


class SeesThreadLoops(AwsMocks):
    """The mocks, noting the event loop of each executor thread that calls them."""

    def __init__(self) -> None:
        super().__init__()
        self.thread_loops: list[asyncio.AbstractEventLoop] = []

    def call(self, args):
        self.thread_loops.append(asyncio.get_event_loop())
        return super().call(args)


def test_a_run_closes_the_event_loops_of_its_executor_threads():
    """pulumi's MockMonitor gives each executor thread an event loop it never closes, which
    garbage collection later closes badly ("Invalid file descriptor: -1" warnings)."""
    mocks = SeesThreadLoops()
    run_program(lambda: InstanceWithRole("app", {}), mocks=mocks)
    assert mocks.thread_loops, "the mocks were called from executor threads"
    assert all(loop.is_closed() for loop in mocks.thread_loops)
