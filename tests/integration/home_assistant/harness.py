"""The Home Assistant adapter on a real Home Assistant 2024.3.3 (its demo locks), for the contract suite. Faults are
made by a transport in front of it (as a reverse proxy or a flaky network would), since Home Assistant has no knobs.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from urllib.parse import quote

import httpx

from providers.base import ProviderConfig, ProviderContext
from providers.home_assistant.adapter import HomeAssistantProvider
from providers.simkit import Fault
from providers.testing import DeviceRole, FaultKnobs, ProviderUnderTest, WebhookSample
from tests.integration.home_assistant.hass_server import HomeAssistant

HANG_SECONDS = 30.0


class FaultyNetwork(httpx.AsyncBaseTransport):
    """Real requests to Home Assistant, but the next ones may fail as the knobs line them up."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.faults: deque[Fault] = deque()
        self.revoked = False

    def rate_limit(self, *, retry_after: int, count: int = 1) -> None:
        self.faults.extend(Fault(429, retry_after) for _ in range(count))

    def fail_next(self, *, status: int = 503, count: int = 1) -> None:
        self.faults.extend(Fault(status) for _ in range(count))

    def time_out_next(self, *, count: int = 1) -> None:
        self.faults.extend(Fault(0) for _ in range(count))

    def revoke_credentials(self) -> None:
        """Home Assistant answers a revoked token `401: Unauthorized` (text): so does this, from now on."""
        self.revoked = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.revoked:
            return httpx.Response(401, text="401: Unauthorized", request=request)
        if self.faults:
            fault = self.faults.popleft()
            if fault.hangs:
                timeout = request.extensions.get("timeout", {}).get("read") or HANG_SECONDS
                await asyncio.sleep(timeout)
                raise httpx.ReadTimeout("Home Assistant did not answer in time.", request=request)
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return httpx.Response(fault.status, text=f"{fault.status}: Simulated", headers=headers, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class RealHomeAssistant:
    def __init__(self, server: HomeAssistant, http: httpx.AsyncClient, network: FaultyNetwork) -> None:
        self.server, self.http = server, http
        self.knobs: FaultKnobs = network

    async def settle(self) -> None:
        """The demo locks take 2 s to move: wait until none is locking or unlocking."""
        headers = {"Authorization": f"Bearer {self.server.token}"}
        for _ in range(40):
            states = (await self.http.get(f"{self.server.url}/api/states", headers=headers)).json()
            if not any(s["state"] in ("locking", "unlocking") for s in states if s["entity_id"].startswith("lock.")):
                return
            await asyncio.sleep(0.25)

    async def cause_activity(self, provider_device_id: str) -> None:
        """A state change Home Assistant records: its REST API sets the entity's state (the demo locks take 2 s to
        move, too slow for the hundred changes the contract asks for).
        """
        headers = {"Authorization": f"Bearer {self.server.token}"}
        url = f"{self.server.url}/api/states/{provider_device_id}"
        state = (await self.http.get(url, headers=headers)).json()
        body = {"state": "unlocked" if state["state"] == "locked" else "locked", "attributes": state["attributes"]}
        answer = await self.http.post(url, json=body, headers=headers)
        answer.raise_for_status()
        await self._recorded(provider_device_id, answer.json()["last_changed"])

    async def _recorded(self, entity_id: str, changed: str) -> None:
        """Home Assistant's recorder writes in a thread of its own: wait until the history shows the change.

        The history starts just before the change and leaves out the state at its start, which Home Assistant takes
        from its live state machine and stamps with the start time: that state would match before anything is
        recorded.
        """
        headers = {"Authorization": f"Bearer {self.server.token}"}
        start = datetime.fromisoformat(changed) - timedelta(milliseconds=1)
        url = f"{self.server.url}/api/history/period/{quote(start.isoformat())}"
        params = {"filter_entity_id": entity_id, "skip_initial_state": ""}
        for _ in range(100):
            history = await self.http.get(url, params=params, headers=headers)
            if any(state["last_changed"] == changed for states in history.json() for state in states):
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"Home Assistant never recorded the change of {entity_id} at {changed}")

    def webhook_sample(self, provider_device_id: str) -> WebhookSample | None:
        return None

    def would_open(self, provider_device_id: str, code: str, at: datetime) -> bool:
        raise AssertionError("the demo locks take no codes")


class _Store:
    def __init__(self, credentials: dict[str, str]) -> None:
        self.credentials = credentials

    async def load(self) -> dict[str, str]:
        return dict(self.credentials)

    async def save(self, credentials: dict[str, str]) -> None:
        self.credentials = dict(credentials)


@asynccontextmanager
async def provider_under_test(server: HomeAssistant) -> AsyncIterator[ProviderUnderTest]:
    network = FaultyNetwork()
    async with httpx.AsyncClient(transport=network, timeout=httpx.Timeout(3.0)) as http:
        store = _Store({"base_url": server.url, "access_token": server.token})
        context = ProviderContext(http=http, config=ProviderConfig(base_url=server.url), credentials=store)
        missing = {
            DeviceRole.CODES: "Home Assistant 2024.3.3 has no Matter lock actions (2026.6 and later have them)",
            DeviceRole.OFFLINE: "the demo locks are always available",
            DeviceRole.LOW_BATTERY: "Home Assistant lock entities report no battery",
        }
        devices = {DeviceRole.NO_CODES: "lock.front_door"}
        yield ProviderUnderTest(
            HomeAssistantProvider, context, devices, RealHomeAssistant(server, http, network), missing
        )
