"""The sandbox TTLock account as a user reaches it: the gateway's REST API, and the sandbox's stand-in for the
TTLock app and the locks' keypads (`/sandbox/ttlock/app`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from litestar import Litestar

from providers.ttlock.simulator import TTLockSimulator

CREDENTIALS = {"username": "host@example.com", "password": "sandbox"}
APP = "/sandbox/ttlock/app"
FAST_GATEWAY = 0.01
"""Seconds a command takes through a simulated gateway (the sandbox's own pace is a second)."""


def ttlock_simulator(app: Litestar) -> TTLockSimulator:
    sim: TTLockSimulator = app.state.runtime.vendors.sandbox.clouds["ttlock"].app.state.sim
    return sim


@dataclass
class TTLockWorld:
    client: httpx.AsyncClient
    headers: dict[str, str]
    sim: TTLockSimulator

    async def connect(self, **credentials: str) -> httpx.Response:
        body = {"provider": "ttlock", "credentials": credentials or CREDENTIALS}
        return await self.client.post("/v1/connected_accounts", json=body, headers=self.headers)

    async def doors(self) -> dict[str, dict[str, Any]]:
        answer = await self.client.get("/v1/devices", params={"provider": "ttlock"}, headers=self.headers)
        assert answer.status_code == 200, answer.text
        return {device["name"]: device for device in answer.json()["data"]}

    async def code(self, **body: Any) -> httpx.Response:
        body = {name: value.isoformat() if isinstance(value, datetime) else value for name, value in body.items()}
        return await self.client.post("/v1/access_codes", json=body, headers=self.headers)

    async def get(self, code_id: str) -> dict[str, Any]:
        answer = await self.client.get(f"/v1/access_codes/{code_id}", headers=self.headers)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    async def opens(self, door: dict[str, Any], code: str, at: datetime) -> bool:
        """Asks the simulated keypad whether the code would open the lock at instant `at`."""
        path = f"{APP}/locks/{door['provider_device_id']}/keypad/check"
        answer = await self.client.post(path, json={"code": code, "at": at.isoformat()})
        assert answer.status_code == 200, answer.text
        return bool(answer.json()["opens"])
