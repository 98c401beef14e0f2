"""`/v1/events`: what happened, oldest first, filtered by device, type and time (events:read scope)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from aggregator.auth import needs
from aggregator.events import service
from aggregator.events.repository import EventFilter
from aggregator.http.context import Context
from aggregator.http.openapi import problems
from aggregator.http.pagination import DEFAULT_LIMIT, Cursor, Limit, page_request
from aggregator.http.params import require_offset
from aggregator.ids import parse_id
from schemas import Event, EventType, Page, Scope


class EventController(Controller):
    path = "/v1/events"
    tags = ["Events"]
    opt = needs(Scope.EVENTS_READ)

    @get(operation_id="ListEvents", summary="List events", responses=problems(422))
    async def list_events(
        self,
        ctx: Context,
        device_id: Annotated[UUID | None, QueryParameter(description="Only this device's events.")] = None,
        type: Annotated[EventType | None, QueryParameter(description="Only events of this type.")] = None,
        since: Annotated[datetime | None, QueryParameter(description="Occurred at or after (with offset).")] = None,
        until: Annotated[datetime | None, QueryParameter(description="Occurred before (with offset).")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page[Event]:
        page = page_request(limit, cursor)
        require_offset(since=since, until=until)
        query = EventFilter(device_id=device_id, type=type, since=since, until=until)
        return await service.list_events(ctx.db, ctx.workspace_id, page, query)

    @get("/{event_id:str}", operation_id="GetEvent", summary="Get an event", responses=problems(404))
    async def get_event(self, event_id: FromPath[str], ctx: Context) -> Event:
        return await service.get_event(ctx.db, ctx.workspace_id, parse_id(event_id))
