"""Reconciliation: access codes remember what the gateway last put on the lock, when they were revoked and which
spec the vendor refused; each device gets a reconcile row (generation counters, a lease, the codes last read from
the lock, drift).

Self-contained on purpose: referenced tables are minimal copies, never the live classes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import JSON, UUID, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-11-24T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "reconciliation state"


class Devices(Table, tablename="devices"):
    id = UUID(primary_key=True)


ACCESS_CODE_COLUMNS = {
    "applied": (JSON, {"null": True, "default": None}),
    "revoked_at": (Timestamptz, {"null": True, "default": None}),
    "rejected_spec": (Text, {"null": True, "default": None}),
    "native_scheduling": (Boolean, {"default": True}),
    "is_scheduled_on_device": (Boolean, {"default": False}),
}

RECONCILE_COLUMNS = {
    "id": (UUID, {"primary_key": True}),
    "device_id": (ForeignKey, {"references": Devices, "on_delete": OnDelete.cascade, "null": False, "unique": True}),
    "workspace_id": (UUID, {}),
    "wanted_generation": (Integer, {"default": 0}),
    "done_generation": (Integer, {"default": 0}),
    "lease_owner": (Varchar, {"length": 64, "null": True, "default": None}),
    "lease_until": (Timestamptz, {"null": True, "default": None}),
    "observed": (JSON, {"null": True, "default": None}),
    "observed_at": (Timestamptz, {"null": True, "default": None}),
    "drift_since": (Timestamptz, {"null": True, "default": None}),
    "next_change_at": (Timestamptz, {"null": True, "default": None}),
    "failures": (Integer, {"default": 0}),
    "last_error": (Text, {"null": True, "default": None}),
}


def _add_column(manager: MigrationManager, class_name: str, tablename: str, name: str, spec: tuple) -> None:
    column_class, params = spec
    manager.add_column(
        table_class_name=class_name,
        tablename=tablename,
        column_name=name,
        db_column_name=name,
        column_class_name=column_class.__name__,
        column_class=column_class,
        params=params,
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aggregator", description=DESCRIPTION)
    for name, spec in ACCESS_CODE_COLUMNS.items():
        _add_column(manager, "AccessCodes", "access_codes", name, spec)
    manager.add_table(class_name="DeviceReconciles", tablename="device_reconciles")
    for name, spec in RECONCILE_COLUMNS.items():
        _add_column(manager, "DeviceReconciles", "device_reconciles", name, spec)
    return manager
