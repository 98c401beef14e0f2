"""`POST /v1/devices/{id}/lock|unlock` on the sandbox Nuki locks: pending at once, then success or a clear error."""

from __future__ import annotations

import httpx
import pytest

from providers.nuki.models import LockState
from schemas import DeviceCapabilities, Scope
from tests.factories import Tenant, bearer, insert_account, insert_devices
from tests.sandbox import NukiSandbox, lock_id

pytestmark = pytest.mark.sandbox
Client = httpx.AsyncClient


async def events_of(client: Client, tenant: Tenant, attempt_id: str) -> list[dict[str, object]]:
    events = (await client.get("/v1/events?limit=500", headers=tenant.headers)).json()["data"]
    return [event for event in events if event["action_attempt_id"] == attempt_id]


async def test_unlock_is_pending_then_confirmed_by_the_lock(client: Client, tenant: Tenant, nuki: NukiSandbox):
    await nuki.connect()
    door = (await nuki.devices())["Front door"]
    assert door["properties"]["locked"] is True
    answer = await nuki.act(door["id"], "unlock")
    assert answer.status_code == 202
    attempt = answer.json()
    assert (attempt["status"], attempt["action_type"], attempt["device_id"]) == ("pending", "UNLOCK_DOOR", door["id"])

    done = await nuki.outcome(attempt["id"])
    assert done["status"] == "success" and done["was_confirmed_by_device"] is True and done["error"] is None
    assert nuki.sim.locks[lock_id(nuki.sim, "Front door")].state == LockState.UNLOCKED
    assert (await nuki.devices())["Front door"]["properties"]["locked"] is False
    [event] = await events_of(client, tenant, attempt["id"])
    assert event["type"] == "action_attempt.unlock_door.succeeded" and event["device_id"] == door["id"]

    locked = await nuki.outcome((await nuki.act(door["id"], "lock")).json()["id"])
    assert locked["status"] == "success" and locked["action_type"] == "LOCK_DOOR"
    assert (await nuki.devices())["Front door"]["properties"]["locked"] is True


async def test_the_offline_lock_gives_device_offline(client: Client, tenant: Tenant, nuki: NukiSandbox):
    await nuki.connect()
    gate = (await nuki.devices())["Garden gate"]
    attempt = (await nuki.act(gate["id"], "unlock")).json()
    done = await nuki.outcome(attempt["id"])
    assert done["status"] == "error" and done["error"]["type"] == "device_offline"
    assert done["was_confirmed_by_device"] is None
    [event] = await events_of(client, tenant, attempt["id"])
    assert event["type"] == "action_attempt.unlock_door.failed"
    assert event["data"]["error"]["type"] == "device_offline"  # type: ignore[index]


async def test_a_jammed_lock_fails_the_attempt(client: Client, tenant: Tenant, nuki: NukiSandbox):
    await nuki.connect()
    cellar = (await nuki.devices())["Cellar"]
    nuki.sim.jam(lock_id(nuki.sim, "Cellar"))
    done = await nuki.outcome((await nuki.act(cellar["id"], "unlock")).json()["id"])
    assert done["status"] == "error" and done["error"]["type"] == "device_jammed"


async def test_vendor_hiccups_are_retried_within_the_attempt(client: Client, tenant: Tenant, nuki: NukiSandbox):
    await nuki.connect()
    door = (await nuki.devices())["Front door"]
    nuki.sim.fail_next(status=503, count=2)
    done = await nuki.outcome((await nuki.act(door["id"], "unlock")).json()["id"])
    assert done["status"] == "success"
    nuki.sim.rate_limit(retry_after=1)
    done = await nuki.outcome((await nuki.act(door["id"], "lock")).json()["id"])
    assert done["status"] == "success"


async def test_a_revoked_grant_fails_the_attempt_and_flags_the_account(
    client: Client, tenant: Tenant, nuki: NukiSandbox
):
    account_id = (await nuki.connect())["connected_account_id"]
    door = (await nuki.devices())["Front door"]
    nuki.sim.revoke_credentials()
    done = await nuki.outcome((await nuki.act(door["id"], "unlock")).json()["id"])
    assert done["status"] == "error" and done["error"]["type"] == "provider_auth_failed"
    account = (await client.get(f"/v1/connected_accounts/{account_id}", headers=tenant.headers)).json()
    assert account["status"] == "needs_reauthorization"
    assert nuki.sim.locks[lock_id(nuki.sim, "Front door")].state == LockState.LOCKED


async def test_a_retried_request_unlocks_once(client: Client, tenant: Tenant, nuki: NukiSandbox):
    await nuki.connect()
    door = (await nuki.devices())["Front door"]
    first = await nuki.act(door["id"], "unlock", **{"Idempotency-Key": "guest-arrives-1"})
    again = await nuki.act(door["id"], "unlock", **{"Idempotency-Key": "guest-arrives-1"})
    assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    await nuki.outcome(first.json()["id"])
    web_unlocks = [log for log in nuki.sim.logs if log.smartlock_id == lock_id(nuki.sim, "Front door")]
    assert len(web_unlocks) == 1


async def test_a_device_that_cannot_unlock_remotely_says_which_flag(client: Client, tenant: Tenant):
    account = await insert_account(tenant)
    lock_only = DeviceCapabilities(can_remotely_lock=True, can_remotely_unlock=False)
    [device] = await insert_devices(tenant, account, 1, capabilities=lock_only)
    answer = await client.post(f"/v1/devices/{device}/unlock", headers=tenant.headers)
    assert answer.status_code == 422
    assert answer.json()["code"] == "capability_not_supported"
    assert "can_remotely_unlock" in answer.json()["detail"]
    assert (await client.post(f"/v1/devices/{device}/lock", headers=tenant.headers)).status_code == 202


async def test_operating_needs_the_scope_and_the_workspace(
    client: Client, tenant: Tenant, other_tenant: Tenant, nuki: NukiSandbox
):
    await nuki.connect()
    door = (await nuki.devices())["Front door"]
    reader = bearer(await tenant.key(Scope.DEVICES_READ))
    refused = await client.post(f"/v1/devices/{door['id']}/unlock", headers=reader)
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    operator = bearer(await tenant.key(Scope.DEVICES_OPERATE))
    assert (await client.post(f"/v1/devices/{door['id']}/lock", headers=operator)).status_code == 202
    foreign = await client.post(f"/v1/devices/{door['id']}/unlock", headers=other_tenant.headers)
    assert foreign.status_code == 404 and foreign.json()["code"] == "device_not_found"
    nonsense = await client.post("/v1/devices/not-an-id/unlock", headers=tenant.headers)
    assert nonsense.status_code == 404
