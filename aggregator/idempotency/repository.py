"""All queries on idempotency records: claim a key, complete it with its answer, release it, purge old ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from aggregator.db import Database
from aggregator.db.rows import as_datetime, as_uuid, from_json, to_json
from aggregator.ids import new_id

IN_PROGRESS = "in_progress"
COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    id: uuid.UUID
    fingerprint: str
    created_at: datetime
    answer: StoredAnswer | None
    """None while the first request is still running."""


async def claim(
    db: Database, workspace_id: uuid.UUID, api_key_id: uuid.UUID, key: str, fingerprint: str, at: datetime
) -> uuid.UUID | None:
    """Insert an in-progress record for the API key's `key`; returns its id, or None when already taken."""
    record_id = new_id()
    row = await db.fetch_one(
        "INSERT INTO idempotency_records (id, workspace_id, api_key_id, key, fingerprint, status, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (api_key_id, key) DO NOTHING RETURNING id",
        record_id,
        workspace_id,
        api_key_id,
        key,
        fingerprint,
        IN_PROGRESS,
        at,
    )
    return record_id if row else None


async def find(db: Database, api_key_id: uuid.UUID, key: str) -> IdempotencyRecord | None:
    row = await db.fetch_one(
        "SELECT id, fingerprint, created_at, status, response_status, response_headers, response_body "
        "FROM idempotency_records WHERE api_key_id = ? AND key = ?",
        api_key_id,
        key,
    )
    if row is None:
        return None
    answer = None
    if row[3] == COMPLETED:
        answer = StoredAnswer(status=int(row[4]), headers=from_json(row[5], dict[str, str], {}), body=row[6] or "")
    return IdempotencyRecord(id=as_uuid(row[0]), fingerprint=row[1], created_at=as_datetime(row[2]), answer=answer)


async def complete(db: Database, record_id: uuid.UUID, answer: StoredAnswer) -> None:
    await db.execute(
        "UPDATE idempotency_records SET status = ?, response_status = ?, response_headers = ?, response_body = ? "
        "WHERE id = ?",
        COMPLETED,
        answer.status,
        to_json(answer.headers),
        answer.body,
        record_id,
    )


async def release(db: Database, record_id: uuid.UUID) -> None:
    """Forget a claim whose request failed without effect, so that a retry runs it again."""
    await db.execute("DELETE FROM idempotency_records WHERE id = ?", record_id)


async def purge_older_than(db: Database, cutoff: datetime) -> None:
    await db.execute("DELETE FROM idempotency_records WHERE created_at < ?", cutoff)
