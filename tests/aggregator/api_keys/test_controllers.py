from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import httpx

from aggregator.db import Database
from tests.factories import Tenant, bearer

Client = httpx.AsyncClient


async def test_create_key_shows_secret_once_and_stores_only_its_hash(client: Client, tenant: Tenant, db: Database):
    created = await client.post(
        "/v1/api_keys", headers=tenant.headers, json={"name": "booking sync", "scopes": ["access_codes:write"]}
    )
    assert created.status_code == 201
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("agk_live_") and len(secret) > 40
    assert body["scopes"] == ["access_codes:write"] and body["revoked_at"] is None
    assert body["secret_prefix"] == secret[:13]

    listed = await client.get("/v1/api_keys", headers=tenant.headers)
    assert all("secret" not in key for key in listed.json()["data"])
    fetched = await client.get(f"/v1/api_keys/{body['id']}", headers=tenant.headers)
    assert "secret" not in fetched.json()

    rows = await db.fetch_all("SELECT secret_hash FROM api_keys")
    stored = {row[0] for row in rows}
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    assert all(secret not in value for value in stored)


async def test_new_key_works_with_its_scopes_only(client: Client, tenant: Tenant):
    created = await client.post("/v1/api_keys", headers=tenant.headers, json={"name": "r", "scopes": ["devices:read"]})
    headers = bearer(created.json()["secret"])
    assert (await client.get("/v1/devices", headers=headers)).status_code == 200
    denied = await client.get("/v1/api_keys", headers=headers)
    assert denied.status_code == 403
    assert denied.json()["code"] == "insufficient_scope"
    assert "admin" in denied.json()["detail"]


async def test_revoked_key_stops_working_at_once(client: Client, tenant: Tenant):
    created = (
        await client.post("/v1/api_keys", headers=tenant.headers, json={"name": "x", "scopes": ["admin"]})
    ).json()
    headers = bearer(created["secret"])
    assert (await client.get("/v1/api_keys", headers=headers)).status_code == 200

    revoked = await client.delete(f"/v1/api_keys/{created['id']}", headers=tenant.headers)
    assert revoked.status_code == 200
    revoked_at = datetime.fromisoformat(revoked.json()["revoked_at"])
    assert abs(datetime.now(UTC) - revoked_at) < timedelta(minutes=1)

    answer = await client.get("/v1/api_keys", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["code"] == "api_key_revoked"


async def test_revoking_twice_keeps_the_first_revocation(client: Client, tenant: Tenant):
    created = (
        await client.post("/v1/api_keys", headers=tenant.headers, json={"name": "x", "scopes": ["admin"]})
    ).json()
    first = (await client.delete(f"/v1/api_keys/{created['id']}", headers=tenant.headers)).json()
    second = await client.delete(f"/v1/api_keys/{created['id']}", headers=tenant.headers)
    assert second.status_code == 200
    assert second.json()["revoked_at"] == first["revoked_at"]


async def test_keys_of_another_workspace_are_not_found(client: Client, tenant: Tenant, other_tenant: Tenant):
    theirs = (await client.get("/v1/api_keys", headers=other_tenant.headers)).json()["data"][0]["id"]
    for method in ("GET", "DELETE"):
        answer = await client.request(method, f"/v1/api_keys/{theirs}", headers=tenant.headers)
        assert answer.status_code == 404
        assert answer.json()["code"] == "api_key_not_found"
    ours = (await client.get("/v1/api_keys", headers=tenant.headers)).json()["data"]
    assert theirs not in {key["id"] for key in ours}
    still_works = await client.get("/v1/api_keys", headers=other_tenant.headers)
    assert still_works.status_code == 200


async def test_unknown_and_malformed_key_ids_are_not_found(client: Client, tenant: Tenant):
    for key_id in ("01a2015e-0000-7000-8000-000000000000", "not-an-id"):
        answer = await client.get(f"/v1/api_keys/{key_id}", headers=tenant.headers)
        assert answer.status_code == 404
        assert answer.json()["code"] == "api_key_not_found"


async def test_invalid_key_bodies_are_rejected(client: Client, tenant: Tenant):
    cases = [
        ({"name": "x"}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["root"]}, "scopes[0]"),
        ({"name": "", "scopes": ["admin"]}, "name"),
        ({"name": "x", "scopes": ["admin"], "expires": "never"}, "expires"),
        ({"name": 5, "scopes": ["admin"]}, "name"),
    ]
    for body, field in cases:
        answer = await client.post("/v1/api_keys", headers=tenant.headers, json=body)
        assert answer.status_code == 422, body
        problem = answer.json()
        assert problem["code"] == "validation_error"
        assert [error["field"] for error in problem["errors"]] == [field]


async def test_every_change_writes_an_audit_entry(client: Client, tenant: Tenant):
    created = (
        await client.post("/v1/api_keys", headers=tenant.headers, json={"name": "x", "scopes": ["admin"]})
    ).json()
    await client.delete(f"/v1/api_keys/{created['id']}", headers=tenant.headers)
    entries = (await client.get(f"/v1/audit_entries?resource_id={created['id']}", headers=tenant.headers)).json()[
        "data"
    ]
    assert [entry["action"] for entry in entries] == ["api_key.created", "api_key.revoked"]
    assert entries[0]["actor_type"] == "api_key"
    assert entries[1]["before"]["revoked_at"] is None and entries[1]["after"]["revoked_at"] is not None
    assert all("secret" not in (entry["after"] or {}) for entry in entries)
    assert entries[0]["request_id"].startswith("req_")


async def test_concurrent_revocations_are_audited_once(client: Client, tenant: Tenant):
    created = (
        await client.post("/v1/api_keys", headers=tenant.headers, json={"name": "x", "scopes": ["admin"]})
    ).json()
    answers = await asyncio.gather(
        *(client.delete(f"/v1/api_keys/{created['id']}", headers=tenant.headers) for _ in range(10))
    )
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.json()["revoked_at"] for answer in answers}) == 1
    entries = (await client.get(f"/v1/audit_entries?resource_id={created['id']}", headers=tenant.headers)).json()[
        "data"
    ]
    assert [entry["action"] for entry in entries] == ["api_key.created", "api_key.revoked"]
