"""The igloohome adapter on its simulator, for the contract suite: one API client whose account holds a lock with
an online bridge (codes), a lock whose bridge is offline, a lock with a low battery on the same online bridge, and
a lock and a padlock without any bridge (offline codes only; no contract role fits them). There is no `no_codes`
role: every igloohome lock that locks remotely also takes custom PINs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import httpx

from providers.base import HeldCredentials, ProviderConfig, ProviderContext
from providers.igloohome.adapter import IgloohomeProvider
from providers.igloohome.simulator import IgloohomeSimulator
from providers.testing import DeviceRole, ProviderUnderTest, SimulatorSide, WebhookSample

BASE_URL = "https://igloohome.simulated"
AUTH_URL = f"{BASE_URL}/oauth2/token"
"""The simulator serves the API from `/` and its token endpoint beside it (as the sandbox mounts it)."""
CLIENT_ID, CLIENT_SECRET = "contract-client", "contract-client-secret"
FAST_JOBS = {"job_poll_seconds": "0.02", "job_wait_seconds": "2"}
"""Bridge jobs are followed every 20 ms, for 2 s at most (the simulated bridge takes 50 ms)."""


@dataclass
class IgloohomeSimulated(SimulatorSide[IgloohomeSimulator]):
    """What the contract suite may ask of the simulated igloohome cloud."""

    async def cause_activity(self, provider_device_id: str) -> None:
        """Someone turns the thumbturn; the online bridge uploads the log row at once."""
        self.sim.manual_action(provider_device_id)

    def webhook_sample(self, provider_device_id: str) -> WebhookSample | None:
        return None  # no igloohome webhook was found (vendors.md 3.5)

    def would_open(self, provider_device_id: str, code: str, at: datetime) -> bool:
        return self.sim.would_open(provider_device_id, code, at)


def seed(sim: IgloohomeSimulator) -> dict[str, str]:
    """The account's devices; role -> lock `deviceId`."""
    sim.add_client(CLIENT_ID, CLIENT_SECRET)
    front = sim.add_lock("Front door")
    back = sim.add_lock("Back door", battery=6)
    garden = sim.add_lock("Garden gate")
    sim.add_bridge("Home Bridge", [front, back])
    sim.add_bridge("Garden Bridge", [garden], online=False)
    sim.add_lock("Cellar")
    sim.add_lock("Shed padlock", padlock=True)
    return {DeviceRole.CODES: front, DeviceRole.OFFLINE: garden, DeviceRole.LOW_BATTERY: back}


@asynccontextmanager
async def provider_under_test() -> AsyncIterator[ProviderUnderTest]:
    sim = IgloohomeSimulator()
    devices = seed(sim)
    config = ProviderConfig(base_url=BASE_URL, auth_url=AUTH_URL, extra=FAST_JOBS)
    try:
        async with httpx.AsyncClient(transport=sim.transport(), timeout=httpx.Timeout(2.0)) as http:
            store = HeldCredentials()
            context = ProviderContext(http=http, config=config, credentials=store, clock=sim.clock)
            submitted = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
            await store.save(await IgloohomeProvider.connect(context, submitted))
            yield ProviderUnderTest(IgloohomeProvider, context, devices, IgloohomeSimulated(sim))
    finally:
        sim.close()
