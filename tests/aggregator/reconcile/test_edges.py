"""Window edges scheduled by a run, through the REST API on the sandbox: a run started for one edge that asks for
the next one within the same wall-clock second must not lose it (its own job holds that second's job id while it
runs), so two codes ending moments apart both leave the lock at their end, not at the next periodic sweep.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from tests.aggregator.reconcile.world import World
from tests.sandbox import until

pytestmark = pytest.mark.sandbox
FRONT = "Front door"


async def test_two_codes_ending_in_the_same_second_both_leave_the_lock(world: World) -> None:
    api, front = world.api, world.door(FRONT)
    second = datetime.fromtimestamp(math.ceil(datetime.now(UTC).timestamp()) + 3, UTC)
    first_end, second_end = second + timedelta(milliseconds=200), second + timedelta(milliseconds=700)
    first = await api.make(device_id=front, name="First", code="345678", ends_at=first_end)
    other = await api.make(device_id=front, name="Second", code="456789", ends_at=second_end)
    await api.until_code(first["id"], status="set")
    await api.until_code(other["id"], status="set")
    assert world.owner.codes(FRONT) == {"345678": "First", "456789": "Second"}

    await until(
        lambda: world.owner.codes(FRONT) == {}, within=second_end.timestamp() - datetime.now(UTC).timestamp() + 3
    )
    for code in (first, other):
        ended = await api.until_code(code["id"], status="unset")
        assert ended["pending_mutations"] == []
    [removed_first] = await api.events("access_code.removed_from_device", code_id=first["id"])
    [removed_other] = await api.events("access_code.removed_from_device", code_id=other["id"])
    assert datetime.fromisoformat(removed_other["occurred_at"]) >= second_end
    assert datetime.fromisoformat(removed_first["occurred_at"]) >= first_end
