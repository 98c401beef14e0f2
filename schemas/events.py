"""Normalized events: what happened at a lock or in the gateway, with Seam's event names."""

from __future__ import annotations

import enum
from typing import Any
from uuid import UUID

from schemas.base import AwareDatetime, WireStruct


class EventType(enum.StrEnum):
    LOCK_LOCKED = "lock.locked"
    LOCK_UNLOCKED = "lock.unlocked"
    LOCK_ACCESS_DENIED = "lock.access_denied"
    ACCESS_CODE_CREATED = "access_code.created"
    ACCESS_CODE_CHANGED = "access_code.changed"
    ACCESS_CODE_DELETED = "access_code.deleted"
    ACCESS_CODE_SCHEDULED_ON_DEVICE = "access_code.scheduled_on_device"
    ACCESS_CODE_SET_ON_DEVICE = "access_code.set_on_device"
    ACCESS_CODE_ISSUED = "access_code.issued"
    """An offline code was computed by the vendor: it works within its window without the lock being reached."""
    ACCESS_CODE_REMOVED_FROM_DEVICE = "access_code.removed_from_device"
    ACCESS_CODE_FAILED_TO_SET_ON_DEVICE = "access_code.failed_to_set_on_device"
    ACCESS_CODE_FAILED_TO_REMOVE_FROM_DEVICE = "access_code.failed_to_remove_from_device"
    ACCESS_CODE_MODIFIED_EXTERNAL_TO_SEAM = "access_code.modified_external_to_seam"
    ACCESS_CODE_DELETED_EXTERNAL_TO_SEAM = "access_code.deleted_external_to_seam"
    ACCESS_CODE_UNMANAGED_DETECTED = "access_code.unmanaged_detected"
    DEVICE_CONNECTED = "device.connected"
    DEVICE_DISCONNECTED = "device.disconnected"
    DEVICE_ADDED = "device.added"
    DEVICE_REMOVED = "device.removed"
    DEVICE_LOW_BATTERY = "device.low_battery"
    DEVICE_TAMPERED = "device.tampered"
    CONNECTED_ACCOUNT_CONNECTED = "connected_account.connected"
    CONNECTED_ACCOUNT_DISCONNECTED = "connected_account.disconnected"
    CONNECTED_ACCOUNT_NEEDS_REAUTHORIZATION = "connected_account.needs_reauthorization"
    ACTION_ATTEMPT_LOCK_DOOR_SUCCEEDED = "action_attempt.lock_door.succeeded"
    ACTION_ATTEMPT_LOCK_DOOR_FAILED = "action_attempt.lock_door.failed"
    ACTION_ATTEMPT_UNLOCK_DOOR_SUCCEEDED = "action_attempt.unlock_door.succeeded"
    ACTION_ATTEMPT_UNLOCK_DOOR_FAILED = "action_attempt.unlock_door.failed"


class EventMethod(enum.StrEnum):
    KEYCODE = "keycode"
    MANUAL = "manual"
    AUTOMATIC = "automatic"
    REMOTE = "remote"
    APP = "app"
    UNKNOWN = "unknown"


class EventSource(enum.StrEnum):
    DEVICE = "device"
    CLOUD = "cloud"
    GATEWAY = "gateway"


class Event(WireStruct):
    """Something that happened; events are deduplicated by their vendor identity and never edited."""

    id: UUID
    type: EventType
    occurred_at: AwareDatetime
    received_at: AwareDatetime
    device_id: UUID | None
    connected_account_id: UUID | None
    access_code_id: UUID | None
    action_attempt_id: UUID | None
    method: EventMethod | None
    source: EventSource
    was_confirmed_by_device: bool | None
    data: dict[str, Any]
