"""Rate limiters: the generic cell rate algorithm, a token bucket kept as one timestamp per key.

A key may spend `burst` requests at once, then one every `1 / rate` seconds. `acquire` answers 0 when the
request may go ahead, or how many seconds to wait before it would. The Redis variant runs the same
arithmetic in one Lua script, atomically, on Redis' own clock, so that every process shares each bucket.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("aggregator.ratelimit")

# Float rounding in `tat + interval` must not refuse a request that is due: a microsecond of slack.
_ROUNDING_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class Limit:
    """`rate` requests per second sustained, with up to `burst` at once."""

    rate: float
    burst: int

    @property
    def interval(self) -> float:
        return 1.0 / self.rate


class RateLimiter(Protocol):
    async def acquire(self, key: str, limit: Limit) -> float:
        """Take one token from `key`'s bucket: 0.0 if allowed, else the seconds until one is available."""
        ...


class MemoryRateLimiter:
    """Buckets in this process's memory: right for the embedded single-process default."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tat: dict[str, float] = {}

    async def acquire(self, key: str, limit: Limit) -> float:
        now = self._clock()
        tat = max(self._tat.get(key, now), now)
        new_tat = tat + limit.interval
        allowed_at = new_tat - limit.burst * limit.interval
        if allowed_at - now > _ROUNDING_SLACK:
            return allowed_at - now
        self._tat[key] = new_tat
        return 0.0


_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allowed_at = new_tat - burst * interval
if allowed_at - now > tonumber(ARGV[3]) then return string.format('%.6f', allowed_at - now) end
redis.call('SET', KEYS[1], string.format('%.6f', new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1)
return '0'
"""


class RedisRateLimiter:
    """Buckets in Redis, shared by every gateway and worker process.

    When Redis cannot be reached the limit is not enforced (and that is logged, at most every
    `OUTAGE_LOG_SECONDS`): requests that need only the database keep working through a Redis outage.
    """

    OUTAGE_LOG_SECONDS = 10.0

    def __init__(self, redis: Any, *, prefix: str = "aggregator:ratelimit:") -> None:
        self._script = redis.register_script(_GCRA)
        self._prefix = prefix
        self._logged_outage_at = float("-inf")

    async def acquire(self, key: str, limit: Limit) -> float:
        try:
            answer = await self._script(keys=[self._prefix + key], args=[limit.interval, limit.burst, _ROUNDING_SLACK])
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self._log_outage(exc)
            return 0.0
        return float(answer)

    def _log_outage(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._logged_outage_at >= self.OUTAGE_LOG_SECONDS:
            self._logged_outage_at = now
            logger.warning("rate limits not enforced: Redis is unreachable (%s)", exc)
