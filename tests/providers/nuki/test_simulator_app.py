"""The sandbox's stand-in for the Nuki app and keypad: locks shown with their time zones, a code narrowed in the
app (weekdays, minutes of the day) as Nuki Web then lists it, and "would this code open at instant T" asked of a
lock without anything moving.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
import pytest

from providers.nuki import mapping
from providers.nuki.models import SmartlockAuth
from providers.nuki.sandbox import sandbox_cloud
from providers.nuki.simulator import NukiSimulator

BASE = "http://nuki.sandbox"
PIN = "345678"


@pytest.fixture
async def sandbox() -> AsyncIterator[tuple[NukiSimulator, httpx.AsyncClient]]:
    cloud = sandbox_cloud(redirect_uri="http://gateway.test/callback")
    sim: NukiSimulator = cloud.app.state.sim
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE, timeout=1.0) as http:
        yield sim, http
    await cloud.close()


def door(sim: NukiSimulator, name: str) -> int:
    return next(lock_id for lock_id, lock in sim.locks.items() if lock.name == name)


async def test_the_sandbox_locks_have_their_own_time_zones(sandbox: tuple[NukiSimulator, httpx.AsyncClient]):
    sim, http = sandbox
    locks = {lock["name"]: lock["timezone"] for lock in (await http.get("/app/smartlocks")).json()}

    assert locks == {
        "Front door": "Europe/Berlin",
        "Cellar": "Europe/Berlin",
        "Garden gate": "Europe/Berlin",
        "Back door": "America/New_York",
    }
    token = sim.issue_api_token(min(sim.accounts))
    listed = (await http.get("/smartlock", headers={"Authorization": f"Bearer {token}"})).json()
    assert {lock["name"]: lock["config"]["timezoneId"] for lock in listed}["Back door"] == 12


@pytest.mark.parametrize(
    ("instant", "opens", "lock_time"),
    [
        ("2026-11-01T05:30:00Z", True, "2026-11-01T01:30:00-04:00"),
        ("2026-11-01T01:30:00-05:00", True, "2026-11-01T01:30:00-05:00"),
        ("2026-11-01T07:00:00Z", False, "2026-11-01T02:00:00-05:00"),
    ],
)
async def test_the_keypad_check_answers_for_any_instant_in_the_locks_time(
    sandbox: tuple[NukiSimulator, httpx.AsyncClient], instant: str, opens: bool, lock_time: str
):
    sim, http = sandbox
    back = door(sim, "Back door")
    sim.external_add_code(back, "Night", PIN, allowedFromTime=60, allowedUntilTime=120)

    answer = await http.post(f"/app/smartlocks/{back}/keypad/check", json={"code": PIN, "at": instant})

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"opens": opens, "lockLocalTime": lock_time}
    assert sim.logs == []


@pytest.mark.parametrize("instant", ["2026-11-01T01:30:00", "tomorrow"])
async def test_the_keypad_check_needs_an_instant(sandbox: tuple[NukiSimulator, httpx.AsyncClient], instant: str):
    sim, http = sandbox
    answer = await http.post(
        f"/app/smartlocks/{door(sim, 'Front door')}/keypad/check", json={"code": PIN, "at": instant}
    )

    assert answer.status_code == 400


async def listed(sim: NukiSimulator, http: httpx.AsyncClient, lock_id: int) -> list[SmartlockAuth]:
    token = sim.issue_api_token(min(sim.accounts))
    answer = await http.get(f"/smartlock/{lock_id}/auth", headers={"Authorization": f"Bearer {token}"})
    return msgspec.convert(answer.json(), list[SmartlockAuth])


async def test_a_code_narrowed_in_the_app_is_listed_with_its_restriction(
    sandbox: tuple[NukiSimulator, httpx.AsyncClient],
):
    sim, http = sandbox
    front = door(sim, "Front door")
    auth_id = sim.external_add_code(front, "Guest", PIN, allowedFromDate="2026-10-24T23:30:00.000Z")
    changes: dict[str, Any] = {"allowedWeekDays": 126, "allowedFromTime": 600, "allowedUntilTime": 840}

    answer = await http.post(f"/app/smartlocks/{front}/codes/{auth_id}", json=changes)

    assert answer.status_code == 200, answer.text
    [auth] = await listed(sim, http, front)
    assert (auth.allowed_from_date, auth.allowed_week_days, auth.allowed_from_time) == (
        "2026-10-24T23:30:00.000Z",
        126,
        600,
    )
    assert mapping.restriction(auth) == "only on Mon, Tue, Wed, Thu, Fri, Sat; only 10:00-14:00 lock time"
    assert sim.would_open(front, PIN, at=mapping.parse_time("2026-10-25T09:30:00Z")) is False  # Sunday
    assert sim.would_open(front, PIN, at=mapping.parse_time("2026-10-26T09:30:00Z")) is True  # Monday 10:30 CET


async def test_an_app_edit_can_rename_disable_and_clear_a_date(sandbox: tuple[NukiSimulator, httpx.AsyncClient]):
    sim, http = sandbox
    front = door(sim, "Front door")
    auth_id = sim.external_add_code(front, "Guest", PIN, allowedUntilDate="2026-10-25T02:30:00.000Z")

    sim.external_edit_code(front, auth_id, name="Guest (paused)", enabled=False, allowedUntilDate=None)

    [auth] = await listed(sim, http, front)
    assert (auth.name, auth.enabled, auth.allowed_until_date, auth.code) == ("Guest (paused)", False, None, 345678)
    assert mapping.restriction(auth) == "disabled"


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"allowedWeekDays": 128}, 400),
        ({"allowedFromTime": 1440}, 400),
        ({"code": 120000}, 400),
        ({"allowedFromDate": "2026-10-25T02:30:00"}, 400),  # no offset
    ],
)
async def test_an_app_edit_keeps_nukis_rules(
    sandbox: tuple[NukiSimulator, httpx.AsyncClient], changes: dict[str, Any], status: int
):
    sim, http = sandbox
    front = door(sim, "Front door")
    auth_id = sim.external_add_code(front, "Guest", PIN)

    answer = await http.post(f"/app/smartlocks/{front}/codes/{auth_id}", json=changes)

    assert answer.status_code == status
    assert (sim.auths[auth_id].code, sim.auths[auth_id].window) == (345678, {})


async def test_an_app_edit_of_a_taken_code_or_an_unknown_auth_is_refused(
    sandbox: tuple[NukiSimulator, httpx.AsyncClient],
):
    sim, http = sandbox
    front = door(sim, "Front door")
    auth_id = sim.external_add_code(front, "Guest", PIN)
    sim.external_add_code(front, "Other", 456789)

    with pytest.raises(ValueError, match="already used"):
        sim.external_edit_code(front, auth_id, code=456789)
    missing = await http.post(f"/app/smartlocks/{front}/codes/ffffffffffffffffffffffff", json={"name": "x"})
    assert missing.status_code == 404
