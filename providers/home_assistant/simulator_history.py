"""`GET /api/history/period[/<start>]` of the simulated Home Assistant (its recorder keeps every state written): one
list per requested entity in the order asked, oldest first, beginning with the state at the start time (stamped with
the start time, as the recorder does); entities without states are left out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Response, get
from litestar.params import FromPath

from providers.home_assistant.simulator_rest import Req, message, payload, sim_of, user_of
from providers.home_assistant.simulator_state import ENTITY_ID, State, iso


def _parse(value: str, time_zone: str) -> datetime | None:
    """`dt_util.parse_datetime` then `as_utc`: a time without an offset is read in Home Assistant's time zone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(time_zone))
    return parsed.astimezone(UTC)


UNRECORDED = frozenset({"supported_features"})
"""Attributes the recorder does not keep (seen on a real Home Assistant 2024.3.3's lock history)."""


def _row(
    state: State, start: datetime, *, first: bool, minimal: bool, attributes: bool, context: str
) -> dict[str, Any]:
    """A recorded state, as the real recorder gives it back: without the attributes it does not keep, with one
    context (the same id on every row, no user); the state at the start carries the start time.
    """
    changed = max(state.last_changed, start) if first else state.last_changed
    updated = max(state.last_updated, start) if first else state.last_updated
    if minimal and not first:
        return {"state": state.state, "last_changed": iso(changed)}
    kept = {name: value for name, value in state.attributes.items() if name not in UNRECORDED} if attributes else {}
    return {
        "entity_id": state.entity_id,
        "state": state.state,
        "attributes": kept,
        "last_changed": iso(changed),
        "last_updated": iso(updated),
        "context": {"id": context, "parent_id": None, "user_id": None},
    }


def entity_history(
    history: list[State],
    entity_id: str,
    start: datetime,
    end: datetime,
    *,
    minimal: bool,
    attributes: bool,
    skip_initial: bool = False,
    context: str = "01HRECORDER0000000000000000",
) -> list[dict[str, Any]]:
    mine = [state for state in history if state.entity_id == entity_id and state.last_updated < end]
    before = [] if skip_initial else [state for state in mine if state.last_updated <= start]
    during = [state for state in mine if state.last_updated > start]
    rows = before[-1:] + during
    first = not skip_initial
    return [
        _row(state, start, first=first and index == 0, minimal=minimal, attributes=attributes, context=context)
        for index, state in enumerate(rows)
    ]


def _window(request: Req, timestamp: str | None) -> tuple[datetime, datetime] | Response[Any]:
    sim = sim_of(request)
    now = sim.clock()
    start = _parse(timestamp, sim.time_zone) if timestamp else now - timedelta(days=1)
    if start is None:
        return message("Invalid datetime", 400)
    end_text = request.query_params.get("end_time")
    end = _parse(end_text, sim.time_zone) if end_text else start + timedelta(days=1)
    if end is None:
        return message("Invalid end_time", 400)
    return start, end


async def _history(request: Req, timestamp: str | None) -> Response[Any]:
    user_of(request)
    sim = sim_of(request)
    window = _window(request, timestamp)
    if isinstance(window, Response):
        return window
    start, end = window
    wanted = request.query_params.get("filter_entity_id")
    if not wanted:
        return message("filter_entity_id is missing", 400)
    entity_ids = [part.strip().lower() for part in wanted.split(",")]
    if not all(ENTITY_ID.match(entity_id) for entity_id in entity_ids):
        return message("Invalid filter_entity_id", 400)
    if start > sim.clock():
        return payload([])
    minimal = "minimal_response" in request.query_params
    attributes = "no_attributes" not in request.query_params
    skip = "skip_initial_state" in request.query_params
    found = [
        entity_history(sim.history, e, start, end, minimal=minimal, attributes=attributes, skip_initial=skip)
        for e in entity_ids
    ]
    return payload([rows for rows in found if rows])


@get("/api/history/period")
async def history_last_day(request: Req) -> Response[Any]:
    return await _history(request, None)


@get("/api/history/period/{timestamp:str}")
async def history_since(request: Req, timestamp: FromPath[str]) -> Response[Any]:
    return await _history(request, timestamp)


HISTORY_ROUTES = (history_last_day, history_since)
