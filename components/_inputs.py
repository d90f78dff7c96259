"""Helpers that apply the pure checks to Pulumi inputs: now for plain values, at resolution for
values known only at deploy time."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import pulumi

from .policy_documents import UNKNOWN

T = TypeVar("T")


def is_known(value: object) -> bool:
    """A plain value: not an ``Output`` nor an awaitable, so it can be checked now."""
    return not isinstance(value, pulumi.Output) and not hasattr(value, "__await__")


def known_or_none(value: pulumi.Input[T] | None) -> T | None:
    """``value`` if it is known now, else ``None``."""
    if value is None or not is_known(value):
        return None
    return value  # type: ignore[return-value]


class DeployTimeChecks:
    """The checks of one component's values known only at deploy time, as a gate its children
    wait behind, so that a failed check leaves nothing of the component created.

    Without it a check fails only the resource that consumes the value: a bad policy document
    that resolves during `pulumi up` fails its RolePolicy while the role and the profile, which
    do not wait for it, are created. Each child gets :meth:`barrier` as ``depends_on``: the
    Python SDK awaits a ``depends_on`` Output before it sends RegisterResource (pulumi 3.272
    ``runtime/resource.py`` ``prepare_resource`` -> ``runtime/_depends_on.py``), so a check
    that raises fails the child before AWS hears of it, with the check's own exception. An
    Output that is unknown during a preview resolves to ``None`` there and adds no wait.
    """

    def __init__(self) -> None:
        self._pending: list[pulumi.Output[Any]] = []
        # The last barrier and how many checks it covers: InstanceWithRole and its nested
        # InstanceRole ask for it in turn, mostly with nothing added in between.
        self._barrier: tuple[int, pulumi.Output[Any]] | None = None

    def add(self, value: pulumi.Output[T]) -> pulumi.Output[T]:
        """Holds the children back until ``value`` resolves (and fails them if it raises)."""
        self._pending.append(value)
        return value

    def barrier(self) -> list[pulumi.Input[pulumi.Resource]]:
        """Entries for a child's ``depends_on``: none when every check ran now, else one Output
        that resolves to ``None`` (which ``depends_on`` skips) once every deploy-time check so
        far has passed, and that carries the resources the checked values come from."""
        if not self._pending:
            return []
        if self._barrier is None or self._barrier[0] != len(self._pending):
            passed = pulumi.Output.all(*self._pending).apply(lambda _: None)
            self._barrier = (len(self._pending), passed)
        return [self._barrier[1]]

    @contextmanager
    def active(self) -> Iterator[DeployTimeChecks]:
        """Within this block, :func:`checked` (and a nested component) add to these checks."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)

    @staticmethod
    def current() -> DeployTimeChecks | None:
        """The checks of the component being constructed, if any: a component nested in
        another (InstanceWithRole's InstanceRole) shares its parent's, so the parent's
        children also wait on the nested one's checks and the other way round."""
        return _ACTIVE.get()


class _AlreadyReported(logging.Filter):
    """Drops asyncio's "Future exception was never retrieved" for an InputError or a failed
    data source.

    When a resource fails, the Python SDK rejects every future behind each of its outputs, and
    an Output awaits only the first of them (pulumi 3.272 ``output.py`` ``compute_data``), so
    the others are garbage-collected unretrieved and asyncio logs each one, the message in
    full, dozens of times. The program's own error already reports the InputError, once.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from .validation import InputError

        error = record.exc_info[1] if record.exc_info else None
        reported = isinstance(error, InputError) or (
            # A failed data source (a KMS alias that does not exist), which the program's error
            # reports the same way (pulumi 3.272 runtime/invoke.py "invoke of ... failed").
            error is not None and str(error).startswith("invoke of ")
        )
        return not (reported and "never retrieved" in record.getMessage())


_ASYNCIO_LOGGER = logging.getLogger("asyncio")
if not any(isinstance(f, _AlreadyReported) for f in _ASYNCIO_LOGGER.filters):
    _ASYNCIO_LOGGER.addFilter(_AlreadyReported())


_ACTIVE: contextvars.ContextVar[DeployTimeChecks | None] = contextvars.ContextVar(
    "ec2_instance_role_deploy_time_checks", default=None
)


def deferred(value: pulumi.Output[T]) -> pulumi.Output[T]:
    """``value``, a check that runs when it resolves, added to the active component's gate."""
    gate = DeployTimeChecks.current()
    return gate.add(value) if gate is not None else value


def checked(value: pulumi.Input[T], check: Callable[[T], None]) -> pulumi.Input[T]:
    """Runs ``check`` on ``value`` now if it is known, else when it resolves.

    At resolution a failed check fails the resource that consumes the value, with the same
    message, and, inside a component's :meth:`DeployTimeChecks.active` block, every child of
    the component before it is created; during a preview an unknown value is not checked
    (Pulumi skips ``apply`` then).
    """
    if is_known(value):
        check(value)  # type: ignore[arg-type]
        return value
    output = pulumi.Output.from_input(value)

    def run(resolved_and_secret: list[Any]) -> T:
        resolved, secret = resolved_and_secret
        try:
            check(resolved)
        except Exception as error:
            from .validation import InputError

            if not (secret and isinstance(error, InputError)):
                raise
            # The message quotes the value; a secret's must not reach the log.
            message = (
                str(error).replace(repr(resolved), "[secret]").replace(str(resolved), "[secret]")
            )
            raise InputError(message) from None
        return resolved

    is_secret = pulumi.Output.from_input(output.is_secret())
    return deferred(pulumi.Output.all(output, is_secret).apply(run))


def with_unknowns(value: Any) -> Any:
    """``value`` with every ``Output`` or awaitable inside replaced by :data:`UNKNOWN`."""
    if not is_known(value):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: with_unknowns(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [with_unknowns(v) for v in value]
    return value


def contains_unknowns(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(contains_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknowns(v) for v in value)
    return False


def with_whole_numbers(args: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """``args`` with each of ``fields`` that holds a whole ``float`` turned into an ``int``.

    Numbers from other languages cross the wire as protobuf doubles, so the component host hands
    ``2`` over as ``2.0``; its own int conversion (pulumi 3.272
    ``provider/experimental/component.py``, ``map_input_properties``) is overwritten by the
    line after it. ``2.5`` stays a float, for the checks to refuse.
    """
    normalized = dict(args)
    for field in fields:
        value = normalized.get(field)
        if isinstance(value, float) and value.is_integer():
            normalized[field] = int(value)
    return normalized
