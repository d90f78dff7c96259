"""Provider lookups that a program asks once, however many components need them.

``aws.get_partition`` is a synchronous invoke: each call waits for the event loop to run
everything already pending, so one call per component made a program of N components cost
O(N^2) (100 instances with their own roles took 9.9 s, 4.1 s with one lookup per program). The
partition depends only on the provider that answers, so it is asked once per provider per
program run (the engine's monitor stands for the run: the mocks give each test run a new one).
"""

from __future__ import annotations

import weakref
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi.runtime.settings import get_monitor

# monitor -> {provider (None for the default one) -> partition}. Weak on the monitor, so a
# finished run's answers go with it; the providers are held, so their ids cannot be reused.
_PARTITIONS: weakref.WeakKeyDictionary[Any, dict[Any, str]] = weakref.WeakKeyDictionary()


def partition_for(resource: pulumi.Resource) -> str:
    """The partition of the aws provider ``resource``'s children use (an explicit one given to
    it, for another region or China, is the one asked)."""
    provider = resource.get_provider("aws:index/getPartition:getPartition")
    try:
        known = _PARTITIONS.setdefault(get_monitor(), {})
    except TypeError:  # a monitor that takes no weak reference: ask every time
        known = {}
    if provider not in known:
        found = aws.get_partition(opts=pulumi.InvokeOptions(parent=resource))
        known[provider] = found.partition
    return known[provider]
