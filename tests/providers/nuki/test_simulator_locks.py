"""The Nuki simulator's devices: smartlock payloads and ids, actions and their state transitions, keypad codes with
Nuki's validation, logs, and keypad entries judged in the lock's own time zone (DST included).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from providers.base import ProviderConfig, ProviderContext
from providers.errors import ProviderRejected, ProviderUnavailable
from providers.nuki.adapter import NukiProvider
from providers.nuki.simulator import NukiSimulator
from providers.nuki.testing import MemoryCredentials
from schemas import EventMethod, EventType
from schemas.providers import AccessCodeSpec, ActionKind, ActionReceipt, ActionState

BASE = "https://api.nuki.io"
START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, text: str) -> None:
        self.now = datetime.fromisoformat(text)


class World:
    """A simulator with one account (API token) and its locks, plus a second account's lock."""

    def __init__(self, sim: NukiSimulator, http: httpx.AsyncClient) -> None:
        self.sim, self.http = sim, http
        self.account = sim.add_account("host@example.com", "pw", name="Jane Host")
        self.front = sim.add_smartlock(self.account, name="Front door")
        self.cellar = sim.add_smartlock(self.account, name="Cellar", keypad=False, type=0)
        self.token = sim.issue_api_token(self.account)
        stranger = sim.add_account("other@example.com", "pw")
        self.foreign = sim.add_smartlock(stranger, name="Not yours")
        store = MemoryCredentials()
        store.credentials = {"api_token": self.token}
        self.adapter = NukiProvider(ProviderContext(http=http, config=ProviderConfig(base_url=BASE), credentials=store))

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return await self.http.request(method, path, headers=headers, **kwargs)

    async def state(self, lock_id: int) -> int:
        return int((await self.call("GET", f"/smartlock/{lock_id}")).json()["state"]["state"])

    async def codes(self, lock_id: int) -> list[dict[str, Any]]:
        return list((await self.call("GET", f"/smartlock/{lock_id}/auth", params={"types": 13})).json())

    async def logs(self, path: str = "/smartlock/log", **params: Any) -> list[dict[str, Any]]:
        return list((await self.call("GET", path, params=params)).json())

    async def create(self, lock_id: int, **body: Any) -> httpx.Response:
        return await self.call("PUT", f"/smartlock/{lock_id}/auth", json={"type": 13} | body)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[NukiSimulator]:
    simulator = NukiSimulator(clock=clock, seed=3)
    yield simulator
    simulator.close()


@pytest.fixture
async def world(sim: NukiSimulator) -> AsyncIterator[World]:
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE, timeout=1.0) as http:
        yield World(sim, http)


# -- smartlocks -----------------------------------------------------------------------------------------------


async def test_smartlock_ids_are_the_type_prefix_and_hex_id_read_as_hex(world: World):
    locks = {lock["smartlockId"]: lock for lock in (await world.call("GET", "/smartlock")).json()}
    assert set(locks) == {world.front, world.cellar}
    assert re.fullmatch(r"4[0-9A-F]{8}", f"{world.front:X}") and locks[world.front]["type"] == 4
    assert re.fullmatch(r"[0-9A-F]{1,8}", f"{world.cellar:X}") and world.cellar < 16**8
    front = locks[world.front]
    assert front["config"]["keypadPaired"] is True and locks[world.cellar]["config"]["keypadPaired"] is False
    assert (front["serverState"], front["state"]["state"], front["state"]["batteryCharge"]) == (0, 1, 80)
    assert (front["accountId"], front["config"]["timezoneId"]) == (world.account, 37)


async def test_other_accounts_locks_are_not_found(world: World):
    assert (await world.call("GET", f"/smartlock/{world.foreign}")).status_code == 404
    assert (await world.call("POST", f"/smartlock/{world.foreign}/action/unlock")).status_code == 404
    assert (await world.call("GET", f"/smartlock/{world.foreign}/auth")).status_code == 404


# -- actions --------------------------------------------------------------------------------------------------


