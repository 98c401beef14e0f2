"""`/v1/action_attempts/{id}`: the state of a lock or unlock command."""

from __future__ import annotations

import httpx

from aggregator.db import Database
from tests.factories import Tenant, insert_account, insert_attempt, insert_devices

Client = httpx.AsyncClient


async def test_get_attempt(client: Client, tenant: Tenant, db: Database):
    account = await insert_account(tenant)
    [device] = await insert_devices(tenant, account, 1)
    attempt = await insert_attempt(tenant, device)
    answer = (await client.get(f"/v1/action_attempts/{attempt}", headers=tenant.headers)).json()
    assert answer["action_type"] == "UNLOCK_DOOR"
    assert answer["status"] == "pending"
    assert answer["error"] is None and answer["was_confirmed_by_device"] is None

    await db.execute(
        "UPDATE action_attempts SET status = 'error', error = ?, was_confirmed_by_device = ? WHERE id = ?",
        '{"type": "device_jammed", "message": "The bolt is blocked."}',
        False,
        attempt,
    )
    failed = (await client.get(f"/v1/action_attempts/{attempt}", headers=tenant.headers)).json()
    assert failed["status"] == "error"
    assert failed["error"] == {"type": "device_jammed", "message": "The bolt is blocked."}
    assert failed["was_confirmed_by_device"] is False


async def test_attempts_of_another_workspace_are_not_found(client: Client, tenant: Tenant, other_tenant: Tenant):
    account = await insert_account(other_tenant)
    [device] = await insert_devices(other_tenant, account, 1)
    theirs = await insert_attempt(other_tenant, device)
    answer = await client.get(f"/v1/action_attempts/{theirs}", headers=tenant.headers)
    assert answer.status_code == 404
    assert answer.json()["code"] == "action_attempt_not_found"
