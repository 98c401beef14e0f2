"""Access codes: the PINs the gateway keeps on locks (desired state), codes found on locks that it did not set
(unmanaged), and the drift between the two that support staff look at.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from schemas.base import AwareDatetime, Name, RequestStruct, WireStruct
from schemas.common import ResourceIssue

Pin = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4,12}$", description="4 to 12 digits", examples=["482913"])]
CommonCodeKey = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class AccessCodeType(enum.StrEnum):
    ONGOING = "ongoing"
    TIME_BOUND = "time_bound"


class AccessCodeStatus(enum.StrEnum):
    """`setting` until the lock has it, `set` while it works, `removing` until the lock lost it, `unset` when it is
    not on the lock (not started, ended); `unknown` while the account cannot be reached.
    """

    SETTING = "setting"
    SET = "set"
    REMOVING = "removing"
    UNSET = "unset"
    UNKNOWN = "unknown"


class MutationCode(enum.StrEnum):
    CREATING = "creating"
    DEFERRING_CREATION = "deferring_creation"
    DELETING = "deleting"
    UPDATING_CODE = "updating_code"
    UPDATING_NAME = "updating_name"
    UPDATING_TIME_FRAME = "updating_time_frame"


class PendingMutation(WireStruct):
    """A change the gateway still has to make on the lock (Seam's `pending_mutations`)."""

    mutation_code: MutationCode
    created_at: AwareDatetime
    scheduled_at: AwareDatetime | None = None
    """For `deferring_creation`: when the code will be loaded onto the lock."""
    from_: dict[str, Any] | None = msgspec.field(default=None, name="from")
    to: dict[str, Any] | None = None


class AccessCode(WireStruct):
    """A PIN on one lock. Managed codes are what the gateway keeps there; unmanaged ones (`is_managed: false`) were
    found on the lock and are only reported.
    """

    id: UUID
    device_id: UUID
    name: str | None
    code: str | None
    type: AccessCodeType
    starts_at: AwareDatetime | None
    ends_at: AwareDatetime | None
    status: AccessCodeStatus
    is_managed: bool
    common_code_key: str | None
    is_external_modification_allowed: bool
    is_offline_access_code: bool
    is_one_time_use: bool
    is_scheduled_on_device: bool
    """The lock holds the code already, ahead of its start (native scheduling)."""
    pending_mutations: list[PendingMutation]
    errors: list[ResourceIssue]
    warnings: list[ResourceIssue]
    created_at: AwareDatetime
    updated_at: AwareDatetime


class AccessCodeCreate(RequestStruct):
    """Body of `POST /v1/access_codes`. Without `code`, one is generated that fits the lock's rules and is free
    on it; without `starts_at`/`ends_at`, the code is ongoing.
    """

    device_id: UUID
    name: Name | None = None
    code: Pin | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    common_code_key: CommonCodeKey | None = None
    """The same key on several doors gets the same (generated) PIN on each."""
    preferred_code_length: Annotated[int, msgspec.Meta(ge=4, le=12)] | None = None
    allow_external_modification: bool = False
    """Changes made in the vendor's app are adopted (with a warning) instead of undone."""
    is_offline_access_code: bool = False
    """The vendor computes the PIN (leave `code` out) for a window the device's `offline_time_frame_options` take;
    it works without the lock being reached. No window: a permanent code, where the device issues those."""
    is_one_time_use: bool = False
    max_time_rounding: Literal["1h", "1hour", "1d", "1day"] | None = None
    """Offline codes: the window may be widened by up to an hour (`1h`) or a day (`1d`) at each edge to one the
    device's options take; the code's actual window is in the answer. Without it, such a window is a 422."""
    prefer_native_scheduling: bool = True
    """Load a time-bound code onto the lock ahead of its start where the lock enforces windows itself."""


class AccessCodeUpdate(RequestStruct):
    """Body of `PATCH /v1/access_codes/{id}`; a field left out keeps its value, `"type": "ongoing"` drops the window."""

    name: Name | msgspec.UnsetType | None = msgspec.UNSET
    code: Pin | msgspec.UnsetType = msgspec.UNSET
    starts_at: AwareDatetime | msgspec.UnsetType | None = msgspec.UNSET
    ends_at: AwareDatetime | msgspec.UnsetType | None = msgspec.UNSET
    type: Literal["ongoing", "time_bound"] | msgspec.UnsetType = msgspec.UNSET
    allow_external_modification: bool | msgspec.UnsetType = msgspec.UNSET


class DriftReason(enum.StrEnum):
    MISSING_ON_DEVICE = "missing_on_device"
    UNEXPECTED_ON_DEVICE = "unexpected_on_device"
    DIFFERS = "differs"
    EXPIRED_BUT_PRESENT = "expired_but_present"
    WAITING_FOR_DEVICE_ONLINE = "waiting_for_device_online"
    FAILED = "failed"


class DriftItem(WireStruct):
    """One difference between what the gateway wants on a lock and what the lock has, and what will happen."""

    reason: DriftReason
    message: str
    access_code_id: UUID | None = None
    provider_code_id: str | None = None
    name: str | None = None


class DeviceDrift(WireStruct):
    """A lock's wanted codes against its real ones, as last read from the vendor (`observed_at`)."""

    device_id: UUID
    device_name: str
    connected_account_id: UUID
    in_sync: bool
    drift_since: AwareDatetime | None
    """When the lock was first seen out of sync (null: in sync)."""
    observed_at: AwareDatetime | None
    """When the lock's codes were last read (null: never yet)."""
    items: list[DriftItem]
