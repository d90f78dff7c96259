"""The offline runner itself: what a run leaves behind."""

import asyncio
import subprocess
import sys
import threading
from pathlib import Path

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


FREEZE_PROBE = """
import gc
from components import InstanceWithRole
from offline.mocks import run_program
{before}
at_start = gc.get_freeze_count()
during = []
def program():
    during.append(gc.get_freeze_count())
    InstanceWithRole("app", {{}})
run_program(program)
print(at_start, during[0], gc.get_freeze_count())
"""


def freeze_counts(before: str = "") -> tuple[int, int, int]:
    done = subprocess.run(
        [sys.executable, "-c", FREEZE_PROBE.format(before=before)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    at_start, during, after = (int(count) for count in done.stdout.split())
    return at_start, during, after


def test_a_run_keeps_what_existed_before_it_out_of_the_collectors_passes_and_thaws_it_after():
    at_start, during, after = freeze_counts()
    assert at_start == 0
    assert during > 10_000, "the modules imported before the run are frozen during it"
    assert after == 0, "nothing stays frozen once the run ends"


def test_a_run_keeps_a_freeze_its_caller_made():
    at_start, during, after = freeze_counts(before="gc.freeze()")
    assert at_start > 0
    # Frozen objects freed during the run leave the count, so it can only fall.
    assert during <= at_start, "the run froze nothing more"
    assert 0 < after <= at_start, "the run did not thaw its caller's freeze"


def test_a_run_collects_its_young_objects_less_often_and_restores_the_thresholds_after():
    import gc

    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []

    def program():
        during.append(gc.get_threshold())
        InstanceWithRole("app", {})

    run_program(program)
    assert during[0][0] > before[0]
    assert gc.get_threshold() == before


def test_a_finished_run_keeps_none_of_its_futures_alive():
    """The SDK's module state (its RPC list, the first failure's traceback, its tracked
    Outputs) is cleared when a run ends, not when the next begins: a failed run's rejected
    futures are collected with it, and their logs do not land in the next run's."""
    import gc

    import pulumi

    from components import InstanceRole
    from components.validation import InputError

    run = run_program(
        lambda: InstanceRole("app", {"role_name": pulumi.Output.from_input("has space")}),
        capture_error=True,
    )
    assert isinstance(run.error, InputError)
    del run
    gc.collect()
    alive = [
        o
        for o in gc.get_objects()
        if isinstance(o, asyncio.Future)
        and o.done()
        and not o.cancelled()
        and isinstance(o.exception(), InputError)
    ]
    assert alive == []
