"""`Idempotency-Key`: one effect per key, the first answer replayed, other bodies refused, duplicates serialised."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from aggregator.clock import utcnow
from aggregator.db import Database
from aggregator.idempotency.tasks import purge_expired
from aggregator.runtime import runtime_job_context
from schemas import Scope
from tests.factories import Tenant

Client = httpx.AsyncClient
BODY = {"name": "booking sync", "scopes": ["access_codes:write"]}


def keyed(tenant: Tenant, key: str) -> dict[str, str]:
    return {**tenant.headers, "Idempotency-Key": key}


async def key_count(client: Client, tenant: Tenant) -> int:
    return len((await client.get("/v1/api_keys?limit=500", headers=tenant.headers)).json()["data"])


async def test_a_retry_replays_the_first_answer_and_creates_nothing(client: Client, tenant: Tenant, db: Database):
    before = await key_count(client, tenant)
    first = await client.post("/v1/api_keys", headers=keyed(tenant, "k-1"), json=BODY)
    again = await client.post("/v1/api_keys", headers=keyed(tenant, "k-1"), json=BODY)
    assert first.status_code == again.status_code == 201
    assert again.json() == {**first.json(), "secret": None}  # a secret is shown once, never stored
    stored = await db.fetch_all("SELECT response_body FROM idempotency_records")
    assert first.json()["secret"] not in str(stored)
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert await key_count(client, tenant) == before + 1


async def test_the_same_json_with_other_spacing_or_order_is_the_same_request(client: Client, tenant: Tenant):
    first = await client.post("/v1/api_keys", headers=keyed(tenant, "k-2"), content=b'{"name":"a","scopes":["admin"]}')
    again = await client.post(
        "/v1/api_keys", headers=keyed(tenant, "k-2"), content=b'{ "scopes": ["admin"],\n "name": "a" }'
    )
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


async def test_the_same_key_with_another_body_is_refused(client: Client, tenant: Tenant):
    await client.post("/v1/api_keys", headers=keyed(tenant, "k-3"), json=BODY)
    other = await client.post("/v1/api_keys", headers=keyed(tenant, "k-3"), json={**BODY, "name": "other"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


async def test_concurrent_duplicates_have_one_effect(client: Client, tenant: Tenant):
    before = await key_count(client, tenant)
    answers = await asyncio.gather(
        *(client.post("/v1/api_keys", headers=keyed(tenant, "k-race"), json=BODY) for _ in range(12))
    )
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert sum(answer.json()["secret"] is not None for answer in answers) == 1
    assert sum(answer.headers.get("idempotent-replayed") == "true" for answer in answers) == 11
    assert await key_count(client, tenant) == before + 1


async def test_keys_belong_to_the_api_key_that_sent_them(client: Client, tenant: Tenant, other_tenant: Tenant):
    ours = await client.post("/v1/api_keys", headers=keyed(tenant, "shared"), json=BODY)
    theirs = await client.post("/v1/api_keys", headers=keyed(other_tenant, "shared"), json=BODY)
    colleague = {"Authorization": f"Bearer {await tenant.key(Scope.ADMIN)}", "Idempotency-Key": "shared"}
    same_workspace = await client.post("/v1/api_keys", headers=colleague, json=BODY)
    assert theirs.status_code == same_workspace.status_code == 201
    assert "idempotent-replayed" not in same_workspace.headers
    assert len({ours.json()["id"], theirs.json()["id"], same_workspace.json()["id"]}) == 3


async def test_failed_requests_are_not_kept(client: Client, tenant: Tenant, monkeypatch: pytest.MonkeyPatch):
    invalid = await client.post("/v1/api_keys", headers=keyed(tenant, "k-bad"), json={"name": 1})
    assert invalid.status_code == 422
    fixed = await client.post("/v1/api_keys", headers=keyed(tenant, "k-bad"), json=BODY)
    assert fixed.status_code == 201
    assert "idempotent-replayed" not in fixed.headers

    from aggregator.api_keys import service

    real = service.create_key
    monkeypatch.setattr(service, "create_key", _fails_once(real))
    crashed = await client.post("/v1/api_keys", headers=keyed(tenant, "k-5xx"), json=BODY)
    assert crashed.status_code == 500
    retried = await client.post("/v1/api_keys", headers=keyed(tenant, "k-5xx"), json=BODY)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers


def _fails_once(real):
    calls = []

    async def create_key(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return await real(*args, **kwargs)

    return create_key


@pytest.mark.parametrize("key", [b"", b"x" * 256, "naïve".encode(), b"tab\there"])
async def test_unusable_keys_are_a_400(client: Client, tenant: Tenant, key: bytes):
    answer = await client.post("/v1/api_keys", headers={**tenant.headers, "Idempotency-Key": key}, json=BODY)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_idempotency_key"


async def test_an_expired_key_can_be_used_again(client: Client, tenant: Tenant, db: Database):
    await client.post("/v1/api_keys", headers=keyed(tenant, "k-old"), json=BODY)
    await db.execute("UPDATE idempotency_records SET created_at = ?", utcnow() - timedelta(days=2))
    fresh = await client.post("/v1/api_keys", headers=keyed(tenant, "k-old"), json={**BODY, "name": "new"})
    assert fresh.status_code == 201
    assert fresh.json()["name"] == "new"


async def test_an_abandoned_claim_is_taken_over(client: Client, tenant: Tenant, db: Database):
    first = await client.post("/v1/api_keys", headers=keyed(tenant, "k-dead"), json=BODY)
    await db.execute(
        "UPDATE idempotency_records SET status = 'in_progress', created_at = ?", utcnow() - timedelta(minutes=5)
    )
    again = await client.post("/v1/api_keys", headers=keyed(tenant, "k-dead"), json=BODY)
    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]


async def test_the_purge_task_forgets_old_keys(app, client: Client, tenant: Tenant, db: Database):
    await client.post("/v1/api_keys", headers=keyed(tenant, "k-purge"), json=BODY)
    await client.post("/v1/api_keys", headers=keyed(tenant, "k-keep"), json=BODY)
    await db.execute(
        "UPDATE idempotency_records SET created_at = ? WHERE key = ?", utcnow() - timedelta(days=3), "k-purge"
    )
    await purge_expired(runtime_job_context(app.state.runtime))
    rows = await db.fetch_all("SELECT key FROM idempotency_records")
    assert [row[0] for row in rows] == ["k-keep"]


async def test_gets_ignore_the_header(client: Client, tenant: Tenant):
    answer = await client.get("/v1/api_keys", headers=keyed(tenant, "whatever"))
    assert answer.status_code == 200
    assert "idempotent-replayed" not in answer.headers
