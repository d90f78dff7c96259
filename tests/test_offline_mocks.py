"""The offline runner itself: what a run leaves behind."""

import asyncio
import threading

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


class SeesThreads(AwsMocks):
    """The mocks, noting the thread of each resource and call they answer."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[int] = []

    def new_resource(self, args):
        self.threads.append(threading.get_ident())
        return super().new_resource(args)

    def call(self, args):
        self.threads.append(threading.get_ident())
        return super().call(args)


def test_one_executor_thread_answers_every_mock_of_a_run():
    """A mock holds the GIL from start to end, so more workers only contend for it: with
    several, a program of 100 instances cost more per instance than one of 50."""
    mocks = SeesThreads()
    run_program(
        lambda: [InstanceWithRole(f"app{i}", {}) for i in range(3)],
        mocks=mocks,
    )
    assert len(mocks.threads) > 10, "the mocks answered the resources and calls"
    assert len(set(mocks.threads)) == 1
    assert threading.get_ident() not in mocks.threads
