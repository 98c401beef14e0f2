"""What providers and the gateway exchange: observed devices, codes and events, and the gateway's requests.

These carry no gateway ids: a provider knows devices by its vendor's ids, and the gateway maps them to its own.
"""

from __future__ import annotations

import enum
from typing import Any

import msgspec

from schemas.base import AwareDatetime, WireStruct
from schemas.devices import CodeConstraints, DeviceCapabilities, DeviceProperties
from schemas.events import EventMethod, EventType


class AuthKind(enum.StrEnum):
    """How a connected account logs in at its vendor."""

    OAUTH2_AUTHORIZATION_CODE = "oauth2_authorization_code"
    API_TOKEN = "api_token"
    PASSWORD = "password"
    CLIENT_CREDENTIALS = "client_credentials"
    ACCESS_TOKEN = "access_token"


class ProviderIssue(WireStruct):
    """An error or warning a provider reports about a device (`error_code` from Seam's vocabulary)."""

    error_code: str
    message: str


class ProviderDevice(WireStruct):
    """One device as its vendor reports it, already normalized."""

    provider_device_id: str
    device_model: str
    """The manifest's `DeviceModel` this device is one of (what it can do at most)."""
    name: str
    model: str | None
    timezone: str | None
    properties: DeviceProperties
    capabilities: DeviceCapabilities
    code_constraints: CodeConstraints
    errors: list[ProviderIssue] = msgspec.field(default_factory=list)
    warnings: list[ProviderIssue] = msgspec.field(default_factory=list)
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    """Vendor facts worth showing and that the adapter needs again (keypad paired, vendor model code, ...)."""


class AccountIdentity(WireStruct):
    """Who the credentials belong to at the vendor: one vendor account is one connected account."""

    provider_account_id: str
    display_name: str | None = None


class AccessCodeSpec(WireStruct):
    """A PIN the gateway wants on a device; no window means always valid."""

    name: str
    code: str
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    is_one_time_use: bool = False


class OfflineCodeSpec(WireStruct):
    """An offline code the gateway asks the vendor to compute (it picks the PIN): a window one of the device's time
    frame options takes as it is, or none for a permanent code.
    """

    name: str
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    is_one_time_use: bool = False


class ObservedAccessCode(WireStruct):
    """A PIN found on a device. `code` is null where the vendor never reveals PINs (Matter)."""

    provider_code_id: str
    name: str | None
    code: str | None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    is_pending: bool = False
    """The vendor has accepted a change that has not reached the lock yet."""
    restriction: str | None = None
    """What narrows the code beyond its two instants that the model cannot hold (a vendor's weekdays or minutes of
    the day, disabled), in words; the gateway never asks for one, so a code that has one differs from its wish."""


class OfflineAccessCode(WireStruct):
    """A PIN computed by the vendor's algorithm: valid without the lock ever being online, for exactly this window."""

    code: str
    provider_code_id: str | None
    starts_at: AwareDatetime | None
    ends_at: AwareDatetime | None
    warnings: list[ProviderIssue] = msgspec.field(default_factory=list)


class ActionKind(enum.StrEnum):
    LOCK = "lock"
    UNLOCK = "unlock"


class ActionReceipt(WireStruct):
    """The vendor took a lock or unlock command; `confirmed` when it also knows the lock carried it out."""

    confirmed: bool
    accepted_at: AwareDatetime
    reference: str | None = None
    """The vendor's handle to follow the command up (request id, job id), if it gives one."""


class ActionState(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ActionCheck(WireStruct):
    """Where a command stands. A failure carries a stable `error_code` (`device_jammed`, `device_offline`, ...)."""

    state: ActionState
    was_confirmed_by_device: bool = False
    error_code: str | None = None
    message: str | None = None


class ProviderEvent(WireStruct):
    """Something that happened at a device; `provider_event_id` is its vendor identity, to deduplicate by."""

    provider_event_id: str
    type: EventType
    occurred_at: AwareDatetime
    provider_device_id: str | None
    method: EventMethod | None = None
    provider_code_id: str | None = None
    was_confirmed_by_device: bool | None = None
    data: dict[str, Any] = msgspec.field(default_factory=dict)


class WebhookResult(WireStruct):
    """What an inbound vendor callback means: events to record and devices whose state to read again."""

    events: list[ProviderEvent] = msgspec.field(default_factory=list)
    refresh_device_ids: list[str] = msgspec.field(default_factory=list)
    refresh_account: bool = False
    """Read the whole account again (a callback about something the devices share, such as a gateway)."""
