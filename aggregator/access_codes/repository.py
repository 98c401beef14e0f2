"""All queries on access codes: the wanted (managed) codes, the vendor's view kept beside them, unmanaged codes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregator.db import Database, Row
from aggregator.db.rows import as_datetime, as_datetime_or_none, as_uuid, from_json, to_json
from aggregator.http.pagination import PageRequest, keyset
from aggregator.reconcile.model import Applied, Wanted
from schemas import AccessCode, AccessCodeStatus, AccessCodeType, PendingMutation, ResourceIssue

_COLUMNS = (
    "id, device_id, name, code, type, starts_at, ends_at, status, is_managed, common_code_key, "
    "allow_external_modification, is_offline_access_code, is_one_time_use, is_scheduled_on_device, "
    "pending_mutations, errors, warnings, created_at, updated_at, "
    "workspace_id, provider_code_id, applied, revoked_at, rejected_spec, native_scheduling, sent"
)
_INSERT = (
    "INSERT INTO access_codes (id, device_id, name, code, type, starts_at, ends_at, status, is_managed, "
    "common_code_key, allow_external_modification, is_offline_access_code, is_one_time_use, is_scheduled_on_device, "
    "pending_mutations, errors, warnings, created_at, updated_at, workspace_id, provider_code_id, applied, "
    "revoked_at, rejected_spec, native_scheduling, sent) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class CodeRecord:
    """A code as the API shows it, plus what only the gateway keeps."""

    code: AccessCode
    workspace_id: uuid.UUID
    provider_code_id: str | None = None
    applied: Applied | None = None
    revoked_at: datetime | None = None
    rejected_spec: str | None = None
    native_scheduling: bool = True
    sent: tuple[Applied, ...] = ()
    """Specs sent to the vendor whose outcome no run has recorded yet (written before the call)."""

    def wanted(self) -> Wanted:
        code = self.code
        return Wanted(
            id=code.id,
            name=code.name or "",
            code=code.code or "",
            starts_at=code.starts_at,
            ends_at=code.ends_at,
            revoked=self.revoked_at is not None,
            provider_code_id=self.provider_code_id,
            applied=self.applied,
            allow_external_modification=code.is_external_modification_allowed,
            native_scheduling=self.native_scheduling,
            rejected=self.rejected_spec,
            sent=self.sent,
            offline=code.is_offline_access_code,
        )


async def insert_code(db: Database, record: CodeRecord) -> None:
    await db.execute(_INSERT, *_values(record))


async def replace_code(db: Database, record: CodeRecord) -> None:
    """Write every field of the record (the row exists)."""
    values = _values(record)
    assignments = ", ".join(f"{column.strip()} = ?" for column in _COLUMNS.split(",")[1:])
    await db.execute(f"UPDATE access_codes SET {assignments} WHERE id = ?", *values[1:], values[0])


_PROGRESS = (
    "status, is_scheduled_on_device, pending_mutations, errors, warnings, updated_at, provider_code_id, applied, "
    "rejected_spec, sent"
)
"""What a reconcile learns and writes down."""
_WANTED = (
    "name, code, type, starts_at, ends_at, allow_external_modification, status, pending_mutations, errors, "
    "updated_at, revoked_at, rejected_spec"
)
"""What an API change writes."""


async def save_progress(db: Database, record: CodeRecord) -> None:
    """A reconcile's findings only: never the wanted fields, which the API may have changed since the run read them."""
    await _update(db, record, _PROGRESS)


async def save_sent(db: Database, record: CodeRecord) -> None:
    """Before a vendor call: the specs in flight, and nothing else."""
    await _update(db, record, "sent")


async def save_warnings(db: Database, record: CodeRecord) -> None:
    await _update(db, record, "warnings")


async def save_wanted(db: Database, record: CodeRecord) -> None:
    """An API change only: never what a reconcile wrote meanwhile (the vendor's id); a code being deleted stays so."""
    await _update(db, record, _WANTED, " AND revoked_at IS NULL")


async def _update(db: Database, record: CodeRecord, columns: str, condition: str = "") -> None:
    values = dict(zip((column.strip() for column in _COLUMNS.split(",")), _values(record), strict=True))
    names = [column.strip() for column in columns.split(",")]
    assignments = ", ".join(f"{name} = ?" for name in names)
    await db.execute(
        f"UPDATE access_codes SET {assignments} WHERE id = ?{condition}", *(values[n] for n in names), record.code.id
    )


