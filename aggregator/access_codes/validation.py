"""Checks on a wanted code before anything is stored or sent: what the lock can do, the window, the PIN against
the lock's rules and its other codes; and a PIN chosen when none is given.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import msgspec

from aggregator.http import errors
from aggregator.http.errors import ApiError
from providers import code_rules
from schemas import AccessCodeUpdate, Device


def check_capabilities(device: Device, *, offline: bool, one_time: bool) -> None:
    flag = "can_program_offline_access_codes" if offline else "can_program_online_access_codes"
    if not getattr(device.capabilities, flag):
        kind = "offline" if offline else "online"
        detail = f"{device.name} takes no {kind} access codes ({flag} is false)."
        raise ApiError(errors.CAPABILITY_NOT_SUPPORTED, detail)
    if one_time and not offline:
        detail = f"{device.name} cannot limit an online code to one use (is_one_time_use needs an offline code)."
        raise ApiError(errors.CAPABILITY_NOT_SUPPORTED, detail)


def check_offline_change(data: AccessCodeUpdate) -> None:
    """An offline code was computed for its PIN and window: only the gateway's name for it can change."""
    fixed = [name for name in ("code", "starts_at", "ends_at", "type") if getattr(data, name) is not msgspec.UNSET]
    if fixed:
        message = f"An offline code's {', '.join(fixed)} cannot change; delete it and issue a new one."
        raise ApiError(errors.OFFLINE_CODE_IMMUTABLE, message, field_errors=[{"field": fixed[0], "message": message}])


def check_window(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        _invalid("ends_at", "ends_at must be after starts_at.")
    if ends_at is not None and ends_at <= now:
        _invalid("ends_at", "The window has ended already: ends_at is in the past.")


def check_pin(pin: str, device: Device, taken: Collection[str]) -> None:
    """The PIN keeps every rule of the lock and no other code on the lock has it."""
    broken = code_rules.violation(pin, device.code_constraints)
    if broken is not None:
        _, message = broken
        raise ApiError(errors.CODE_CONSTRAINT_VIOLATED, message, field_errors=[{"field": "code", "message": message}])
    if pin in taken:
        raise ApiError(errors.DUPLICATE_CODE_ON_DEVICE, f"{device.name} has another code with this PIN already.")


def choose_pin(device: Device, taken: Collection[str], *, length: int | None) -> str:
    try:
        return code_rules.generate(device.code_constraints, taken=taken, length=length)
    except LookupError as exc:
        raise ApiError(errors.CODE_CONSTRAINT_VIOLATED, str(exc)) from exc


def _invalid(field: str, message: str) -> None:
    raise ApiError(errors.VALIDATION_ERROR, message, field_errors=[{"field": field, "message": message}])
