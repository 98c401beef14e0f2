"""`aggregator drift [--workspace NAME]`, run as a person runs it (its own process) against the database of a gateway
whose locks drift: each lock out of sync is named, longest drifting first, with every reason and its message.
"""

from __future__ import annotations

import asyncio
import sys

import pytest

from tests.aggregator.cli.test_main import ROOT
from tests.aggregator.reconcile.world import Worker, World, open_world
from tests.conftest import TEST_SECRET_KEY, DatabaseTarget
from tests.factories import Tenant
from tests.sandbox import NukiSandbox, until

pytestmark = pytest.mark.sandbox


async def aggregator(target: DatabaseTarget, *argv: str) -> tuple[int, str, str]:
    """Run `aggregator ARGV...` in a process of its own, on the test's database; exit code, stdout, stderr."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "AGGREGATOR_SECRET_KEY": TEST_SECRET_KEY,
        "AGGREGATOR_DATABASE_URL": target.url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aggregator.cli.main", *argv, env=env, cwd=ROOT, stdout=-1, stderr=-1
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return await process.wait(), out.decode(), err.decode()


@pytest.fixture
async def world(nuki: NukiSandbox) -> World:
    return await open_world(nuki)


async def make_drift(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The back door refuses a code (its PIN was added in the Nuki app first); then, with the worker held back, a
    code for the front door is not there yet. The back door's message and the front door's code id.
    """
    api = world.api
    await world.owner.add("Back door", "Owner", "456789")
    refused = await api.make(device_id=world.door("Back door"), name="Guest back", code="456789")

    async def failed() -> bool:
        return bool((await api.code(refused["id"]) or {}).get("errors"))

    await until(failed)
    worker = Worker(paused=True)
    worker.install(monkeypatch)
    waiting = await api.make(device_id=world.door("Front door"), name="Guest front", code="345678")
    assert (await api.drift(world.door("Front door"), refresh=True))["in_sync"] is False
    error = (await api.code(refused["id"]) or {})["errors"][0]
    return f"{error['error_code']}: {error['message']}", waiting["id"]


async def test_the_drift_command_names_each_lock_and_reason_oldest_first(
    world: World, database_target: DatabaseTarget, monkeypatch: pytest.MonkeyPatch, other_tenant: Tenant
) -> None:
    vendor_message, _ = await make_drift(world, monkeypatch)
    listed = (await world.api.drifting())["data"]
    back, front = listed

    code, out, err = await aggregator(database_target, "drift", "--workspace", "acme")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "workspace acme: 2 lock(s) out of sync",
        f"  Back door ({back['device_id']}), out of sync since {back['drift_since'].replace('Z', '+00:00')}",
        f"    - failed: {vendor_message}",
        f"  Front door ({front['device_id']}), out of sync since {front['drift_since'].replace('Z', '+00:00')}",
        "    - missing_on_device: 'Guest front' should be on the lock and is not; the gateway adds it.",
    ]
    assert "Nuki refused the request (HTTP 409)" in vendor_message

    code, out, _ = await aggregator(database_target, "drift")
    assert code == 0
    assert "workspace acme: 2 lock(s) out of sync" in out.splitlines()
    assert "workspace globex: 0 lock(s) out of sync" in out.splitlines()


async def test_the_drift_command_refuses_an_unknown_workspace(database_target: DatabaseTarget, tenant: Tenant) -> None:
    code, out, err = await aggregator(database_target, "drift", "--workspace", "nowhere")
    assert (code, out) == (1, "")
    assert (
        err
        == "aggregator: error: no workspace named 'nowhere'; create it with `aggregator workspaces create nowhere`\n"
    )
    code, out, err = await aggregator(database_target, "drift", "--workspace", "acme")
    assert (code, out, err) == (0, "workspace acme: 0 lock(s) out of sync\n", "")
