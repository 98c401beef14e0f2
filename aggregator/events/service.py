"""Reading events."""

from __future__ import annotations

import uuid

from aggregator.db import Database
from aggregator.events import repository
from aggregator.events.repository import EventFilter
from aggregator.http import errors
from aggregator.http.errors import ApiError, found
from aggregator.http.pagination import PageRequest, build_page
from schemas import Event, Page


async def get_event(db: Database, workspace_id: uuid.UUID, event_id: uuid.UUID | None) -> Event:
    return found(await repository.get_event(db, workspace_id, event_id) if event_id else None, errors.EVENT_NOT_FOUND)


async def list_events(db: Database, workspace_id: uuid.UUID, page: PageRequest, query: EventFilter) -> Page[Event]:
    if query.since and query.until and query.until <= query.since:
        raise ApiError(
            errors.VALIDATION_ERROR,
            "`until` must be later than `since`.",
            field_errors=[{"field": "until", "message": "must be later than `since`"}],
        )
    return build_page(await repository.list_events(db, workspace_id, page, query), page)
