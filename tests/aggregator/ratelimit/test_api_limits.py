from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest
from litestar import Litestar
from redis.asyncio import Redis

from aggregator.ratelimit import MemoryRateLimiter, RedisRateLimiter
from aggregator.settings import Settings
from schemas import Scope
from tests.factories import Tenant, bearer

REDIS_URL = os.environ.get("AGGREGATOR_TEST_REDIS_URL")
LIMITERS = ["memory", *(["redis"] if REDIS_URL else [])]


@pytest.fixture(params=LIMITERS)
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """One request a second, three at once; on Redis (shared limits) as well when one is configured."""
    return msgspec.structs.replace(
        settings,
        rate_limit_per_second=1.0,
        rate_limit_burst=3,
        redis_url=REDIS_URL if request.param == "redis" else None,
    )


@pytest.fixture
async def key_ids(settings: Settings) -> AsyncIterator[set[str]]:
    """Ids of the API keys a test used, whose Redis buckets are deleted afterwards."""
    ids: set[str] = set()
    yield ids
    if settings.redis_url and ids:
        redis = Redis.from_url(settings.redis_url)
        try:
            await redis.delete(*(f"aggregator:ratelimit:api_key:{key_id}" for key_id in ids))
        finally:
            await redis.aclose()


async def list_keys(client: httpx.AsyncClient, secret: str, key_ids: set[str]) -> httpx.Response:
    answer = await client.get("/v1/api_keys", headers=bearer(secret))
    if answer.status_code == 200:
        key_ids.update(key["id"] for key in answer.json()["data"])
    return answer


async def test_fourth_quick_request_of_a_key_is_rate_limited(
    app: Litestar, client: httpx.AsyncClient, tenant: Tenant, key_ids: set[str], settings: Settings
):
    expected = RedisRateLimiter if settings.redis_url else MemoryRateLimiter
    assert isinstance(app.state.runtime.rate_limiter, expected)

    answers = [await list_keys(client, tenant.admin_secret, key_ids) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert limited.headers["content-type"].startswith("application/problem+json")
    body = limited.json()
    assert (body["code"], body["status"], body["type"]) == ("rate_limited", 429, "/problems/rate_limited")
    assert body["request_id"] == limited.headers["x-request-id"]
    # Whole seconds until the next token: at one request a second, that is one.
    assert int(limited.headers["retry-after"]) == 1


async def test_another_key_of_the_same_workspace_is_not_limited(
    client: httpx.AsyncClient, tenant: Tenant, key_ids: set[str]
):
    other = await tenant.key(Scope.ADMIN, name="second")
    for _ in range(4):
        await list_keys(client, tenant.admin_secret, key_ids)
    assert (await list_keys(client, tenant.admin_secret, key_ids)).status_code == 429

    answers = [await list_keys(client, other, key_ids) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert len(answers[0].json()["data"]) == 2  # same workspace: it sees both keys
    assert (await list_keys(client, tenant.admin_secret, key_ids)).status_code == 429


async def test_public_endpoints_are_not_limited(client: httpx.AsyncClient):
    answers = [await client.get("/health") for _ in range(5)]

    assert [answer.status_code for answer in answers] == [200] * 5
