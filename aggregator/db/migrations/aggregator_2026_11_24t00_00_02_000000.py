"""Indexes of reconciliation: one managed code per PIN and lock, codes by vendor id and by common key, drift by age.
Plain SQL both databases take, after the tables exist (piccolo runs raw steps first).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T00:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "reconciliation indexes"

INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS access_codes_device_id_active_code ON access_codes (device_id, code) "
    "WHERE is_managed AND revoked_at IS NULL",
    "CREATE INDEX IF NOT EXISTS access_codes_device_id_provider_code_id ON access_codes (device_id, provider_code_id)",
    "CREATE INDEX IF NOT EXISTS access_codes_workspace_id_common_code_key ON access_codes (workspace_id, common_code_key)",
    "CREATE INDEX IF NOT EXISTS device_reconciles_workspace_id_drift_since "
    "ON device_reconciles (workspace_id, drift_since)",
)


async def _create_indexes() -> None:
    for statement in INDEXES:
        await engine_finder().run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aggregator", description=DESCRIPTION)
    manager.add_raw(_create_indexes)
    return manager
