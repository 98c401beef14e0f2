"""All queries on audit entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from aggregator.auth.principal import Actor
from aggregator.db import Database, Row
from aggregator.db.rows import as_datetime, as_uuid, from_json, to_json
from aggregator.db.tables import AuditEntries
from aggregator.http.pagination import PageRequest, keyset
from aggregator.ids import new_id
from schemas import ActorType, AuditEntry

_COLUMNS = "id, actor_type, actor_id, action, resource_type, resource_id, before, after, request_id, created_at"
_Document = dict[str, Any] | None


async def record(
    db: Database,
    *,
    workspace_id: uuid.UUID,
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str,
    at: datetime,
    before: Any = None,
    after: Any = None,
    request_id: str | None = None,
) -> None:
    """Append one entry; call it inside the transaction that makes the change."""
    entry = AuditEntries(
        id=new_id(),
        workspace_id=workspace_id,
        actor_type=actor.type.value,
        actor_id=actor.id,
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id),
        before=to_json(_document(before)),
        after=to_json(_document(after)),
        request_id=request_id,
        created_at=at,
    )
    await AuditEntries.insert(entry).run()


async def list_entries(
    db: Database,
    workspace_id: uuid.UUID,
    page: PageRequest,
    *,
    resource_type: str | None = None,
    resource_id: str | None = None,
) -> list[AuditEntry]:
    conditions = {"workspace_id = ?": workspace_id, "resource_type = ?": resource_type, "resource_id = ?": resource_id}
    tail, values = keyset(conditions, page)
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM audit_entries {tail}", *values)
    return [_entry(row) for row in rows]


def _document(value: Any) -> _Document:
    return None if value is None else msgspec.to_builtins(value)


def _entry(row: Row) -> AuditEntry:
    return AuditEntry(
        id=as_uuid(row[0]),
        actor_type=ActorType(row[1]),
        actor_id=row[2],
        action=row[3],
        resource_type=row[4],
        resource_id=row[5],
        before=from_json(row[6], _Document, None),
        after=from_json(row[7], _Document, None),
        request_id=row[8],
        created_at=as_datetime(row[9]),
    )