async def test_an_action_is_accepted_at_once_and_carried_out_later(world: World):
    answer = await world.call("POST", f"/smartlock/{world.front}/action", json={"action": 1, "option": 0})
    assert (answer.status_code, answer.content) == (204, b"")
    assert await world.state(world.front) == 2  # unlocking
    assert await world.logs() == []
    await world.sim.settle()
    assert await world.state(world.front) == 3
    [log] = await world.logs()
    assert (log["action"], log["trigger"], log["state"], log["smartlockId"]) == (1, 4, 0, world.front)
    assert log["name"] == "Jane Host" and OBJECT_ID.match(log["id"]) and log["date"] == "2024-03-01T12:00:00.000Z"


async def test_the_simple_lock_endpoint_locks(world: World):
    world.sim.locks[world.front].state = 3
    assert (await world.call("POST", f"/smartlock/{world.front}/action/lock")).status_code == 204
    assert await world.state(world.front) == 4  # locking
    await world.sim.settle()
    assert await world.state(world.front) == 1
    assert [(log["action"], log["state"]) for log in await world.logs()] == [(2, 0)]


async def test_unlatch_passes_through_unlatched_to_unlocked(world: World):
    await world.call("POST", f"/smartlock/{world.front}/action", json={"action": 3})
    assert await world.state(world.front) == 7
    await world.sim.settle(steps=1)
    assert await world.state(world.front) == 5
    await world.sim.settle()
    assert await world.state(world.front) == 3
    assert [log["action"] for log in await world.logs()] == [3]


async def test_actions_complete_by_themselves_after_the_action_delay(world: World):
    world.sim.action_delay = 0.01
    await world.call("POST", f"/smartlock/{world.front}/action/unlock")
    await asyncio.sleep(0.05)  # the one test that lets the timer fire instead of calling settle()
    assert await world.state(world.front) == 3


async def test_a_jammed_lock_ends_motor_blocked_and_logs_it(world: World):
    world.sim.jam(world.front)
    await world.call("POST", f"/smartlock/{world.front}/action/unlock")
    await world.sim.settle()
    assert await world.state(world.front) == 254
    assert [(log["action"], log["state"]) for log in await world.logs()] == [(1, 1)]
    device = await world.adapter.get_device(str(world.front))
    receipt = ActionReceipt(confirmed=False, accepted_at=START)
    check = await world.adapter.check_action(device, ActionKind.UNLOCK, receipt)
    assert (check.state, check.error_code) == (ActionState.FAILED, "device_jammed")


async def test_an_offline_lock_accepts_commands_and_never_moves(world: World):
    world.sim.set_online(world.front, False)
    answer = await world.call("POST", f"/smartlock/{world.front}/action", json={"action": 1})
    await world.sim.settle()
    assert answer.status_code == 204
    assert await world.state(world.front) == 1 and await world.logs() == []
    assert (await world.call("GET", f"/smartlock/{world.front}")).json()["serverState"] == 4


@pytest.mark.parametrize(
    "body", [{"action": 9}, {"action": 0}, {"action": 1, "option": 8}, {"option": 0}, {"action": "unlock"}, None]
)
async def test_invalid_actions_are_400(world: World, body: Any):
    answer = await world.call("POST", f"/smartlock/{world.front}/action", json=body)
    assert answer.status_code == 400 and world.sim.locks[world.front].state == 1


async def test_the_adapter_sees_the_command_pending_then_confirmed(world: World):
    device = await world.adapter.get_device(str(world.front))
    receipt = await world.adapter.perform(device, ActionKind.UNLOCK)
    assert (await world.adapter.check_action(device, ActionKind.UNLOCK, receipt)).state is ActionState.PENDING
    await world.sim.settle()
    done = await world.adapter.check_action(device, ActionKind.UNLOCK, receipt)
    assert (done.state, done.was_confirmed_by_device) == (ActionState.SUCCEEDED, True)


# -- keypad codes ---------------------------------------------------------------------------------------------

WINDOW = {
    "allowedFromDate": "2024-03-04T00:00:00.000Z",
    "allowedUntilDate": "2024-06-30T22:00:00Z",
    "allowedWeekDays": 126,
    "allowedFromTime": 600,
    "allowedUntilTime": 840,
}


