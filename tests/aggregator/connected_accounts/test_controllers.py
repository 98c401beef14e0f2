"""`/v1/connected_accounts`: read-only until the providers fill it; credentials never appear."""

from __future__ import annotations

import httpx

from aggregator.db import Database
from tests.factories import Tenant, insert_account

Client = httpx.AsyncClient


async def test_list_and_get_accounts(client: Client, tenant: Tenant, db: Database):
    nuki = await insert_account(tenant, provider="nuki")
    ttlock = await insert_account(tenant, provider="ttlock", status="needs_reauthorization")
    await db.execute("UPDATE connected_accounts SET credentials_ciphertext = 'sealed-secret'")
    listed = (await client.get("/v1/connected_accounts", headers=tenant.headers)).json()
    assert [account["id"] for account in listed["data"]] == [str(nuki), str(ttlock)]
    one = (await client.get(f"/v1/connected_accounts/{ttlock}", headers=tenant.headers)).json()
    assert one["provider"] == "ttlock"
    assert one["status"] == "needs_reauthorization"
    assert one["errors"] == [] and one["warnings"] == []
    assert "sealed-secret" not in str(listed) + str(one)
    assert set(one) == {"id", "provider", "status", "display_name", "errors", "warnings", "created_at", "updated_at"}
    filtered = (await client.get("/v1/connected_accounts?provider=nuki", headers=tenant.headers)).json()
    assert [account["id"] for account in filtered["data"]] == [str(nuki)]


async def test_accounts_of_another_workspace_are_not_found(client: Client, tenant: Tenant, other_tenant: Tenant):
    theirs = await insert_account(other_tenant)
    answer = await client.get(f"/v1/connected_accounts/{theirs}", headers=tenant.headers)
    assert answer.status_code == 404
    assert answer.json()["code"] == "connected_account_not_found"
    assert (await client.get("/v1/connected_accounts", headers=tenant.headers)).json()["data"] == []
