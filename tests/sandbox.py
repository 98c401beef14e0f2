"""The gateway in sandbox mode under test: the simulated Nuki cloud served at /sandbox/nuki, reached by the test
client (the browser) and by the gateway's adapters, and connected the way a person connects it (OAuth consent).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
from litestar import Litestar

from aggregator.settings import Settings
from providers.nuki.simulator import NukiSimulator

ORIGIN = "http://testserver"
"""The test client's base URL, also the gateway's public URL: consent links and callbacks work as in a browser."""
FAST_ACTIONS = 0.02
"""Seconds per simulated lock movement (the sandbox's own pace is a second, for people to watch)."""


def sandbox_settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, sandbox=True, public_url=ORIGIN)


def nuki_simulator(app: Litestar) -> NukiSimulator:
    """The sandbox's Nuki cloud, to turn its knobs."""
    sim: NukiSimulator = app.state.runtime.vendors.sandbox.clouds["nuki"].app.state.sim
    return sim


@dataclass
class NukiSandbox:
    """A workspace's view of the sandbox Nuki account, through the REST API only."""

    client: httpx.AsyncClient
    headers: dict[str, str]
    sim: NukiSimulator

    async def connect(self, **session: Any) -> dict[str, Any]:
        """Start a connect session, approve it at the simulated Nuki, follow the redirect; the session as it ends."""
        started = await self.client.post(
            "/v1/connect_sessions", json={"provider": "nuki", **session}, headers=self.headers
        )
        assert started.status_code == 201, started.text
        consent = await self.client.post(started.json()["url"], data={"sandbox_approve": "1"})
        assert consent.status_code == 302, consent.text
        back = await self.client.get(consent.headers["location"])
        assert back.status_code in (200, 303), back.text
        answer = await self.client.get(f"/v1/connect_sessions/{started.json()['id']}", headers=self.headers)
        session_now: dict[str, Any] = answer.json()
        return session_now

    async def devices(self) -> dict[str, dict[str, Any]]:
        """The workspace's devices by name."""
        answer = await self.client.get("/v1/devices", headers=self.headers)
        assert answer.status_code == 200, answer.text
        return {device["name"]: device for device in answer.json()["data"]}

    async def act(self, device_id: str, action: str, **headers: str) -> httpx.Response:
        return await self.client.post(f"/v1/devices/{device_id}/{action}", headers={**self.headers, **headers})

    async def outcome(self, attempt_id: str, *, within: float = 10.0) -> dict[str, Any]:
        """Poll the attempt as a client would until it is no longer pending."""
        async with asyncio.timeout(within):
            while True:
                answer = await self.client.get(f"/v1/action_attempts/{attempt_id}", headers=self.headers)
                attempt: dict[str, Any] = answer.json()
                if attempt["status"] != "pending":
                    return attempt
                await asyncio.sleep(0.05)


async def code_status(client: httpx.AsyncClient, headers: dict[str, str], code_id: str) -> str | None:
    """The code's status, or None once it is gone (404)."""
    answer = await client.get(f"/v1/access_codes/{code_id}", headers=headers)
    return None if answer.status_code == 404 else str(answer.json()["status"])


def lock_codes(sim: NukiSimulator, name: str) -> dict[str, str]:
    """The keypad codes the simulated lock holds: PIN -> name."""
    lock = lock_id(sim, name)
    return {str(auth.code): auth.name for auth in sim.auths.values() if auth.smartlock_id == lock}


def lock_id(sim: NukiSimulator, name: str) -> int:
    return next(lock_id for lock_id, lock in sim.locks.items() if lock.name == name)


async def until(condition: Callable[[], bool | Awaitable[bool]], *, within: float = 10.0) -> None:
    """Wait until `condition()` holds (a background job changes it), failing after `within` seconds."""
    async with asyncio.timeout(within):
        while True:
            holds = condition()
            if await holds if inspect.isawaitable(holds) else holds:
                return
            await asyncio.sleep(0.02)