async def test_create_answers_204_without_id_and_the_code_is_listed_at_once(world: World):
    answer = await world.create(world.front, name="Cleaner (Mon-Sat)", code=367913, **WINDOW)
    assert (answer.status_code, answer.content) == (204, b"")
    second = await world.create(world.front, name="Family", code=135792)
    assert second.status_code == 204
    first, other = await world.codes(world.front)
    assert OBJECT_ID.match(first["id"]) and first["operationId"] and other["operationId"]
    assert (first["authId"], other["authId"]) == (1, 2)
    assert (first["type"], first["code"], first["name"], first["enabled"]) == (13, 367913, "Cleaner (Mon-Sat)", True)
    assert {key: first[key] for key in WINDOW} == WINDOW  # stored and listed back as given
    await world.sim.settle()
    assert all("operationId" not in code for code in await world.codes(world.front))


async def test_the_adapter_finds_the_new_code_by_listing(world: World):
    device = await world.adapter.get_device(str(world.front))
    spec = AccessCodeSpec(name="Guest Anna", code="245796", starts_at=START, ends_at=START + timedelta(days=3))
    created = await world.adapter.create_access_code(device, spec)
    [listed] = await world.codes(world.front)
    assert created.provider_code_id == listed["id"] and created.is_pending is True
    assert (created.starts_at, created.ends_at) == (spec.starts_at, spec.ends_at)
    await world.sim.settle()
    [observed] = await world.adapter.list_access_codes(device)
    assert (observed.code, observed.is_pending) == ("245796", False)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"code": 34567}, 400),  # 5 digits
        ({"code": 3456789}, 400),  # 7 digits
        ({"code": 345670}, 400),  # contains 0
        ({"code": 123456}, 400),  # starts with 12
        ({"code": "345678"}, 400),  # not a number
        ({"code": 345678, "name": "x" * 33}, 400),  # name longer than 32
        ({"code": 345678, "name": ""}, 400),  # name required
        ({}, 400),  # a keypad code needs a code
        ({"code": 345678, "allowedWeekDays": 128}, 400),
        ({"code": 345678, "allowedFromTime": 1440}, 400),
        ({"code": 345678, "allowedFromDate": "tomorrow"}, 400),
        ({"code": 345678, "allowedUntilDate": "2024-03-05T10:00:00"}, 400),  # no offset
        ({"code": 245796}, 409),  # taken by another auth on the lock
    ],
)
async def test_codes_nuki_refuses(world: World, body: dict[str, Any], status: int):
    world.sim.external_add_code(world.front, "Existing", 245796)
    answer = await world.create(world.front, **({"name": "Guest"} | body))
    assert answer.status_code == status
    assert [code["code"] for code in await world.codes(world.front)] == [245796]


async def test_a_lock_without_keypad_takes_no_codes(world: World):
    answer = await world.create(world.cellar, name="Guest", code=345678)
    assert answer.status_code == 400 and await world.codes(world.cellar) == []


async def test_a_code_of_32_characters_is_fine_and_the_same_code_may_be_on_another_lock(world: World):
    other = world.sim.add_smartlock(world.account, name="Back door")
    world.sim.external_add_code(other, "Elsewhere", 345678)
    assert (await world.create(world.front, name="n" * 32, code=345678)).status_code == 204


@pytest.mark.parametrize(("lock_type", "capacity"), [(4, 200), (5, 200), (0, 100), (3, 100)])
async def test_a_full_lock_is_409(world: World, lock_type: int, capacity: int):
    lock_id = world.sim.add_smartlock(world.account, name="Busy", type=lock_type)
    codes = (code for code in range(311111, 999999) if "0" not in str(code))
    for _ in range(capacity - 1):
        world.sim.external_add_code(lock_id, "Guest", next(codes))
    assert (await world.create(lock_id, name="Last", code=next(codes))).status_code == 204
    assert (await world.create(lock_id, name="One too many", code=next(codes))).status_code == 409
    assert len(await world.codes(lock_id)) == capacity


