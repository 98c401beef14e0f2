"""piccolo's PostgreSQL engine without its connect-on-construction check, so building one never touches the network."""

from __future__ import annotations

from typing import Any

from piccolo.engine.postgres import PostgresEngine


class LazyPostgresEngine(PostgresEngine):
    """Connects only when the pool starts (`start_connection_pool`) or a query runs."""

    def __init__(self, dsn: str) -> None:
        # asyncpg passes unknown URL parameters on as server settings: `?search_path=tenant_a` works.
        config: dict[str, Any] = {"dsn": normalise_dsn(dsn)}
        super().__init__(config=config)

    async def check_version(self) -> None:
        """Piccolo runs this from `__init__` and connects to ask the server version; the gateway does not need it."""

    async def prep_database(self) -> None:
        """No extensions to create: ids come from the gateway."""


def normalise_dsn(dsn: str) -> str:
    """Asyncpg takes `postgresql://` and `postgres://`, not SQLAlchemy's `postgresql+asyncpg://`."""
    scheme, _, rest = dsn.partition("://")
    return f"postgresql://{rest}" if scheme.startswith("postgres") else dsn
