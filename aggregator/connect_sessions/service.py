"""OAuth logins: a consent link bound to a single-use `state`, and the vendor's callback that finishes it."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from aggregator.audit import service as audit
from aggregator.auth.principal import Principal
from aggregator.connect_sessions import repository
from aggregator.connect_sessions.repository import SessionRecord
from aggregator.connected_accounts.service import store_login
from aggregator.http import errors
from aggregator.http.context import RequestContext, system_context
from aggregator.http.errors import ApiError, found
from aggregator.http.provider_errors import api_error
from aggregator.ids import new_id
from aggregator.runtime import Runtime
from providers.base import HeldCredentials, Provider
from providers.errors import ProviderError
from schemas import ConnectSession, ConnectSessionCreate, ConnectSessionError, ConnectSessionStatus
from schemas.providers import AuthKind

logger = logging.getLogger("aggregator.connect_sessions")
SESSION_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a callback ended: the session as it is now, and where to send the person (None: answer JSON)."""

    session: ConnectSession
    redirect_to: str | None
    problem: ApiError | None = None


async def create_session(ctx: RequestContext, data: ConnectSessionCreate) -> ConnectSession:
    provider = _oauth_provider(ctx, data.provider)
    _check_redirect(ctx, data.redirect_url)
    state = secrets.token_urlsafe(32)
    settings = ctx.vendors.settings
    url = provider.authorization_url(
        ctx.vendors.config(data.provider), redirect_uri=settings.oauth_callback_url, state=state
    )
    session_id = new_id()
    record = SessionRecord(
        id=session_id,
        workspace_id=ctx.workspace_id,
        provider=data.provider,
        status=ConnectSessionStatus.PENDING,
        redirect_url=data.redirect_url,
        sealed_consent_url=ctx.vendors.box.seal(session_id, {"url": url}),
        connected_account_id=None,
        error=None,
        created_at=ctx.now,
        expires_at=ctx.now + SESSION_LIFETIME,
        created_by=None if ctx.acting_as else str(ctx.principal.api_key_id),
    )
    async with ctx.db.transaction():
        await repository.insert_session(ctx.db, record, state_hash=_digest(state))
        await _audit(ctx, "connect_session.created", record, {"provider": data.provider})
    return _view(ctx, record)


async def get_session(ctx: RequestContext, session_id: uuid.UUID | None) -> ConnectSession:
    record = await repository.get_session(ctx.db, ctx.workspace_id, session_id) if session_id else None
    return _view(ctx, found(record, errors.CONNECT_SESSION_NOT_FOUND))


async def finish(runtime: Runtime, *, state: str | None, code: str | None, error: str | None, rid: str) -> Outcome:
    """The vendor's redirect: claim the session (once), exchange the code, keep the login, say how it went. Once
    claimed, a session always ends (authorized or failed), whatever goes wrong.
    """
    record = await repository.find_by_state(runtime.db, _digest(state)) if state else None
    now = runtime.clock()
    if record is None or not await repository.claim(runtime.db, record.id, now):
        raise ApiError(errors.INVALID_CONNECT_STATE)
    ctx = _session_context(runtime, record, rid)
    try:
        return await _complete(ctx, runtime, record, code=code, error=error)
    except ProviderError as exc:
        return await _fail(ctx, record, api_error(exc))
    except ApiError as problem:
        return await _fail(ctx, record, problem)
    except Exception:
        logger.exception("connect session %s failed unexpectedly", record.id)
        return await _fail(ctx, record, ApiError(errors.INTERNAL_ERROR))


