"""The simulated Nuki keypad across the 2026 daylight-saving changes: a code written by the adapter opens exactly
between its two instants, whatever the lock's wall clock does; weekdays and minutes of the day set in the Nuki app
are read on the lock's own clock (Europe/Berlin, America/New_York); `would_open` asks without anything moving.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from providers.base import HeldCredentials as MemoryCredentials
from providers.base import ProviderConfig, ProviderContext
from providers.nuki.adapter import NukiProvider
from providers.nuki.simulator import NukiSimulator
from schemas.providers import AccessCodeSpec

BASE = "https://api.nuki.io"
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
PIN = "345678"


def at(text: str) -> datetime:
    """An instant, written in UTC (Z) or with an offset."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None
    return moment


def local(zone: str, text: str, *, fold: int = 0) -> datetime:
    """A wall-clock time of `zone` as a UTC instant; `fold=1`: the second time an autumn hour happens."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


class Doors:
    """One account with a keypad lock in Berlin and one in New York, reached through the adapter."""

    def __init__(self, sim: NukiSimulator, http: httpx.AsyncClient) -> None:
        self.sim = sim
        account = sim.add_account("host@example.com", "pw")
        self.locks = {zone: sim.add_smartlock(account, name=zone, timezone=zone) for zone in (BERLIN, NEW_YORK)}
        store = MemoryCredentials()
        store.credentials = {"api_token": sim.issue_api_token(account)}
        self.adapter = NukiProvider(ProviderContext(http=http, config=ProviderConfig(base_url=BASE), credentials=store))

    async def write(self, zone: str, starts_at: datetime, ends_at: datetime) -> None:
        """The gateway's code for the window, created through the adapter and synced to the lock."""
        device = await self.adapter.get_device(str(self.locks[zone]))
        await self.adapter.create_access_code(
            device, AccessCodeSpec(name="Guest", code=PIN, starts_at=starts_at, ends_at=ends_at)
        )
        await self.sim.settle()

    def opens(self, zone: str, moment: datetime) -> bool:
        return self.sim.would_open(self.locks[zone], PIN, at=moment)


@pytest.fixture
def sim() -> Iterator[NukiSimulator]:
    simulator = NukiSimulator(clock=lambda: at("2026-01-01T12:00:00Z"), seed=5)
    yield simulator
    simulator.close()


@pytest.fixture
async def doors(sim: NukiSimulator) -> AsyncIterator[Doors]:
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE, timeout=1.0) as http:
        yield Doors(sim, http)


# -- windows written by the adapter: two instants ------------------------------------------------------------

# (zone, window start and end as local wall-clock times with fold, instants probed -> whether the code opens)
ADAPTER_WINDOWS = [
    pytest.param(
        BERLIN,
        ("2026-03-29T01:30", 0, "2026-03-29T03:30", 0),
        {"00:29:59Z": False, "00:30:00Z": True, "01:00:00Z": True, "01:29:59Z": True, "01:30:00Z": False},
        id="berlin-spring-01:30-CET-to-03:30-CEST",
    ),
    pytest.param(
        BERLIN,
        ("2026-10-25T02:15", 0, "2026-10-25T02:45", 1),
        {"00:14:59Z": False, "00:15:00Z": True, "00:30:00Z": True, "01:30:00Z": True, "01:45:00Z": False},
        id="berlin-autumn-02:15-CEST-to-02:45-CET-both-02:30s-open",
    ),
    pytest.param(
        BERLIN,
        ("2026-10-25T02:15", 1, "2026-10-25T03:30", 0),
        {"00:30:00Z": False, "01:14:59Z": False, "01:15:00Z": True, "01:30:00Z": True, "02:30:00Z": False},
        id="berlin-autumn-from-02:15-CET-refuses-02:30-CEST",
    ),
    pytest.param(
        NEW_YORK,
        ("2026-03-08T01:30", 0, "2026-03-08T03:30", 0),
        {"06:29:59Z": False, "06:30:00Z": True, "07:00:00Z": True, "07:29:59Z": True, "07:30:00Z": False},
        id="new-york-spring-01:30-EST-to-03:30-EDT",
    ),
    pytest.param(
        NEW_YORK,
        ("2026-11-01T00:30", 0, "2026-11-01T02:30", 0),
        {"04:29:59Z": False, "05:30:00Z": True, "06:30:00Z": True, "07:29:59Z": True, "07:30:00Z": False},
        id="new-york-autumn-00:30-to-02:30-both-01:30s-open",
    ),
    pytest.param(
        NEW_YORK,
        ("2026-11-01T00:00", 0, "2026-11-01T01:45", 0),
        {"05:30:00Z": True, "05:44:59Z": True, "05:45:00Z": False, "06:30:00Z": False},
        id="new-york-autumn-until-01:45-EDT-refuses-01:30-EST",
    ),
]


