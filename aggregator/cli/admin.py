"""Administrative commands: migrate, workspaces and API keys, run against the configured database."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aggregator.api_keys import repository as key_repository
from aggregator.api_keys import service as keys
from aggregator.auth.principal import CLI
from aggregator.clock import utcnow
from aggregator.db import Database
from aggregator.db.migrate import ensure_migrated, migrate
from aggregator.http.pagination import MAX_LIMIT, PageRequest
from aggregator.ids import parse_id
from aggregator.settings import Settings
from aggregator.workspaces import repository as workspace_repository
from aggregator.workspaces.service import create_workspace, workspace_named
from schemas import ApiKey, Scope

T = TypeVar("T")


def parse_scopes(text: str) -> list[Scope]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = ", ".join(scope.value for scope in Scope)
    try:
        scopes = [Scope(name) for name in names]
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown scope in {text!r}; choose from: {known}") from None
    if not scopes:
        raise argparse.ArgumentTypeError(f"give at least one scope: {known}")
    return scopes


def with_database(work: Callable[[Database], Awaitable[T]], *, needs_schema: bool = True) -> T:
    """Open the configured database, check it is migrated (unless migrating), run `work`, close."""

    async def run() -> T:
        settings = Settings.from_env()
        db = Database(settings.database_url, pool_size=2)
        await db.open()
        try:
            if needs_schema:
                await ensure_migrated(db)
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())


def migrate_command(_: argparse.Namespace) -> int:
    async def work(db: Database) -> list[str]:
        return await migrate(db)

    applied = with_database(work, needs_schema=False)
    print(f"applied {len(applied)} migration(s)" if applied else "the database is up to date")
    return 0


def create_workspace_command(args: argparse.Namespace) -> int:
    workspace = with_database(lambda db: create_workspace(db, args.name, is_sandbox=args.sandbox))
    print(f"created workspace {workspace.name!r} ({workspace.id})")
    return 0


def list_workspaces_command(_: argparse.Namespace) -> int:
    for workspace in with_database(workspace_repository.list_workspaces):
        sandbox = "  [sandbox]" if workspace.is_sandbox else ""
        print(f"{workspace.id}  {workspace.name}{sandbox}")
    return 0


def create_key_command(args: argparse.Namespace) -> int:
    async def work(db: Database) -> keys.NewKey:
        workspace = await workspace_named(db, args.workspace)
        return await keys.create_key(
            db, workspace_id=workspace.id, name=args.name, scopes=args.scopes, actor=CLI, at=utcnow()
        )

    created = with_database(work)
    print(f"created API key {created.key.id} ({created.key.name}) in workspace {args.workspace!r}")
    print(f"scopes: {', '.join(created.key.scopes)}")
    print("the secret is shown once, on the next line; store it now")
    print(created.secret)
    return 0


def list_keys_command(args: argparse.Namespace) -> int:
    async def work(db: Database) -> list[ApiKey]:
        workspace = await workspace_named(db, args.workspace)
        found: list[ApiKey] = []
        page = PageRequest(after=None, limit=MAX_LIMIT)
        while batch := await key_repository.list_keys(db, workspace.id, page):
            found.extend(batch)
            page = PageRequest(after=batch[-1].id, limit=MAX_LIMIT)
        return found

    for key in with_database(work):
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        print(f"{key.id}  {key.secret_prefix}…  {key.name}  [{', '.join(key.scopes)}]  {state}")
    return 0


def revoke_key_command(args: argparse.Namespace) -> int:
    async def work(db: Database) -> ApiKey:
        workspace = await workspace_named(db, args.workspace)
        return await keys.revoke_key(
            db, workspace_id=workspace.id, key_id=parse_id(args.key_id), actor=CLI, at=utcnow()
        )

    key = with_database(work)
    print(f"revoked API key {key.id} ({key.name}) at {key.revoked_at}")
    return 0
