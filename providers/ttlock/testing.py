"""The TTLock adapter on its simulator, for the contract suite: one account with a lock for every device role (and
one without gateway), connected with the app account's password.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import httpx

from providers import code_rules
from providers.base import HeldCredentials, ProviderConfig, ProviderContext
from providers.testing import DeviceRole, ProviderUnderTest, SimulatorSide, WebhookSample, use_keypad_or_turn
from providers.ttlock import mapping
from providers.ttlock.adapter import TTLockProvider
from providers.ttlock.simulator import TTLockSimulator

BASE_URL = "https://euapi.ttlock.com"
CLIENT_ID, CLIENT_SECRET = "gateway-contract", "contract-client-secret"
USERNAME, PASSWORD = "host@example.com", "correct horse battery staple"


@dataclass
class TTLockSimulated(SimulatorSide[TTLockSimulator]):
    """What the contract suite may ask of the simulated TTLock cloud."""

    config: ProviderConfig
    _next_code: int = 2468

    async def cause_activity(self, provider_device_id: str) -> None:
        lock_id = int(provider_device_id)
        use_keypad_or_turn(self.sim, lock_id, lambda: self._free_code(lock_id))

    def webhook_sample(self, provider_device_id: str) -> WebhookSample:
        """The lock-records callback TTLock pushes after something happened at the lock (a key turn here)."""
        if not any(record.lock_id == int(provider_device_id) for record in self.sim.records):
            self.sim.manual_action(int(provider_device_id))
        headers, body = self.sim.callback(int(provider_device_id))
        return WebhookSample(self.config, headers, body, [provider_device_id], signature_header=None)

    def would_open(self, provider_device_id: str, code: str, at: datetime) -> bool:
        return self.sim.would_open(int(provider_device_id), code, at=at)

    def _free_code(self, lock_id: int) -> str:
        taken = set(self.sim.lock_codes(lock_id))
        rules = mapping.constraints(None)
        while str(self._next_code) in taken or code_rules.violation(str(self._next_code), rules):
            self._next_code += 7
        return str(self._next_code)


def seed(sim: TTLockSimulator) -> dict[str, str]:
    """One account with a lock for every `DeviceRole` (and one without gateway); role -> lock id."""
    sim.add_client(CLIENT_ID, CLIENT_SECRET)
    uid = sim.add_account(USERNAME, PASSWORD)
    hallway = sim.add_gateway(uid, name="Hallway gateway")
    garden = sim.add_gateway(uid, name="Garden gateway", online=False)
    locks = {
        DeviceRole.CODES: sim.add_lock(uid, alias="Front door", gateways=[hallway]),
        DeviceRole.NO_CODES: sim.add_lock(uid, alias="Storage room", gateways=[hallway], keypad=False),
        DeviceRole.OFFLINE: sim.add_lock(uid, alias="Garden shed", gateways=[garden]),
        DeviceRole.LOW_BATTERY: sim.add_lock(uid, alias="Back door", gateways=[hallway], battery=8),
    }
    sim.add_lock(uid, alias="Cabin")
    return {role: str(lock_id) for role, lock_id in locks.items()}


@asynccontextmanager
async def provider_under_test() -> AsyncIterator[ProviderUnderTest]:
    sim = TTLockSimulator(gateway_delay=0.0)
    devices = seed(sim)
    config = ProviderConfig(base_url=BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    try:
        async with httpx.AsyncClient(transport=sim.transport(), timeout=httpx.Timeout(2.0)) as http:
            store = HeldCredentials()
            context = ProviderContext(http=http, config=config, credentials=store, clock=sim.clock)
            await store.save(await TTLockProvider.connect(context, {"username": USERNAME, "password": PASSWORD}))
            yield ProviderUnderTest(TTLockProvider, context, devices, TTLockSimulated(sim, config))
    finally:
        sim.close()
