"""The Nuki adapter on its simulator, for the contract suite: one account holding every device role, connected
through the real OAuth flow (sign-in form, then `NukiProvider.exchange_code`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import httpx

from providers.base import HeldCredentials, ProviderConfig, ProviderContext
from providers.nuki import client as api
from providers.nuki.adapter import NukiProvider
from providers.nuki.simulator import NukiSimulator
from providers.testing import DeviceRole, ProviderUnderTest, SimulatorSide, WebhookSample, use_keypad_or_turn

BASE_URL = "https://api.nuki.io"
CLIENT_ID, CLIENT_SECRET = "gateway-contract", "contract-client-secret"
REDIRECT_URI = "https://gateway.example/oauth/nuki/callback"
EMAIL, PASSWORD = "host@example.com", "correct horse battery staple"


@dataclass
class NukiSimulated(SimulatorSide[NukiSimulator]):
    """What the contract suite may ask of the simulated Nuki Web."""

    config: ProviderConfig
    _next_code: int = 345678

    async def cause_activity(self, provider_device_id: str) -> None:
        lock_id = int(provider_device_id)
        use_keypad_or_turn(self.sim, lock_id, lambda: self._free_code(lock_id))

    def webhook_sample(self, provider_device_id: str) -> WebhookSample:
        message = self.sim.webhook(int(provider_device_id), "DEVICE_STATUS", client_id=self.config.client_id)
        return WebhookSample(
            self.config, message.headers, message.body, [provider_device_id], signature_header=api.SIGNATURE_HEADER
        )

    def would_open(self, provider_device_id: str, code: str, at: datetime) -> bool:
        return self.sim.would_open(int(provider_device_id), code, at=at)

    def _free_code(self, lock_id: int) -> int:
        taken = {auth.code for auth in self.sim.auths.values() if auth.smartlock_id == lock_id}
        while self._next_code in taken or "0" in str(self._next_code):
            self._next_code += 1
        return self._next_code


def seed(sim: NukiSimulator) -> dict[str, str]:
    """One account with a lock for every `DeviceRole`; role -> smartlock id."""
    sim.add_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    account = sim.add_account(EMAIL, PASSWORD, name="Contract Host")
    locks = {
        DeviceRole.CODES: sim.add_smartlock(account, name="Front door", keypad=True),
        DeviceRole.NO_CODES: sim.add_smartlock(account, name="Cellar", keypad=False),
        DeviceRole.OFFLINE: sim.add_smartlock(account, name="Garden gate", online=False),
        DeviceRole.LOW_BATTERY: sim.add_smartlock(account, name="Back door", battery_charge=5, battery_critical=True),
    }
    return {role: str(lock_id) for role, lock_id in locks.items()}


async def sign_in(http: httpx.AsyncClient, config: ProviderConfig, *, state: str = "contract") -> str:
    """The person's part of the OAuth flow: open the consent page, sign in, return the code from the redirect."""
    url = NukiProvider.authorization_url(config, redirect_uri=REDIRECT_URI, state=state)
    page = await http.get(url)
    page.raise_for_status()
    fields = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    fields |= {"email": EMAIL, "password": PASSWORD}
    answer = await http.post(f"{config.base_url}/oauth/authorize", data=fields)
    if answer.status_code != 302:
        raise AssertionError(f"the simulated consent page answered {answer.status_code}, not a redirect")
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    if query.get("state") != [state]:
        raise AssertionError("the simulated consent page lost the OAuth state")
    return query["code"][0]


@asynccontextmanager
async def provider_under_test() -> AsyncIterator[ProviderUnderTest]:
    sim = NukiSimulator()
    devices = seed(sim)
    config = ProviderConfig(base_url=BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    try:
        async with httpx.AsyncClient(transport=sim.transport(), timeout=httpx.Timeout(2.0)) as http:
            store = HeldCredentials()
            context = ProviderContext(http=http, config=config, credentials=store, clock=sim.clock)
            code = await sign_in(http, config)
            await store.save(await NukiProvider.exchange_code(context, code=code, redirect_uri=REDIRECT_URI))
            yield ProviderUnderTest(NukiProvider, context, devices, NukiSimulated(sim, config))
    finally:
        sim.close()
