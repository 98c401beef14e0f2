"""Reconciliation: access codes remember the specs a run sent to the vendor before it knew their outcome (a run that
dies after its vendor call leaves a code the next run can still recognise). Self-contained on purpose.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON

ID = "2026-12-03T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "access code specs in flight"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aggregator", description=DESCRIPTION)
    manager.add_column(
        table_class_name="AccessCodes",
        tablename="access_codes",
        column_name="sent",
        db_column_name="sent",
        column_class_name="JSON",
        column_class=JSON,
        params={"null": True, "default": None},
    )
    return manager