async def get_record(db: Database, code_id: uuid.UUID, *, workspace_id: uuid.UUID | None = None) -> CodeRecord | None:
    sql = f"SELECT {_COLUMNS} FROM access_codes WHERE id = ?"
    if workspace_id is None:
        row = await db.fetch_one(sql, code_id)
    else:
        row = await db.fetch_one(sql + " AND workspace_id = ?", code_id, workspace_id)
    return record_of(row) if row else None


async def list_codes(
    db: Database, workspace_id: uuid.UUID, page: PageRequest, *, device_id: uuid.UUID | None, managed: bool
) -> list[AccessCode]:
    conditions = {"workspace_id = ?": workspace_id, "device_id = ?": device_id, "is_managed = ?": managed}
    tail, values = keyset(conditions, page)
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM access_codes {tail}", *values)
    return [record_of(row).code for row in rows]


async def device_records(db: Database, device_id: uuid.UUID) -> list[CodeRecord]:
    """Every code of a lock, managed and unmanaged, in id order."""
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM access_codes WHERE device_id = ? ORDER BY id", device_id)
    return [record_of(row) for row in rows]


async def pins_on_device(db: Database, device_id: uuid.UUID, *, except_id: uuid.UUID | None = None) -> set[str]:
    """PINs a new code on the lock must not take: wanted ones and those found there (not revoked ones leaving)."""
    rows = await db.fetch_all(
        "SELECT code FROM access_codes WHERE device_id = ? AND revoked_at IS NULL AND id <> ?",
        device_id,
        except_id or uuid.UUID(int=0),
    )
    return {row[0] for row in rows if row[0]}


async def common_pin(db: Database, workspace_id: uuid.UUID, key: str) -> str | None:
    """The PIN codes sharing `common_code_key` use (the first one's)."""
    row = await db.fetch_one(
        "SELECT code FROM access_codes WHERE workspace_id = ? AND common_code_key = ? AND is_managed "
        "ORDER BY id LIMIT 1",
        workspace_id,
        key,
    )
    return row[0] if row else None


async def delete_code(db: Database, code_id: uuid.UUID) -> None:
    await db.execute("DELETE FROM access_codes WHERE id = ?", code_id)


def record_of(row: Row) -> CodeRecord:
    code = AccessCode(
        id=as_uuid(row[0]),
        device_id=as_uuid(row[1]),
        name=row[2],
        code=row[3],
        type=AccessCodeType(row[4]),
        starts_at=as_datetime_or_none(row[5]),
        ends_at=as_datetime_or_none(row[6]),
        status=AccessCodeStatus(row[7]),
        is_managed=bool(row[8]),
        common_code_key=row[9],
        is_external_modification_allowed=bool(row[10]),
        is_offline_access_code=bool(row[11]),
        is_one_time_use=bool(row[12]),
        is_scheduled_on_device=bool(row[13]),
        pending_mutations=from_json(row[14], list[PendingMutation], []),
        errors=from_json(row[15], list[ResourceIssue], []),
        warnings=from_json(row[16], list[ResourceIssue], []),
        created_at=as_datetime(row[17]),
        updated_at=as_datetime(row[18]),
    )
    return CodeRecord(
        code=code,
        workspace_id=as_uuid(row[19]),
        provider_code_id=row[20],
        applied=from_json(row[21], Applied | None, None),
        revoked_at=as_datetime_or_none(row[22]),
        rejected_spec=row[23],
        native_scheduling=bool(row[24]),
        sent=tuple(from_json(row[25], list[Applied], [])),
    )


def _values(record: CodeRecord) -> list[Any]:
    code = record.code
    return [
        code.id,
        code.device_id,
        code.name,
        code.code,
        code.type.value,
        code.starts_at,
        code.ends_at,
        code.status.value,
        code.is_managed,
        code.common_code_key,
        code.is_external_modification_allowed,
        code.is_offline_access_code,
        code.is_one_time_use,
        code.is_scheduled_on_device,
        to_json(code.pending_mutations),
        to_json(code.errors),
        to_json(code.warnings),
        code.created_at,
        code.updated_at,
        record.workspace_id,
        record.provider_code_id,
        to_json(record.applied),
        record.revoked_at,
        record.rejected_spec,
        record.native_scheduling,
        to_json(list(record.sent)) if record.sent else None,
    ]
