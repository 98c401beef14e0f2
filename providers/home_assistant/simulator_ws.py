"""The simulated Home Assistant's WebSocket API (`/api/websocket`): the fault knobs at the upgrade, the handshake
(`auth_required` -> `auth` -> `auth_ok`, or `auth_invalid` and a close), then commands with increasing ids, each
answered as Home Assistant frames it (compact JSON; an event frame puts its subscription id last).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

from litestar import WebSocket, websocket

from providers.home_assistant.simulator_state import HAError
from providers.home_assistant.simulator_ws_commands import COMMANDS, check_command

if TYPE_CHECKING:
    from providers.home_assistant.simulator import HomeAssistantSimulator

CLOSE, STOP = 1000, None
AUTH_KEYS = ("type", "access_token", "api_password")


def dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def _auth_problems(msg: Any) -> str | None:
    """Voluptuous' complaints about a first message that is not `{"type": "auth", "access_token": ...}`."""
    if not isinstance(msg, dict):
        return "expected a dictionary. Got " + repr(msg)
    problems = [
        f"extra keys not allowed @ data[{key!r}]. Got {value!r}" for key, value in msg.items() if key not in AUTH_KEYS
    ]
    if "type" not in msg:
        problems.append("required key not provided @ data['type']. Got None")
    elif msg["type"] != "auth":
        problems.append(f"not a valid value for dictionary value @ data['type']. Got {msg['type']!r}")
    return "\n".join(sorted(problems)) or None


class Session:
    """One WebSocket connection: a reader handling the client's messages and a writer sending queued frames."""

    def __init__(self, sim: HomeAssistantSimulator, socket: WebSocket[Any, Any, Any]) -> None:
        self.sim = sim
        self.socket = socket
        self.user: str | None = None
        self.last_id = 0
        self.subscriptions: dict[int, Callable[[], None]] = {}
        self.outbox: asyncio.Queue[str | int | None] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- frames -----------------------------------------------------------------------------------------------

    def send(self, payload: Any) -> None:
        self.outbox.put_nowait(dumps(payload))

    def result(self, msg_id: int, result: Any) -> None:
        self.send({"id": msg_id, "type": "result", "success": True, "result": result})

    def error(self, msg_id: int, code: str, message: str, translation: dict[str, Any] | None = None) -> None:
        error: dict[str, Any] = {"code": code, "message": message}
        if translation and translation.get("translation_key") is not None:
            error |= {name: translation.get(name) for name in ("translation_key", "translation_placeholders")}
            error["translation_domain"] = translation.get("translation_domain")
        self.send({"id": msg_id, "type": "result", "success": False, "error": error})

    def failed(self, msg_id: int, exc: HAError) -> None:
        shown = f"Validation error: {exc.message}" if exc.ws_code == "service_validation_error" else exc.message
        self.error(msg_id, exc.ws_code, shown, exc.translation)

    def event(self, subscription: int, event: Any) -> None:
        """An event frame as Home Assistant caches them: the subscription id comes last."""
        self.send({"type": "event", "event": event, "id": subscription})

    def close(self) -> None:
        """Close the connection from the server side (after the frames already queued)."""
        self.outbox.put_nowait(CLOSE)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- the connection ---------------------------------------------------------------------------------------

    async def run(self) -> None:
        reader, writer = asyncio.create_task(self._serve()), asyncio.create_task(self._write())
        await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
        if reader.done():
            self.outbox.put_nowait(STOP)
            await writer
        else:
            reader.cancel()
        self.sim.sessions.discard(self)
        for stop in self.subscriptions.values():
            stop()
        for task in [reader, *self._tasks]:
            task.cancel()
        await asyncio.gather(reader, *self._tasks, return_exceptions=True)

    async def _write(self) -> None:
        with contextlib.suppress(Exception):
            while (frame := await self.outbox.get()) is not STOP:
                if isinstance(frame, int):
                    await self.socket.close(frame)
                    return
                await self.socket.send_text(frame)

    async def _receive(self) -> Any:
        """The next message (None once the client has gone); a frame that is not JSON ends the connection."""
        try:
            return json.loads(await self.socket.receive_text())
        except ValueError:
            self.close()
            return None
        except Exception:
            return None

    async def _serve(self) -> None:
        self.send({"type": "auth_required", "ha_version": self.sim.version})
        if not await self._authenticate():
            return
        while (msg := await self._receive()) is not None:
            for one in msg if isinstance(msg, list) else [msg]:
                self._handle(one)

    async def _authenticate(self) -> bool:
        msg = await self._receive()
        if msg is None:
            return False
        problems = _auth_problems(msg)
        user = None if problems else self.sim.user_for(msg.get("access_token"))
        if user is None:
            reason = (
                f"Auth message incorrectly formatted: {problems}" if problems else "Invalid access token or password"
            )
            self.send({"type": "auth_invalid", "message": reason})
            self.close()
            return False
        self.user = user
        self.sim.sessions.add(self)
        self.send({"type": "auth_ok", "ha_version": self.sim.version})
        return True

    def _handle(self, msg: Any) -> None:
        """Home Assistant's `ActiveConnection.async_handle`: id and type first, increasing ids, then the command."""
        msg_id = msg.get("id") if isinstance(msg, dict) else None
        if not isinstance(msg, dict) or type(msg_id) is not int or not isinstance(msg.get("type"), str):
            self.error(msg_id if type(msg_id) is int else 0, "invalid_format", "Message incorrectly formatted.")
            return
        if msg_id <= self.last_id:
            self.error(msg_id, "id_reuse", "Identifier values have to increase.")
            return
        handler = COMMANDS.get(msg["type"])
        if handler is None:
            self.error(msg_id, "unknown_command", "Unknown command.")
            return
        problem = check_command(msg)
        if problem is not None:
            self.error(msg_id, "invalid_format", problem)
        else:
            try:
                handler(self, msg)
            except HAError as exc:
                self.failed(msg_id, exc)
        self.last_id = msg_id


async def _refused(sim: HomeAssistantSimulator, socket: WebSocket[Any, Any, Any]) -> bool:
    """The fault knobs at the upgrade (as a reverse proxy in front of Home Assistant would answer it): latency,
    then a queued fault: an HTTP answer instead of the upgrade, or a hang (the client's time-out fires).
    """
    if sim.latency:
        await asyncio.sleep(sim.latency)
    fault = sim.next_fault()
    if fault is None:
        return False
    await socket.receive()  # websocket.connect
    status = fault.status
    if fault.hangs:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(sim.hang_seconds):
                while (await socket.receive())["type"] != "websocket.disconnect":
                    pass
        if socket.connection_state == "disconnect":
            return True
        status = 504
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if fault.retry_after is not None:
        headers.append((b"retry-after", str(fault.retry_after).encode()))
    body = f"{status}: {'Too Many Requests' if status == 429 else 'Error'}".encode()
    with contextlib.suppress(Exception):
        await socket.send(cast(Any, {"type": "websocket.http.response.start", "status": status, "headers": headers}))
        await socket.send(cast(Any, {"type": "websocket.http.response.body", "body": body}))
    return True


@websocket("/api/websocket")
async def api_websocket(socket: WebSocket[Any, Any, Any]) -> None:
    sim: HomeAssistantSimulator = socket.app.state["sim"]
    if await _refused(sim, socket):
        return
    await socket.accept()
    await Session(sim, socket).run()
