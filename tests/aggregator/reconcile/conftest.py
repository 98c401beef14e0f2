"""Fixtures of the reconcile tests that drive the sandbox through the API (`world.py`): the sandbox world, a
reconcile worker that can be held back, and quick follow-up looks.
"""

from __future__ import annotations

import pytest

from tests.aggregator.reconcile.world import Worker, World, open_world, quick_follow_ups
from tests.sandbox import NukiSandbox


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look again at a change the vendor has not carried to the lock yet after 50 ms (2 s in production)."""
    quick_follow_ups(monkeypatch)


@pytest.fixture
async def world(nuki: NukiSandbox) -> World:
    return await open_world(nuki)


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Worker:
    held = Worker()
    held.install(monkeypatch)
    return held
