"""Writing down, as they happen, what a run did to each code: vendor ids learned, what was put on the lock, the
vendor's refusals, codes gone for good, and changes made outside the gateway. `codes` is the run's working copy.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

import msgspec

from aggregator.access_codes import repository
from aggregator.access_codes.repository import CodeRecord
from aggregator.reconcile.executor import Done
from aggregator.reconcile.journal import Journal
from aggregator.reconcile.model import Create, Delete, External, Forget, Link, Note, Terms, Update
from aggregator.reconcile.plan import applied_from, fingerprint, native, target
from schemas import EventType, ResourceIssue
from schemas.providers import ObservedAccessCode

Codes = dict[uuid.UUID, CodeRecord]
CONFLICT = "conflicting_external_modification"
IN_EFFECT = "external_modification_in_effect"
_CODE_ERRORS = {"code_constraint_violated", "duplicate_code_on_device", "no_space_for_access_code_on_device"}
_IN_FLIGHT = 4
"""How many unrecorded specs a code remembers (each run that died after its call adds one)."""


async def sending(journal: Journal, codes: Codes, operation: Create | Update) -> None:
    """Written before the vendor call: if the run dies before `report`, the next run still knows the spec it sent."""
    record = codes.get(operation.access_code_id)
    sent = applied_from(operation.spec)
    if record is None or sent in record.sent:
        return
    record = replace(record, sent=(*record.sent, sent)[-_IN_FLIGHT:])
    codes[record.code.id] = record
    await repository.save_sent(journal.db, record)


async def report(journal: Journal, codes: Codes, done: Done) -> None:
    """One executed operation, saved at once."""
    operation = done.operation
    record = codes.get(operation.access_code_id) if operation.access_code_id else None
    if record is None:
        return
    if done.refused is not None:
        await _refused(journal, codes, record, done)
    elif isinstance(operation, Delete):
        await _removed(journal, codes, record)
    else:
        assert done.seen is not None
        spec = operation.spec
        kept = replace(record, provider_code_id=done.seen.provider_code_id, applied=applied_from(spec), sent=())
        await _save(journal, codes, replace(kept, rejected_spec=None))


async def _removed(journal: Journal, codes: Codes, record: CodeRecord) -> None:
    if record.revoked_at is not None:  # deleted through the API, now off the lock: it is gone
        await repository.delete_code(journal.db, record.code.id)
        codes.pop(record.code.id)
        await journal.event(EventType.ACCESS_CODE_REMOVED_FROM_DEVICE, record.code.id)
        await journal.audit("access_code.removed_from_device", record.code.id, before={"status": "removing"})
        return
    await _save(journal, codes, replace(record, provider_code_id=None, applied=None))


async def _refused(journal: Journal, codes: Codes, record: CodeRecord, done: Done) -> None:
    refused = done.refused
    assert refused is not None
    removing = isinstance(done.operation, Delete)
    kind = "failed_to_remove_from_device" if removing else "failed_to_set_on_device"
    error_code = refused.code if refused.code in _CODE_ERRORS else kind
    rejected = None if isinstance(done.operation, Delete) else fingerprint(done.operation.spec)
    issue = ResourceIssue(error_code=error_code, message=refused.message, created_at=journal.now)
    errors = [*(item for item in record.code.errors if item.error_code != error_code), issue]
    await _save(journal, codes, replace(record, rejected_spec=rejected, sent=()), errors=errors)
    event = (
        EventType.ACCESS_CODE_FAILED_TO_REMOVE_FROM_DEVICE
        if removing
        else EventType.ACCESS_CODE_FAILED_TO_SET_ON_DEVICE
    )
    await journal.event(event, record.code.id, error_code=error_code, message=refused.message)


async def note(
    journal: Journal, codes: Codes, entry: Note, matched: dict[uuid.UUID, ObservedAccessCode], terms: Terms
) -> None:
    """Bookkeeping the plan asks for without a vendor call."""
    record = codes.get(entry.access_code_id)
    if record is None:
        return
    if isinstance(entry, Link):
        await _save(journal, codes, replace(record, provider_code_id=entry.provider_code_id, sent=()))
    elif isinstance(entry, Forget):
        await repository.delete_code(journal.db, record.code.id)
        codes.pop(record.code.id)
        await journal.audit("access_code.forgotten", record.code.id, before={"status": "removing"})
    elif entry.adopted:
        await _adopt(journal, codes, record, entry, matched.get(record.code.id), terms)
    else:
        await _conflict(journal, codes, record, entry)


async def _conflict(journal: Journal, codes: Codes, record: CodeRecord, entry: External) -> None:
    """Changed outside the gateway: reported, and the gateway's version goes back on the lock."""
    message = f"The code was {entry.change} outside the gateway; the gateway puts its own version back."
    issue = ResourceIssue(error_code=CONFLICT, message=message, created_at=journal.now)
    errors = [*(item for item in record.code.errors if item.error_code != CONFLICT), issue]
    await _save(journal, codes, record, errors=errors)
    await journal.event(_external_event(entry), record.code.id, change_type=entry.change, fields=list(entry.fields))
    await journal.audit("access_code.external_change_undone", record.code.id, after={"change": entry.change})


async def _adopt(
    journal: Journal, codes: Codes, record: CodeRecord, entry: External, seen: ObservedAccessCode | None, terms: Terms
) -> None:
    """The code allows changes made in the vendor's app: the lock's version becomes the wanted one."""
    await journal.event(_external_event(entry), record.code.id, change_type=entry.change, fields=list(entry.fields))
    if entry.change == "removed" or seen is None:
        await repository.delete_code(journal.db, record.code.id)
        codes.pop(record.code.id)
        await journal.audit("access_code.removed_outside", record.code.id, before={"status": record.code.status})
        return
    code = record.code
    adopted = msgspec.structs.replace(code, name=seen.name or code.name, code=seen.code or code.code)
    if native(record.wanted(), terms):
        adopted = msgspec.structs.replace(adopted, starts_at=seen.starts_at, ends_at=seen.ends_at)
    warning = ResourceIssue(
        error_code=IN_EFFECT, message="A change made outside the gateway is kept.", created_at=journal.now
    )
    adopted = msgspec.structs.replace(
        adopted, warnings=[*(w for w in code.warnings if w.error_code != IN_EFFECT), warning]
    )
    kept = replace(record, code=adopted)
    await _save(journal, codes, replace(kept, applied=applied_from(target(kept.wanted(), terms))), whole=True)
    await journal.audit(
        "access_code.external_change_adopted", code.id, before={"name": code.name}, after={"name": adopted.name}
    )


def _external_event(entry: External) -> EventType:
    if entry.change == "removed":
        return EventType.ACCESS_CODE_DELETED_EXTERNAL_TO_SEAM
    return EventType.ACCESS_CODE_MODIFIED_EXTERNAL_TO_SEAM


async def _save(
    journal: Journal,
    codes: Codes,
    record: CodeRecord,
    *,
    errors: list[ResourceIssue] | None = None,
    whole: bool = False,
) -> None:
    """The run's findings; `whole`: the wanted fields too (a change made outside the gateway, adopted)."""
    if errors is not None:
        record = replace(record, code=msgspec.structs.replace(record.code, errors=errors))
    codes[record.code.id] = record
    if whole:
        await repository.replace_code(journal.db, record)
    else:
        await repository.save_progress(journal.db, record)
