"""The gateway's handle on its database: piccolo for tables, writes and transactions, and a lean path for reads.

Repositories read with `fetch_one` / `fetch_all` and plain SQL written with `?` placeholders (compiled to
`$n` for PostgreSQL once per statement): on the hot read path piccolo's query builder costs more than the
query itself. Values come back as the driver gives them (SQLite: text for ids and times; PostgreSQL:
UUID and datetime objects), and repositories normalise them with `aggregator.db.rows`. Inside a transaction
every statement, piccolo's or ours, runs on the transaction's connection.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Literal

from piccolo.engine.base import Engine

from aggregator.db.postgres import LazyPostgresEngine
from aggregator.db.sqlite import PersistentSQLiteEngine
from aggregator.db.tables import TABLES
from aggregator.redaction import redact

Row = Sequence[Any]
Dialect = Literal["sqlite", "postgres"]

CONNECT_TIMEOUT_SECONDS = 5.0


class DatabaseUrlError(ValueError):
    """`AGGREGATOR_DATABASE_URL` is not a URL the gateway understands."""


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or used; the message says which one and why."""


def engine_for_url(url: str) -> PersistentSQLiteEngine | LazyPostgresEngine:
    """Build (without connecting) the piccolo engine for a `sqlite:///` or `postgresql://` URL."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise DatabaseUrlError(f"database URL {url!r} has no scheme; use sqlite:///path.db or postgresql://...")
    if scheme == "sqlite":
        path = rest[1:] if rest.startswith("/") else rest
        if not path or path == ":memory:":
            raise DatabaseUrlError("SQLite needs a file path, e.g. sqlite:///var/aggregator.db")
        return PersistentSQLiteEngine(path)
    if scheme in {"postgres", "postgresql", "postgresql+asyncpg"}:
        return LazyPostgresEngine(url)
    raise DatabaseUrlError(f"unsupported database URL scheme {scheme!r}; use sqlite:/// or postgresql://")


class Database:
    """One open database for the process lifetime: `await open()`, use, `await close()`."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = engine_for_url(url)
        self.dialect: Dialect = "sqlite" if isinstance(self.engine, PersistentSQLiteEngine) else "postgres"
        self._pool_size = pool_size

    @property
    def display_url(self) -> str:
        return redact(self.url)

    async def open(self) -> None:
        """Connect, bind the piccolo tables to this engine and check the database answers."""
        try:
            await asyncio.wait_for(self._connect(), CONNECT_TIMEOUT_SECONDS)
            await self.ping()
        except Exception as exc:
            await self.close()
            raise DatabaseUnavailable(f"cannot use the database at {self.display_url}: {_reason(exc)}") from exc
        bind_tables(self.engine)

    async def _connect(self) -> None:
        if isinstance(self.engine, PersistentSQLiteEngine):
            _create_private(Path(self.engine.path))
            await self.engine.start()
        else:
            await self.engine.start_connection_pool(min_size=1, max_size=self._pool_size)

    async def close(self) -> None:
        if isinstance(self.engine, PersistentSQLiteEngine):
            await self.engine.close()
        elif self.engine.pool is not None:
            await self.engine.close_connection_pool()

    async def ping(self) -> float:
        """Round-trip a trivial query; returns the seconds it took."""
        started = time.perf_counter()
        await self.fetch_one("SELECT 1")
        return time.perf_counter() - started

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        """A write transaction; statements inside it (piccolo's and ours) share its connection."""
        return self.engine.transaction()

    async def fetch_all(self, sql: str, *params: Any) -> list[Row]:
        if isinstance(self.engine, PersistentSQLiteEngine):
            rows, _ = await self.engine.execute(sql, params, raw=True)
            return rows
        return list(await self._postgres_connection().fetch(_numbered(sql), *params))

    async def fetch_one(self, sql: str, *params: Any) -> Row | None:
        rows = await self.fetch_all(sql, *params)
        return rows[0] if rows else None

    async def execute(self, sql: str, *params: Any) -> None:
        if isinstance(self.engine, PersistentSQLiteEngine):
            await self.engine.execute(sql, params)
        else:
            await self._postgres_connection().execute(_numbered(sql), *params)

    def _postgres_connection(self) -> Any:
        transaction = self.engine.current_transaction.get()
        if transaction is not None:
            return transaction.connection
        assert isinstance(self.engine, LazyPostgresEngine)
        if self.engine.pool is None:
            raise DatabaseUnavailable("the PostgreSQL pool is not started")
        return self.engine.pool


def _create_private(path: Path) -> None:
    """Create a new SQLite file readable by its owner only (SQLite gives its -wal and -shm files the same mode).

    The database holds key hashes and, later, encrypted vendor credentials.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def bind_tables(engine: Engine) -> None:
    """Point every gateway table at `engine` (piccolo otherwise looks the engine up in piccolo_conf)."""
    for table in TABLES:
        table._meta.db = engine


@functools.lru_cache(maxsize=512)
def _numbered(sql: str) -> str:
    """`?` placeholders to PostgreSQL's `$1, $2, ...`."""
    parts = sql.split("?")
    out = [parts[0]]
    for index, part in enumerate(parts[1:], start=1):
        out.append(f"${index}{part}")
    return "".join(out)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT_SECONDS:g} s"
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def is_unique_violation(exc: BaseException) -> bool:
    """Whether `exc` is a unique index refusing a row, on either database."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    return type(exc).__name__ == "UniqueViolationError"  # asyncpg's, without importing asyncpg here