async def test_update_changes_what_is_sent_and_keeps_the_rest(world: World):
    auth_id = world.sim.external_add_code(world.front, "Cleaner", 367913, **WINDOW)
    world.sim.external_add_code(world.front, "Family", 135792)
    path = f"/smartlock/{world.front}/auth/{auth_id}"
    renamed = await world.call("POST", path, json={"name": "Cleaner Maria", "code": 367914, "allowedFromTime": 480})
    [code] = [code for code in await world.codes(world.front) if code["id"] == auth_id]
    assert renamed.status_code == 204 and (code["name"], code["code"], code["allowedFromTime"]) == (
        "Cleaner Maria",
        367914,
        480,
    )
    assert code["allowedUntilTime"] == 840 and code["operationId"]
    assert (await world.call("POST", path, json={"code": 367915})).status_code == 400  # name is required
    assert (await world.call("POST", path, json={"name": "x", "code": 135792})).status_code == 409
    assert (await world.call("POST", path, json={"name": "x", "code": 120000})).status_code == 400
    unknown = await world.call("POST", f"/smartlock/{world.front}/auth/{'0' * 24}", json={"name": "x"})
    assert unknown.status_code == 404


async def test_an_update_clears_a_date_sent_as_null(world: World):
    """Nuki: "to remove an allowedUntilDate again you have to set it to null"; left out, a date stays."""
    auth_id = world.sim.external_add_code(world.front, "Cleaner", 367913, **WINDOW)
    path = f"/smartlock/{world.front}/auth/{auth_id}"
    cleared = await world.call("POST", path, json={"name": "Cleaner", "allowedUntilDate": None})
    [code] = [code for code in await world.codes(world.front) if code["id"] == auth_id]
    assert cleared.status_code == 204 and "allowedUntilDate" not in code
    assert code["allowedFromDate"] == WINDOW["allowedFromDate"] and code["allowedWeekDays"] == 126


async def test_delete_removes_the_code_and_a_second_delete_is_404(world: World):
    auth_id = world.sim.external_add_code(world.front, "Guest", 345678)
    path = f"/smartlock/{world.front}/auth/{auth_id}"
    assert (await world.call("DELETE", path)).status_code == 204
    assert await world.codes(world.front) == []
    assert (await world.call("DELETE", path)).status_code == 404


async def test_changes_to_an_offline_lock_stay_pending_until_it_is_back(world: World):
    world.sim.set_online(world.front, False)
    await world.create(world.front, name="Guest", code=345678)
    await world.sim.settle()
    [pending] = await world.codes(world.front)
    assert pending["operationId"]
    assert world.sim.keypad_entry(world.front, 345678) is False  # not on the lock yet
    world.sim.set_online(world.front, True)
    await world.sim.settle()
    [synced] = await world.codes(world.front)
    assert "operationId" not in synced and world.sim.keypad_entry(world.front, 345678) is True


async def test_busy_auths_answer_423_when_that_quirk_is_on(world: World):
    world.sim.refuse_busy_auths = True
    await world.create(world.front, name="Guest", code=345678)
    [code] = await world.codes(world.front)
    device = await world.adapter.get_device(str(world.front))
    with pytest.raises(ProviderUnavailable, match="423"):
        await world.adapter.delete_access_code(device, code["id"])
    await world.sim.settle()
    await world.adapter.delete_access_code(device, code["id"])
    assert await world.codes(world.front) == []


async def test_account_wide_listing_covers_every_lock_of_the_account_only(world: World):
    back = world.sim.add_smartlock(world.account, name="Back door")
    world.sim.external_add_code(world.front, "Front guest", 345678)
    world.sim.external_add_code(back, "Back guest", 345679)
    world.sim.external_add_code(world.foreign, "Stranger", 345677)
    listed = (await world.call("GET", "/smartlock/auth", params={"types": 13})).json()
    assert sorted(code["name"] for code in listed) == ["Back guest", "Front guest"]
    assert (await world.call("GET", "/smartlock/auth", params={"types": "0,2"})).json() == []
    assert (await world.call("GET", "/smartlock/auth", params={"types": "x"})).status_code == 400


async def test_codes_changed_in_the_nuki_app_show_up_through_the_adapter(world: World):
    device = await world.adapter.get_device(str(world.front))
    auth_id = world.sim.external_add_code(world.front, "Added in app", 579246)
    [observed] = await world.adapter.list_access_codes(device)
    assert (observed.provider_code_id, observed.code, observed.is_pending) == (auth_id, "579246", False)
    world.sim.external_delete_code(world.front, world.sim.auths[auth_id].auth_id)  # by numeric authId
    assert await world.adapter.list_access_codes(device) == []
    with pytest.raises(ValueError, match="start with 12"):
        world.sim.external_add_code(world.front, "Bad", 123456)


