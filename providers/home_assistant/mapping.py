"""Pure translations between Home Assistant and the normalized model (no I/O): lock entities as devices, their states
as properties, errors and events, Matter lock users as (write-only) codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from providers.home_assistant.models import (
    JAMMED,
    LOCKED,
    OPEN,
    OPENING,
    UNAVAILABLE,
    UNKNOWN,
    UNLOCKED,
    DeviceEntry,
    Entry,
    LockInfo,
    LockUser,
    State,
)
from providers.manifest import Capability, flags_for
from schemas import CodeConstraints, DeviceProperties, EventType
from schemas.providers import ObservedAccessCode, ProviderDevice, ProviderEvent, ProviderIssue

LOCK = "lock"
MATTER_LOCK = "matter_lock_with_pin_codes"
LOCK_CAPABILITIES = frozenset({Capability.REMOTELY_LOCK, Capability.REMOTELY_UNLOCK})
PIN_CAPABILITIES = LOCK_CAPABILITIES | {Capability.PROGRAM_ONLINE_ACCESS_CODES, Capability.LIST_ACCESS_CODES}
FINAL = {LOCKED: EventType.LOCK_LOCKED, UNLOCKED: EventType.LOCK_UNLOCKED, OPEN: EventType.LOCK_UNLOCKED}
"""States that end a movement, and the event each is."""
_LOCKED = {LOCKED: True, UNLOCKED: False, OPEN: False, OPENING: False}


@dataclass(frozen=True, slots=True)
class Facts:
    """What the gateway learned about a lock entity besides its state (registries, Matter actions)."""

    entry: Entry | None = None
    device: DeviceEntry | None = None
    pins: LockInfo | None = None
    """The Matter lock's user management, when this Home Assistant has the Matter lock actions."""
    time_zone: str | None = None


def is_lock(state: State) -> bool:
    return state.entity_id.startswith("lock.")


def to_device(state: State, facts: Facts) -> ProviderDevice:
    pins = facts.pins if facts.pins is not None and facts.pins.supports_user_management else None
    device = facts.device
    name = state.friendly_name or (facts.entry.name if facts.entry else None) or state.entity_id
    return ProviderDevice(
        provider_device_id=state.entity_id,
        device_model=MATTER_LOCK if pins else LOCK,
        name=name,
        model=" ".join(part for part in (device.manufacturer, device.model) if part) or None if device else None,
        timezone=facts.time_zone,
        properties=properties(state),
        capabilities=flags_for(PIN_CAPABILITIES if pins else LOCK_CAPABILITIES),
        code_constraints=constraints(pins) if pins else CodeConstraints(),
        errors=errors(state),
        metadata={
            "entity_id": state.entity_id,
            "platform": facts.entry.platform if facts.entry else None,
            "manufacturer": device.manufacturer if device else None,
            "supported_features": state.features,
            "assumed_state": bool(state.attributes.get("assumed_state")),
        },
    )


def properties(state: State) -> DeviceProperties:
    """`locked` only where the state says it (a lock moving, jammed or unknown is neither)."""
    return DeviceProperties(
        online=state.state not in (UNAVAILABLE, UNKNOWN),
        locked=_LOCKED.get(state.state),
        door_open=True if state.state == OPEN else None,
    )


def errors(state: State) -> list[ProviderIssue]:
    if state.state == JAMMED:
        return [ProviderIssue(error_code="device_jammed", message="The lock is jammed: its bolt could not move.")]
    if state.state == UNAVAILABLE:
        return [ProviderIssue(error_code="device_offline", message="Home Assistant cannot reach the lock.")]
    return []


def constraints(pins: LockInfo) -> CodeConstraints:
    low, high = pins.min_pin_length or 4, pins.max_pin_length or 8
    return CodeConstraints(supported_code_lengths=list(range(low, high + 1)), max_active_codes=pins.max_pin_users)


def observed(user: LockUser) -> ObservedAccessCode:
    """A Matter lock user with a PIN: its name is seen, its PIN never (Matter PINs are write-only)."""
    return ObservedAccessCode(
        provider_code_id=str(user.user_index),
        name=user.user_name,
        code=None,
        restriction="disabled" if user.user_status == "occupied_disabled" else None,
    )


def has_pin(user: LockUser) -> bool:
    return any(credential.type == "pin" for credential in user.credentials)


def stamped(state: State, moment: datetime) -> bool:
    """Whether the state carries exactly `moment` as its change (Home Assistant's history gives the state at the
    start of a period that time).
    """
    changed = state.last_changed or state.last_updated
    return changed is not None and datetime.fromisoformat(changed) == moment


def event_of(state: State, since: datetime) -> ProviderEvent | None:
    """A recorded state that ends a movement, as the event it is (None for the others, and before `since`)."""
    kind = FINAL.get(state.state)
    changed = state.last_changed or state.last_updated
    if kind is None or changed is None:
        return None
    occurred_at = datetime.fromisoformat(changed)
    if occurred_at < since:
        return None
    return ProviderEvent(
        provider_event_id=f"{state.entity_id}@{changed}",
        type=kind,
        occurred_at=occurred_at,
        provider_device_id=state.entity_id,
        was_confirmed_by_device=not state.attributes.get("assumed_state", False),
        data={"state": state.state, "changed_by": state.attributes.get("changed_by")},
    )
