"""Building code records from requests: a new code, a changed one, a revoked one (with the state they start in),
and the view of a code that audit entries keep (never the PIN).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

import msgspec

from aggregator.access_codes.repository import CodeRecord
from aggregator.ids import new_id
from aggregator.reconcile.model import Applied, Terms
from aggregator.reconcile.status import code_state
from schemas import (
    AccessCode,
    AccessCodeCreate,
    AccessCodeStatus,
    AccessCodeType,
    AccessCodeUpdate,
    Device,
    MutationCode,
    PendingMutation,
    ResourceIssue,
)

DEFAULT_NAME = "Access code"
STILL_VALID = "offline_code_still_valid"
_REFUSALS = {
    "failed_to_set_on_device",
    "code_constraint_violated",
    "duplicate_code_on_device",
    "no_space_for_access_code_on_device",
}
"""The vendor's refusals of a code's earlier spec (`reconcile.outcomes`): a change of the code clears them."""


def new_record(
    workspace_id: uuid.UUID, device: Device, data: AccessCodeCreate, pin: str, now: datetime, terms: Terms
) -> CodeRecord:
    window = data.starts_at is not None or data.ends_at is not None
    code = AccessCode(
        id=new_id(),
        device_id=device.id,
        name=data.name or DEFAULT_NAME,
        code=pin,
        type=AccessCodeType.TIME_BOUND if window else AccessCodeType.ONGOING,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        status=AccessCodeStatus.SETTING,
        is_managed=True,
        common_code_key=data.common_code_key,
        is_external_modification_allowed=data.allow_external_modification,
        is_offline_access_code=data.is_offline_access_code,
        is_one_time_use=data.is_one_time_use,
        is_scheduled_on_device=False,
        pending_mutations=[],
        errors=[],
        warnings=[],
        created_at=now,
        updated_at=now,
    )
    record = CodeRecord(code=code, workspace_id=workspace_id, native_scheduling=data.prefer_native_scheduling)
    return with_state(record, now, terms)


def changed(record: CodeRecord, data: AccessCodeUpdate, now: datetime, terms: Terms) -> CodeRecord:
    """The record with the request's fields; a refusal of the old spec no longer holds."""
    fields: dict[str, Any] = {
        name: getattr(data, name)
        for name in ("name", "code", "starts_at", "ends_at")
        if getattr(data, name) is not msgspec.UNSET
    }
    if data.type == "ongoing":
        fields |= {"starts_at": None, "ends_at": None}
    if fields.get("name", ...) is None:
        fields["name"] = DEFAULT_NAME
    if data.allow_external_modification is not msgspec.UNSET:
        fields["is_external_modification_allowed"] = data.allow_external_modification
    code = msgspec.structs.replace(record.code, **fields, updated_at=now)
    window = code.starts_at is not None or code.ends_at is not None
    errors = [item for item in code.errors if item.error_code not in _REFUSALS]
    code = msgspec.structs.replace(
        code, type=AccessCodeType.TIME_BOUND if window else AccessCodeType.ONGOING, errors=errors
    )
    return with_state(replace(record, code=code, rejected_spec=None), now, terms, keep_status=True)


def revoked(record: CodeRecord, now: datetime, *, removable: bool = True) -> CodeRecord:
    """Deleted through the API: `removing` until off the lock; an offline code that cannot be taken off remotely
    says so (it works on until its window ends, then it is gone).
    """
    deleting = PendingMutation(mutation_code=MutationCode.DELETING, created_at=now)
    warnings = record.code.warnings
    if not removable:
        until = f"until {record.code.ends_at.isoformat()}" if record.code.ends_at else "for good"
        message = f"The vendor cannot take an offline code off the lock remotely: this code keeps working {until}."
        warnings = [*warnings, ResourceIssue(error_code=STILL_VALID, message=message, created_at=now)]
    code = msgspec.structs.replace(
        record.code, status=AccessCodeStatus.REMOVING, pending_mutations=[deleting], warnings=warnings, updated_at=now
    )
    return replace(record, code=code, revoked_at=now)


def with_state(record: CodeRecord, now: datetime, terms: Terms, *, keep_status: bool = False) -> CodeRecord:
    """The state a code starts in, before the lock has been looked at (a change keeps its status until then)."""
    state = code_state(record.wanted(), None, now, terms, record.code.pending_mutations)
    status = record.code.status if keep_status and record.code.status is not AccessCodeStatus.UNSET else state.status
    code = msgspec.structs.replace(record.code, status=status, pending_mutations=state.pending_mutations)
    return replace(record, code=code)


def audit_view(code: AccessCode) -> dict[str, Any]:
    """What an audit entry keeps of a code: everything but the PIN."""
    view = msgspec.to_builtins(code)
    view.pop("code", None)
    for name in ("pending_mutations", "errors", "warnings", "created_at", "updated_at"):
        view.pop(name, None)
    return {name: value for name, value in view.items()}


def adopted(record: CodeRecord, now: datetime) -> CodeRecord:
    """An unmanaged code taken over: managed, as the lock holds it (which is what the gateway last "applied")."""
    code = msgspec.structs.replace(
        record.code,
        is_managed=True,
        name=record.code.name or DEFAULT_NAME,
        is_external_modification_allowed=False,
        updated_at=now,
    )
    applied = Applied(name=code.name or "", code=code.code or "", starts_at=code.starts_at, ends_at=code.ends_at)
    return replace(record, code=code, applied=applied)