async def test_the_adapter_reports_nukis_409_as_a_rejection(world: World):
    world.sim.external_add_code(world.front, "Existing", 245796)
    device = await world.adapter.get_device(str(world.front))
    with pytest.raises(ProviderRejected) as refused:
        await world.adapter.create_access_code(device, AccessCodeSpec(name="Again", code="245796"))
    assert "409" in refused.value.message


# -- logs -----------------------------------------------------------------------------------------------------


async def test_logs_are_newest_first_filtered_and_limited(world: World, clock: Clock):
    for minute in range(55):
        clock.at(f"2024-03-01T12:{minute:02d}:00+00:00")
        world.sim.manual_action(world.front, 1 if minute % 2 else 2)
    default = await world.logs()
    assert len(default) == 20 and default[0]["date"] == "2024-03-01T12:54:00.000Z"
    assert [log["date"] for log in default] == sorted((log["date"] for log in default), reverse=True)
    assert len(await world.logs(limit=500)) == 50
    window = await world.logs(fromDate="2024-03-01T12:10:00Z", toDate="2024-03-01T13:12:00+01:00", limit=50)
    assert [log["date"][11:16] for log in window] == ["12:12", "12:11", "12:10"]
    older = await world.logs(id=default[-1]["id"], limit=5)
    assert older[0]["date"] == "2024-03-01T12:34:00.000Z" and len(older) == 5
    assert (await world.call("GET", "/smartlock/log", params={"fromDate": "yesterday"})).status_code == 400
    assert (await world.call("GET", "/smartlock/log", params={"limit": 0})).status_code == 400


async def test_the_adapter_pages_back_through_more_than_one_page_of_logs(world: World, clock: Clock):
    for second in range(120):
        clock.at(f"2024-03-01T12:{second // 60:02d}:{second % 60:02d}+00:00")
        world.sim.manual_action(world.front, 1 + second % 2)
    events = await world.adapter.fetch_events(datetime(2024, 3, 1, 12, 0, 30, tzinfo=UTC))
    assert len(events) == 90 and len({event.provider_event_id for event in events}) == 90
    assert events[0].occurred_at == datetime(2024, 3, 1, 12, 0, 30, tzinfo=UTC)
    assert [event.type for event in events[:2]] == [EventType.LOCK_UNLOCKED, EventType.LOCK_LOCKED]


async def test_per_lock_logs_and_account_logs_stay_within_the_account(world: World):
    world.sim.manual_action(world.front)
    world.sim.manual_action(world.cellar)
    world.sim.manual_action(world.foreign)
    assert {log["smartlockId"] for log in await world.logs()} == {world.front, world.cellar}
    assert {log["smartlockId"] for log in await world.logs(f"/smartlock/{world.cellar}/log")} == {world.cellar}
    [log] = await world.logs(f"/smartlock/{world.cellar}/log")
    assert (log["deviceType"], log["trigger"], log["accountUserId"]) == (0, 1, world.account * 10)


# -- keypad entries -------------------------------------------------------------------------------------------


async def test_a_keypad_entry_unlocks_with_a_valid_code_and_logs_who(world: World):
    auth_id = world.sim.external_add_code(world.front, "Guest Anna", 245796)
    assert world.sim.keypad_entry(world.front, "245796") is True
    assert await world.state(world.front) == 3
    [log] = await world.logs()
    assert (log["action"], log["trigger"], log["source"], log["state"]) == (1, 255, 1, 0)
    assert (log["name"], log["authId"]) == ("Guest Anna", auth_id) and "accountUserId" not in log
    [code] = await world.codes(world.front)
    assert code["lastActiveDate"] == "2024-03-01T12:00:00.000Z"


async def test_a_wrong_code_logs_224_and_the_lock_stays_locked(world: World):
    world.sim.external_add_code(world.front, "Guest", 245796)
    assert world.sim.keypad_entry(world.front, 245797) is False
    assert await world.state(world.front) == 1
    [log] = await world.logs()
    assert (log["action"], log["trigger"], log["source"], log["state"]) == (1, 255, 1, 224)
    [event] = await world.adapter.fetch_events(START - timedelta(minutes=1))
    assert (event.type, event.method) == (EventType.LOCK_ACCESS_DENIED, EventMethod.KEYCODE)


