from __future__ import annotations

import time
import uuid

from aggregator import ids
from aggregator.ids import new_id, parse_id


def test_ids_are_version_7_with_the_current_time():
    before = time.time_ns() // 1_000_000
    value = new_id()
    after = time.time_ns() // 1_000_000
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert before <= value.int >> 80 <= after


def test_ids_made_in_one_process_only_grow():
    made = [new_id() for _ in range(5000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert [str(value) for value in made] == sorted(str(value) for value in made)


def test_the_increment_carries_into_the_timestamp():
    last = (123 << 80) | ids._spread((1 << 74) - 1)
    following = ids._next_after(last)
    assert following >> 80 == 124
    assert uuid.UUID(int=following).version == 7


def test_parse_id():
    value = new_id()
    assert parse_id(str(value)) == value
    assert parse_id("nope") is None
    assert parse_id("") is None
