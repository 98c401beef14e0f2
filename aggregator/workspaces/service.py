"""Creating and finding workspaces."""

from __future__ import annotations

import re

from aggregator.audit import repository as audit
from aggregator.auth.principal import CLI, Actor
from aggregator.clock import Clock, utcnow
from aggregator.db import Database
from aggregator.ids import new_id
from aggregator.workspaces import repository
from schemas import Workspace

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}")


class WorkspaceError(ValueError):
    """A workspace cannot be created or found; the message says why."""


async def create_workspace(
    db: Database, name: str, *, is_sandbox: bool = False, actor: Actor = CLI, clock: Clock = utcnow
) -> Workspace:
    if not _NAME.fullmatch(name):
        raise WorkspaceError(
            f"invalid workspace name {name!r}: 1 to 100 letters, digits, spaces, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    workspace = Workspace(id=new_id(), name=name, is_sandbox=is_sandbox, created_at=clock())
    async with db.transaction():
        if await repository.find_by_name(db, name) is not None:
            raise WorkspaceError(f"a workspace named {name!r} already exists")
        await repository.insert_workspace(db, workspace)
        await audit.record(
            db,
            workspace_id=workspace.id,
            actor=actor,
            action="workspace.created",
            resource_type="workspace",
            resource_id=workspace.id,
            after=workspace,
            at=workspace.created_at,
        )
    return workspace


async def workspace_named(db: Database, name: str) -> Workspace:
    workspace = await repository.find_by_name(db, name)
    if workspace is None:
        raise WorkspaceError(f"no workspace named {name!r}; create it with `aggregator workspaces create {name}`")
    return workspace
