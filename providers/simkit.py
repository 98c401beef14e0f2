"""What every simulated vendor cloud shares: an httpx transport that honours client read time-outs (and one that also
carries WebSockets), and the queue of faults (failures, rate limits, hangs) the fault knobs line up for the next
requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, cast

import anyio.streams.stapled  # noqa: F401  (httpx-ws' stream uses it without importing it)
import httpx
from httpx_ws.transport import ASGIWebSocketAsyncNetworkStream

__all__ = ("Fault", "FaultQueue", "Knobs", "SimulatorTransport", "SimulatorWebSocketTransport", "Step", "Timeline")


class SimulatorTransport(httpx.ASGITransport):
    """`httpx.ASGITransport` that gives up after the request's read time-out, as a network transport would
    (httpx's own ASGI transport waits for the app however long it takes).
    """

    def __init__(self, app: Any, *, vendor: str, **kwargs: Any) -> None:
        super().__init__(app=app, **kwargs)
        self.vendor = vendor

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = cast("dict[str, float | None]", request.extensions.get("timeout", {})).get("read")
        try:
            async with asyncio.timeout(timeout):
                return await super().handle_async_request(request)
        except TimeoutError:
            raise httpx.ReadTimeout(f"The simulated {self.vendor} did not answer in time.", request=request) from None


@dataclass(frozen=True)
class Fault:
    """What one request suffers instead of being served."""

    status: int
    """The HTTP status to answer with; 0: hang (the client's time-out fires)."""
    retry_after: int | None = None
    """Set for a rate limit: the seconds the vendor asks to wait (each vendor says it its own way, or not at all)."""

    @property
    def hangs(self) -> bool:
        return self.status == 0

    @property
    def rate_limited(self) -> bool:
        return self.retry_after is not None


class FaultQueue:
    """Faults lined up by the knobs, served one per request in order; once they are used up, a random failure
    (HTTP 503) with probability `failure_rate`, drawn from the simulator's seeded random.
    """

    def __init__(self, rng: random.Random) -> None:
        self.random = rng
        self.queued: deque[Fault] = deque()

    def rate_limit(self, *, retry_after: int, count: int = 1) -> None:
        self.queued.extend(Fault(429, retry_after) for _ in range(count))

    def fail_next(self, *, status: int = 503, count: int = 1) -> None:
        self.queued.extend(Fault(status) for _ in range(count))

    def time_out_next(self, *, count: int = 1) -> None:
        self.queued.extend(Fault(0) for _ in range(count))

    def next(self, failure_rate: float = 0.0) -> Fault | None:
        """What the next request suffers (ask once per request): queued faults first, then the failure rate."""
        if self.queued:
            return self.queued.popleft()
        if failure_rate and self.random.random() < failure_rate:
            return Fault(503)
        return None

    def clear(self) -> None:
        self.queued.clear()


HANDSHAKE_TIMEOUT = 5.0
"""How long an upgrade waits for the app to accept when the request has no read time-out."""


class _Tasks:
    """What httpx-ws' stream needs of a task group (`start_soon`), as asyncio tasks."""

    def __init__(self) -> None:
        self.running: set[asyncio.Task[Any]] = set()

    def start_soon(self, func: Callable[..., Coroutine[Any, Any, Any]], *args: Any, name: object = None) -> None:
        task = asyncio.get_running_loop().create_task(func(*args))
        self.running.add(task)
        task.add_done_callback(self.running.discard)


class SimulatorWebSocketTransport(SimulatorTransport):
    """HTTP and WebSocket upgrades (`httpx-ws`) onto one ASGI app, in process. httpx-ws' own `ASGIWebSocketTransport`
    runs the sockets' server side in an anyio task group that the task entering the client must also exit (pytest
    fixtures and lifespans enter and exit in different tasks); here they are plain asyncio tasks the transport owns
    and ends on `aclose()`.
    """

    def __init__(self, app: Any, *, vendor: str) -> None:
        super().__init__(app, vendor=vendor)
        self._tasks = _Tasks()
        self._streams: set[ASGIWebSocketAsyncNetworkStream] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme in {"ws", "wss"} or request.headers.get("upgrade", "").lower() == "websocket":
            return await self._upgrade(request)
        return await super().handle_async_request(request)

    def _scope(self, request: httpx.Request) -> dict[str, Any]:
        protocols = request.headers.get("sec-websocket-protocol")
        return {
            "type": "websocket",
            "path": request.url.path,
            "raw_path": request.url.raw_path,
            "root_path": self.root_path,
            "scheme": request.url.scheme,
            "query_string": request.url.query,
            "headers": [(key.lower(), value) for key, value in request.headers.raw],
            "client": self.client,
            "server": (request.url.host, request.url.port),
            "subprotocols": protocols.split(",") if protocols else [],
        }

    async def _upgrade(self, request: httpx.Request) -> httpx.Response:
        """The upgrade, waiting for the app's accept as long as the request's read time-out allows: an app that
        never accepts is a `httpx.ReadTimeout`, one that refuses raises httpx-ws' `WebSocketUpgradeError`.
        """
        timeouts = cast("dict[str, float | None]", request.extensions.get("timeout", {}))
        wait = timeouts.get("read") or HANDSHAKE_TIMEOUT
        stream = ASGIWebSocketAsyncNetworkStream(
            cast(Any, self.app), self._scope(request), cast(Any, self._tasks), wait
        )
        try:
            _, accepted = await stream.__aenter__()
        except RuntimeError as exc:
            if "in time" not in str(exc):
                raise
            await stream.aclose()
            raise httpx.ReadTimeout(f"The simulated {self.vendor} did not answer in time.", request=request) from None
        self._streams.add(stream)
        lines = accepted.decode("utf-8").splitlines()[1:]
        headers = [cast(tuple[str, str], tuple(line.split(": ", 1))) for line in lines if line.strip()]
        return httpx.Response(status_code=101, headers=headers, extensions={"network_stream": stream})

    async def aclose(self) -> None:
        """Disconnect every socket still open and wait for the app to finish with them."""
        for stream in list(self._streams):
            with contextlib.suppress(Exception):
                await stream.aclose()
        self._streams.clear()
        if self._tasks.running:
            await asyncio.wait(set(self._tasks.running), timeout=HANDSHAKE_TIMEOUT)
        await super().aclose()


class Step:
    """A change a simulated device promised for later (a lock moving, a bridge carrying out a job)."""

    def __init__(self, run: Callable[[], None]) -> None:
        self.run = run
        self.handle: asyncio.TimerHandle | None = None
        self.done = asyncio.Event()


class Timeline:
    """The steps a simulated cloud's devices promised, run after their delay, or all at once by `settle()` (tests
    that do not wait), in the order they were promised; `close()` drops what is left.
    """

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def after(self, delay: float, run: Callable[[], None]) -> Step:
        """Run `run` in `delay` seconds; without a running event loop it waits for `settle()`."""
        step = Step(run)
        self.steps.append(step)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return step
        step.handle = loop.call_later(delay, self._run, step)
        return step

    def _run(self, step: Step) -> None:
        if step in self.steps:
            self.steps.remove(step)
            try:
                step.run()
            finally:
                step.done.set()

    async def settle(self, steps: int | None = None) -> None:
        """Run the promised steps now (and those they promise in turn); `steps`: only that many."""
        done = 0
        while self.steps and (steps is None or done < steps):
            done += 1
            step = self.steps[0]
            if step.handle:
                step.handle.cancel()
            self._run(step)
            await asyncio.sleep(0)
        await asyncio.sleep(0)

    def close(self) -> None:
        """Drop every promised step (whoever waits for one is released): nothing runs after this."""
        for step in self.steps:
            if step.handle:
                step.handle.cancel()
            step.done.set()
        self.steps.clear()


class Knobs:
    """The fault knobs every simulator has (`providers.testing.FaultKnobs`, but for `revoke_credentials`, which
    each vendor means its own way), on the simulator's `faults` queue and `failure_rate`.
    """

    faults: FaultQueue
    failure_rate: float

    def rate_limit(self, *, retry_after: int, count: int = 1) -> None:
        """The next `count` requests are refused as too many (each vendor says it its own way)."""
        self.faults.rate_limit(retry_after=retry_after, count=count)

    def fail_next(self, *, status: int = 503, count: int = 1) -> None:
        self.faults.fail_next(status=status, count=count)

    def time_out_next(self, *, count: int = 1) -> None:
        self.faults.time_out_next(count=count)

    def next_fault(self) -> Fault | None:
        """What the next request suffers (asked once per request): queued faults first, then the failure rate."""
        return self.faults.next(self.failure_rate)
