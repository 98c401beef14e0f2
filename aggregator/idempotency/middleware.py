"""Honours `Idempotency-Key` on every authenticated POST.

The first request with a key claims it (a unique row per API key and key, so concurrent duplicates cannot
both win), runs, and stores its answer before sending it; a retry with the same key and body gets that
answer again, marked `Idempotent-Replayed`; the same key with another body is a 422. A duplicate that
arrives while the first still runs waits for it. Only successful answers are kept: an error had no effect
(its transaction rolled back), so a retry runs again. Fields named `secret` are never stored: a secret is
shown once, and a replay answers it as null.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from datetime import datetime, timedelta
from typing import Any, cast

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from aggregator.auth.principal import Principal
from aggregator.auth.scopes import PUBLIC
from aggregator.http import errors
from aggregator.http.context import runtime_of
from aggregator.http.errors import ApiError
from aggregator.http.headers import header
from aggregator.idempotency import repository
from aggregator.idempotency.repository import IdempotencyRecord, StoredAnswer
from aggregator.runtime import Runtime

HEADER = b"idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = frozenset({"content-type", "location"})
SHOWN_ONCE_FIELDS = ("secret",)
WAIT_FOR_FIRST_SECONDS = 10.0
ABANDONED_AFTER = timedelta(minutes=2)
"""An in-progress claim this old belongs to a process that died; it is taken over."""


class IdempotencyMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_opt_key = PUBLIC

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if cast("HTTPScope", scope)["method"] != "POST":
            await next_app(scope, receive, send)
            return
        key = header(scope, HEADER)
        principal: Principal | None = scope.get("auth")
        if key is None or principal is None:
            await next_app(scope, receive, send)
            return
        runtime = runtime_of(scope)
        body = await _read_body(receive, runtime.settings.max_body_bytes)
        run = _KeyedRequest(runtime, principal, _checked(key), _fingerprint(scope, body))
        record_id = await run.claim_or_replay(send)
        if record_id is not None:
            await run.execute(record_id, scope, _replaying(body, receive), send, next_app)


class _KeyedRequest:
    def __init__(self, runtime: Runtime, principal: Principal, key: str, fingerprint: str) -> None:
        self.runtime = runtime
        self.principal = principal
        self.key = key
        self.fingerprint = fingerprint

    async def claim_or_replay(self, send: Send) -> uuid.UUID | None:
        """Claim the key (returns the record id) or answer from the first request's record (returns None)."""
        deadline = time.monotonic() + WAIT_FOR_FIRST_SECONDS
        db, key_id = self.runtime.db, self.principal.api_key_id
        while True:
            now = self.runtime.clock()
            claimed = await repository.claim(db, self.principal.workspace_id, key_id, self.key, self.fingerprint, now)
            if claimed is not None:
                return claimed
            record = await repository.find(db, key_id, self.key)
            if record is None or self._is_stale(record, now):
                if record is not None:
                    await repository.release(db, record.id)
                continue  # gone (released, purged) or stale: claim again
            if record.fingerprint != self.fingerprint:
                raise ApiError(errors.IDEMPOTENCY_KEY_REUSED)
            if record.answer is not None:
                await _send_answer(send, record.answer)
                return None
            if time.monotonic() >= deadline:
                raise ApiError(errors.IDEMPOTENCY_REQUEST_IN_PROGRESS)
            await asyncio.sleep(0.05)

    def _is_stale(self, record: IdempotencyRecord, now: datetime) -> bool:
        """Expired (older than the TTL), or an in-progress claim abandoned by a process that died."""
        age = now - record.created_at
        if record.answer is None and age > ABANDONED_AFTER:
            return True
        return age > timedelta(seconds=self.runtime.settings.idempotency_ttl_seconds)

    async def execute(
        self, record_id: uuid.UUID, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp
    ) -> None:
        """Run the request, keep a successful answer (before the client sees it), then send the answer."""
        capture = _Capture()
        try:
            await next_app(scope, receive, capture)
        except BaseException:
            await repository.release(self.runtime.db, record_id)
            raise
        if capture.status is not None and capture.status < 400:
            await repository.complete(self.runtime.db, record_id, capture.answer())
        else:
            await repository.release(self.runtime.db, record_id)
        for message in capture.messages:
            await send(message)


class _Capture:
    """A `send` that holds the answer back, so that it is stored before the client can act on it."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.body = bytearray()

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)
        if message["type"] == "http.response.start":
            self.status = message["status"]
            for name, value in message.get("headers", ()):
                if name.decode("latin-1").lower() in KEPT_HEADERS:
                    self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            self.body.extend(message.get("body", b""))

    def answer(self) -> StoredAnswer:
        assert self.status is not None
        return StoredAnswer(self.status, self.headers, _without_secrets(bytes(self.body)).decode("utf-8", "replace"))


def _without_secrets(body: bytes) -> bytes:
    """The answer with every shown-once field blanked, as it may be stored and replayed."""
    try:
        document = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return body
    if isinstance(document, dict) and any(field in document for field in SHOWN_ONCE_FIELDS):
        return msgspec.json.encode({**document, **dict.fromkeys(SHOWN_ONCE_FIELDS, None)})
    return body


async def _send_answer(send: Send, answer: StoredAnswer) -> None:
    headers = [(name.encode(), value.encode()) for name, value in answer.headers.items()]
    headers.append((REPLAYED_HEADER.lower().encode(), b"true"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body.encode(), "more_body": False})


def _checked(key: bytes) -> str:
    text = key.decode("latin-1")
    if not 1 <= len(text) <= 255 or not text.isascii() or not text.isprintable():
        raise ApiError(errors.INVALID_IDEMPOTENCY_KEY)
    return text


async def _read_body(receive: Receive, limit: int) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        body.extend(cast(bytes, message.get("body", b"")))
        if len(body) > limit:
            raise ApiError(errors.REQUEST_BODY_TOO_LARGE)
        if not message.get("more_body", False):
            break
    return bytes(body)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the app once, then defers to the real one."""
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _fingerprint(scope: Scope, body: bytes) -> str:
    """Method, path, query and body; JSON bodies are compared by content, not by spacing or key order."""
    try:
        canonical = msgspec.json.encode(msgspec.json.decode(body), order="sorted") if body else b""
    except (msgspec.DecodeError, RecursionError):
        canonical = body
    digest = hashlib.sha256()
    query: bytes = scope.get("query_string", b"")
    for part in (b"POST", scope["path"].encode(), query, canonical):
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()
