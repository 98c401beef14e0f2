"""Home Assistant payloads as msgspec structs (snake_case on the wire, as Home Assistant writes them). Private to the
Home Assistant package; unknown fields are ignored, as integrations add attributes freely.
"""

from __future__ import annotations

from typing import Any

import msgspec

LOCKED, UNLOCKED, LOCKING, UNLOCKING = "locked", "unlocked", "locking", "unlocking"
JAMMED, OPEN, OPENING = "jammed", "open", "opening"
UNAVAILABLE, UNKNOWN = "unavailable", "unknown"
OPEN_FEATURE = 1
"""`LockEntityFeature.OPEN`: the lock can unlatch (`lock.open`)."""
MATTER_SERVICES = frozenset(
    {
        "get_lock_info",
        "get_lock_users",
        "set_lock_user",
        "clear_lock_user",
        "set_lock_credential",
        "clear_lock_credential",
    }
)
"""The Matter lock user and credential actions the gateway needs (Home Assistant 2026.6 and later)."""


class Context(msgspec.Struct):
    id: str | None = None
    user_id: str | None = None


class State(msgspec.Struct):
    entity_id: str
    state: str
    attributes: dict[str, Any] = msgspec.field(default_factory=dict)
    last_changed: str | None = None
    last_updated: str | None = None
    context: Context | None = None

    @property
    def friendly_name(self) -> str | None:
        name = self.attributes.get("friendly_name")
        return name if isinstance(name, str) else None

    @property
    def features(self) -> int:
        value = self.attributes.get("supported_features", 0)
        return value if isinstance(value, int) else 0


class Config(msgspec.Struct):
    """`/api/config` (admin only): what the instance is."""

    location_name: str | None = None
    time_zone: str | None = None
    version: str | None = None
    components: list[str] = msgspec.field(default_factory=list)
    state: str | None = None


class Domain(msgspec.Struct):
    """One entry of `/api/services`."""

    domain: str
    services: dict[str, Any] = msgspec.field(default_factory=dict)


class Message(msgspec.Struct):
    """A message from Home Assistant, error or not."""

    message: str = ""


class Entry(msgspec.Struct):
    """An entity registry entry (`config/entity_registry/list`)."""

    entity_id: str
    platform: str | None = None
    device_id: str | None = None
    name: str | None = None
    original_name: str | None = None


class DeviceEntry(msgspec.Struct):
    """A device registry entry (`config/device_registry/list`)."""

    id: str
    manufacturer: str | None = None
    model: str | None = None
    name: str | None = None
    name_by_user: str | None = None
    sw_version: str | None = None


class LockInfo(msgspec.Struct):
    """`matter.get_lock_info`'s answer for one lock."""

    supports_user_management: bool = False
    supported_credential_types: list[str] = msgspec.field(default_factory=list)
    max_users: int | None = None
    max_pin_users: int | None = None
    min_pin_length: int | None = None
    max_pin_length: int | None = None


class Credential(msgspec.Struct):
    type: str
    index: int


class LockUser(msgspec.Struct):
    user_index: int
    user_name: str | None = None
    user_status: str | None = None
    user_type: str | None = None
    credentials: list[Credential] = msgspec.field(default_factory=list)


class LockUsers(msgspec.Struct):
    """`matter.get_lock_users`: names and slots; PINs are never returned (Matter PINs are write-only)."""

    users: list[LockUser] = msgspec.field(default_factory=list)
    total_users: int | None = None
    max_users: int | None = None


class CredentialSet(msgspec.Struct):
    """`matter.set_lock_credential`'s answer."""

    credential_index: int
    user_index: int
    next_credential_index: int | None = None


class Response(msgspec.Struct):
    """A service call made with `?return_response`."""

    changed_states: list[State] = msgspec.field(default_factory=list)
    service_response: dict[str, Any] = msgspec.field(default_factory=dict)
