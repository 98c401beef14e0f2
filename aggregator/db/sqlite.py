"""piccolo's SQLite engine, kept open: one writer connection for all writes, one reader for reads, both in the
event loop's own thread.

piccolo's stock engine opens a new aiosqlite connection (and thread) for every query, which caps a
process at about a thousand queries a second; even one persistent aiosqlite connection pays a thread
hop per statement (a millisecond under load, measured: it made the write lock the gateway's bottleneck).
Here every statement runs on a standard-library connection in the loop's thread: an indexed read or a
small write in WAL mode takes microseconds. Writes are serialised by an asyncio lock (SQLite has a single
writer anyway); the writer never blocks on another process's lock: it answers "busy" at once and the
statement is retried after an asyncio sleep, so the loop keeps serving meanwhile.

Two readers: piccolo's queries get values converted by piccolo's registered converters (UUID, datetime,
bool); the gateway's own hot reads (`fetch_raw`) get SQLite's plain values and convert only what they use.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString

Row = Sequence[Any]

BUSY_TIMEOUT_SECONDS = 10.0
READER_BUSY_TIMEOUT_SECONDS = 0.5
_BUSY_RETRY_SECONDS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)
"""Waits between tries of a statement another process's write lock refused (then the last one, repeatedly)."""


class LoopConnection:
    """A standard-library connection used from the event loop: `await execute(...)` runs the statement at once and
    answers (rows, description); "database is locked" is waited out with asyncio sleeps, never by blocking.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[Row], Any]:
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        tries = 0
        while True:
            try:
                cursor = self.connection.execute(sql, params)
                return cursor.fetchall(), cursor.description
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(_BUSY_RETRY_SECONDS[min(tries, len(_BUSY_RETRY_SECONDS) - 1)])
            tries += 1

    def close(self) -> None:
        self.connection.close()


class PersistentSQLiteEngine(SQLiteEngine):
    """A `SQLiteEngine` that keeps its connections; call `start()` before use and `close()` after."""

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_SECONDS)
        self._reader: sqlite3.Connection | None = None
        self._raw_reader: sqlite3.Connection | None = None
        self._writer: LoopConnection | None = None
        self.write_lock = asyncio.Lock()

    async def check_version(self) -> None:
        """Piccolo logs the SQLite library version from `__init__`; nothing to check."""

    async def start(self) -> None:
        if self._writer is None:
            # timeout 0: a lock held by another process answers "busy" at once (LoopConnection waits it out).
            writer = sqlite3.connect(**{**self.connection_kwargs, "timeout": 0}, check_same_thread=False)
            for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
                writer.execute(f"PRAGMA {pragma}")
            self._writer = LoopConnection(writer)
        if self._reader is None:
            self._reader = self._read_only_connection(**self.connection_kwargs)
            plain = {**self.connection_kwargs, "detect_types": 0}
            self._raw_reader = self._read_only_connection(**plain)

    @staticmethod
    def _read_only_connection(**kwargs: Any) -> sqlite3.Connection:
        # Reads run in the event loop's thread: never wait long for a lock (WAL readers rarely have to).
        connection = sqlite3.connect(**{**kwargs, "timeout": READER_BUSY_TIMEOUT_SECONDS}, check_same_thread=False)
        connection.execute("PRAGMA query_only = ON")
        return connection

    async def close(self) -> None:
        for connection in (self._writer, self._reader, self._raw_reader):
            if connection is not None:
                connection.close()
        self._writer = self._reader = self._raw_reader = None

    async def writer(self) -> LoopConnection:
        if self._writer is None:
            await self.start()
        assert self._writer is not None
        return self._writer

    async def execute(self, sql: str, params: Sequence[Any], *, raw: bool = False) -> tuple[list[Row], Any]:
        """Run any statement: in the current transaction if there is one; a read on a reader (`raw` picks the
        reader without piccolo's conversions); a write alone on the writer.
        """
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.execute(sql, params)
        reader = self._raw_reader if raw else self._reader
        if reader is not None and _is_read(sql):
            cursor = reader.execute(sql, params)
            return cursor.fetchall(), cursor.description
        async with self.write_lock:
            return await (await self.writer()).execute(sql, params)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> list[dict[str, Any]]:
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        rows, description = await self.execute(sql, args)
        if not description:
            return []
        names = [column[0] for column in description]
        return [dict(zip(names, row, strict=True)) for row in rows]

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> list[dict[str, Any]]:
        return await self.run_querystring(QueryString(ddl))

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> WriterTransaction:
        return WriterTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


class WriterTransaction(SQLiteTransaction):
    """A transaction on the engine's writer connection, holding the write lock until it ends."""

    engine: PersistentSQLiteEngine

    async def __aenter__(self) -> WriterTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[return-value]  # piccolo types the parent loosely
        await self.engine.write_lock.acquire()
        try:
            self.connection = await self.engine.writer()
            await self.begin()
        except BaseException:
            self.engine.write_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            self.engine.write_lock.release()
        return exception is None


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    message = str(exc)
    return "database is locked" in message or "database is busy" in message


def _is_read(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"
