"""Shared fixtures: every database-backed test runs on SQLite, and on PostgreSQL too when one is configured.

`AGGREGATOR_TEST_DATABASE_URL` (a postgresql:// URL) adds a `postgres` variant of each such test, isolated in a
schema of its own; `AGGREGATOR_TEST_REDIS_URL` adds `arq` variants of the job tests and a Redis rate limiter.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import msgspec
import pytest
from litestar import Litestar

from aggregator.app import create_app
from aggregator.db import Database
from aggregator.db.migrate import migrate
from aggregator.db.tables import TABLES
from aggregator.settings import Settings
from tests.factories import Tenant, make_tenant
from tests.sandbox import FAST_ACTIONS, NukiSandbox, nuki_simulator, sandbox_settings

POSTGRES_URL = os.environ.get("AGGREGATOR_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("AGGREGATOR_TEST_REDIS_URL")
DATABASES = ["sqlite", *(["postgres"] if POSTGRES_URL else [])]
TEST_SECRET_KEY = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0"


@dataclass(frozen=True)
class DatabaseTarget:
    url: str

    def database(self) -> Database:
        return Database(self.url, pool_size=4)


def in_schema(url: str, schema: str) -> str:
    """A PostgreSQL URL whose connections use `schema` (asyncpg passes the parameter on to the server)."""
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}"


async def _migrate(target: DatabaseTarget) -> None:
    db = target.database()
    await db.open()
    try:
        await migrate(db)
    finally:
        await db.close()


async def _run_sql(url: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (much faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "gateway.db"
    asyncio.run(_migrate(DatabaseTarget(f"sqlite:///{path}")))
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A migrated schema of its own in the configured PostgreSQL, dropped at the end of the session."""
    assert POSTGRES_URL
    schema = f"test_{secrets.token_hex(4)}"
    asyncio.run(_run_sql(POSTGRES_URL, f"CREATE SCHEMA {schema}"))
    try:
        asyncio.run(_migrate(DatabaseTarget(in_schema(POSTGRES_URL, schema))))
        yield schema
    finally:
        asyncio.run(_run_sql(POSTGRES_URL, f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(params=DATABASES)
def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> DatabaseTarget:
    if request.param == "sqlite":
        path = tmp_path / "gateway.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return DatabaseTarget(f"sqlite:///{path}")
    schema = request.getfixturevalue("postgres_schema")
    assert POSTGRES_URL
    tables = ", ".join(f"{schema}.{table._meta.tablename}" for table in reversed(TABLES))
    asyncio.run(_run_sql(POSTGRES_URL, f"TRUNCATE {tables} CASCADE"))
    return DatabaseTarget(in_schema(POSTGRES_URL, schema))


@pytest.fixture
def settings(database_target: DatabaseTarget, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Test settings; a test marked `sandbox` gets the simulated vendor clouds too."""
    settings = Settings(
        database_url=database_target.url,
        var_dir=str(tmp_path / "var"),
        rate_limit_per_second=1000.0,
        rate_limit_burst=1000,
        secret_key=TEST_SECRET_KEY,
    )
    origins = request.node.get_closest_marker("redirect_origins")
    if origins:
        settings = msgspec.structs.replace(settings, redirect_origins=",".join(origins.args))
    return sandbox_settings(settings) if request.node.get_closest_marker("sandbox") else settings


@pytest.fixture
def app(settings: Settings, database_target: DatabaseTarget) -> Litestar:
    return create_app(settings, database=database_target.database())


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, lifespan included, all on the test's own event loop.

    (Litestar's AsyncTestClient runs the lifespan on a second loop in a thread, and the app's database
    pool and job runner must live on the loop that serves the requests.)
    """
    async with serving(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as test_client:
            yield test_client


@asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[None]:
    """Run the app's lifespan in a task of its own (its cancel scope must start and end in one task)."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(lifespan())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # raises the start-up error
    try:
        yield
    finally:
        stop.set()
        await task


@pytest.fixture
def db(app: Litestar, client: httpx.AsyncClient) -> Database:
    """The open database of the running app (so that tests and app share one engine)."""
    database: Database = app.state.runtime.db
    return database


@pytest.fixture
async def tenant(db: Database) -> Tenant:
    """A workspace `acme` with an admin key."""
    return await make_tenant(db, "acme")


@pytest.fixture
def nuki(app: Litestar, client: httpx.AsyncClient, tenant: Tenant) -> NukiSandbox:
    """The sandbox Nuki cloud seen through the REST API of `tenant` (tests marked `sandbox`)."""
    sim = nuki_simulator(app)
    sim.action_delay = FAST_ACTIONS
    return NukiSandbox(client, tenant.headers, sim)


@pytest.fixture
async def other_tenant(db: Database) -> Tenant:
    """A second workspace, to prove that workspaces never see each other."""
    return await make_tenant(db, "globex")