@pytest.mark.parametrize(("zone", "window", "probes"), ADAPTER_WINDOWS)
async def test_a_written_window_opens_between_its_instants_only(
    doors: Doors, zone: str, window: tuple[str, int, str, int], probes: dict[str, bool]
):
    start, start_fold, end, end_fold = window
    starts_at, ends_at = local(zone, start, fold=start_fold), local(zone, end, fold=end_fold)
    await doors.write(zone, starts_at, ends_at)

    day = starts_at.date().isoformat()
    found = {probe: doors.opens(zone, at(f"{day}T{probe}")) for probe in probes}
    assert found == probes


async def test_the_same_window_opens_at_the_same_instants_on_either_side_of_the_atlantic(doors: Doors):
    """Dates are instants: the lock's zone changes nothing for a window the gateway wrote."""
    starts_at, ends_at = local(NEW_YORK, "2026-11-01T01:30"), local(NEW_YORK, "2026-11-01T01:30", fold=1)
    for zone in (BERLIN, NEW_YORK):
        await doors.write(zone, starts_at, ends_at)

    for probe, expected in {"05:29:59Z": False, "05:30:00Z": True, "06:29:59Z": True, "06:30:00Z": False}.items():
        moment = at(f"2026-11-01T{probe}")
        assert (doors.opens(BERLIN, moment), doors.opens(NEW_YORK, moment)) == (expected, expected), probe


# -- weekdays and minutes of the day set in the Nuki app: the lock's clock ----------------------------------

