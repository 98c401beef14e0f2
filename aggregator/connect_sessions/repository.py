"""All queries on connect sessions. A session ends once: the conditional updates make its state single use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from aggregator.db import Database, Row
from aggregator.db.rows import as_datetime, as_uuid, as_uuid_or_none, from_json, to_json
from aggregator.db.tables import ConnectSessions
from schemas import ConnectSessionError, ConnectSessionStatus

_COLUMNS = (
    "id, workspace_id, provider, status, redirect_url, consent_url, connected_account_id, error, created_at, "
    "expires_at, created_by"
)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: uuid.UUID
    workspace_id: uuid.UUID
    provider: str
    status: ConnectSessionStatus
    redirect_url: str | None
    sealed_consent_url: str | None
    connected_account_id: uuid.UUID | None
    error: ConnectSessionError | None
    created_at: datetime
    expires_at: datetime
    created_by: str | None


async def insert_session(
    db: Database,
    record: SessionRecord,
    *,
    state_hash: str,
) -> None:
    await ConnectSessions.insert(
        ConnectSessions(
            id=record.id,
            workspace_id=record.workspace_id,
            provider=record.provider,
            status=record.status.value,
            redirect_url=record.redirect_url,
            consent_url=record.sealed_consent_url,
            state_hash=state_hash,
            created_by=record.created_by,
            created_at=record.created_at,
            expires_at=record.expires_at,
        )
    ).run()


async def get_session(db: Database, workspace_id: uuid.UUID, session_id: uuid.UUID) -> SessionRecord | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM connect_sessions WHERE id = ? AND workspace_id = ?", session_id, workspace_id
    )
    return _record(row) if row else None


async def find_by_state(db: Database, state_hash: str) -> SessionRecord | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM connect_sessions WHERE state_hash = ?", state_hash)
    return _record(row) if row else None


async def claim(db: Database, session_id: uuid.UUID, at: datetime) -> bool:
    """Take the pending session for this callback; False when another callback took it first (a replay)."""
    row = await db.fetch_one(
        "UPDATE connect_sessions SET completed_at = ?, consent_url = NULL "
        "WHERE id = ? AND status = ? AND completed_at IS NULL RETURNING id",
        at,
        session_id,
        ConnectSessionStatus.PENDING.value,
    )
    return row is not None


async def finish(
    db: Database,
    session_id: uuid.UUID,
    *,
    status: ConnectSessionStatus,
    account_id: uuid.UUID | None = None,
    error: ConnectSessionError | None = None,
) -> None:
    await db.execute(
        "UPDATE connect_sessions SET status = ?, connected_account_id = ?, error = ?, consent_url = NULL WHERE id = ?",
        status.value,
        account_id,
        to_json(error),
        session_id,
    )


def _record(row: Row) -> SessionRecord:
    return SessionRecord(
        id=as_uuid(row[0]),
        workspace_id=as_uuid(row[1]),
        provider=row[2],
        status=ConnectSessionStatus(row[3]),
        redirect_url=row[4],
        sealed_consent_url=row[5],
        connected_account_id=as_uuid_or_none(row[6]),
        error=from_json(row[7], ConnectSessionError | None, None),
        created_at=as_datetime(row[8]),
        expires_at=as_datetime(row[9]),
        created_by=row[10],
    )
