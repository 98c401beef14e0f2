"""`aggregator serve` and `aggregator worker`: check the database first, then run uvicorn or an arq worker."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex

import msgspec
import uvicorn

from aggregator.app import create_app
from aggregator.crypto import secret_key
from aggregator.db import Database
from aggregator.db.migrate import ensure_migrated, migrate
from aggregator.jobs.catalog import default_registry
from aggregator.jobs.worker import build_worker
from aggregator.redaction import AccessLogRedaction
from aggregator.runtime import DependencyUnavailable, check_redis
from aggregator.sandbox import Sandbox, prepare_sandbox
from aggregator.sandbox_clouds import SandboxClouds
from aggregator.settings import Settings


def serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    overrides = {name: value for name, value in (("host", args.host), ("port", args.port)) if value is not None}
    settings = msgspec.structs.replace(settings, **overrides, sandbox=settings.sandbox or args.sandbox)
    sandbox = asyncio.run(_prepare(settings, sandbox=settings.sandbox))
    app = create_app(settings)
    if sandbox is not None:
        print(sandbox_banner(settings, sandbox, app.state.sandbox), flush=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per vendor call drowns the gateway's own logs
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=settings.access_log,
        lifespan="on",
    )
    logging.getLogger("uvicorn.access").addFilter(AccessLogRedaction())  # after uvicorn set its logging up
    uvicorn.Server(config).run()
    return 0


def worker(_: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not settings.redis_url:
        raise DependencyUnavailable(
            "`aggregator worker` needs AGGREGATOR_REDIS_URL; without it jobs run inside `aggregator serve`"
        )
    asyncio.run(_prepare(settings, sandbox=False))
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    build_worker(settings, default_registry()).run()
    return 0


async def _prepare(settings: Settings, *, sandbox: bool) -> Sandbox | None:
    """Fail fast and clearly before starting: database reachable, migrated (sandbox: migrate it), sandbox seeded,
    Redis reachable when configured.
    """
    secret_key(settings)  # outside the sandbox there must be one; the sandbox makes its own
    if settings.redis_url:
        await check_redis(settings.redis_url)
    db = Database(settings.database_url, pool_size=2)
    await db.open()
    try:
        if sandbox:
            await migrate(db)
        else:
            await ensure_migrated(db)
        return await prepare_sandbox(db, settings.var_path) if sandbox else None
    finally:
        await db.close()


def sandbox_banner(settings: Settings, sandbox: Sandbox, clouds: SandboxClouds | None = None) -> str:
    base = settings.public_base_url
    logins = clouds.logins() if clouds else []
    state = "created" if sandbox.new_key else "reused"
    curl = f"curl -H {shlex.quote('Authorization: Bearer ' + sandbox.api_key)} {base}/v1/devices"
    return "\n".join(
        [
            "",
            f"  Sandbox workspace {sandbox.workspace.name!r} is ready "
            f"({state} its admin key, kept in {sandbox.key_file}).",
            f"  API key: {sandbox.api_key}",
            f"  Try:     {curl}",
            f"  Docs:    {base}/schema",
            *(f"  Simulated vendor sign-in, {login}" for login in logins),
            "",
        ]
    )
