"""What one reconcile run writes besides codes: events about the codes of its lock and audit entries by the system."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregator.audit import repository as audit
from aggregator.auth.principal import SYSTEM
from aggregator.db import Database
from aggregator.events.repository import NewEvent, insert_event
from schemas import EventSource, EventType


@dataclass(frozen=True, slots=True)
class Journal:
    db: Database
    workspace_id: uuid.UUID
    device_id: uuid.UUID
    connected_account_id: uuid.UUID
    now: datetime

    async def event(self, kind: EventType, access_code_id: uuid.UUID, **data: Any) -> None:
        event = NewEvent(
            type=kind,
            occurred_at=self.now,
            source=EventSource.GATEWAY,
            device_id=self.device_id,
            connected_account_id=self.connected_account_id,
            access_code_id=access_code_id,
            data=data,
        )
        await insert_event(self.db, self.workspace_id, event, received_at=self.now)

    async def audit(self, action: str, access_code_id: uuid.UUID, *, before: Any = None, after: Any = None) -> None:
        await audit.record(
            self.db,
            workspace_id=self.workspace_id,
            actor=SYSTEM,
            action=action,
            resource_type="access_code",
            resource_id=access_code_id,
            before=before,
            after=after,
            at=self.now,
        )
