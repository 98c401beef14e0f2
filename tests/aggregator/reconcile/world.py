"""What the drift, external-change, unmanaged-code and rejection tests share: the gateway's REST API as a client
calls it, the sandbox's Nuki app stand-in (`/sandbox/nuki/app/...`) as a lock owner uses it, and a reconcile worker
that can be held back, so that drift stays in place long enough to be looked at.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from aggregator.jobs.base import JobContext
from aggregator.reconcile import run, tasks
from aggregator.reconcile.run import Known, RunResult
from providers.nuki.simulator import NukiSimulator
from tests.sandbox import NukiSandbox, lock_codes, lock_id, until

Json = dict[str, Any]


def later(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


@dataclass
class Api:
    """The gateway's REST API with one workspace's admin key."""

    client: httpx.AsyncClient
    headers: dict[str, str]

    async def make(self, **body: Any) -> Json:
        body = {key: value.isoformat() if isinstance(value, datetime) else value for key, value in body.items()}
        answer = await self.client.post("/v1/access_codes", json=body, headers=self.headers)
        assert answer.status_code == 201, answer.text
        made: Json = answer.json()
        return made

    async def code(self, code_id: str) -> Json | None:
        answer = await self.client.get(f"/v1/access_codes/{code_id}", headers=self.headers)
        if answer.status_code == 404:
            return None
        assert answer.status_code == 200, answer.text
        found: Json = answer.json()
        return found

    async def patch(self, code_id: str, **body: Any) -> httpx.Response:
        return await self.client.patch(f"/v1/access_codes/{code_id}", json=body, headers=self.headers)

    async def events(self, kind: str, *, code_id: str | None = None) -> list[Json]:
        answer = await self.client.get("/v1/events", params={"type": kind, "limit": 500}, headers=self.headers)
        assert answer.status_code == 200, answer.text
        return [event for event in answer.json()["data"] if code_id in (None, event["access_code_id"])]

    async def drift(self, device_id: str, *, refresh: bool = False) -> Json:
        params = {"refresh": "true"} if refresh else {}
        answer = await self.client.get(f"/v1/devices/{device_id}/drift", params=params, headers=self.headers)
        assert answer.status_code == 200, answer.text
        drift: Json = answer.json()
        return drift

    async def drifting(self, **params: Any) -> Json:
        """`GET /v1/drift`: a page of the locks out of sync."""
        answer = await self.client.get("/v1/drift", params=params, headers=self.headers)
        assert answer.status_code == 200, answer.text
        page: Json = answer.json()
        return page

    async def reconcile(self, device_id: str) -> Json:
        answer = await self.client.post(f"/v1/devices/{device_id}/reconcile", headers=self.headers)
        assert answer.status_code == 202, answer.text
        drift: Json = answer.json()
        return drift

    async def unmanaged(self, device_id: str) -> list[Json]:
        answer = await self.client.get(f"/v1/devices/{device_id}/unmanaged_access_codes", headers=self.headers)
        assert answer.status_code == 200, answer.text
        codes: list[Json] = answer.json()["data"]
        return codes

    async def until_code(self, code_id: str, **expected: Any) -> Json:
        """Wait until the code's fields have the expected values (a reconcile in the background sets them)."""
        latest: Json = {}

        async def holds() -> bool:
            nonlocal latest
            latest = await self.code(code_id) or {}
            return all(latest.get(name) == value for name, value in expected.items())

        try:
            await until(holds)
        except TimeoutError:
            pytest.fail(f"code {code_id} never had {expected}; last seen: {latest}")
        return latest

    async def until_gone(self, code_id: str) -> None:
        """Wait until the code answers 404 (a deleted code, once off the lock)."""

        async def gone() -> bool:
            return await self.code(code_id) is None

        await until(gone)

    async def until_in_sync(self, device_id: str) -> Json:
        """Wait until the lock's stored drift is empty (the run that restored it has written what it saw)."""
        latest: Json = {}

        async def in_sync() -> bool:
            nonlocal latest
            latest = await self.drift(device_id)
            return bool(latest["in_sync"])

        try:
            await until(in_sync)
        except TimeoutError:
            pytest.fail(f"lock {device_id} never in sync; last drift: {latest}")
        return latest


@dataclass
class NukiApp:
    """What a lock owner does in the Nuki app (the sandbox's stand-in), outside the gateway."""

    client: httpx.AsyncClient
    sim: NukiSimulator

    async def add(self, lock: str, name: str, pin: str) -> str:
        path = f"/sandbox/nuki/app/smartlocks/{lock_id(self.sim, lock)}/codes"
        answer = await self.client.post(path, json={"name": name, "code": pin})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    async def delete(self, lock: str, pin: str) -> None:
        path = f"/sandbox/nuki/app/smartlocks/{lock_id(self.sim, lock)}/codes/{self.auth_of(lock, pin)}"
        answer = await self.client.delete(path)
        assert answer.status_code == 204, answer.text

    def edit(self, lock: str, pin: str, **changes: Any) -> None:
        """The owner edits a code in the app (straight on the simulated cloud's record of it)."""
        auth = self.sim.auths[self.auth_of(lock, pin)]
        for name, value in changes.items():
            setattr(auth, name, value)

    def auth_of(self, lock: str, pin: str) -> str:
        number = lock_id(self.sim, lock)
        return next(a.id for a in self.sim.auths.values() if a.smartlock_id == number and str(a.code) == pin)

    def codes(self, lock: str) -> dict[str, str]:
        """The codes the lock holds: PIN -> name."""
        return lock_codes(self.sim, lock)


@dataclass
class World:
    """The sandbox Nuki account connected to a workspace: its doors by name, the API, the owner's app."""

    api: Api
    owner: NukiApp
    sim: NukiSimulator
    doors: dict[str, Json]

    def door(self, name: str) -> str:
        return str(self.doors[name]["id"])


async def open_world(nuki: NukiSandbox) -> World:
    await nuki.connect()
    return World(Api(nuki.client, nuki.headers), NukiApp(nuki.client, nuki.sim), nuki.sim, await nuki.devices())


@dataclass
class Worker:
    """The reconcile worker, held back on demand: while `paused`, a run does nothing (as if the worker had not got
    to the lock yet); `runs` lists the runs that were carried out (by lock, as each ended).
    """

    paused: bool = False
    runs: list[str] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = run.reconcile_once

        async def maybe(ctx: JobContext, device_id: uuid.UUID, known: Known | None = None) -> RunResult | None:
            if self.paused:
                return None
            result = await real(ctx, device_id, known)
            self.runs.append(str(device_id))
            return result

        monkeypatch.setattr(tasks, "reconcile_once", maybe)

    async def reconciled(self, api: Api, device_id: str) -> None:
        """Ask for a reconcile of the lock and wait until a run of it has ended."""
        before = self.runs.count(device_id)
        await api.reconcile(device_id)
        await until(lambda: self.runs.count(device_id) > before)


def quick_follow_ups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look again at a change the vendor has not carried to the lock yet after 50 ms (2 s in production)."""
    monkeypatch.setattr(tasks, "FIRST_LOOK", timedelta(milliseconds=50))
