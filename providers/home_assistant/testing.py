"""The Home Assistant adapter on its simulator, for the contract suite: an instance with a Matter lock that takes
PINs (codes), a Z-Wave lock (no codes) and an unavailable lock (offline); Home Assistant lock entities report no
battery, so there is no low-battery role.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from providers.base import HeldCredentials, ProviderConfig, ProviderContext
from providers.home_assistant.adapter import HomeAssistantProvider
from providers.home_assistant.simulator import HomeAssistantSimulator
from providers.testing import DeviceRole, ProviderUnderTest, SimulatorSide, WebhookSample

BASE_URL = "http://homeassistant.local:8123"
TOKEN = "contract-long-lived-token"


@dataclass
class HomeAssistantSimulated(SimulatorSide[HomeAssistantSimulator]):
    async def cause_activity(self, provider_device_id: str) -> None:
        """Someone turns the lock by hand: a state change Home Assistant records."""
        state = self.sim.states[provider_device_id].state
        self.sim.set_state(provider_device_id, "unlocked" if state == "locked" else "locked")

    def webhook_sample(self, provider_device_id: str) -> WebhookSample | None:
        return None  # Home Assistant calls no one: the gateway asks it

    def would_open(self, provider_device_id: str, code: str, at: datetime) -> bool:
        return self.sim.would_open(provider_device_id, code)


def seed(sim: HomeAssistantSimulator) -> dict[str, str]:
    sim.add_token(TOKEN)
    sim.add_lock("lock.lobby_door", name="Lobby door", matter=True)
    sim.add_lock("lock.garage_side_door", name="Garage side door", state="unlocked")
    sim.add_lock("lock.basement", name="Basement lock", available=False)
    return {
        DeviceRole.CODES: "lock.lobby_door",
        DeviceRole.NO_CODES: "lock.garage_side_door",
        DeviceRole.OFFLINE: "lock.basement",
    }


@asynccontextmanager
async def provider_under_test() -> AsyncIterator[ProviderUnderTest]:
    behind = [timedelta(minutes=5)]  # the locks were set up in Home Assistant a while ago, not just now
    sim = HomeAssistantSimulator(action_delay=0.01, clock=lambda: datetime.now(UTC) - behind[0])
    devices = seed(sim)
    behind[0] = timedelta(0)
    try:
        async with httpx.AsyncClient(transport=sim.transport(), timeout=httpx.Timeout(2.0)) as http:
            store = HeldCredentials()
            context = ProviderContext(
                http=http, config=ProviderConfig(base_url=BASE_URL), credentials=store, clock=sim.clock
            )
            await store.save(
                await HomeAssistantProvider.connect(context, {"base_url": BASE_URL, "access_token": TOKEN})
            )
            yield ProviderUnderTest(HomeAssistantProvider, context, devices, HomeAssistantSimulated(sim))
    finally:
        sim.close()
