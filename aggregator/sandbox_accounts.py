"""At sandbox start-up, each simulated vendor's account is connected to the `sandbox` workspace the way a person
would connect it (OAuth consent, or credentials), so its locks are there at once and survive restarts of the
in-memory clouds.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from aggregator.connect_sessions import service as connect_sessions
from aggregator.connected_accounts import service as connected_accounts
from aggregator.http.context import RequestContext, system_context
from aggregator.http.errors import ApiError
from aggregator.runtime import Runtime
from aggregator.sandbox import SANDBOX_WORKSPACE
from aggregator.workspaces import repository as workspaces
from providers.base import SandboxCloud
from schemas import ConnectedAccountCreate, ConnectSessionCreate

logger = logging.getLogger("aggregator.sandbox")


async def connect_sandbox_accounts(runtime: Runtime) -> None:
    """Connect (or re-authorize) every sandbox cloud's account; a failure is logged, never fatal."""
    clouds = runtime.vendors.sandbox
    workspace = await workspaces.find_by_name(runtime.db, SANDBOX_WORKSPACE)
    if clouds is None or workspace is None:
        return
    for slug, cloud in clouds.clouds.items():
        ctx = system_context(runtime, workspace.id, f"sandbox-{slug}")
        try:
            await _connect(runtime, ctx, slug, cloud)
        except (ApiError, RuntimeError, KeyError) as exc:
            logger.warning("the sandbox %s account was not connected: %s", slug, exc)


async def _connect(runtime: Runtime, ctx: RequestContext, slug: str, cloud: SandboxCloud) -> None:
    if cloud.credentials is not None:
        await connected_accounts.connect_with_credentials(
            ctx, ConnectedAccountCreate(provider=slug, credentials=dict(cloud.credentials))
        )
    elif cloud.approve is not None:
        session = await connect_sessions.create_session(ctx, ConnectSessionCreate(provider=slug))
        back = parse_qs(urlsplit(await cloud.approve(session.url or "")).query)
        outcome = await connect_sessions.finish(
            runtime,
            state=back["state"][0],
            code=back.get("code", [None])[0],
            error=back.get("error", [None])[0],
            rid=ctx.request_id,
        )
        if outcome.problem is not None:
            raise outcome.problem
    logger.info("sandbox %s account connected", slug)
