"""piccolo's SQLite engine, kept open: one writer connection for all writes, one in-thread reader for reads.

piccolo's stock engine opens a new aiosqlite connection (and thread) for every query, which caps a
process at about a thousand queries a second. Here writes share one persistent aiosqlite connection,
serialised by a lock (SQLite has a single writer anyway), and reads outside a transaction run on a
standard-library connection in the event loop's own thread: an indexed read in WAL mode takes
microseconds and never waits for the writer.

Two readers: piccolo's queries get values converted by piccolo's registered converters (UUID, datetime,
bool); the gateway's own hot reads (`fetch_raw`) get SQLite's plain values and convert only what they use.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString

Row = Sequence[Any]

BUSY_TIMEOUT_SECONDS = 10.0
READER_BUSY_TIMEOUT_SECONDS = 0.5


class PersistentSQLiteEngine(SQLiteEngine):
    """A `SQLiteEngine` that keeps its connections; call `start()` before use and `close()` after."""

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_SECONDS)
        self._reader: sqlite3.Connection | None = None
        self._raw_reader: sqlite3.Connection | None = None
        self._writer: aiosqlite.Connection | None = None
        self.write_lock = asyncio.Lock()

    async def check_version(self) -> None:
        """Piccolo logs the SQLite library version from `__init__`; nothing to check."""

    async def start(self) -> None:
        if self._writer is None:
            writer = await aiosqlite.connect(**self.connection_kwargs)
            for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
                await writer.execute(f"PRAGMA {pragma}")
            self._writer = writer
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
        if self._writer is not None:
            await self._writer.close()
            self._writer = None
        for reader in (self._reader, self._raw_reader):
            if reader is not None:
                reader.close()
        self._reader = self._raw_reader = None

    async def writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            await self.start()
        assert self._writer is not None
        return self._writer

    async def execute(self, sql: str, params: Sequence[Any], *, raw: bool = False) -> tuple[list[Row], Any]:
        """Run any statement: in the current transaction if there is one; a read on a reader, in this thread
        (`raw` picks the reader without piccolo's conversions); a write alone on the writer.
        """
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await _run(transaction.connection, sql, params)
        reader = self._raw_reader if raw else self._reader
        if reader is not None and _is_read(sql):
            cursor = reader.execute(sql, params)
            return cursor.fetchall(), cursor.description
        async with self.write_lock:
            return await _run(await self.writer(), sql, params)

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


async def _run(connection: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> tuple[list[Row], Any]:
    async with connection.execute(sql, params) as cursor:
        rows = await cursor.fetchall()
        return list(rows), cursor.description


def _is_read(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"
