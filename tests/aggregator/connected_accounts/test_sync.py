"""A sync reads the vendor's logs into events: keypad unlocks and refused codes, each once however often it runs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import Tenant
from tests.sandbox import NukiSandbox, lock_id, until

pytestmark = pytest.mark.sandbox
Client = httpx.AsyncClient


async def device_events(client: Client, tenant: Tenant, device_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/v1/events?device_id={device_id}&limit=500", headers=tenant.headers)
    events: list[dict[str, Any]] = answer.json()["data"]
    return [event for event in events if event["source"] != "gateway"]


async def test_keypad_activity_arrives_as_events_once(client: Client, tenant: Tenant, nuki: NukiSandbox):
    account_id = (await nuki.connect())["connected_account_id"]
    door = (await nuki.devices())["Front door"]
    front = lock_id(nuki.sim, "Front door")
    nuki.sim.external_add_code(front, "Cleaner", 456789)
    await nuki.sim.settle()
    assert nuki.sim.keypad_entry(front, 456789) is True
    assert nuki.sim.keypad_entry(front, 999999) is False
    await nuki.sim.settle()

    for _ in range(2):  # the second sync reads the same log entries again: no duplicates
        await client.post(f"/v1/connected_accounts/{account_id}/sync", headers=tenant.headers)

        async def both_arrived() -> bool:
            return len(await device_events(client, tenant, door["id"])) >= 2

        await until(both_arrived)
    events = {event["type"]: event for event in await device_events(client, tenant, door["id"])}
    assert len(await device_events(client, tenant, door["id"])) == 2
    unlocked = events["lock.unlocked"]
    assert (unlocked["method"], unlocked["source"], unlocked["was_confirmed_by_device"]) == ("keycode", "device", True)
    assert unlocked["data"]["name"] == "Cleaner" and unlocked["data"]["nuki_auth_id"]
    assert events["lock.access_denied"]["method"] == "keycode"
