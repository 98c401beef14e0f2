"""The reconcile benchmark's world: the gateway in sandbox mode in this process (SQLite in a temp dir, in-process
jobs, no periodic tasks), its simulated Nuki cloud filled with accounts and keypad locks, every vendor call counted
where it leaves the gateway, and an API client on the app.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import httpx
from litestar import Litestar

from aggregator.api_keys.service import create_key
from aggregator.app import create_app
from aggregator.auth.principal import SYSTEM
from aggregator.clock import utcnow
from aggregator.db import Database
from aggregator.db.migrate import migrate
from aggregator.jobs.base import JobArg, JobBackend, JobContext, TaskRegistry
from aggregator.jobs.catalog import default_registry
from aggregator.jobs.inprocess import InProcessJobBackend
from aggregator.reconcile.triggers import RECONCILE_TASK
from aggregator.runtime import VENDOR_TIMEOUT, Runtime
from aggregator.settings import Settings
from aggregator.workspaces.service import create_workspace
from providers.nuki.simulator import NukiSimulator
from schemas import Scope

ORIGIN = "http://gateway.bench"
_AUTH_PATH = re.compile(r"/smartlock/(\d+)/auth(/[^/?]+)?$")
_WRITES = {"PUT": "create", "POST": "update", "DELETE": "delete"}


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts what the gateway asks of the simulated clouds: calls by kind (`read` = list a lock's codes, `create`,
    `update`, `delete`, `oauth`, `other` = account, lock list, logs), code reads per lock id, failed answers, and
    when the last answer came (`time.monotonic()`).
    """

    def __init__(self) -> None:
        self.inner: httpx.AsyncBaseTransport | None = None
        self.calls: Counter[str] = Counter()
        self.reads: Counter[int] = Counter()
        self.failed: Counter[int] = Counter()
        self.last_at = 0.0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.inner is not None, "bind the transport to the app's sandbox first"
        self.count(request.method, request.url.path)
        response = await self.inner.handle_async_request(request)
        if response.status_code >= 400:
            self.failed[response.status_code] += 1
        self.last_at = time.monotonic()
        return response

    def count(self, method: str, path: str) -> None:
        match = _AUTH_PATH.search(path)
        if "/oauth/" in path:
            kind = "oauth"
        elif match is None:
            kind = "other"
        elif method == "GET" and match.group(2) is None:
            kind = "read"
            self.reads[int(match.group(1))] += 1
        else:
            kind = _WRITES.get(method, "other")
        self.calls[kind] += 1

    def snapshot(self) -> tuple[Counter[str], Counter[int]]:
        return Counter(self.calls), Counter(self.reads)


class JobStats:
    """Reconcile runs started (retries and runs that found nothing to do included), the delay of every deferred
    reconcile the gateway schedules (a look again later), and how many deferred checks it schedules (`check_at`:
    a look for a run that died holding the lock, free when the generation was served).
    """

    def __init__(self) -> None:
        self.runs = 0
        self.delays: list[float] = []
        self.checks = 0

    def registry(self) -> TaskRegistry:
        """The gateway's tasks, the reconcile counted, with no periodic task (the sweep runs when asked)."""
        tasks = default_registry().tasks
        inner = tasks[RECONCILE_TASK].fn

        async def counted(ctx: JobContext, device_id: str, generation: str = "") -> None:
            self.runs += 1
            await inner(ctx, device_id, generation)

        tasks[RECONCILE_TASK] = replace(tasks[RECONCILE_TASK], fn=counted)
        return TaskRegistry(tasks.values(), periodic=())

    def watch(self, jobs: JobBackend) -> None:
        """Note the delay of each deferred reconcile enqueued on the running backend."""
        enqueue = jobs.enqueue

        async def noted(
            task: str, *args: JobArg, job_id: str | None = None, defer_until: datetime | None = None
        ) -> bool:
            if task == RECONCILE_TASK and defer_until is not None and len(args) > 1:
                self.checks += 1  # a deferred job for a given generation: `triggers.check_at`
            elif task == RECONCILE_TASK and defer_until is not None:
                self.delays.append((defer_until - utcnow()).total_seconds())
            return await enqueue(task, *args, job_id=job_id, defer_until=defer_until)

        jobs.enqueue = noted  # type: ignore[method-assign]


