"""Connected accounts: log in at a vendor (credentials tried before anything is kept), read, remove, resync."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from aggregator.audit import service as audit
from aggregator.connected_accounts import repository
from aggregator.connected_accounts.sync import sync_account
from aggregator.db import Database
from aggregator.events.repository import NewEvent, insert_event
from aggregator.http import errors
from aggregator.http.context import RequestContext
from aggregator.http.errors import ApiError, found
from aggregator.http.pagination import PageRequest, build_page
from aggregator.http.provider_errors import api_error
from aggregator.ids import new_id
from aggregator.jobs.base import JobBackend
from aggregator.vendors import Vendors
from providers.base import HeldCredentials
from providers.errors import ProviderError
from providers.registry import UnknownProvider
from schemas import ConnectedAccount, ConnectedAccountCreate, EventSource, EventType, Page
from schemas.providers import AccountIdentity

logger = logging.getLogger("aggregator.connected_accounts")
SYNC_TASK = "connected_accounts.sync"


async def get_account(db: Database, workspace_id: uuid.UUID, account_id: uuid.UUID | None) -> ConnectedAccount:
    account = await repository.get_account(db, workspace_id, account_id) if account_id else None
    return found(account, errors.CONNECTED_ACCOUNT_NOT_FOUND)


async def list_accounts(
    db: Database, workspace_id: uuid.UUID, page: PageRequest, *, provider: str | None
) -> Page[ConnectedAccount]:
    return build_page(await repository.list_accounts(db, workspace_id, page, provider=provider), page)


async def connect_with_credentials(ctx: RequestContext, data: ConnectedAccountCreate) -> ConnectedAccount:
    """`POST /v1/connected_accounts`: try the credentials at the vendor, keep them sealed, discover the devices."""
    provider = _provider(ctx.vendors, data.provider)
    expected = set(provider.manifest.credential_fields)
    _check_fields(data.provider, expected, data.credentials)
    try:
        credentials = await provider.connect(ctx.vendors.context(data.provider, HeldCredentials()), data.credentials)
    except ProviderError as exc:
        raise api_error(exc) from exc
    account_id = await store_login(ctx, data.provider, credentials)
    return await get_account(ctx.db, ctx.workspace_id, account_id)


async def store_login(ctx: RequestContext, slug: str, credentials: dict[str, Any]) -> uuid.UUID:
    """Keep a login that works: a new account, or new credentials for the same vendor account. Then sync it."""
    adapter = ctx.vendors.provider(slug)(ctx.vendors.context(slug, HeldCredentials(credentials)))
    try:
        identity = await adapter.identify()
    except ProviderError as exc:
        raise api_error(exc) from exc
    async with ctx.db.transaction():
        account_id, reconnected = await _keep_login(ctx, slug, identity, credentials)
        await _record_connected(ctx, account_id, slug, reconnected=reconnected)
    await _discover(ctx, account_id)
    return account_id


async def _keep_login(
    ctx: RequestContext, slug: str, identity: AccountIdentity, credentials: dict[str, Any]
) -> tuple[uuid.UUID, bool]:
    """Insert the account, or (it exists, perhaps made by a login a moment ago) give it the new credentials; the
    credentials are sealed to the id of the row that keeps them. Returns the id and whether it existed.
    """
    account_id = new_id()
    inserted = await repository.insert_account(
        ctx.db,
        account_id=account_id,
        workspace_id=ctx.workspace_id,
        provider=slug,
        provider_account_id=identity.provider_account_id,
        display_name=identity.display_name,
        sealed_credentials=ctx.vendors.box.seal(account_id, credentials),
        at=ctx.now,
    )
    if inserted:
        return account_id, False
    existing = await repository.find_by_vendor_account(ctx.db, ctx.workspace_id, slug, identity.provider_account_id)
    if existing is None:
        raise ApiError(errors.SERVICE_UNAVAILABLE, "The account changed while it was being connected; try again.")
    sealed = ctx.vendors.box.seal(existing, credentials)
    await repository.replace_login(
        ctx.db, existing, display_name=identity.display_name, sealed_credentials=sealed, at=ctx.now
    )
    return existing, True


async def delete_account(ctx: RequestContext, account_id: uuid.UUID | None) -> ConnectedAccount:
    """Remove the account, its credentials and its devices; the events stay (they are history)."""
    async with ctx.db.transaction():
        account = await get_account(ctx.db, ctx.workspace_id, account_id)
        await repository.delete_account(ctx.db, account.id)
        event = NewEvent(
            type=EventType.CONNECTED_ACCOUNT_DISCONNECTED,
            occurred_at=ctx.now,
            source=EventSource.GATEWAY,
            connected_account_id=account.id,
            data={"reason": "deleted"},
        )
        await insert_event(ctx.db, ctx.workspace_id, event, received_at=ctx.now)
        await _audit(ctx, "connected_account.deleted", account.id, before=account, after=None)
    return account


async def request_sync(ctx: RequestContext, account_id: uuid.UUID | None) -> ConnectedAccount:
    account = await get_account(ctx.db, ctx.workspace_id, account_id)
    await enqueue_sync(ctx.jobs, account.id)
    return account


async def enqueue_sync(jobs: JobBackend, account_id: uuid.UUID) -> None:
    await jobs.enqueue(SYNC_TASK, str(account_id), job_id=f"sync:{account_id}")


async def _discover(ctx: RequestContext, account_id: uuid.UUID) -> None:
    """Devices are there when the answer comes back; a vendor hiccup now only delays them to a background sync."""
    try:
        await sync_account(ctx.db, ctx.vendors, account_id, ctx.now)
    except ProviderError as exc:
        logger.warning("first sync of %s failed, retrying in the background: %s", account_id, exc)
        await enqueue_sync(ctx.jobs, account_id)


async def _record_connected(ctx: RequestContext, account_id: uuid.UUID, slug: str, *, reconnected: bool) -> None:
    event = NewEvent(
        type=EventType.CONNECTED_ACCOUNT_CONNECTED,
        occurred_at=ctx.now,
        source=EventSource.GATEWAY,
        connected_account_id=account_id,
        data={"provider": slug, "reconnected": reconnected},
    )
    await insert_event(ctx.db, ctx.workspace_id, event, received_at=ctx.now)
    action = "connected_account.reconnected" if reconnected else "connected_account.created"
    await _audit(ctx, action, account_id, before=None, after={"provider": slug, "status": "active"})


async def _audit(ctx: RequestContext, action: str, account_id: uuid.UUID, *, before: Any, after: Any) -> None:
    await audit.record_change(ctx, action, "connected_account", account_id, before=before, after=after)


def _provider(vendors: Vendors, slug: str) -> Any:
    try:
        return vendors.provider(slug)
    except UnknownProvider as exc:
        raise ApiError(
            errors.VALIDATION_ERROR, str(exc), field_errors=[{"field": "provider", "message": str(exc)}]
        ) from None


def _check_fields(slug: str, expected: set[str], submitted: Mapping[str, str]) -> None:
    if not expected:
        detail = f"{slug} accounts connect through POST /v1/connect_sessions (OAuth)."
        raise ApiError(errors.VALIDATION_ERROR, detail, field_errors=[{"field": "provider", "message": detail}])
    problems = [{"field": f"credentials.{name}", "message": "required"} for name in sorted(expected - set(submitted))]
    problems += [
        {"field": f"credentials.{name}", "message": "not a field"} for name in sorted(set(submitted) - expected)
    ]
    problems += [
        {"field": f"credentials.{name}", "message": "empty"}
        for name in expected & set(submitted)
        if not submitted[name].strip()
    ]
    if problems:
        fields = ", ".join(sorted(expected))
        raise ApiError(errors.VALIDATION_ERROR, f"{slug} takes the credentials: {fields}.", field_errors=problems)


def _field(name: str, message: str) -> dict[str, str]:
    return {"field": f"credentials.{name}", "message": message}