async def _complete(
    ctx: RequestContext, runtime: Runtime, record: SessionRecord, *, code: str | None, error: str | None
) -> Outcome:
    if ctx.now > record.expires_at:
        raise ApiError(errors.CONNECT_SESSION_EXPIRED)
    if error or not code:
        raise ApiError(errors.PROVIDER_AUTH_FAILED, f"The person did not grant access at the vendor ({error}).")
    provider = ctx.vendors.provider(record.provider)
    context = ctx.vendors.context(record.provider, HeldCredentials())
    credentials = await provider.exchange_code(context, code=code, redirect_uri=runtime.settings.oauth_callback_url)
    account_id = await store_login(ctx, record.provider, credentials)
    await repository.finish(runtime.db, record.id, status=ConnectSessionStatus.AUTHORIZED, account_id=account_id)
    done = await get_session(ctx, record.id)
    return Outcome(done, _redirect(record, done))


async def _fail(ctx: RequestContext, record: SessionRecord, problem: ApiError) -> Outcome:
    error = ConnectSessionError(code=problem.error.code, message=str(problem.detail))
    await repository.finish(ctx.db, record.id, status=ConnectSessionStatus.FAILED, error=error)
    await _audit(ctx, "connect_session.failed", record, {"error": error.code})
    failed = await get_session(ctx, record.id)
    return Outcome(failed, _redirect(record, failed), problem)


def _redirect(record: SessionRecord, session: ConnectSession) -> str | None:
    if not record.redirect_url:
        return None
    separator = "&" if "?" in record.redirect_url else "?"
    query = f"connect_session_id={session.id}&status={session.status.value}"
    if session.error:
        query += f"&error={session.error.code}"
    return f"{record.redirect_url}{separator}{query}"


def _session_context(runtime: Runtime, record: SessionRecord, rid: str) -> RequestContext:
    """The callback acts for the API key that opened the session (it carries no key itself), or for the gateway."""
    if record.created_by is None:
        return system_context(runtime, record.workspace_id, rid)
    key_id = uuid.UUID(record.created_by)
    principal = Principal(api_key_id=key_id, workspace_id=record.workspace_id, scopes=frozenset())
    return RequestContext(runtime.db, runtime.jobs, runtime.vendors, principal, runtime.clock(), rid)


def _check_redirect(ctx: RequestContext, url: str | None) -> None:
    """The callback sends people to `redirect_url` from the gateway's own domain: only to origins the operator
    allowed, so that the gateway never lends its name to a redirect somewhere else.
    """
    if url is None:
        return
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    if origin not in ctx.vendors.settings.allowed_redirect_origins:
        detail = f"{origin} is not an allowed redirect origin; the operator lists them in AGGREGATOR_REDIRECT_ORIGINS."
        raise ApiError(errors.VALIDATION_ERROR, detail, field_errors=[{"field": "redirect_url", "message": detail}])


def _oauth_provider(ctx: RequestContext, slug: str) -> type[Provider]:
    try:
        provider = ctx.vendors.provider(slug)
    except LookupError as exc:
        raise ApiError(
            errors.VALIDATION_ERROR, str(exc), field_errors=[{"field": "provider", "message": str(exc)}]
        ) from None
    if provider.manifest.auth_kind is not AuthKind.OAUTH2_AUTHORIZATION_CODE:
        detail = f"{slug} accounts connect with POST /v1/connected_accounts, not OAuth."
        raise ApiError(errors.VALIDATION_ERROR, detail, field_errors=[{"field": "provider", "message": detail}])
    return provider


def _view(ctx: RequestContext, record: SessionRecord) -> ConnectSession:
    url = None
    if record.status is ConnectSessionStatus.PENDING and record.sealed_consent_url:
        url = ctx.vendors.box.open(record.id, record.sealed_consent_url)["url"]
    return ConnectSession(
        id=record.id,
        provider=record.provider,
        status=record.status,
        url=url,
        redirect_url=record.redirect_url,
        connected_account_id=record.connected_account_id,
        error=record.error,
        created_at=record.created_at,
        expires_at=record.expires_at,
    )


async def _audit(ctx: RequestContext, action: str, record: SessionRecord, after: dict[str, str]) -> None:
    await audit.record_change(ctx, action, "connect_session", record.id, after=after)


def _digest(state: str | None) -> str:
    return hashlib.sha256((state or "").encode()).hexdigest()
