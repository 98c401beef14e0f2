"""The normalized lock: its state, what it can do, and the rules its PIN codes must follow."""

from __future__ import annotations

import enum
from typing import Annotated, Any
from uuid import UUID

import msgspec

from schemas.base import AwareDatetime, Name, RequestStruct, WireStruct
from schemas.common import ResourceIssue


class BatteryStatus(enum.StrEnum):
    CRITICAL = "critical"
    LOW = "low"
    GOOD = "good"
    FULL = "full"


class DeviceProperties(WireStruct):
    """Observed state. `locked` is null where the vendor cannot know it; it is never invented."""

    online: bool = False
    locked: bool | None = None
    door_open: bool | None = None
    battery_level: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    battery_status: BatteryStatus | None = None


class DeviceCapabilities(WireStruct):
    """What the gateway can do with this device; a request these rule out fails before any vendor call."""

    can_remotely_lock: bool = False
    can_remotely_unlock: bool = False
    can_program_online_access_codes: bool = False
    can_program_offline_access_codes: bool = False
    can_program_time_bound_codes_natively: bool = False
    can_list_access_codes: bool = False


class CodeConstraints(WireStruct):
    """Rules a PIN must satisfy on this device; `rules` use Seam's constraint names (`no_zeros`, ...)."""

    supported_code_lengths: list[int] = msgspec.field(default_factory=list)
    max_active_codes: int | None = None
    rules: list[str] = msgspec.field(default_factory=list)
    max_name_length: int | None = None


class Device(WireStruct):
    """A lock reached through one connected account."""

    id: UUID
    connected_account_id: UUID
    provider: str
    provider_device_id: str
    name: str
    model: str | None
    timezone: str | None
    properties: DeviceProperties
    capabilities: DeviceCapabilities
    code_constraints: CodeConstraints
    created_at: AwareDatetime
    updated_at: AwareDatetime
    errors: list[ResourceIssue] = msgspec.field(default_factory=list)
    warnings: list[ResourceIssue] = msgspec.field(default_factory=list)
    provider_metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    """Vendor facts as the provider reports them (keypad paired, vendor model code, ...); the shape is the vendor's."""


class DeviceUpdate(RequestStruct):
    """Body of `PATCH /v1/devices/{id}`: the gateway's own name or time zone for the device (null: the vendor's)."""

    name: Name | msgspec.UnsetType | None = msgspec.UNSET
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | msgspec.UnsetType | None = msgspec.UNSET
    """An IANA time zone name such as `Europe/Berlin`."""
