"""All queries on devices. `get_device` is the hot read path: one indexed statement, no ORM."""

from __future__ import annotations

import uuid

from aggregator.db import Database, Row
from aggregator.db.rows import as_uuid, from_json
from aggregator.http.pagination import PageRequest, keyset
from schemas import CodeConstraints, Device, DeviceCapabilities, DeviceProperties, ResourceIssue

_COLUMNS = (
    "id, connected_account_id, provider, provider_device_id, name, model, timezone, properties, capabilities, "
    "code_constraints, errors, warnings, created_at, updated_at"
)
_GET = f"SELECT {_COLUMNS} FROM devices WHERE id = ? AND workspace_id = ?"
_NO_ISSUES: list[ResourceIssue] = []


async def get_device(db: Database, workspace_id: uuid.UUID, device_id: uuid.UUID) -> Device | None:
    row = await db.fetch_one(_GET, device_id, workspace_id)
    return to_device(row) if row else None


async def list_devices(
    db: Database,
    workspace_id: uuid.UUID,
    page: PageRequest,
    *,
    provider: str | None = None,
    connected_account_id: uuid.UUID | None = None,
) -> list[Device]:
    where, params = ["workspace_id = ?"], [workspace_id]
    if provider is not None:
        where.append("provider = ?")
        params.append(provider)
    if connected_account_id is not None:
        where.append("connected_account_id = ?")
        params.append(connected_account_id)
    tail, values = keyset(where, params, page)
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM devices {tail}", *values)
    return [to_device(row) for row in rows]


def to_device(row: Row) -> Device:
    return Device(
        id=as_uuid(row[0]),
        connected_account_id=as_uuid(row[1]),
        provider=row[2],
        provider_device_id=row[3],
        name=row[4],
        model=row[5],
        timezone=row[6],
        properties=from_json(row[7], DeviceProperties, DeviceProperties()),
        capabilities=from_json(row[8], DeviceCapabilities, DeviceCapabilities()),
        code_constraints=from_json(row[9], CodeConstraints, CodeConstraints()),
        errors=from_json(row[10], list[ResourceIssue], _NO_ISSUES),
        warnings=from_json(row[11], list[ResourceIssue], _NO_ISSUES),
        created_at=row[12],
        updated_at=row[13],
    )
