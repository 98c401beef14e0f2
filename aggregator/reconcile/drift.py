"""Drift for support staff: the plan a reconcile would make for a lock (from the codes last read from it),
without carrying it out, each difference with a reason a person can act on. Pure.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

import msgspec

from aggregator.access_codes.repository import CodeRecord
from aggregator.reconcile.model import Create, Delete, External, Terms, Update
from aggregator.reconcile.plan import plan
from schemas import DriftItem, DriftReason
from schemas.providers import ObservedAccessCode

_FIELDS = {"code": "PIN", "name": "name", "time_frame": "time frame"}


def drift_items(
    records: Sequence[CodeRecord],
    observed: Sequence[ObservedAccessCode] | None,
    now: datetime,
    terms: Terms,
    *,
    online: bool,
    last_error: str | None,
) -> list[DriftItem]:
    """Every way the lock differs from what it should hold; empty when in sync. Unmanaged codes are not drift."""
    managed = [record for record in records if record.code.is_managed]
    names = {record.code.id: record.code.name for record in managed}
    planned = plan([record.wanted() for record in managed], observed or [], now, terms)
    items = [_external(note, names) for note in planned.notes if isinstance(note, External) and not note.adopted]
    explained = {item.access_code_id for item in items}  # an external change says already what will be done
    items += [_operation(op, names) for op in planned.operations if op.access_code_id not in explained - {None}]
    if observed is None:  # never read: what "should be there" is not known to be missing yet
        items = [msgspec.structs.replace(item, message=f"{_NEVER_READ} {item.message}") for item in items]
    items += _waiting(planned.matched, names)
    items += _failed(managed, last_error)
    if items and not online:
        items.insert(0, DriftItem(reason=DriftReason.WAITING_FOR_DEVICE_ONLINE, message=_OFFLINE))
    return items


_NEVER_READ = "The gateway has not read this lock's codes yet."
_OFFLINE = "The lock is offline: changes reach it when it is back online."


def _operation(operation: Create | Update | Delete, names: dict[uuid.UUID, str | None]) -> DriftItem:
    if isinstance(operation, Create):
        name = names.get(operation.access_code_id)
        message = f"{name!r} should be on the lock and is not; the gateway adds it."
        return DriftItem(
            reason=DriftReason.MISSING_ON_DEVICE, message=message, access_code_id=operation.access_code_id, name=name
        )
    if isinstance(operation, Update):
        name = names.get(operation.access_code_id)
        fields = ", ".join(_FIELDS[field] for field in operation.changed)
        message = f"{name!r} differs on the lock ({fields}); the gateway corrects it."
        return DriftItem(
            reason=DriftReason.DIFFERS,
            message=message,
            access_code_id=operation.access_code_id,
            provider_code_id=operation.provider_code_id,
            name=name,
        )
    name = names.get(operation.access_code_id) if operation.access_code_id else None
    reason, message = {
        "ended": (
            DriftReason.EXPIRED_BUT_PRESENT,
            f"{name!r} has ended but is still on the lock; the gateway removes it.",
        ),
        "revoked": (
            DriftReason.UNEXPECTED_ON_DEVICE,
            f"{name!r} was deleted but is still on the lock; the gateway removes it.",
        ),
        "not_started": (
            DriftReason.UNEXPECTED_ON_DEVICE,
            f"{name!r} is on the lock before its time; the gateway removes it.",
        ),
    }[operation.why]
    return DriftItem(
        reason=reason,
        message=message,
        access_code_id=operation.access_code_id,
        provider_code_id=operation.provider_code_id,
        name=name,
    )


def _external(note: External, names: dict[uuid.UUID, str | None]) -> DriftItem:
    name = names.get(note.access_code_id)
    reason = DriftReason.MISSING_ON_DEVICE if note.change == "removed" else DriftReason.DIFFERS
    message = f"{name!r} was {note.change} outside the gateway (in the vendor's app?); the gateway puts it back."
    return DriftItem(reason=reason, message=message, access_code_id=note.access_code_id, name=name)


def _waiting(matched: dict[uuid.UUID, ObservedAccessCode], names: dict[uuid.UUID, str | None]) -> Iterable[DriftItem]:
    for code_id, seen in matched.items():
        if seen.is_pending:
            message = f"The vendor has {names.get(code_id)!r} but the lock has not taken it yet."
            yield DriftItem(
                reason=DriftReason.WAITING_FOR_DEVICE_ONLINE,
                message=message,
                access_code_id=code_id,
                provider_code_id=seen.provider_code_id,
                name=names.get(code_id),
            )


def _failed(managed: Sequence[CodeRecord], last_error: str | None) -> list[DriftItem]:
    items = [
        DriftItem(
            reason=DriftReason.FAILED,
            message=f"{issue.error_code}: {issue.message}",
            access_code_id=record.code.id,
            name=record.code.name,
        )
        for record in managed
        for issue in record.code.errors
        if issue.error_code != "conflicting_external_modification"
    ]
    if last_error:
        items.append(DriftItem(reason=DriftReason.FAILED, message=f"The last reconcile stopped: {last_error}"))
    return items
