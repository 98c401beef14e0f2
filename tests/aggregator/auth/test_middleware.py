"""Authentication by API key and the scope each endpoint needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from litestar import Litestar, get, post

from aggregator.auth.scopes import needs
from aggregator.db import Database
from aggregator.http.openapi import IdempotencyKey
from aggregator.http.routes import check_routes
from schemas import Scope
from tests.factories import Tenant, bearer

Client = httpx.AsyncClient

# Every authenticated endpoint, the scope it needs, and an answer that proves the call got through.
ENDPOINTS = [
    ("GET", "/v1/api_keys", Scope.ADMIN, 200),
    ("POST", "/v1/api_keys", Scope.ADMIN, 422),
    ("GET", "/v1/api_keys/01a20000-0000-7000-8000-000000000000", Scope.ADMIN, 404),
    ("DELETE", "/v1/api_keys/01a20000-0000-7000-8000-000000000000", Scope.ADMIN, 404),
    ("GET", "/v1/audit_entries", Scope.ADMIN, 200),
    ("GET", "/v1/devices", Scope.DEVICES_READ, 200),
    ("GET", "/v1/devices/01a20000-0000-7000-8000-000000000000", Scope.DEVICES_READ, 404),
    ("GET", "/v1/connected_accounts", Scope.DEVICES_READ, 200),
    ("GET", "/v1/connected_accounts/01a20000-0000-7000-8000-000000000000", Scope.DEVICES_READ, 404),
    ("GET", "/v1/action_attempts/01a20000-0000-7000-8000-000000000000", Scope.DEVICES_READ, 404),
    ("GET", "/v1/events", Scope.EVENTS_READ, 200),
    ("GET", "/v1/events/01a20000-0000-7000-8000-000000000000", Scope.EVENTS_READ, 404),
]


async def test_no_key(client: Client):
    for method, path, _, _ in ENDPOINTS:
        answer = await client.request(method, path)
        assert answer.status_code == 401
        assert answer.json()["code"] == "missing_api_key"
        assert answer.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "agk_live_abc", "bearer"])
async def test_malformed_authorization(client: Client, authorization: str):
    answer = await client.get("/v1/devices", headers={"Authorization": authorization})
    assert answer.status_code == 401
    assert answer.json()["code"] == "missing_api_key"


async def test_unknown_key(client: Client, tenant: Tenant):
    answer = await client.get("/v1/devices", headers=bearer(tenant.admin_secret + "x"))
    assert answer.status_code == 401
    assert answer.json()["code"] == "invalid_api_key"


async def test_the_scheme_is_case_insensitive(client: Client, tenant: Tenant):
    answer = await client.get("/v1/devices", headers={"Authorization": f"bearer {tenant.admin_secret}"})
    assert answer.status_code == 200


@pytest.mark.parametrize(("method", "path", "needed", "through"), ENDPOINTS)
async def test_each_endpoint_needs_its_scope(
    client: Client, tenant: Tenant, method: str, path: str, needed: Scope, through: int
):
    allowed = {needed, Scope.ADMIN} | ({Scope.DEVICES_OPERATE} if needed is Scope.DEVICES_READ else set())
    for scope in Scope:
        secret = await tenant.key(scope)
        answer = await client.request(method, path, headers=bearer(secret), json={} if method == "POST" else None)
        if scope in allowed:
            assert answer.status_code == through, (scope, answer.text)
        else:
            assert answer.status_code == 403, (scope, answer.text)
            assert answer.json()["code"] == "insufficient_scope"
            assert str(needed) in answer.json()["detail"]


async def test_public_endpoints_need_no_key(client: Client):
    for path in ("/health", "/problems", "/problems/not_found", "/schema/openapi.json", "/schema"):
        assert (await client.get(path)).status_code == 200, path
    assert (await client.options("/v1/devices")).status_code in (200, 204)


async def test_last_used_at_is_recorded_at_most_once_a_minute(client: Client, tenant: Tenant, db: Database):
    secret = await tenant.key(Scope.DEVICES_READ, name="reader")

    async def last_used() -> object:
        row = await db.fetch_one("SELECT last_used_at FROM api_keys WHERE name = ?", "reader")
        return row[0]

    assert await last_used() is None
    await client.get("/v1/devices", headers=bearer(secret))
    first = await last_used()
    assert first is not None
    await client.get("/v1/devices", headers=bearer(secret))
    assert await last_used() == first
    listed = (await client.get("/v1/api_keys", headers=tenant.headers)).json()["data"]
    shown = datetime.fromisoformat(next(key for key in listed if key["name"] == "reader")["last_used_at"])
    assert abs(datetime.now(UTC) - shown) < timedelta(minutes=1)


def test_a_route_without_a_declared_scope_is_a_start_up_error():
    @get("/v1/forgotten")
    async def forgotten() -> None:
        return None

    @get("/v1/declared", opt=needs(Scope.EVENTS_READ))
    async def declared() -> None:
        return None

    check_routes(Litestar([declared], openapi_config=None))
    with pytest.raises(RuntimeError, match="/v1/forgotten"):
        check_routes(Litestar([declared, forgotten], openapi_config=None))


def test_a_post_without_the_idempotency_header_is_a_start_up_error():
    @post("/v1/things", opt=needs(Scope.ADMIN))
    async def undocumented() -> None:
        return None

    @post("/v1/other", opt=needs(Scope.ADMIN))
    async def documented(idempotency_key: IdempotencyKey = None) -> None:
        return None

    check_routes(Litestar([documented], openapi_config=None))
    with pytest.raises(RuntimeError, match="IdempotencyKey"):
        check_routes(Litestar([undocumented], openapi_config=None))


async def test_guessing_keys_is_slowed_down_per_address(client: Client, tenant: Tenant):
    answers = [
        (await client.get("/v1/devices", headers=bearer(f"agk_live_guess{attempt}"))).status_code
        for attempt in range(40)
    ]
    assert answers[:30] == [401] * 30
    assert 429 in answers[30:]
    limited = await client.get("/v1/devices", headers=bearer("agk_live_guess"))
    assert limited.json()["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    assert (await client.get("/v1/devices", headers=tenant.headers)).status_code == 200  # a valid key still works
