"""Connected accounts learn when they were last synced and how far their events were read; connect sessions
(OAuth logins in progress) get a table; devices keep the name and time zone people give them.

Self-contained on purpose: referenced tables are minimal copies, never the live classes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import JSON, UUID, ForeignKey, Text, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-11-23T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "connect sessions and account sync"


class Workspaces(Table, tablename="workspaces"):
    id = UUID(primary_key=True)


SESSION_COLUMNS = {
    "id": (UUID, {"primary_key": True}),
    "workspace_id": (ForeignKey, {"references": Workspaces, "on_delete": OnDelete.cascade, "null": False}),
    "provider": (Varchar, {"length": 40}),
    "status": (Varchar, {"length": 16}),
    "redirect_url": (Text, {"null": True, "default": None}),
    "consent_url": (Text, {"null": True, "default": None}),
    "state_hash": (Varchar, {"length": 64, "unique": True}),
    "created_by": (Varchar, {"length": 64, "null": True, "default": None}),
    "connected_account_id": (UUID, {"null": True, "default": None}),
    "error": (JSON, {"null": True, "default": None}),
    "created_at": (Timestamptz, {}),
    "expires_at": (Timestamptz, {}),
    "completed_at": (Timestamptz, {"null": True, "default": None}),
}

ACCOUNT_COLUMNS = {
    "last_synced_at": (Timestamptz, {"null": True, "default": None}),
    "events_synced_until": (Timestamptz, {"null": True, "default": None}),
}

DEVICE_COLUMNS = {
    "name_override": (Varchar, {"length": 100, "null": True, "default": None}),
    "timezone_override": (Varchar, {"length": 64, "null": True, "default": None}),
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
    manager.add_table(class_name="ConnectSessions", tablename="connect_sessions")
    for name, spec in SESSION_COLUMNS.items():
        _add_column(manager, "ConnectSessions", "connect_sessions", name, spec)
    for name, spec in ACCOUNT_COLUMNS.items():
        _add_column(manager, "ConnectedAccounts", "connected_accounts", name, spec)
    for name, spec in DEVICE_COLUMNS.items():
        _add_column(manager, "Devices", "devices", name, spec)
    return manager