async def test_a_disabled_code_is_refused(world: World):
    auth_id = world.sim.external_add_code(world.front, "Guest", 245796)
    path = f"/smartlock/{world.front}/auth/{auth_id}"
    await world.call("POST", path, json={"name": "Guest", "enabled": False})
    await world.sim.settle()
    assert world.sim.keypad_entry(world.front, 245796) is False


async def test_a_jammed_lock_refuses_even_a_valid_code(world: World):
    world.sim.external_add_code(world.front, "Guest", 245796)
    world.sim.jam(world.front)
    assert world.sim.keypad_entry(world.front, 245796) is False
    assert [(log["state"], log["trigger"]) for log in await world.logs()] == [(1, 255)]


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ("2024-03-01T13:59:59+00:00", False),  # before allowedFromDate (an instant, 15:00 in Berlin)
        ("2024-03-01T14:00:00+00:00", True),
        ("2024-03-05T09:59:59+00:00", True),
        ("2024-03-05T10:00:00+00:00", False),  # allowedUntilDate has passed
    ],
)
async def test_dates_are_compared_as_instants(world: World, clock: Clock, now: str, opens: bool):
    window = {"allowedFromDate": "2024-03-01T15:00:00+01:00", "allowedUntilDate": "2024-03-05T10:00:00.000Z"}
    world.sim.external_add_code(world.front, "Guest", 245796, **window)
    clock.at(now)
    assert world.sim.keypad_entry(world.front, 245796) is opens


@pytest.mark.parametrize(
    ("timezone", "now", "opens"),
    [
        ("Europe/Berlin", "2024-01-07T23:30:00+00:00", True),  # Sunday in UTC, Monday 00:30 in Berlin
        ("Europe/Berlin", "2024-01-07T22:30:00+00:00", False),  # Sunday 23:30 in Berlin
        ("America/New_York", "2024-01-08T03:30:00+00:00", False),  # Monday in UTC, Sunday 22:30 in New York
        ("America/New_York", "2024-01-08T05:30:00+00:00", True),  # Monday 00:30 in New York
    ],
)
async def test_weekdays_are_the_locks_weekdays(world: World, clock: Clock, timezone: str, now: str, opens: bool):
    lock_id = world.sim.add_smartlock(world.account, name="Door", timezone=timezone)
    world.sim.external_add_code(lock_id, "Mondays", 245796, allowedWeekDays=64)
    clock.at(now)
    assert world.sim.keypad_entry(lock_id, 245796) is opens


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ("2024-03-30T08:30:00+00:00", False),  # Saturday 09:30 CET (UTC+1)
        ("2024-03-30T09:30:00+00:00", True),  # Saturday 10:30 CET
        ("2024-03-30T10:59:00+00:00", True),  # Saturday 11:59 CET
        ("2024-03-31T08:30:00+00:00", True),  # Sunday 10:30 CEST (UTC+2): a fixed +1 offset would say 09:30
        ("2024-03-31T10:30:00+00:00", False),  # Sunday 12:30 CEST: a fixed +1 offset would say 11:30
        ("2024-10-27T09:30:00+00:00", True),  # back to CET: 10:30
        ("2024-10-27T08:30:00+00:00", False),  # 09:30 CET
    ],
)
async def test_minutes_of_the_day_follow_the_locks_daylight_saving_time(
    world: World, clock: Clock, now: str, opens: bool
):
    world.sim.external_add_code(world.front, "Mornings", 245796, allowedFromTime=600, allowedUntilTime=720)
    clock.at(now)
    assert world.sim.keypad_entry(world.front, 245796) is opens


@pytest.mark.parametrize(
    ("local_time", "opens"), [("21:59", False), ("22:00", True), ("23:59", True), ("05:59", True), ("06:00", False)]
)
async def test_a_night_window_runs_across_midnight(world: World, clock: Clock, local_time: str, opens: bool):
    lock_id = world.sim.add_smartlock(world.account, name="Night door", timezone="UTC")
    world.sim.external_add_code(lock_id, "Night shift", 245796, allowedFromTime=22 * 60, allowedUntilTime=6 * 60)
    clock.at(f"2024-03-02T{local_time}:00+00:00")
    assert world.sim.keypad_entry(lock_id, 245796) is opens
