"""All queries on events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aggregator.db import Database, Row
from aggregator.db.rows import as_bool_or_none, as_datetime, as_uuid, as_uuid_or_none, from_json, to_json
from aggregator.http.pagination import PageRequest, keyset
from aggregator.ids import new_id
from schemas import Event, EventMethod, EventSource, EventType

_COLUMNS = (
    "id, type, occurred_at, received_at, device_id, connected_account_id, access_code_id, action_attempt_id, "
    "method, source, was_confirmed_by_device, data"
)
_NO_DATA: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class EventFilter:
    device_id: uuid.UUID | None = None
    type: EventType | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> dict[str, Any]:
        return {
            "device_id = ?": self.device_id,
            "type = ?": self.type.value if self.type else None,
            "occurred_at >= ?": self.since,
            "occurred_at < ?": self.until,
        }


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to record; `dedupe_key` is its vendor identity (None for the gateway's own events)."""

    type: EventType
    occurred_at: datetime
    source: EventSource
    device_id: uuid.UUID | None = None
    connected_account_id: uuid.UUID | None = None
    access_code_id: uuid.UUID | None = None
    action_attempt_id: uuid.UUID | None = None
    method: EventMethod | None = None
    was_confirmed_by_device: bool | None = None
    data: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None


async def insert_event(db: Database, workspace_id: uuid.UUID, event: NewEvent, *, received_at: datetime) -> bool:
    """Record `event` unless one with the same vendor identity is there already; True when it was new."""
    row = await db.fetch_one(
        "INSERT INTO events (id, workspace_id, type, occurred_at, received_at, device_id, connected_account_id, "
        "access_code_id, action_attempt_id, method, source, was_confirmed_by_device, data, dedupe_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, dedupe_key) DO NOTHING RETURNING id",
        new_id(),
        workspace_id,
        event.type.value,
        event.occurred_at,
        received_at,
        event.device_id,
        event.connected_account_id,
        event.access_code_id,
        event.action_attempt_id,
        event.method.value if event.method else None,
        event.source.value,
        event.was_confirmed_by_device,
        to_json(event.data),
        event.dedupe_key,
    )
    return row is not None


async def get_event(db: Database, workspace_id: uuid.UUID, event_id: uuid.UUID) -> Event | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM events WHERE id = ? AND workspace_id = ?", event_id, workspace_id)
    return _event(row) if row else None


async def list_events(db: Database, workspace_id: uuid.UUID, page: PageRequest, query: EventFilter) -> list[Event]:
    tail, values = keyset({"workspace_id = ?": workspace_id, **query.conditions()}, page)
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM events {tail}", *values)
    return [_event(row) for row in rows]


def _event(row: Row) -> Event:
    return Event(
        id=as_uuid(row[0]),
        type=EventType(row[1]),
        occurred_at=as_datetime(row[2]),
        received_at=as_datetime(row[3]),
        device_id=as_uuid_or_none(row[4]),
        connected_account_id=as_uuid_or_none(row[5]),
        access_code_id=as_uuid_or_none(row[6]),
        action_attempt_id=as_uuid_or_none(row[7]),
        method=EventMethod(row[8]) if row[8] else None,
        source=EventSource(row[9]),
        was_confirmed_by_device=as_bool_or_none(row[10]),
        data=from_json(row[11], dict[str, Any], _NO_DATA),
    )
