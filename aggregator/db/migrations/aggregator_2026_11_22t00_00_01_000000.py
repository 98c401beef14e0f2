"""Composite indexes: the unique ones, and those the list endpoints filter by workspace and page by id with.

Plain SQL that SQLite and PostgreSQL both take. piccolo runs a migration's raw steps before its tables,
so these follow the initial schema in their own step.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

UNIQUE_INDEXES = {
    "devices_connected_account_id_provider_device_id": "devices (connected_account_id, provider_device_id)",
    "events_workspace_id_dedupe_key": "events (workspace_id, dedupe_key)",
    "idempotency_records_api_key_id_key": "idempotency_records (api_key_id, key)",
}

COMPOSITE_INDEXES = {
    "api_keys_workspace_id_id": "api_keys (workspace_id, id)",
    "connected_accounts_workspace_id_id": "connected_accounts (workspace_id, id)",
    "devices_workspace_id_id": "devices (workspace_id, id)",
    "access_codes_workspace_id_id": "access_codes (workspace_id, id)",
    "action_attempts_workspace_id_id": "action_attempts (workspace_id, id)",
    "events_workspace_id_id": "events (workspace_id, id)",
    "events_device_id_id": "events (device_id, id)",
    "audit_entries_workspace_id_id": "audit_entries (workspace_id, id)",
}


async def _create_indexes() -> None:
    engine = engine_finder()
    for name, target in UNIQUE_INDEXES.items():
        await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {target}")
    for name, target in COMPOSITE_INDEXES.items():
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aggregator", description=DESCRIPTION)
    manager.add_raw(_create_indexes)
    return manager
