"""`/api/history/period` of the simulated Home Assistant: every state change recorded, one list per entity in the order
asked, oldest first, starting with the state at the start time; and Home Assistant's refusals.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from providers.home_assistant.simulator import HomeAssistantSimulator
from tests.providers.home_assistant.simulator_support import (
    FRONT,
    KITCHEN,
    START,
    ZWAVE,
    Clock,
    clock_fixture,  # noqa: F401
    http_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
    token_fixture,  # noqa: F401
)


def period(start: str) -> str:
    return f"/api/history/period/{quote(start)}"


async def _day(http: httpx.AsyncClient, sim: HomeAssistantSimulator, clock: Clock) -> None:
    """12:00 seeded; 12:10 front unlocked by call; 12:20 kitchen locked by hand; 12:30 front locked by hand."""
    clock.advance(minutes=10)
    await http.post("/api/services/lock/unlock", json={"entity_id": FRONT})
    clock.advance(minutes=10)
    sim.set_state(KITCHEN, "locked")
    clock.advance(minutes=10)
    sim.set_state(FRONT, "locked")


async def test_every_change_is_recorded_per_entity(http: httpx.AsyncClient, sim: HomeAssistantSimulator, clock: Clock):
    await _day(http, sim, clock)
    answer = await http.get(period("2024-03-01T11:00:00+00:00"), params={"filter_entity_id": f"{KITCHEN},{FRONT}"})
    kitchen, front = answer.json()
    assert [(row["state"], row["last_changed"]) for row in front] == [
        ("locked", "2024-03-01T12:00:00.250000+00:00"),
        ("unlocking", "2024-03-01T12:10:00.250000+00:00"),
        ("unlocked", "2024-03-01T12:10:00.250000+00:00"),
        ("locked", "2024-03-01T12:30:00.250000+00:00"),
    ]
    assert [row["state"] for row in kitchen] == ["unlocked", "locked"]
    # as a real 2024.3.3 answers (tests/integration compares them): one context on every row, no supported_features
    assert list(front[0]) == ["entity_id", "state", "attributes", "last_changed", "last_updated", "context"]
    assert "supported_features" not in front[0]["attributes"] and front[0]["context"]["user_id"] is None


async def test_the_state_at_the_start_carries_the_start_time(
    http: httpx.AsyncClient, sim: HomeAssistantSimulator, clock: Clock
):
    await _day(http, sim, clock)
    answer = await http.get(
        period("2024-03-01T12:15:00+00:00"), params={"filter_entity_id": FRONT, "end_time": "2024-03-01T12:25:00+00:00"}
    )
    assert answer.json() == [
        [
            {
                "entity_id": FRONT,
                "state": "unlocked",
                "attributes": {"friendly_name": "Front Door"},
                "last_changed": "2024-03-01T12:15:00+00:00",
                "last_updated": "2024-03-01T12:15:00+00:00",
                "context": {"id": "01HRECORDER0000000000000000", "parent_id": None, "user_id": None},
            }
        ]
    ]


async def test_a_time_without_offset_is_read_in_home_assistants_time_zone(
    http: httpx.AsyncClient, sim: HomeAssistantSimulator, clock: Clock
):
    await _day(http, sim, clock)
    local = await http.get(period("2024-03-01T13:25:00"), params={"filter_entity_id": KITCHEN})  # Berlin = UTC+1
    assert [row["state"] for row in local.json()[0]] == ["locked"]


async def test_minimal_response_and_no_attributes(http: httpx.AsyncClient, sim: HomeAssistantSimulator, clock: Clock):
    await _day(http, sim, clock)
    params = {"filter_entity_id": FRONT, "minimal_response": "", "no_attributes": ""}
    rows = (await http.get(period(START.isoformat()), params=params)).json()[0]
    assert rows[0]["attributes"] == {} and rows[1] == {
        "state": "unlocking",
        "last_changed": "2024-03-01T12:10:00.250000+00:00",
    }


async def test_entities_without_states_are_left_out(http: httpx.AsyncClient):
    answer = await http.get(period("2024-03-01T11:00:00+00:00"), params={"filter_entity_id": f"lock.nowhere,{ZWAVE}"})
    assert [[row["entity_id"] for row in rows] for rows in answer.json()] == [[ZWAVE]]


async def test_the_default_window_is_the_day_before_now(http: httpx.AsyncClient, clock: Clock):
    clock.advance(hours=30)
    assert (await http.get("/api/history/period", params={"filter_entity_id": FRONT})).json()[0][0]["state"] == "locked"
    late = await http.get(period("2024-03-01T11:00:00+00:00"), params={"filter_entity_id": FRONT})
    assert [row["state"] for row in late.json()[0]] == ["locked"]


async def test_a_start_in_the_future_finds_nothing(http: httpx.AsyncClient):
    assert (await http.get(period("2030-01-01T00:00:00+00:00"), params={"filter_entity_id": FRONT})).json() == []


async def test_refusals(http: httpx.AsyncClient):
    cases = [
        (period("2024-03-01T11:00:00+00:00"), {}, "filter_entity_id is missing"),
        (period("yesterday"), {"filter_entity_id": FRONT}, "Invalid datetime"),
        (period("2024-03-01T11:00:00+00:00"), {"filter_entity_id": FRONT, "end_time": "soon"}, "Invalid end_time"),
        (period("2024-03-01T11:00:00+00:00"), {"filter_entity_id": "front door"}, "Invalid filter_entity_id"),
    ]
    for path, params, reason in cases:
        refused = await http.get(path, params=params)
        assert (refused.status_code, refused.json()) == (400, {"message": reason})
    unauthorized = await http.get(period("2024-03-01T11:00:00+00:00"), headers={"Authorization": ""})
    assert unauthorized.status_code == 401
