"""The simulated Home Assistant's fault knobs on REST and on the WebSocket upgrade: rate limits (as a reverse proxy
would answer), failures, time-outs the client notices, latency, a failure rate, and revoked tokens.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from httpx_ws import WebSocketUpgradeError, aconnect_ws

from providers.home_assistant.simulator import HomeAssistantSimulator
from tests.providers.home_assistant.simulator_support import (
    BASE_URL,
    FRONT,
    WS_URL,
    clock_fixture,  # noqa: F401
    connected,
    http_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
    token_fixture,  # noqa: F401
)


async def test_rate_limit_answers_429_with_retry_after_then_recovers(
    http: httpx.AsyncClient, sim: HomeAssistantSimulator
):
    sim.rate_limit(retry_after=7, count=2)
    for _ in range(2):
        limited = await http.get("/api/states")
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "7")
    assert (await http.get("/api/states")).status_code == 200


async def test_fail_next_fails_exactly_count_requests(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    sim.fail_next(status=502, count=2)
    assert [(await http.get("/api/")).status_code for _ in range(3)] == [502, 502, 200]


async def test_time_out_next_makes_the_client_time_out(sim: HomeAssistantSimulator, token: str):
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, headers=headers, timeout=0.2) as quick:
        sim.time_out_next()
        started = asyncio.get_running_loop().time()
        with pytest.raises(httpx.ReadTimeout, match="in time"):
            await quick.get("/api/states")
        assert asyncio.get_running_loop().time() - started < 1  # the client's time-out, not the 30 s hang
        assert (await quick.get("/api/states")).status_code == 200


async def test_a_hung_request_answers_504_when_nobody_gives_up(sim: HomeAssistantSimulator, token: str):
    sim.hang_seconds = 0.01
    sim.time_out_next()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=BASE_URL) as plain:
        assert (await plain.get("/api/", headers={"Authorization": f"Bearer {token}"})).status_code == 504


async def test_latency_delays_every_answer(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    sim.latency = 0.05
    started = asyncio.get_running_loop().time()
    await http.get("/api/")
    assert asyncio.get_running_loop().time() - started >= 0.05


async def test_failure_rate_fails_that_fraction_of_requests(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    sim.failure_rate = 0.3
    statuses = [(await http.get("/api/")).status_code for _ in range(100)]
    assert set(statuses) == {200, 503}
    assert 15 <= statuses.count(503) <= 45


async def test_revoked_credentials_are_refused_everywhere(
    http: httpx.AsyncClient, sim: HomeAssistantSimulator, token: str
):
    sim.knobs.revoke_credentials()
    assert (await http.get("/api/")).status_code == 401
    post = await http.post("/api/services/lock/unlock", json={"entity_id": FRONT})
    assert (post.status_code, sim.states[FRONT].state) == (401, "locked")
    fresh = sim.add_token()  # a new long-lived token works again
    assert (await http.get("/api/", headers={"Authorization": f"Bearer {fresh}"})).status_code == 200


async def test_the_websocket_upgrade_suffers_the_knobs_too(
    http: httpx.AsyncClient, sim: HomeAssistantSimulator, token: str
):
    sim.rate_limit(retry_after=3)
    with pytest.raises(WebSocketUpgradeError) as refused:
        async with aconnect_ws(WS_URL, http):
            pass
    assert (refused.value.response.status_code, refused.value.response.headers["retry-after"]) == (429, "3")
    sim.fail_next(status=503)
    with pytest.raises(WebSocketUpgradeError) as failed:
        async with aconnect_ws(WS_URL, http):
            pass
    assert failed.value.response.status_code == 503
    async with connected(http, token) as ws:  # then it works
        await ws.send_json({"id": 1, "type": "ping"})
        assert await ws.receive_json() == {"id": 1, "type": "pong"}


async def test_a_websocket_upgrade_that_hangs_times_out(sim: HomeAssistantSimulator, token: str):
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, timeout=0.2) as quick:
        sim.time_out_next()
        started = asyncio.get_running_loop().time()
        with pytest.raises(httpx.ReadTimeout):
            async with aconnect_ws(WS_URL, quick):
                pass
        assert asyncio.get_running_loop().time() - started < 1
        async with connected(quick, token):
            pass


async def test_the_sandbox_app_is_not_behind_the_knobs(sim: HomeAssistantSimulator):
    sandbox = HomeAssistantSimulator(sandbox=True)
    sandbox.add_lock(FRONT, name="Front Door")
    sandbox.fail_next(count=5)
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=BASE_URL) as http:
        assert (await http.get("/app/locks")).status_code == 200
        assert (await http.get("/api/")).status_code == 503