APP_RESTRICTIONS = [
    pytest.param(
        NEW_YORK,
        {"allowedWeekDays": 1},  # Sundays only; 2026-03-08 is a Sunday
        {
            "2026-03-08T04:59:59Z": False,  # Saturday 23:59:59 EST
            "2026-03-08T05:00:00Z": True,  # Sunday 00:00 EST
            "2026-03-09T03:59:59Z": True,  # Sunday 23:59:59 EDT
            "2026-03-09T04:00:00Z": False,  # Monday 00:00 EDT (a fixed UTC-5 would still say Sunday 23:00)
        },
        id="new-york-sunday-across-spring",
    ),
    pytest.param(
        BERLIN,
        {"allowedWeekDays": 1},  # Sundays only; 2026-10-25 is a Sunday
        {
            "2026-10-24T21:59:59Z": False,  # Saturday 23:59:59 CEST
            "2026-10-24T22:00:00Z": True,  # Sunday 00:00 CEST
            "2026-10-25T22:59:59Z": True,  # Sunday 23:59:59 CET
            "2026-10-25T23:00:00Z": False,  # Monday 00:00 CET (a fixed UTC+2 would say Monday 01:00 too)
        },
        id="berlin-sunday-across-autumn",
    ),
    pytest.param(
        BERLIN,
        {"allowedFromTime": 120, "allowedUntilTime": 180},  # 02:00-03:00, the hour that happens twice
        {
            "2026-10-24T23:59:59Z": False,  # 01:59:59 CEST
            "2026-10-25T00:30:00Z": True,  # 02:30 CEST
            "2026-10-25T01:30:00Z": True,  # 02:30 CET
            "2026-10-25T02:00:00Z": False,  # 03:00 CET
        },
        id="berlin-02:00-03:00-happens-twice-in-autumn",
    ),
    pytest.param(
        BERLIN,
        {"allowedFromTime": 120, "allowedUntilTime": 180},  # 02:00-03:00, the hour that never happens
        {"2026-03-29T00:59:59Z": False, "2026-03-29T01:00:00Z": False, "2026-03-29T01:30:00Z": False},
        id="berlin-02:00-03:00-never-happens-in-spring",
    ),
    pytest.param(
        NEW_YORK,
        {"allowedFromTime": 60, "allowedUntilTime": 120},  # 01:00-02:00
        {
            "2026-11-01T04:59:59Z": False,  # 00:59:59 EDT
            "2026-11-01T05:30:00Z": True,  # 01:30 EDT
            "2026-11-01T06:30:00Z": True,  # 01:30 EST
            "2026-11-01T07:00:00Z": False,  # 02:00 EST
        },
        id="new-york-01:00-02:00-happens-twice-in-autumn",
    ),
    pytest.param(
        NEW_YORK,
        {"allowedWeekDays": 64, "allowedFromTime": 540, "allowedUntilTime": 1020},  # Mondays 09:00-17:00
        {
            "2026-03-02T13:59:59Z": False,  # Monday 08:59:59 EST
            "2026-03-02T14:00:00Z": True,  # Monday 09:00 EST
            "2026-03-09T12:59:59Z": False,  # Monday 08:59:59 EDT
            "2026-03-09T13:00:00Z": True,  # Monday 09:00 EDT: an hour earlier in UTC than the week before
            "2026-03-09T20:59:59Z": True,  # Monday 16:59:59 EDT
            "2026-03-09T21:00:00Z": False,  # Monday 17:00 EDT
        },
        id="new-york-mondays-9-to-5-before-and-after-spring",
    ),
]


@pytest.mark.parametrize(("zone", "fields", "probes"), APP_RESTRICTIONS)
def test_weekdays_and_minutes_set_in_the_app_follow_the_locks_clock(
    doors: Doors, zone: str, fields: dict[str, int], probes: dict[str, bool]
):
    doors.sim.external_add_code(doors.locks[zone], "Cleaner", PIN, **fields)

    assert {probe: doors.opens(zone, at(probe)) for probe in probes} == probes


# -- asking and typing ---------------------------------------------------------------------------------------


def test_would_open_asks_without_moving_or_logging(doors: Doors):
    lock_id = doors.locks[BERLIN]
    doors.sim.external_add_code(lock_id, "Guest", PIN, allowedFromDate="2026-10-25T00:30:00Z")
    state = doors.sim.locks[lock_id].state

    assert doors.sim.would_open(lock_id, PIN, at=at("2026-10-25T00:30:00Z")) is True
    assert doors.sim.would_open(lock_id, PIN) is False  # the simulator's clock: 2026-01-01, before the window
    assert (doors.sim.locks[lock_id].state, doors.sim.logs) == (state, [])
    with pytest.raises(ValueError, match="time zone"):
        doors.sim.would_open(lock_id, PIN, at=datetime(2026, 10, 25, 2, 30))


def test_a_keypad_entry_at_the_simulators_clock_is_judged_the_same_way():
    moments = iter([at("2026-11-01T06:30:00Z"), at("2026-11-01T07:00:00Z")])  # 01:30 EST, then 02:00 EST
    clock = {"now": next(moments)}
    sim = NukiSimulator(clock=lambda: clock["now"], seed=6)
    lock_id = sim.add_smartlock(sim.add_account("host@example.com", "pw"), name="Door", timezone=NEW_YORK)
    sim.external_add_code(lock_id, "Night", PIN, allowedFromTime=60, allowedUntilTime=120)

    assert sim.keypad_entry(lock_id, PIN) is True
    clock["now"] = next(moments)
    assert sim.keypad_entry(lock_id, PIN) is False
    assert [(log.state, log.name) for log in sim.logs] == [(0, "Night"), (224, "")]
    sim.close()
