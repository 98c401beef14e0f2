"""The simulated Home Assistant's data: contexts (ULID ids), states as Home Assistant writes them, the lock entities
behind them, and the errors a service call can end in (each answered the way Home Assistant answers it).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

LOCKED, UNLOCKED, LOCKING, UNLOCKING = "locked", "unlocked", "locking", "unlocking"
JAMMED, OPEN, OPENING, UNAVAILABLE = "jammed", "open", "opening", "unavailable"
LOCK_STATES = frozenset({LOCKED, UNLOCKED, LOCKING, UNLOCKING, JAMMED, OPEN, OPENING})
OPEN_FEATURE = 1
"""`LockEntityFeature.OPEN`."""
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ENTITY_ID = re.compile(r"^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$")
"""Home Assistant's `valid_entity_id`."""


def version_tuple(version: str) -> tuple[int, int]:
    """`2024.3.3` -> (2024, 3): what the simulator's version-dependent behaviour keys on."""
    year, month, *_ = (int(part) if part.isdigit() else 0 for part in [*version.split("."), "0"])
    return year, month


def iso(instant: datetime) -> str:
    """A timestamp as Home Assistant writes it (`datetime.isoformat()` of an aware UTC instant)."""
    return instant.isoformat()


def ulid(instant: datetime, rng: random.Random) -> str:
    """A ULID as Home Assistant makes its context ids: 48 bits of milliseconds, 80 random bits, Crockford base32."""
    value = (int(instant.timestamp() * 1000) << 80) | rng.getrandbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


@dataclass(frozen=True)
class Context:
    id: str
    user_id: str | None = None
    parent_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "parent_id": self.parent_id, "user_id": self.user_id}


@dataclass(frozen=True)
class State:
    """One state written to the state machine (Home Assistant's `State`)."""

    entity_id: str
    state: str
    attributes: dict[str, Any]
    last_changed: datetime
    last_updated: datetime
    context: Context

    def as_dict(self, *, reported: bool = True) -> dict[str, Any]:
        """The REST/WebSocket form; `last_reported` exists from Home Assistant 2024.4 on."""
        payload: dict[str, Any] = {
            "entity_id": self.entity_id,
            "state": self.state,
            "attributes": dict(self.attributes),
            "last_changed": iso(self.last_changed),
        }
        if reported:
            payload["last_reported"] = iso(self.last_updated)
        payload |= {"last_updated": iso(self.last_updated), "context": self.context.as_dict()}
        return payload


@dataclass
class MatterUser:
    user_index: int
    user_name: str | None
    user_unique_id: int | None
    user_status: str
    user_type: str
    credential_rule: str


@dataclass
class MatterCredential:
    credential_index: int
    user_index: int
    data: str
    """The PIN: write-only through the API, kept for the keypad (and the tests' eyes)."""


@dataclass
class MatterStore:
    """A Matter lock's user and credential tables (DoorLock cluster with the USR and PIN features)."""

    max_users: int
    max_pin_users: int
    min_pin_length: int
    max_pin_length: int
    max_credentials_per_user: int = 5
    users: dict[int, MatterUser] = field(default_factory=dict)
    pins: dict[int, MatterCredential] = field(default_factory=dict)
    """credential_index -> PIN credential."""


@dataclass
class Lock:
    """A lock entity and the device behind it."""

    entity_id: str
    name: str
    state: str
    """What the lock is physically doing (shown unless the entity is unavailable)."""
    jams: bool = False
    openable: bool = False
    matter: MatterStore | None = None
    manufacturer: str | None = None
    model: str | None = None
    registry: bool = True
    available: bool = True
    changed_by: str | None = None
    """Matter locks: the last operation's source (Keypad, Manual, Remote)."""
    device_id: str = ""
    entry_id: str = ""
    unique_id: str = ""
    config_entry_id: str = ""

    @property
    def platform(self) -> str:
        if not self.registry:
            return "demo"
        return "matter" if self.matter is not None else "zwave_js"

    @property
    def supported_features(self) -> int:
        return OPEN_FEATURE if self.openable else 0

    def attributes(self) -> dict[str, Any]:
        """State attributes in Home Assistant's order (entity state attributes first, then the common ones)."""
        shown = {"changed_by": self.changed_by} if self.available and self.changed_by is not None else {}
        return shown | {"friendly_name": self.name, "supported_features": self.supported_features}


class HAError(Exception):
    """A service call that Home Assistant refuses; subclasses say how REST and the WebSocket show it."""

    ws_code = "home_assistant_error"

    def __init__(self, message: str, **translation: Any) -> None:
        super().__init__(message)
        self.message = message
        self.translation = translation
        """translation_key, translation_placeholders, translation_domain (WebSocket errors show them)."""


class ServiceNotFound(HAError):
    ws_code = "not_found"

    def __init__(self, domain: str, service: str) -> None:
        super().__init__(
            f"Service {domain}.{service} not found.",
            translation_key="service_not_found",
            translation_placeholders={"domain": domain, "service": service},
            translation_domain="homeassistant",
        )


class Invalid(HAError):
    """The service data fails the service's schema (REST: `400: Bad Request`)."""

    ws_code = "invalid_format"


class ServiceValidationError(HAError):
    ws_code = "service_validation_error"


class UnknownError(HAError):
    """A plain exception inside Home Assistant (WebSocket: `unknown_error`)."""

    ws_code = "unknown_error"


class MatterError(ServiceValidationError):
    """A refused Matter lock action; `ws_code` home_assistant_error for failures the lock itself reports."""

    def __init__(self, message: str, *, device: bool = False, **translation: Any) -> None:
        super().__init__(message, **translation)
        if device:
            self.ws_code = "home_assistant_error"