@dataclass
class World:
    app: Litestar
    sim: NukiSimulator
    counter: CountingTransport
    vendor_http: httpx.AsyncClient
    api_key: str
    stats: JobStats
    tokens: list[str] = field(default_factory=list)

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


async def prepare_database(database_url: str) -> str:
    """Migrate a fresh database and give it a workspace with an admin key; returns the key."""
    db = Database(database_url)
    await db.open()
    try:
        await migrate(db)
        workspace = await create_workspace(db, "reconcile-bench")
        key = await create_key(
            db, workspace_id=workspace.id, name="bench", scopes=[Scope.ADMIN], actor=SYSTEM, at=utcnow()
        )
        return key.secret
    finally:
        await db.close()


def build(
    workdir: Path, rate: float, stats: JobStats, job_slots: int | None = None
) -> tuple[Litestar, CountingTransport, httpx.AsyncClient]:
    """The app in sandbox mode, paced at `rate` vendor calls per second per account, with periodic tasks off (the
    sweep runs when asked) and its vendor calls going through a counting transport. `job_slots`: jobs the
    in-process backend runs at once (None: the gateway's own default).
    """
    settings = Settings(
        database_url=f"sqlite:///{workdir}/bench.db",
        var_dir=str(workdir / "var"),
        sandbox=True,
        public_url=ORIGIN,
        vendor_requests_per_second=rate,
        rate_limit_per_second=1e6,
        rate_limit_burst=1_000_000,
        access_log=False,
        log_level="warning",
        secret_key=secrets.token_urlsafe(32),
    )
    counter = CountingTransport()
    vendor_http = httpx.AsyncClient(timeout=VENDOR_TIMEOUT, mounts={ORIGIN: counter})
    registry = stats.registry()
    jobs = None if job_slots is None else InProcessJobBackend(registry, concurrency=job_slots)
    app = create_app(settings, http_client=vendor_http, registry=registry, jobs=jobs)
    counter.inner = app.state.sandbox.transport()
    return app, counter, vendor_http


def populate(sim: NukiSimulator, accounts: int, locks: int) -> list[str]:
    """`accounts` Nuki accounts sharing `locks` keypad locks round-robin; returns an API token per account."""
    ids = [sim.add_account(f"host{index}@bench.example", "bench", name=f"Host {index}") for index in range(accounts)]
    for index in range(locks):
        sim.add_smartlock(ids[index % accounts], name=f"Door {index}", keypad=True)
    return [sim.issue_api_token(account) for account in ids]


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


async def connect_accounts(client: httpx.AsyncClient, world: World) -> None:
    """Each account connected through `POST /v1/connected_accounts` with its API token (discovery included)."""
    for token in world.tokens:
        body = {"provider": "nuki", "credentials": {"api_token": token}}
        answer = await client.post("/v1/connected_accounts", json=body, headers=world.headers)
        if answer.status_code != 201:
            raise RuntimeError(f"connecting an account failed: {answer.status_code} {answer.text[:300]}")


@dataclass(frozen=True, slots=True)
class Lock:
    device_id: uuid.UUID
    account_id: uuid.UUID
    smartlock_id: int


async def locks_of(db: Database) -> list[Lock]:
    """The gateway's devices, interleaved across accounts (first lock of every account, then the second, ...)."""
    rows = await db.fetch_all("SELECT id, connected_account_id, provider_device_id FROM devices ORDER BY id")
    locks = [Lock(_uuid(row[0]), _uuid(row[1]), int(row[2])) for row in rows]
    rank: Counter[uuid.UUID] = Counter()
    order = []
    for lock in locks:
        order.append((rank[lock.account_id], str(lock.account_id), lock))
        rank[lock.account_id] += 1
    return [lock for _, _, lock in sorted(order, key=lambda item: item[:2])]


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
