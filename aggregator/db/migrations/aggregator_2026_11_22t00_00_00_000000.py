"""Initial schema: workspaces, API keys, connected accounts, devices, access codes, action attempts,
events, audit entries and idempotency records.

Self-contained on purpose: referenced tables are minimal copies, never the live classes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import (
    JSON,
    UUID,
    Array,
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

ID = "2026-11-22T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"


class Workspaces(Table, tablename="workspaces"):
    id = UUID(primary_key=True)


class ConnectedAccounts(Table, tablename="connected_accounts"):
    id = UUID(primary_key=True)


class Devices(Table, tablename="devices"):
    id = UUID(primary_key=True)


def _fk(table: type[Table], *, index: bool = False) -> tuple:
    return ForeignKey, {"references": table, "on_delete": OnDelete.cascade, "null": False, "index": index}


def _nullable(column_class: type, **params: object) -> tuple:
    return column_class, {"null": True, "default": None, **params}


PK = (UUID, {"primary_key": True})
NOW = (Timestamptz, {})
ISSUES = (JSON, {"default": "[]"})

TABLES = {
    ("Workspaces", "workspaces"): {
        "id": PK,
        "name": (Varchar, {"length": 100, "unique": True}),
        "is_sandbox": (Boolean, {"default": False}),
        "created_at": NOW,
    },
    ("ApiKeys", "api_keys"): {
        "id": PK,
        "workspace_id": _fk(Workspaces),
        "name": (Varchar, {"length": 100}),
        "secret_hash": (Varchar, {"length": 64, "unique": True}),
        "secret_prefix": (Varchar, {"length": 16}),
        "scopes": (Array, {"base_column": Varchar(length=32)}),
        "created_at": NOW,
        "last_used_at": _nullable(Timestamptz),
        "revoked_at": _nullable(Timestamptz),
    },
    ("ConnectedAccounts", "connected_accounts"): {
        "id": PK,
        "workspace_id": _fk(Workspaces),
        "provider": (Varchar, {"length": 40}),
        "provider_account_id": _nullable(Varchar, length=200),
        "status": (Varchar, {"length": 32}),
        "display_name": _nullable(Varchar, length=200),
        "credentials_ciphertext": _nullable(Text),
        "errors": ISSUES,
        "warnings": ISSUES,
        "created_at": NOW,
        "updated_at": NOW,
    },
    ("Devices", "devices"): {
        "id": PK,
        "workspace_id": _fk(Workspaces),
        "connected_account_id": _fk(ConnectedAccounts),
        "provider": (Varchar, {"length": 40}),
        "provider_device_id": (Varchar, {"length": 200}),
        "document": (Bytea, {}),
        "document_version": (Integer, {}),
        "created_at": NOW,
        "updated_at": NOW,
    },
    ("AccessCodes", "access_codes"): {
        "id": PK,
        "workspace_id": _fk(Workspaces),
        "device_id": _fk(Devices, index=True),
        "name": _nullable(Varchar, length=200),
        "code": _nullable(Varchar, length=16),
        "type": (Varchar, {"length": 16}),
        "starts_at": _nullable(Timestamptz),
        "ends_at": _nullable(Timestamptz),
        "is_managed": (Boolean, {"default": True}),
        "is_offline_access_code": (Boolean, {"default": False}),
        "is_one_time_use": (Boolean, {"default": False}),
        "allow_external_modification": (Boolean, {"default": False}),
        "status": (Varchar, {"length": 16}),
        "common_code_key": _nullable(Varchar, length=200),
        "provider_code_id": _nullable(Varchar, length=200),
        "pending_mutations": ISSUES,
        "errors": ISSUES,
        "warnings": ISSUES,
        "created_at": NOW,
        "updated_at": NOW,
    },
    ("ActionAttempts", "action_attempts"): {
        "id": PK,
        "workspace_id": _fk(Workspaces),
        "device_id": _fk(Devices, index=True),
        "action_type": (Varchar, {"length": 32}),
        "status": (Varchar, {"length": 16}),
        "error": _nullable(JSON),
        "was_confirmed_by_device": _nullable(Boolean),
        "created_at": NOW,
        "updated_at": NOW,
    },
    ("Events", "events"): {
        "id": PK,
        "workspace_id": (UUID, {}),
        "type": (Varchar, {"length": 64}),
        "occurred_at": NOW,
        "received_at": NOW,
        "device_id": _nullable(UUID),
        "connected_account_id": _nullable(UUID),
        "access_code_id": _nullable(UUID),
        "action_attempt_id": _nullable(UUID),
        "method": _nullable(Varchar, length=16),
        "source": (Varchar, {"length": 16}),
        "was_confirmed_by_device": _nullable(Boolean),
        "data": (JSON, {"default": "{}"}),
        "dedupe_key": _nullable(Varchar, length=200),
    },
    ("AuditEntries", "audit_entries"): {
        "id": PK,
        "workspace_id": (UUID, {}),
        "actor_type": (Varchar, {"length": 16}),
        "actor_id": _nullable(Varchar, length=64),
        "action": (Varchar, {"length": 64}),
        "resource_type": (Varchar, {"length": 64}),
        "resource_id": (Varchar, {"length": 64}),
        "before": _nullable(JSON),
        "after": _nullable(JSON),
        "request_id": _nullable(Varchar, length=128),
        "created_at": NOW,
    },
    ("IdempotencyRecords", "idempotency_records"): {
        "id": PK,
        "workspace_id": (UUID, {}),
        "api_key_id": (UUID, {}),
        "key": (Varchar, {"length": 255}),
        "fingerprint": (Varchar, {"length": 64}),
        "status": (Varchar, {"length": 16}),
        "response_status": _nullable(Integer),
        "response_headers": _nullable(JSON),
        "response_body": _nullable(Text),
        "created_at": (Timestamptz, {"index": True}),
    },
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aggregator", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename)
        for column_name, (column_class, params) in columns.items():
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=column_name,
                db_column_name=column_name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
            )
    return manager
