"""Home Assistant through the REST API alone, on the sandbox's simulated instance: its lock entities as devices, an
unlock confirmed by the state change, a jam as a clear error, and PIN codes on the Matter lock (write-only PINs the
gateway puts on at the window's start and takes off at its end, since Matter PINs have no schedules).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar

from providers.home_assistant.simulator import HomeAssistantSimulator
from tests.factories import Tenant
from tests.sandbox import until

pytestmark = [
    pytest.mark.sandbox,
    # the provider through the gateway: the database engine is not what is under test (tests/aggregator runs both)
    pytest.mark.parametrize("database_target", ["sqlite"], indirect=True),
]


class Hass:
    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], sim: HomeAssistantSimulator) -> None:
        self.client, self.headers, self.sim = client, headers, sim

    async def doors(self) -> dict[str, dict[str, Any]]:
        answer = await self.client.get("/v1/devices", params={"provider": "home_assistant"}, headers=self.headers)
        return {device["name"]: device for device in answer.json()["data"]}

    async def act(self, door: dict[str, Any], action: str) -> dict[str, Any]:
        started = await self.client.post(f"/v1/devices/{door['id']}/{action}", headers=self.headers)
        assert started.status_code == 202, started.text
        latest: dict[str, Any] = {}

        async def ended() -> bool:
            nonlocal latest
            latest = (await self.client.get(f"/v1/action_attempts/{started.json()['id']}", headers=self.headers)).json()
            return bool(latest["status"] != "pending")

        await until(ended)
        return latest

    async def status(self, code_id: str) -> str | None:
        answer = await self.client.get(f"/v1/access_codes/{code_id}", headers=self.headers)
        return None if answer.status_code == 404 else str(answer.json()["status"])


@pytest.fixture
async def hass(app: Litestar, client: httpx.AsyncClient, tenant: Tenant) -> Hass:
    cloud = app.state.runtime.vendors.sandbox.clouds["home_assistant"]
    sim: HomeAssistantSimulator = cloud.app.state.sim
    sim.action_delay = 0.02
    body = {"provider": "home_assistant", "credentials": dict(cloud.credentials)}
    answer = await client.post("/v1/connected_accounts", json=body, headers=tenant.headers)
    assert answer.status_code == 201, answer.text
    return Hass(client, tenant.headers, sim)


async def test_lock_entities_are_devices_with_what_they_can_do(hass: Hass) -> None:
    doors = await hass.doors()
    assert set(doors) == {"Lobby door", "Garage side door", "Poorly installed door", "Basement lock"}
    lobby, garage, basement = doors["Lobby door"], doors["Garage side door"], doors["Basement lock"]
    assert lobby["capabilities"]["can_program_online_access_codes"] and lobby["model"] == "Nuki Smart Lock Pro"
    assert not lobby["capabilities"]["can_program_time_bound_codes_natively"]
    assert not garage["capabilities"]["can_program_online_access_codes"] and garage["properties"]["locked"] is False
    assert basement["properties"]["online"] is False and basement["errors"][0]["error_code"] == "device_offline"
    assert doors["Poorly installed door"]["model"] is None  # no registry entry: nothing invented


async def test_an_unlock_is_confirmed_and_a_jam_fails_clearly(hass: Hass) -> None:
    doors = await hass.doors()
    unlocked = await hass.act(doors["Lobby door"], "unlock")
    assert (unlocked["status"], unlocked["was_confirmed_by_device"]) == ("success", True)
    assert hass.sim.states["lock.lobby_door"].state == "unlocked"
    jammed = await hass.act(doors["Poorly installed door"], "lock")
    assert jammed["status"] == "error" and jammed["error"]["type"] == "device_jammed"


async def test_a_matter_pin_is_put_on_at_its_start_and_taken_off_at_its_end(hass: Hass) -> None:
    lobby = (await hass.doors())["Lobby door"]
    ends_at = datetime.now(UTC) + timedelta(seconds=3)
    body = {"device_id": lobby["id"], "name": "Guest Ito", "code": "482913", "ends_at": ends_at.isoformat()}
    made = await hass.client.post("/v1/access_codes", json=body, headers=hass.headers)
    assert made.status_code == 201, made.text

    async def set_() -> bool:
        return await hass.status(made.json()["id"]) == "set"

    await until(set_)
    assert "482913" in hass.sim.pins("lock.lobby_door").values()
    assert hass.sim.would_open("lock.lobby_door", "482913")

    async def ended() -> bool:
        return await hass.status(made.json()["id"]) == "unset"

    await until(ended)
    assert "482913" not in hass.sim.pins("lock.lobby_door").values()


async def test_a_code_on_a_lock_without_pin_management_is_refused_up_front(hass: Hass) -> None:
    garage = (await hass.doors())["Garage side door"]
    body = {"device_id": garage["id"], "name": "Guest", "code": "4821"}
    refused = await hass.client.post("/v1/access_codes", json=body, headers=hass.headers)
    assert refused.status_code == 422 and refused.json()["code"] == "capability_not_supported"
