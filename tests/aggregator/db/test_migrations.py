"""Migrations: they build the schema the tables describe, on SQLite and PostgreSQL, and run once."""

from __future__ import annotations

import asyncio

import pytest
from piccolo.apps.migrations.auto.diffable_table import DiffableTable
from piccolo.apps.migrations.auto.schema_differ import SchemaDiffer
from piccolo.apps.migrations.auto.schema_snapshot import SchemaSnapshot
from piccolo.apps.migrations.commands.base import BaseMigrationManager

from aggregator.db import Database
from aggregator.db.migrate import applied_migrations, known_migrations, migrate, pending_migrations
from aggregator.db.piccolo_app import APP_CONFIG
from aggregator.db.tables import TABLES
from tests.conftest import DatabaseTarget


async def test_a_migrated_database_has_nothing_pending(database_target: DatabaseTarget):
    db = database_target.database()
    await db.open()
    try:
        assert await pending_migrations(db) == []
        assert await applied_migrations(db) == known_migrations()
        assert await migrate(db) == []
    finally:
        await db.close()


async def test_a_fresh_sqlite_database_migrates_once(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/fresh.db")
    await db.open()
    try:
        assert await pending_migrations(db) == known_migrations()
        assert await migrate(db) == known_migrations()
        assert await migrate(db) == []
        indexes = {row[0] for row in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"devices_workspace_id_id", "idempotency_records_api_key_id_key", "events_device_id_id"} <= indexes
        journal = await db.fetch_one("PRAGMA journal_mode")
        assert journal is not None and journal[0] == "wal"
    finally:
        await db.close()


async def test_unique_indexes_hold(database_target: DatabaseTarget):
    db = database_target.database()
    await db.open()
    try:
        for table in TABLES:
            row = await db.fetch_one(f"SELECT COUNT(*) FROM {table._meta.tablename}")
            assert row is not None and row[0] == 0, table._meta.tablename
        await db.execute(
            "INSERT INTO idempotency_records (id, workspace_id, api_key_id, key, fingerprint, status, created_at) "
            "VALUES (?, ?, ?, 'k', 'f', 'in_progress', CURRENT_TIMESTAMP)",
            "01a20000-0000-7000-8000-000000000001",
            "01a20000-0000-7000-8000-0000000000aa",
            "01a20000-0000-7000-8000-0000000000bb",
        )
        with pytest.raises(Exception, match=r"(?i)unique"):
            await db.execute(
                "INSERT INTO idempotency_records (id, workspace_id, api_key_id, key, fingerprint, status, created_at) "
                "VALUES (?, ?, ?, 'k', 'f', 'in_progress', CURRENT_TIMESTAMP)",
                "01a20000-0000-7000-8000-000000000002",
                "01a20000-0000-7000-8000-0000000000aa",
                "01a20000-0000-7000-8000-0000000000bb",
            )
    finally:
        await db.close()


def test_the_migrations_describe_the_tables():
    """piccolo's own differ finds nothing between the replayed migrations and the table classes."""
    modules = BaseMigrationManager().get_migration_modules(APP_CONFIG.resolved_migrations_folder_path)
    assert sorted(modules) == known_migrations()
    snapshot = SchemaSnapshot(managers=[_run(module.forwards()) for _, module in sorted(modules.items())])
    current = [
        DiffableTable(
            class_name=table.__name__, tablename=table._meta.tablename, columns=table._meta.non_default_columns
        )
        for table in TABLES
    ]
    differ = SchemaDiffer(schema=current, schema_snapshot=snapshot.get_snapshot())
    assert [alter.statements for alter in differ.get_alter_statements() if alter.statements] == []


def _run(coroutine):
    return asyncio.run(coroutine)
