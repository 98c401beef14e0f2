"""Request ids: taken from a sane incoming `X-Request-ID` or made up, and sent back on every response."""

from __future__ import annotations

import itertools
import os
import re
from typing import Any

from aggregator.http.headers import header

HEADER = b"x-request-id"
_ACCEPTABLE = re.compile(rb"[A-Za-z0-9._:-]{1,128}")

# Unique, not secret: a random per-process prefix and a counter (no system call per request).
_PROCESS = os.urandom(5).hex()
_COUNTER = itertools.count(1)


def request_id(scope: Any) -> str:
    """The id of the request in `scope`, decided on first use and kept in the scope's state."""
    state = scope.setdefault("state", {})
    rid: str | None = state.get("request_id")
    if rid is None:
        rid = _incoming(scope) or f"req_{_PROCESS}{next(_COUNTER):010x}"
        state["request_id"] = rid
    return rid


async def add_request_id_header(message: Any, scope: Any) -> None:
    """A `before_send` hook: stamps `X-Request-ID` on every HTTP response, errors included."""
    if message["type"] == "http.response.start":
        message["headers"] = [*message.get("headers", ()), (HEADER, request_id(scope).encode())]


def _incoming(scope: Any) -> str | None:
    value = header(scope, HEADER) if "headers" in scope else None
    return value.decode() if value is not None and _ACCEPTABLE.fullmatch(value) else None
