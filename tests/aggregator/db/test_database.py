"""The database handle: reads, writes and transactions behave alike on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from aggregator.clock import utcnow
from aggregator.db import Database, DatabaseUnavailable, DatabaseUrlError
from aggregator.db.database import _numbered, engine_for_url
from aggregator.db.postgres import LazyPostgresEngine
from aggregator.db.sqlite import PersistentSQLiteEngine
from aggregator.ids import new_id
from aggregator.redaction import redact
from tests.conftest import DatabaseTarget


@pytest.fixture
async def database(database_target: DatabaseTarget):
    db = database_target.database()
    await db.open()
    yield db
    await db.close()


async def insert_workspace(db: Database, name: str) -> uuid.UUID:
    workspace_id = new_id()
    await db.execute(
        "INSERT INTO workspaces (id, name, is_sandbox, created_at) VALUES (?, ?, ?, ?)",
        workspace_id,
        name,
        False,
        utcnow(),
    )
    return workspace_id


async def names(db: Database) -> list[str]:
    return [row[0] for row in await db.fetch_all("SELECT name FROM workspaces ORDER BY name")]


async def test_reads_see_committed_writes(database: Database):
    await insert_workspace(database, "a")
    assert await names(database) == ["a"]
    assert await database.fetch_one("SELECT name FROM workspaces WHERE name = ?", "missing") is None


async def test_a_failed_transaction_leaves_nothing(database: Database):
    seen_inside = []

    async def doomed() -> None:
        async with database.transaction():
            await insert_workspace(database, "doomed")
            seen_inside.extend(await names(database))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await doomed()
    assert seen_inside == ["doomed"]
    assert await names(database) == []


async def test_uncommitted_writes_are_invisible_outside_the_transaction(database: Database):
    inside, outside = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with database.transaction():
            await insert_workspace(database, "pending")
            inside.set()
            await outside.wait()

    task = asyncio.create_task(writer())
    await inside.wait()
    assert await names(database) == []
    outside.set()
    await task
    assert await names(database) == ["pending"]


async def test_concurrent_transactions_all_commit(database: Database):
    async def create(index: int) -> None:
        async with database.transaction():
            await insert_workspace(database, f"w{index:02d}")

    await asyncio.gather(*(create(index) for index in range(20)))
    assert await names(database) == [f"w{index:02d}" for index in range(20)]


async def test_ping_measures_a_round_trip(database: Database):
    seconds = await database.ping()
    assert 0 < seconds < 1


def test_placeholders_are_numbered_for_postgresql():
    assert _numbered("SELECT ? WHERE a = ? AND b = ?") == "SELECT $1 WHERE a = $2 AND b = $3"
    assert _numbered("SELECT 1") == "SELECT 1"


def test_urls():
    assert isinstance(engine_for_url("sqlite:///var/x.db"), PersistentSQLiteEngine)
    assert engine_for_url("sqlite:///var/x.db").path == "var/x.db"
    assert engine_for_url("sqlite:////tmp/x.db").path == "/tmp/x.db"
    assert isinstance(engine_for_url("postgresql://u@h/db"), LazyPostgresEngine)
    assert isinstance(engine_for_url("postgres://u@h/db"), LazyPostgresEngine)
    for bad in ("mysql://h/db", "var/x.db", "sqlite://", "sqlite:///:memory:"):
        with pytest.raises(DatabaseUrlError):
            engine_for_url(bad)
    assert redact("postgresql://app:s3cret@db:5432/gw") == "postgresql://app:***@db:5432/gw"
    assert redact("postgresql://app@db/gw") == "postgresql://app@db/gw"


async def test_an_unreachable_database_is_a_clear_error():
    db = Database("postgresql://nobody:pw@127.0.0.1:9/nowhere")
    with pytest.raises(DatabaseUnavailable) as raised:
        await db.open()
    message = str(raised.value)
    assert "postgresql://nobody:***@127.0.0.1:9/nowhere" in message
    assert "pw@" not in message


async def test_an_unusable_sqlite_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    db = Database(f"sqlite:///{blocker}/gateway.db")
    with pytest.raises(DatabaseUnavailable, match="cannot use the database"):
        await db.open()


def test_secrets_in_url_queries_are_masked():
    masked = redact("postgresql://u@db/gw?password=hunter2&sslmode=require&sslpassword=x")
    assert "hunter2" not in masked
    assert "sslmode=require" in masked
    assert masked.count("***") == 2


async def test_a_new_sqlite_database_is_private(tmp_path):
    import stat

    db = Database(f"sqlite:///{tmp_path}/private/gateway.db")
    await db.open()
    try:
        await db.fetch_one("SELECT 1")
    finally:
        await db.close()
    for name in ("gateway.db", "gateway.db-wal", "gateway.db-shm"):
        path = tmp_path / "private" / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o700
