"""What every simulated vendor cloud shares: an httpx transport that honours client read time-outs, and the queue of
faults (failures, rate limits, hangs) the fault knobs line up for the next requests.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from dataclasses import dataclass
from typing import Any, cast

import httpx

__all__ = ("Fault", "FaultQueue", "SimulatorTransport")


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
