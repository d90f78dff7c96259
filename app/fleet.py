"""The stack's fleet settings: one instance (fleetSize 0) or an Auto Scaling group. Pure
checks; the stack program (``__main__.py``) builds what they allow."""

from __future__ import annotations

from components.validation import InputError


def check_fleet(
    size: int,
    max_size: int,
    *,
    subnet_ids: list[str],
    subnet_id: str,
    termination_protection: bool,
    zone_count: int = 2,
) -> None:
    """Settings that would be ignored or contradict each other, before anything exists."""
    if zone_count < 1:
        raise InputError(f"fleetZoneCount {zone_count} must be 1 or more.")
    if size < 0 or max_size < 0:
        raise InputError(
            f"fleetSize {size} and fleetMaxSize {max_size} must be 0 or more (fleetSize 0 runs "
            "one instance without Auto Scaling)."
        )
    if size == 0:
        if subnet_ids or max_size:
            raise InputError(
                "fleetSubnetIds or fleetMaxSize is set, but fleetSize is 0 (one instance, no "
                "group), so they would be ignored. Set fleetSize, or clear them."
            )
        return
    if max_size and max_size < size:
        raise InputError(f"fleetMaxSize {max_size} is below fleetSize {size}. Raise it.")
    if subnet_id:
        raise InputError(
            f"subnetId {subnet_id} names one subnet, but a fleet (fleetSize {size}) runs across "
            "subnets in several zones. Set fleetSubnetIds instead (empty: the default subnets)."
        )
    if termination_protection:
        raise InputError(
            "terminationProtection is for one instance; a fleet's instances are Auto Scaling's "
            "to replace, and a protected one could not be scaled in or refreshed. Set it to "
            "false for a fleet."
        )
