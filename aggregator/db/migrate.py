"""Apply piccolo migrations to a database, and tell which ones a database still lacks."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from aggregator.db.database import Database, DatabaseUnavailable
from aggregator.db.piccolo_app import APP_CONFIG, APP_NAME

PICCOLO_CONF_MODULE = "aggregator.db.piccolo_conf"


def known_migrations() -> list[str]:
    """Ids of the migrations shipped with this version, oldest first."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    folder = Path(APP_CONFIG.resolved_migrations_folder_path)
    modules = BaseMigrationManager().get_migration_modules(str(folder))
    return sorted(modules)


async def applied_migrations(db: Database) -> list[str]:
    if not await _migration_table_exists(db):
        return []
    rows = await db.fetch_all("SELECT name FROM migration WHERE app_name = ?", APP_NAME)
    return sorted(row[0] for row in rows)


async def pending_migrations(db: Database) -> list[str]:
    applied = set(await applied_migrations(db))
    return [migration for migration in known_migrations() if migration not in applied]


async def ensure_migrated(db: Database) -> None:
    """Raise `DatabaseUnavailable` with the command to run when `db` lacks migrations."""
    if await pending_migrations(db):
        raise DatabaseUnavailable(f"the database at {db.display_url} is not migrated; run `aggregator migrate` first")


async def migrate(db: Database) -> list[str]:
    """Apply every pending migration to the open database `db`; returns the ids applied."""
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.apps.migrations.tables import Migration

    pending = await pending_migrations(db)
    if not pending:
        return []
    os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF_MODULE)
    from aggregator.db import piccolo_conf

    # piccolo's migration runner finds its engine through piccolo_conf; point it at this database.
    piccolo_conf.DB = db.engine
    Migration._meta.db = db.engine
    # piccolo's own "does the table exist" looks in every schema; create it here, where we mean it.
    await Migration.create_table(if_not_exists=True).run()
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        result = await run_forwards(app_name=APP_NAME)
    if not result.success:
        raise DatabaseUnavailable(f"migration failed: {result.message}\n{output.getvalue()}")
    return pending


async def _migration_table_exists(db: Database) -> bool:
    if db.dialect == "sqlite":
        row = await db.fetch_one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migration'")
    else:
        row = await db.fetch_one("SELECT to_regclass('migration') IS NOT NULL")
        row = row if row and row[0] else None
    return row is not None
