"""All queries on workspaces."""

from __future__ import annotations

import uuid

from aggregator.db import Database, Row
from aggregator.db.rows import as_datetime, as_uuid
from aggregator.db.tables import Workspaces
from schemas import Workspace

_COLUMNS = "id, name, is_sandbox, created_at"


async def insert_workspace(db: Database, workspace: Workspace) -> None:
    await Workspaces.insert(
        Workspaces(
            id=workspace.id,
            name=workspace.name,
            is_sandbox=workspace.is_sandbox,
            created_at=workspace.created_at,
        )
    ).run()


async def get_workspace(db: Database, workspace_id: uuid.UUID) -> Workspace | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM workspaces WHERE id = ?", workspace_id)
    return _workspace(row) if row else None


async def find_by_name(db: Database, name: str) -> Workspace | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM workspaces WHERE name = ?", name)
    return _workspace(row) if row else None


async def list_workspaces(db: Database) -> list[Workspace]:
    return [_workspace(row) for row in await db.fetch_all(f"SELECT {_COLUMNS} FROM workspaces ORDER BY id")]


def _workspace(row: Row) -> Workspace:
    return Workspace(id=as_uuid(row[0]), name=row[1], is_sandbox=bool(row[2]), created_at=as_datetime(row[3]))
