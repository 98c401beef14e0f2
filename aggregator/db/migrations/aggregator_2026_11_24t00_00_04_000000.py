"""Reconciliation: a lock can be asked to be read again (a vendor webhook, a person), even by a run going on now.
Self-contained on purpose: no live table classes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean

ID = "2026-11-24T00:00:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "reconcile read requests"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aggregator", description=DESCRIPTION)
    manager.add_column(
        table_class_name="DeviceReconciles",
        tablename="device_reconciles",
        column_name="read_wanted",
        db_column_name="read_wanted",
        column_class_name="Boolean",
        column_class=Boolean,
        params={"default": False},
    )
    return manager
