"""Home Assistant's WebSocket API over the injected httpx client (httpx-ws): the auth handshake, commands with
increasing ids and their results, and the events of a subscription (buffered while a command waits for its result).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import msgspec
from httpx_ws import AsyncWebSocketSession, HTTPXWSException, WebSocketUpgradeError, aconnect_ws

from providers.errors import ProviderAuthError, ProviderRejected, ProviderUnavailable
from providers.http import raise_for_common_status

VENDOR = "Home Assistant"
HANDSHAKE_SECONDS = 10.0
MAX_MESSAGE = 32 * 1024 * 1024
"""A registry listing of a large instance runs to megabytes (httpx-ws allows 64 KiB by default)."""


class Socket:
    """One authenticated connection: `command` sends and waits for its result; `event` waits for the next event."""

    def __init__(self, session: AsyncWebSocketSession) -> None:
        self.session = session
        self._next_id = 0
        self._events: deque[dict[str, Any]] = deque()

    async def command(self, kind: str, **fields: Any) -> Any:
        self._next_id += 1
        number = self._next_id
        await self.session.send_json({"id": number, "type": kind, **fields})
        while True:
            frame = await self._frame()
            if frame.get("type") == "event":
                self._events.append(frame)
            elif frame.get("type") == "result" and frame.get("id") == number:
                return _result(kind, frame)

    async def subscribe(self, event_type: str) -> None:
        await self.command("subscribe_events", event_type=event_type)

    async def event(self, within: float) -> dict[str, Any] | None:
        """The next event's `event` object, or None when none came within `within` seconds."""
        if self._events:
            return dict(self._events.popleft()["event"])
        try:
            async with asyncio.timeout(within):
                while True:
                    frame = await self._frame()
                    if frame.get("type") == "event":
                        return dict(frame["event"])
        except TimeoutError:
            return None

    async def _frame(self) -> dict[str, Any]:
        try:
            raw = await self.session.receive_text()
        except (HTTPXWSException, httpx.HTTPError) as exc:
            raise ProviderUnavailable(f"The {VENDOR} WebSocket closed ({type(exc).__name__}).") from exc
        frame = msgspec.json.decode(raw)
        if isinstance(frame, list):  # coalesced messages
            *earlier, frame = frame
            self._events.extend(item for item in earlier if item.get("type") == "event")
        if not isinstance(frame, dict):
            raise ProviderUnavailable(f"The {VENDOR} WebSocket sent an unexpected frame.")
        return frame


class NoSocket(ProviderUnavailable):
    """The instance serves no WebSocket (a proxy in front of it that does not pass upgrades): use REST instead."""


_NO_UPGRADE = {400, 404, 405, 426}


@asynccontextmanager
async def connected(http: httpx.AsyncClient, base_url: str, token: str) -> AsyncIterator[Socket]:
    """An authenticated socket at `<base_url>/api/websocket`. A refused token, a rate limit, a failure answer the
    typed errors REST calls answer; `NoSocket` where the instance serves no WebSocket.
    """
    try:
        url = f"{base_url}/api/websocket"
        session: AsyncWebSocketSession
        async with aconnect_ws(url, http, max_message_size_bytes=MAX_MESSAGE) as session:
            await _authenticate(session, token)
            yield Socket(session)
    except WebSocketUpgradeError as exc:
        response = exc.response
        if response.status_code in _NO_UPGRADE:
            raise NoSocket(f"{VENDOR} serves no WebSocket here (HTTP {response.status_code}).") from exc
        raise_for_common_status(response, VENDOR)
        raise ProviderUnavailable(f"The {VENDOR} WebSocket was refused (HTTP {response.status_code}).") from exc
    except (HTTPXWSException, httpx.HTTPError) as exc:
        raise ProviderUnavailable(f"The {VENDOR} WebSocket cannot be reached ({type(exc).__name__}).") from exc
    except BaseExceptionGroup as group:  # httpx-ws runs the session in a task group, which wraps what is raised
        raise _first(group) from None


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first of the errors in the group: the one the caller raised (a typed provider error, most often)."""
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first


async def _authenticate(session: AsyncWebSocketSession, token: str) -> None:
    async with asyncio.timeout(HANDSHAKE_SECONDS):
        hello = msgspec.json.decode(await session.receive_text())
        if not isinstance(hello, dict) or hello.get("type") != "auth_required":
            raise ProviderUnavailable(f"The {VENDOR} WebSocket did not ask for authentication.")
        await session.send_json({"type": "auth", "access_token": token})
        answer = msgspec.json.decode(await session.receive_text())
    if not isinstance(answer, dict) or answer.get("type") != "auth_ok":
        message = answer.get("message", "") if isinstance(answer, dict) else ""
        raise ProviderAuthError(f"{VENDOR} refused the access token on its WebSocket. {message}".strip())


def _result(kind: str, frame: dict[str, Any]) -> Any:
    if frame.get("success"):
        return frame.get("result")
    error = frame.get("error") or {}
    message = f"{VENDOR} refused {kind}: {error.get('message', 'no message')} ({error.get('code', 'error')})"
    if error.get("code") == "unauthorized":
        raise ProviderAuthError(message)
    if error.get("code") in ("not_found", "invalid_format", "service_validation_error", "unknown_command"):
        raise ProviderRejected("invalid_request", message)
    raise ProviderUnavailable(message)
