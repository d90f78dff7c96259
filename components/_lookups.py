"""Provider lookups that a program asks once, however many components need them.

``aws.get_partition`` is a synchronous invoke: each call waits for the event loop to run
everything already pending, so one call per component made a program of N components cost
O(N^2) (100 instances with their own roles took 9.9 s, 4.1 s with one lookup per program). The
Output-form lookups (the AMI's SSM parameter, the default subnet, its network) do not block, but
each is several invokes per instance for the same answer. Every one of them depends only on its
arguments and on the provider that answers, so each is asked once per provider per program run
(the engine's monitor stands for the run: the mocks give each test run a new one).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar

import pulumi
import pulumi_aws as aws
from pulumi.runtime.settings import get_monitor

T = TypeVar("T")

# monitor -> {(provider or None, key) -> answer}. Weak on the monitor, so a finished run's
# answers go with it; the providers are held, so their ids cannot be reused.
_ANSWERS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, Hashable], Any]] = (
    weakref.WeakKeyDictionary()
)


#: A token of the aws package, by which a resource names the provider its children use (only
#: the package part counts).
_AWS_TOKEN: Final = "aws:index/getPartition:getPartition"


def shared(resource: pulumi.Resource, key: Hashable, ask: Callable[[], T]) -> T:
    """``ask()``'s answer for the aws provider ``resource``'s children use (an explicit one
    given to it, for another region or China, is its own), asked once per program run.

    ``key`` is the function that asks, with what its answer depends on (``(default_subnet,
    instance_type)``): a function object cannot be misspelt or collide with another's key."""
    if not callable(key[0] if isinstance(key, tuple) else key):
        raise TypeError(f"shared() needs a function as the key, or first in it; got {key!r}")
    provider = resource.get_provider(_AWS_TOKEN)
    try:
        answers = _ANSWERS.setdefault(get_monitor(), {})
    except TypeError:  # a monitor that takes no weak reference: ask every time
        answers = {}
    if (provider, key) not in answers:
        answers[(provider, key)] = ask()
    return answers[(provider, key)]


def partition_for(resource: pulumi.Resource) -> str:
    """The partition of the aws provider ``resource``'s children use."""
    return shared(
        resource,
        partition_for,
        lambda: aws.get_partition(opts=pulumi.InvokeOptions(parent=resource)).partition,
    )


def forget(monitor: Any) -> None:
    """Drops the answers of the run ``monitor`` stands for: a test kit calls it when a run ends,
    so that what the answers hold (the components that asked) goes with the run."""
    _ANSWERS.pop(monitor, None)
