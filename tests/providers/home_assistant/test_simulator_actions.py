"""Lock service calls on the simulated Home Assistant: they block like the demo locks (transitional state at once,
the final one `action_delay` later, both in the answer), a jamming lock ends `jammed`, `open` only where supported,
unavailable locks are passed by, and changes made at the lock itself are state changes of their own.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from providers.home_assistant.simulator import HomeAssistantSimulator
from tests.providers.home_assistant.simulator_support import (
    BASE_URL,
    DELAY,
    FRONT,
    KITCHEN,
    MATTER,
    OPENABLE,
    POORLY,
    ZWAVE,
    Clock,
    clock_fixture,  # noqa: F401
    http_fixture,  # noqa: F401
    reaches,
    seed,
    sim_fixture,  # noqa: F401
    token_fixture,  # noqa: F401
)


def moves(answer: httpx.Response) -> list[tuple[str, str]]:
    return [(state["entity_id"], state["state"]) for state in answer.json()]


async def test_a_call_blocks_and_answers_with_both_states_it_wrote(
    http: httpx.AsyncClient, sim: HomeAssistantSimulator
):
    loop = asyncio.get_running_loop()
    started = loop.time()
    answer = await http.post("/api/services/lock/unlock", json={"entity_id": FRONT})
    assert loop.time() - started >= DELAY
    assert moves(answer) == [(FRONT, "unlocking"), (FRONT, "unlocked")]
    contexts = {state["context"]["id"] for state in answer.json()}
    assert len(contexts) == 1 and answer.json()[0]["context"]["user_id"] == sim.owner_id
    assert sim.states[FRONT].state == "unlocked"


async def test_the_transitional_state_shows_while_the_lock_moves(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    sim.action_delay = 1.0
    call = asyncio.create_task(http.post("/api/services/lock/lock", json={"entity_id": KITCHEN}))
    await reaches(sim, KITCHEN, "locking")
    assert (await http.get(f"/api/states/{KITCHEN}")).json()["state"] == "locking"
    await sim.settle()
    assert moves(await call) == [(KITCHEN, "locking"), (KITCHEN, "locked")]
    assert (await http.get(f"/api/states/{KITCHEN}")).json()["state"] == "locked"


async def test_the_demo_does_not_check_the_current_state(http: httpx.AsyncClient):
    assert moves(await http.post("/api/services/lock/unlock", json={"entity_id": KITCHEN})) == [
        (KITCHEN, "unlocking"),
        (KITCHEN, "unlocked"),
    ]


async def test_a_jamming_lock_ends_jammed_and_unlocks_again(http: httpx.AsyncClient):
    for _ in range(2):  # also when already jammed
        assert moves(await http.post("/api/services/lock/lock", json={"entity_id": POORLY})) == [
            (POORLY, "locking"),
            (POORLY, "jammed"),
        ]
    assert moves(await http.post("/api/services/lock/unlock", json={"entity_id": POORLY}))[-1] == (POORLY, "unlocked")


async def test_open_unlatches_only_a_lock_that_supports_it(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    opened = await http.post("/api/services/lock/open", json={"entity_id": OPENABLE})
    assert moves(opened) == [(OPENABLE, "opening"), (OPENABLE, "open")]
    refused = await http.post("/api/services/lock/open", json={"entity_id": FRONT})
    assert refused.status_code == 500
    assert refused.text == "500 Internal Server Error\n\nServer got itself in trouble"
    assert sim.states[FRONT].state == "locked"
    both = await http.post("/api/services/lock/open", json={"entity_id": [FRONT, OPENABLE]})
    assert both.status_code == 500  # one entity that cannot: nothing happens


async def test_open_before_home_assistant_had_open_states_just_unlocks(clock: Clock):
    sim = HomeAssistantSimulator(clock=clock, action_delay=DELAY, version="2024.3.3")
    token = seed(sim)
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL) as http:
        answer = await http.post(
            "/api/services/lock/open", json={"entity_id": OPENABLE}, headers={"Authorization": f"Bearer {token}"}
        )
    assert moves(answer) == [(OPENABLE, "unlocked")]


async def test_several_entities_move_together(http: httpx.AsyncClient):
    answer = await http.post("/api/services/lock/lock", json={"entity_id": f"{KITCHEN}, {ZWAVE}, lock.nowhere"})
    assert sorted(moves(answer)) == [(ZWAVE, "locked"), (ZWAVE, "locking"), (KITCHEN, "locked"), (KITCHEN, "locking")]
    everything = await http.post("/api/services/lock/unlock", json={"entity_id": "all"})
    assert len(moves(everything)) == 2 * 6


async def test_an_unknown_entity_is_ignored(http: httpx.AsyncClient):
    answer = await http.post("/api/services/lock/unlock", json={"entity_id": "lock.does_not_exist"})
    assert (answer.status_code, answer.json()) == (200, [])


async def test_an_unavailable_lock_is_passed_by(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    sim.set_available(ZWAVE, False)
    state = (await http.get(f"/api/states/{ZWAVE}")).json()
    assert (state["state"], state["attributes"]) == (
        "unavailable",
        {"friendly_name": "Back Door", "supported_features": 0},
    )
    answer = await http.post("/api/services/lock/unlock", json={"entity_id": ZWAVE})
    assert (answer.status_code, answer.json()) == (200, [])
    sim.set_available(ZWAVE, True)
    assert sim.states[ZWAVE].state == "locked"


async def test_a_hand_on_the_knob_is_a_change_without_a_call(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    sim.set_state(MATTER, "unlocked")
    state = (await http.get(f"/api/states/{MATTER}")).json()
    assert state["state"] == "unlocked" and state["context"]["user_id"] is None
    assert state["attributes"]["changed_by"] == "Manual"
    remote = await http.post("/api/services/lock/lock", json={"entity_id": MATTER})
    assert remote.json()[-1]["attributes"] == {
        "changed_by": "Remote",
        "friendly_name": "Matter Door",
        "supported_features": 1,
    }
    with pytest.raises(ValueError, match="state"):
        sim.set_state(MATTER, "half-open")
    with pytest.raises(KeyError):
        sim.set_state("lock.nowhere", "locked")


async def test_settle_finishes_moving_locks_at_once(clock: Clock):
    sim = HomeAssistantSimulator(clock=clock, seed=1)  # the demo's 2 s
    token = seed(sim)
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, timeout=5) as http:
        call = asyncio.create_task(
            http.post(
                "/api/services/lock/unlock", json={"entity_id": FRONT}, headers={"Authorization": f"Bearer {token}"}
            )
        )
        await reaches(sim, FRONT, "unlocking")
        started = asyncio.get_running_loop().time()
        await sim.settle()
        assert moves(await call) == [(FRONT, "unlocking"), (FRONT, "unlocked")]
        assert asyncio.get_running_loop().time() - started < 0.5


async def test_a_call_whose_client_gave_up_still_completes(clock: Clock):
    sim = HomeAssistantSimulator(clock=clock, action_delay=0.2)
    token = seed(sim)
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, timeout=0.05) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post(
                "/api/services/lock/unlock", json={"entity_id": FRONT}, headers={"Authorization": f"Bearer {token}"}
            )
    assert sim.states[FRONT].state == "unlocking"
    await sim.settle()
    assert sim.states[FRONT].state == "unlocked"  # Home Assistant shields the call from the dropped connection
    sim.close()


async def test_close_releases_waiting_callers(clock: Clock):
    sim = HomeAssistantSimulator(clock=clock)
    token = seed(sim)
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, timeout=5) as http:
        call = asyncio.create_task(
            http.post(
                "/api/services/lock/unlock", json={"entity_id": FRONT}, headers={"Authorization": f"Bearer {token}"}
            )
        )
        await reaches(sim, FRONT, "unlocking")
        sim.close()
        assert moves(await call) == [(FRONT, "unlocking")]
