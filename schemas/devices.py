"""The normalized lock: its state, what it can do, and the rules its PIN codes must follow."""

from __future__ import annotations

import enum
from datetime import timedelta
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


class TimeFrameOption(WireStruct):
    """One kind of offline code the device can issue, and the windows it takes (Seam's time frame options).

    A window fits when its length is within `min_duration`..`max_duration`, both its edges fall on whole
    `granularity` steps in `time_zone` (1 h: on the hour), and, with `matching_start_end_time`, it starts and ends at
    the same time of day. No bounds at all: a permanent code (no window). Durations are ISO 8601 (`PT1H`, `P29D`).
    """

    display_name: str
    min_duration: timedelta | None = None
    max_duration: timedelta | None = None
    granularity: timedelta = timedelta(hours=1)
    matching_start_end_time: bool = False
    is_one_time_use: bool = False
    """The code opens the lock once (its window is then exactly `max_duration` from its start)."""
    must_be_used_within: timedelta | None = None
    """A code left unused this long after its start stops working."""
    time_zone: str | None = None
    """Where the edges are placed (the device's zone); null: UTC."""

    @property
    def is_permanent(self) -> bool:
        return self.min_duration is None and self.max_duration is None and not self.is_one_time_use


class CodeConstraints(WireStruct):
    """Rules a PIN must satisfy on this device; `rules` use Seam's constraint names (`no_zeros`, ...)."""

    supported_code_lengths: list[int] = msgspec.field(default_factory=list)
    max_active_codes: int | None = None
    rules: list[str] = msgspec.field(default_factory=list)
    max_name_length: int | None = None
    offline_time_frame_options: list[TimeFrameOption] = msgspec.field(default_factory=list)
    """The offline codes the device can issue (empty where it issues none)."""


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
