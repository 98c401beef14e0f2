"""Action attempts remember when their command went out (a re-run job never sends it twice) and the vendor's
receipt; devices remember when the vendor state they hold was read (an older read never overwrites a newer one).

Self-contained on purpose: no live table classes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Timestamptz

ID = "2026-11-24T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "action attempts sent once; device observation time"

COLUMNS = {
    ("ActionAttempts", "action_attempts"): {
        "sent_at": (Timestamptz, {"null": True, "default": None}),
        "receipt": (JSON, {"null": True, "default": None}),
    },
    ("Devices", "devices"): {
        "observed_at": (Timestamptz, {"null": True, "default": None}),
    },
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aggregator", description=DESCRIPTION)
    for (class_name, tablename), columns in COLUMNS.items():
        for name, (column_class, params) in columns.items():
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
            )
    return manager
