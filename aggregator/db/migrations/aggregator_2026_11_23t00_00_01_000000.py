"""One connected account per vendor account and workspace (reconnecting updates it), and the connect
sessions' list index. Plain SQL both databases take, after the tables exist (piccolo runs raw steps first).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "connected account and connect session indexes"

INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS connected_accounts_workspace_id_provider_account "
    "ON connected_accounts (workspace_id, provider, provider_account_id)",
    "CREATE INDEX IF NOT EXISTS connect_sessions_workspace_id_id ON connect_sessions (workspace_id, id)",
)


async def _create_indexes() -> None:
    for statement in INDEXES:
        await engine_finder().run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="aggregator", description=DESCRIPTION)
    manager.add_raw(_create_indexes)
    return manager
