from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from aggregator.ratelimit import Limit, MemoryRateLimiter, RateLimiter, RedisRateLimiter

REDIS_URL = os.environ.get("AGGREGATOR_TEST_REDIS_URL")
LIMITERS = ["memory", *(["redis"] if REDIS_URL else [])]

# Four a second (an interval exact in binary), three at once: slow enough for real time on a busy machine.
LIMIT = Limit(rate=4.0, burst=3)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Buckets:
    """A limiter, how time passes for it, and how exact its answers are."""

    limiter: RateLimiter
    pass_time: Callable[[float], Awaitable[None]]
    tolerance: float

    async def spend(self, key: str, count: int, limit: Limit = LIMIT) -> list[float]:
        return [await self.limiter.acquire(key, limit) for _ in range(count)]


class RedisKeys:
    """Redis clients (one per simulated process) on one key prefix of this test's, deleted afterwards."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = f"test:ratelimit:{secrets.token_hex(6)}:"
        self.clients: list[Redis] = []

    def limiter(self) -> RedisRateLimiter:
        client = Redis.from_url(self.url)
        self.clients.append(client)
        return RedisRateLimiter(client, prefix=self.prefix)

    async def stored(self) -> list[bytes]:
        return [key async for key in self.clients[0].scan_iter(match=f"{self.prefix}*")]

    async def close(self) -> None:
        try:
            if self.clients and (keys := await self.stored()):
                await self.clients[0].delete(*keys)
        finally:
            for client in self.clients:
                await client.aclose()


@pytest.fixture
async def redis_keys() -> AsyncIterator[RedisKeys]:
    if not REDIS_URL:
        pytest.skip("AGGREGATOR_TEST_REDIS_URL is not set")
    keys = RedisKeys(REDIS_URL)
    try:
        yield keys
    finally:
        await keys.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=LIMITERS)
def buckets(request: pytest.FixtureRequest, clock: FakeClock) -> Buckets:
    if request.param == "memory":

        async def advance(seconds: float) -> None:
            clock.advance(seconds)

        return Buckets(MemoryRateLimiter(clock=clock), advance, tolerance=1e-9)

    redis_keys: RedisKeys = request.getfixturevalue("redis_keys")

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds + 0.005)  # a hair more: Redis keeps its timestamps to 0.1 ms

    # Real time: answers are late by the time the test itself took (a few ms; allow for a slow machine).
    return Buckets(redis_keys.limiter(), sleep, tolerance=0.05)


# --- Both limiters: one behaviour -------------------------------------------------------------------------


async def test_burst_is_allowed_at_once_then_the_next_waits_one_interval(buckets: Buckets):
    answers = await buckets.spend("k", LIMIT.burst + 1)

    assert answers[: LIMIT.burst] == [0.0] * LIMIT.burst
    assert answers[-1] == pytest.approx(LIMIT.interval, abs=buckets.tolerance)
    assert answers[-1] <= LIMIT.interval


async def test_after_the_burst_exactly_one_request_per_interval(buckets: Buckets):
    await buckets.spend("k", LIMIT.burst)

    for _ in range(3):
        wait = await buckets.limiter.acquire("k", LIMIT)
        assert 0 < wait <= LIMIT.interval
        await buckets.pass_time(wait)
        allowed, refused = await buckets.spend("k", 2)
        assert allowed == 0.0
        assert refused == pytest.approx(LIMIT.interval, abs=buckets.tolerance)


async def test_retry_after_counts_down_and_refusals_cost_nothing(buckets: Buckets):
    await buckets.spend("k", LIMIT.burst)
    await buckets.pass_time(LIMIT.interval * 0.4)

    first, second = await buckets.spend("k", 2)

    # Refused requests take no token: both answer the same remaining wait, about 60 % of an interval.
    remaining = LIMIT.interval * 0.6
    assert first == pytest.approx(remaining, abs=buckets.tolerance)
    assert second == pytest.approx(first, abs=buckets.tolerance)
    await buckets.pass_time(second)
    assert await buckets.limiter.acquire("k", LIMIT) == 0.0


async def test_an_idle_bucket_refills_to_its_burst_and_no_further(buckets: Buckets):
    quick = Limit(rate=8.0, burst=2)
    await buckets.spend("k", quick.burst, quick)
    await buckets.pass_time(quick.interval * (quick.burst + 1))  # more than a full refill

    answers = await buckets.spend("k", quick.burst + 1, quick)

    assert answers[: quick.burst] == [0.0] * quick.burst
    assert answers[-1] == pytest.approx(quick.interval, abs=buckets.tolerance)


async def test_keys_have_independent_buckets(buckets: Buckets):
    assert (await buckets.spend("api_key:a", LIMIT.burst + 1))[-1] > 0

    assert await buckets.spend("api_key:b", LIMIT.burst) == [0.0] * LIMIT.burst
    assert await buckets.limiter.acquire("api_key:b", LIMIT) > 0
    assert await buckets.limiter.acquire("api_key:a", LIMIT) > 0


async def test_a_burst_of_one_is_a_plain_rate(buckets: Buckets):
    strict = Limit(rate=4.0, burst=1)

    allowed, refused = await buckets.spend("k", 2, strict)

    assert allowed == 0.0
    assert refused == pytest.approx(strict.interval, abs=buckets.tolerance)


# --- In memory: exact arithmetic on an injected clock ------------------------------------------------------


@pytest.mark.parametrize("rate", [1.0, 3.0, 7.0, 10.0, 20.0, 1000.0])
@pytest.mark.parametrize("origin", [0.0, 1000.0, 123_456.789, 9_876_543.21])
async def test_memory_burst_at_one_instant_is_allowed_whatever_the_rate_and_clock(rate: float, origin: float):
    # All at one reading of the clock (as on a coarse monotonic clock): float rounding must not cost a token.
    limit = Limit(rate=rate, burst=5)
    limiter = MemoryRateLimiter(clock=FakeClock(origin))

    answers = [await limiter.acquire("k", limit) for _ in range(limit.burst + 1)]

    assert answers[: limit.burst] == [0.0] * limit.burst
    assert answers[-1] == pytest.approx(limit.interval, rel=1e-6)


async def test_memory_one_per_interval_over_a_long_run(clock: FakeClock):
    limit = Limit(rate=10.0, burst=2)
    limiter = MemoryRateLimiter(clock=clock)
    await limiter.acquire("k", limit)
    await limiter.acquire("k", limit)

    allowed = 0
    for _ in range(1000):  # 100 s in steps of a tenth of an interval
        clock.advance(limit.interval / 10)
        allowed += await limiter.acquire("k", limit) == 0.0

    assert allowed == pytest.approx(100, abs=1)  # 100 intervals: no drift, no extra tokens


async def test_memory_limiters_are_per_process(clock: FakeClock):
    one, other = MemoryRateLimiter(clock=clock), MemoryRateLimiter(clock=clock)
    await asyncio.gather(*(one.acquire("k", LIMIT) for _ in range(LIMIT.burst)))

    assert await one.acquire("k", LIMIT) > 0
    assert await other.acquire("k", LIMIT) == 0.0


# --- In Redis: shared by every process ----------------------------------------------------------------------


async def test_redis_limiters_of_two_processes_share_one_bucket(redis_keys: RedisKeys):
    gateway, worker = redis_keys.limiter(), redis_keys.limiter()

    assert await gateway.acquire("api_key:shared", LIMIT) == 0.0
    assert await worker.acquire("api_key:shared", LIMIT) == 0.0
    assert await gateway.acquire("api_key:shared", LIMIT) == 0.0

    for limiter in (worker, gateway):
        assert 0 < await limiter.acquire("api_key:shared", LIMIT) <= LIMIT.interval
    assert await worker.acquire("api_key:other", LIMIT) == 0.0


async def test_redis_concurrent_requests_take_exactly_the_burst(redis_keys: RedisKeys):
    limiters = [redis_keys.limiter() for _ in range(4)]
    burst = Limit(rate=1.0, burst=5)

    answers = await asyncio.gather(*(limiters[n % 4].acquire("k", burst) for n in range(12)))

    assert sum(answer == 0.0 for answer in answers) == burst.burst


async def test_redis_bucket_expires_once_full_again(redis_keys: RedisKeys):
    limiter = redis_keys.limiter()
    await limiter.acquire("k", LIMIT)
    await limiter.acquire("k", LIMIT)

    [key] = await redis_keys.stored()
    ttl_ms = await redis_keys.clients[0].pttl(key)

    # Two tokens taken: the bucket is full again after two intervals, and the key goes with it.
    assert 0 < ttl_ms <= 2 * LIMIT.interval * 1000 + 1
    await asyncio.sleep(ttl_ms / 1000 + 0.05)
    assert await redis_keys.stored() == []


async def test_an_unreachable_redis_does_not_block_requests(caplog: pytest.LogCaptureFixture):
    client = Redis(host="127.0.0.1", port=9, socket_connect_timeout=0.5)
    limiter = RedisRateLimiter(client)
    try:
        with caplog.at_level("WARNING", logger="aggregator.ratelimit"):
            waits = [await limiter.acquire("outage", Limit(rate=1.0, burst=1)) for _ in range(3)]
    finally:
        await client.aclose()
    assert waits == [0.0, 0.0, 0.0]
    warnings = [record for record in caplog.records if "not enforced" in record.getMessage()]
    assert len(warnings) == 1
