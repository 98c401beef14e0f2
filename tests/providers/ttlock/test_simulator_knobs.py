"""The TTLock simulator's fault knobs as raw httpx sees them (rate limits as errcode 30006 with HTTP 200, HTTP
failures, time-outs, latency, a failure rate), and the shared pieces in providers/simkit.py they are built on.
"""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from providers.simkit import Fault, FaultQueue, SimulatorTransport
from providers.ttlock.simulator import TTLockSimulator

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`sim`, `world`, ...)
from tests.providers.ttlock.test_simulator_support import (
    BASE,
    PASSWORD,
    USERNAME,
    World,
    clock_fixture,  # noqa: F401
    errcode,
    md5,
    sim_fixture,  # noqa: F401
    world_fixture,  # noqa: F401
)


async def test_rate_limit_answers_errcode_30006_with_http_200_and_no_retry_after(world: World, sim: TTLockSimulator):
    sim.knobs.rate_limit(retry_after=7, count=2)
    first = await world.raw("/v3/lock/list")
    assert first.status_code == 200 and "retry-after" not in first.headers
    assert first.json() == {
        "errcode": 30006,
        "errmsg": "exceeds the restrictions of API call number",
        "description": "exceeds the restrictions of API call number",
    }
    assert errcode(await world.grant(username=USERNAME, password=md5(PASSWORD))) == 30006  # the token endpoint too
    assert (await world.call("/v3/lock/list"))["total"] == 3


async def test_fail_next_fails_exactly_count_requests_with_that_status(world: World, sim: TTLockSimulator):
    sim.fail_next(status=502, count=2)
    statuses = [(await world.raw("/v3/lock/list")).status_code for _ in range(3)]
    assert statuses == [502, 502, 200]
    sim.fail_next()
    failed = await world.raw("/v3/lock/list")
    assert failed.status_code == 503 and "errcode" not in failed.text


async def test_time_out_next_makes_the_client_time_out(world: World, sim: TTLockSimulator):
    sim.time_out_next()
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(httpx.ReadTimeout, match="simulated TTLock"):
        await world.http.post("/v3/lock/list", data=world.common(), timeout=0.2)
    assert loop.time() - started < 1  # the client's time-out, not the 30 s hang
    assert (await world.call("/v3/lock/list"))["total"] == 3


async def test_a_hung_request_answers_504_when_nobody_gives_up(world: World, sim: TTLockSimulator):
    sim.hang_seconds = 0.01
    sim.time_out_next()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=BASE) as plain:
        assert (await plain.post("/v3/lock/list", data=world.common())).status_code == 504


async def test_latency_delays_every_answer(world: World, sim: TTLockSimulator):
    sim.latency = 0.05
    loop = asyncio.get_running_loop()
    started = loop.time()
    await world.call("/v3/lock/list")
    assert loop.time() - started >= 0.05


async def test_failure_rate_fails_that_fraction_of_requests(world: World, sim: TTLockSimulator):
    sim.failure_rate = 0.3
    statuses = [(await world.raw("/v3/lock/list")).status_code for _ in range(100)]
    assert set(statuses) == {200, 503}
    assert 15 <= statuses.count(503) <= 45
    sim.failure_rate = 0.0
    assert (await world.raw("/v3/lock/list")).status_code == 200


def test_the_same_seed_fails_the_same_requests():
    def pattern(seed: int) -> list[bool]:
        queue = FaultQueue(random.Random(seed))
        return [queue.next(0.5) is None for _ in range(30)]

    assert pattern(3) == pattern(3) and pattern(3) != pattern(4)


def test_the_fault_queue_serves_queued_faults_in_order_before_the_failure_rate():
    queue = FaultQueue(random.Random(1))
    queue.rate_limit(retry_after=5)
    queue.fail_next(status=500, count=2)
    queue.time_out_next()
    served = [queue.next(1.0) for _ in range(5)]
    assert served == [Fault(429, 5), Fault(500), Fault(500), Fault(0), Fault(503)]
    assert served[0].rate_limited and served[3].hangs and not served[1].rate_limited
    assert queue.next(0.0) is None
    queue.fail_next(count=3)
    queue.clear()
    assert queue.next() is None


async def test_the_transport_names_the_vendor_when_the_client_gives_up():
    async def slow_app(scope: object, receive: object, send: object) -> None:
        await asyncio.sleep(1)

    async with httpx.AsyncClient(transport=SimulatorTransport(slow_app, vendor="Acme"), timeout=0.05) as http:
        with pytest.raises(httpx.ReadTimeout, match="The simulated Acme did not answer in time"):
            await http.get("http://acme.test/")


async def test_the_sandbox_app_routes_are_not_behind_the_fault_gate(sim: TTLockSimulator):
    sandbox = TTLockSimulator(sandbox=True, seed=1)
    sandbox.fail_next(count=5)
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=BASE) as http:
        assert (await http.get("/app/locks")).status_code == 200
        assert (await http.post("/oauth2/token", data={})).status_code == 503
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE) as http:
        assert (await http.get("/app/locks")).status_code == 404  # not in sandbox mode
