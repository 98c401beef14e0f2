"""After a run: each code's status, schedule flag and pending mutations from what the lock now holds, the events
those changes mean, and the lock's unmanaged codes kept in step (found ones listed, vanished ones dropped).
"""

from __future__ import annotations

import uuid
from dataclasses import replace

import msgspec

from aggregator.access_codes import repository
from aggregator.access_codes.repository import CodeRecord
from aggregator.ids import new_id
from aggregator.reconcile.journal import Journal
from aggregator.reconcile.model import Terms
from aggregator.reconcile.plan import AFTER, ON, applied_from, differences, match, placement, target
from aggregator.reconcile.status import code_state
from schemas import AccessCode, AccessCodeStatus, AccessCodeType, EventType
from schemas.providers import ObservedAccessCode

_SETTLED_ERRORS = {"conflicting_external_modification", "failed_to_set_on_device", "failed_to_remove_from_device"}


async def settle_codes(
    journal: Journal, codes: dict[uuid.UUID, CodeRecord], lock: list[ObservedAccessCode], terms: Terms
) -> list[ObservedAccessCode]:
    """Bring every managed code's state up to date (in `codes` too); returns the lock's codes that no managed code
    claims.
    """
    managed = [record for record in codes.values() if record.code.is_managed]
    matched = match([record.wanted() for record in managed], lock, journal.now, terms)
    for record in managed:
        codes[record.code.id] = await _settle(journal, record, matched.get(record.code.id), terms)
    claimed = {seen.provider_code_id for seen in matched.values()}
    return [seen for seen in lock if seen.provider_code_id not in claimed]


async def _settle(journal: Journal, record: CodeRecord, seen: ObservedAccessCode | None, terms: Terms) -> CodeRecord:
    code, wanted = record.code, record.wanted()
    state = code_state(wanted, seen, journal.now, terms, code.pending_mutations)
    errors = code.errors
    progress = record
    if _in_place(record, seen, journal, terms):
        errors = [item for item in errors if item.error_code not in _SETTLED_ERRORS]
        if seen is not None and record.sent:  # a spec sent by a run that died is on the lock: it is the applied one
            progress = replace(record, applied=applied_from(target(wanted, terms)), sent=())
    updated = msgspec.structs.replace(
        code,
        status=state.status,
        is_scheduled_on_device=state.is_scheduled_on_device,
        pending_mutations=state.pending_mutations,
        errors=errors,
    )
    if updated == code and progress is record:
        return record
    settled = replace(progress, code=msgspec.structs.replace(updated, updated_at=journal.now))
    async with journal.db.transaction():  # a reader sees the new state with its event, never one without the other
        await repository.save_progress(journal.db, settled)
        await _announce(journal, code, updated, placement(wanted, journal.now, terms))
    return settled


def _in_place(record: CodeRecord, seen: ObservedAccessCode | None, journal: Journal, terms: Terms) -> bool:
    """Whether the lock holds exactly what it should of this code (or rightly nothing)."""
    wanted = record.wanted()
    if wanted.offline and not wanted.revoked:
        return True
    if wanted.revoked or placement(wanted, journal.now, terms) != ON:
        return seen is None
    return seen is not None and not differences(wanted, seen, terms) and not seen.is_pending


async def _announce(journal: Journal, before: AccessCode, after: AccessCode, where: str) -> None:
    if after.is_offline_access_code:
        return  # never on the lock: its life is its window (and `access_code.issued` when it was computed)
    if after.status is AccessCodeStatus.SET and before.status is not AccessCodeStatus.SET:
        await journal.event(EventType.ACCESS_CODE_SET_ON_DEVICE, after.id)
    if after.is_scheduled_on_device and not before.is_scheduled_on_device:
        await journal.event(EventType.ACCESS_CODE_SCHEDULED_ON_DEVICE, after.id, starts_at=str(after.starts_at))
    left = before.status in (AccessCodeStatus.SET, AccessCodeStatus.REMOVING) or before.is_scheduled_on_device
    if where == AFTER and after.status is AccessCodeStatus.UNSET and left:
        await journal.event(EventType.ACCESS_CODE_REMOVED_FROM_DEVICE, after.id, reason="ended")


async def sync_unmanaged(journal: Journal, codes: dict[uuid.UUID, CodeRecord], found: list[ObservedAccessCode]) -> None:
    """Unmanaged codes as the lock has them now: new ones recorded (and announced), vanished ones dropped."""
    known = {record.provider_code_id: record for record in codes.values() if not record.code.is_managed}
    for seen in found:
        record = known.pop(seen.provider_code_id, None)
        fresh = _unmanaged(journal, seen, record)
        if record is None:
            await repository.insert_code(journal.db, fresh)
            await journal.event(EventType.ACCESS_CODE_UNMANAGED_DETECTED, fresh.code.id, name=seen.name)
        elif fresh != record:
            await repository.replace_code(journal.db, fresh)
        codes[fresh.code.id] = fresh
    for gone in known.values():
        await repository.delete_code(journal.db, gone.code.id)
        codes.pop(gone.code.id, None)


def _unmanaged(journal: Journal, seen: ObservedAccessCode, record: CodeRecord | None) -> CodeRecord:
    window = seen.starts_at is not None or seen.ends_at is not None
    shape = {
        "name": seen.name,
        "code": seen.code,
        "type": AccessCodeType.TIME_BOUND if window else AccessCodeType.ONGOING,
        "starts_at": seen.starts_at,
        "ends_at": seen.ends_at,
        "status": AccessCodeStatus.SETTING if seen.is_pending else AccessCodeStatus.SET,
    }
    if record is not None:
        if all(getattr(record.code, name) == value for name, value in shape.items()):
            return record
        return replace(record, code=msgspec.structs.replace(record.code, updated_at=journal.now, **shape))
    code = AccessCode(
        id=new_id(),
        device_id=journal.device_id,
        is_managed=False,
        common_code_key=None,
        is_external_modification_allowed=True,
        is_offline_access_code=False,
        is_one_time_use=False,
        is_scheduled_on_device=False,
        pending_mutations=[],
        errors=[],
        warnings=[],
        created_at=journal.now,
        updated_at=journal.now,
        **shape,  # type: ignore[arg-type]
    )
    return CodeRecord(code=code, workspace_id=journal.workspace_id, provider_code_id=seen.provider_code_id)
