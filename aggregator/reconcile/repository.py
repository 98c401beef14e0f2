"""All queries on device reconcile rows: generations (what is wanted vs done), the per-device lease, the codes last
read from the lock, and drift. One reconcile per device at a time, across every process.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from aggregator.db import Database, Row
from aggregator.db.rows import as_datetime_or_none, as_uuid, from_json, to_json
from schemas.providers import ObservedAccessCode


@dataclass(frozen=True, slots=True)
class ReconcileState:
    device_id: uuid.UUID
    workspace_id: uuid.UUID
    observed: list[ObservedAccessCode] | None
    observed_at: datetime | None
    drift_since: datetime | None
    failures: int
    last_error: str | None


_STATE = "device_id, workspace_id, observed, observed_at, drift_since, failures, last_error"


async def ensure(db: Database, device_id: uuid.UUID, workspace_id: uuid.UUID) -> None:
    """A row for a lock that takes codes (the periodic sweep visits every row)."""
    await db.execute(
        "INSERT INTO device_reconciles (id, device_id, workspace_id, wanted_generation, done_generation, failures) "
        "VALUES (?, ?, ?, 0, 0, 0) ON CONFLICT (device_id) DO NOTHING",
        device_id,
        device_id,
        workspace_id,
    )


async def want(db: Database, device_id: uuid.UUID, workspace_id: uuid.UUID, at: datetime) -> int:
    """Something changed for the lock: a reconcile that started before this must run again. The new generation.
    The lock drifts from `at` (unless it did already) until a run finds it holding what is wanted: support staff see
    a change the worker has not carried out yet, even while no worker runs.
    """
    row = await db.fetch_one(
        "INSERT INTO device_reconciles "
        "(id, device_id, workspace_id, wanted_generation, done_generation, failures, drift_since) "
        "VALUES (?, ?, ?, 1, 0, 0, ?) ON CONFLICT (device_id) DO UPDATE "
        "SET wanted_generation = device_reconciles.wanted_generation + 1, "
        "drift_since = COALESCE(device_reconciles.drift_since, excluded.drift_since) RETURNING wanted_generation",
        device_id,
        device_id,
        workspace_id,
        at,
    )
    return int(row[0]) if row else 0


async def want_read(db: Database, device_id: uuid.UUID, workspace_id: uuid.UUID) -> int:
    """`want`, and the lock must be read again: a vendor webhook or a person said it may have changed outside the
    gateway, so the view a running reconcile keeps of it (`run.Known`) no longer serves.
    """
    row = await db.fetch_one(
        "INSERT INTO device_reconciles "
        "(id, device_id, workspace_id, wanted_generation, done_generation, read_wanted, failures) "
        "VALUES (?, ?, ?, 1, 0, ?, 0) ON CONFLICT (device_id) DO UPDATE "
        "SET wanted_generation = device_reconciles.wanted_generation + 1, read_wanted = ? RETURNING wanted_generation",
        device_id,
        device_id,
        workspace_id,
        True,
        True,
    )
    return int(row[0]) if row else 0


async def take_read_request(db: Database, device_id: uuid.UUID) -> bool:
    """Whether a read of the lock was asked for since the last look (and no longer: asked once, read once)."""
    row = await db.fetch_one(
        "UPDATE device_reconciles SET read_wanted = ? WHERE device_id = ? AND read_wanted = ? RETURNING device_id",
        False,
        device_id,
        True,
    )
    return row is not None


async def bump(db: Database, device_id: uuid.UUID) -> int | None:
    """`want` for a lock that has a row already (a job knows only the lock's id); None: no row, it takes no codes."""
    row = await db.fetch_one(
        "UPDATE device_reconciles SET wanted_generation = wanted_generation + 1 WHERE device_id = ? "
        "RETURNING wanted_generation",
        device_id,
    )
    return int(row[0]) if row else None


@dataclass(frozen=True, slots=True)
class Lease:
    wanted: int
    """The generation this run serves."""
    done: int
    """The generation the last finished run served."""


async def take_lease(db: Database, device_id: uuid.UUID, owner: str, now: datetime, until: datetime) -> Lease | None:
    """The lease, when no other run holds it (None: another run does, or the lock has no row)."""
    row = await db.fetch_one(
        "UPDATE device_reconciles SET lease_owner = ?, lease_until = ? "
        "WHERE device_id = ? AND (lease_until IS NULL OR lease_until < ?) "
        "RETURNING wanted_generation, done_generation",
        owner,
        until,
        device_id,
        now,
    )
    return Lease(int(row[0]), int(row[1])) if row is not None else None


async def lease_until(db: Database, device_id: uuid.UUID) -> datetime | None:
    row = await db.fetch_one("SELECT lease_until FROM device_reconciles WHERE device_id = ?", device_id)
    return as_datetime_or_none(row[0]) if row else None


async def extend_lease(db: Database, device_id: uuid.UUID, owner: str, until: datetime) -> None:
    await db.execute(
        "UPDATE device_reconciles SET lease_until = ? WHERE device_id = ? AND lease_owner = ?", until, device_id, owner
    )


async def release(db: Database, device_id: uuid.UUID, owner: str, generation: int) -> bool:
    """Give the lease back, recording `generation` as done; False (lease kept) when a change came in meanwhile."""
    row = await db.fetch_one(
        "UPDATE device_reconciles SET lease_owner = NULL, lease_until = NULL, done_generation = ? "
        "WHERE device_id = ? AND lease_owner = ? AND wanted_generation = ? RETURNING device_id",
        generation,
        device_id,
        owner,
        generation,
    )
    return row is not None


async def current_generation(db: Database, device_id: uuid.UUID) -> int:
    row = await db.fetch_one("SELECT wanted_generation FROM device_reconciles WHERE device_id = ?", device_id)
    return int(row[0]) if row else 0


async def drop_lease(db: Database, device_id: uuid.UUID, owner: str) -> None:
    """Give the lease back without recording anything done (the run failed; a retry follows)."""
    await db.execute(
        "UPDATE device_reconciles SET lease_owner = NULL, lease_until = NULL WHERE device_id = ? AND lease_owner = ?",
        device_id,
        owner,
    )


async def record_observation(
    db: Database,
    device_id: uuid.UUID,
    *,
    observed: list[ObservedAccessCode],
    at: datetime,
    in_sync: bool,
    next_change_at: datetime | None,
) -> None:
    """What the lock holds now; drift starts when first seen and ends when the lock is in sync."""
    await db.execute(
        "UPDATE device_reconciles SET observed = ?, observed_at = ?, next_change_at = ?, failures = 0, "
        "last_error = NULL, drift_since = CASE WHEN ? THEN NULL ELSE COALESCE(drift_since, ?) END "
        "WHERE device_id = ?",
        to_json(observed),
        at,
        next_change_at,
        in_sync,
        at,
        device_id,
    )


async def note_observation(
    db: Database, device_id: uuid.UUID, *, observed: list[ObservedAccessCode], at: datetime, in_sync: bool
) -> None:
    """A read of the lock outside a reconcile (support staff asking): what it holds, and whether that is drift."""
    await db.execute(
        "UPDATE device_reconciles SET observed = ?, observed_at = ?, "
        "drift_since = CASE WHEN ? THEN NULL ELSE COALESCE(drift_since, ?) END WHERE device_id = ?",
        to_json(observed),
        at,
        in_sync,
        at,
        device_id,
    )


async def record_failure(db: Database, device_id: uuid.UUID, message: str, at: datetime) -> int:
    """A run that could not finish: the lock counts as drifting from now (if not already); returns the failures."""
    row = await db.fetch_one(
        "UPDATE device_reconciles SET failures = failures + 1, last_error = ?, drift_since = COALESCE(drift_since, ?) "
        "WHERE device_id = ? RETURNING failures",
        message,
        at,
        device_id,
    )
    return int(row[0]) if row else 1


async def get_state(db: Database, device_id: uuid.UUID) -> ReconcileState | None:
    row = await db.fetch_one(f"SELECT {_STATE} FROM device_reconciles WHERE device_id = ?", device_id)
    return _state(row) if row else None


async def drifting(
    db: Database, workspace_id: uuid.UUID, limit: int, after: tuple[datetime, uuid.UUID] | None
) -> list[ReconcileState]:
    """Locks out of sync in the workspace, the longest drifting first."""
    sql = f"SELECT {_STATE} FROM device_reconciles WHERE workspace_id = ? AND drift_since IS NOT NULL"
    values: list[object] = [workspace_id]
    if after is not None:
        sql += " AND (drift_since > ? OR (drift_since = ? AND device_id > ?))"
        values += [after[0], after[0], after[1]]
    rows = await db.fetch_all(sql + " ORDER BY drift_since, device_id LIMIT ?", *values, limit)
    return [_state(row) for row in rows]


async def all_devices(db: Database) -> list[uuid.UUID]:
    """Every lock the periodic sweep visits, the accounts taking turns (first lock of each account, then the second
    of each...): each account's vendor calls are paced apart, so a sweep that went account by account would keep every
    job slot waiting on one account's limit while the others sit idle.
    """
    rows = await db.fetch_all(
        "SELECT device_id FROM (SELECT r.device_id, d.connected_account_id AS account, "
        "ROW_NUMBER() OVER (PARTITION BY d.connected_account_id ORDER BY r.device_id) AS turn "
        "FROM device_reconciles r JOIN devices d ON d.id = r.device_id) AS turns ORDER BY turn, account"
    )
    return [as_uuid(row[0]) for row in rows]


def _state(row: Row) -> ReconcileState:
    return ReconcileState(
        device_id=as_uuid(row[0]),
        workspace_id=as_uuid(row[1]),
        observed=from_json(row[2], list[ObservedAccessCode] | None, None),
        observed_at=as_datetime_or_none(row[3]),
        drift_since=as_datetime_or_none(row[4]),
        failures=int(row[5]),
        last_error=row[6],
    )
