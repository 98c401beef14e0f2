"""Index for inbound vendor callbacks: a signed webhook names a lock by its vendor id, whichever account holds it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T00:00:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "devices by vendor id"


async def _create_index() -> None:
    await engine_finder().run_ddl(
        "CREATE INDEX IF NOT EXISTS devices_provider_provider_device_id ON devices (provider, provider_device_id)"
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aggregator", description=DESCRIPTION)
    manager.add_raw(_create_index)
    return manager
