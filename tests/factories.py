"""Test data: tenants with keys, and rows (accounts, devices, events, attempts) that no provider fills yet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aggregator.api_keys.service import create_key
from aggregator.auth.principal import CLI
from aggregator.clock import utcnow
from aggregator.db import Database
from aggregator.db.rows import to_json
from aggregator.db.tables import ActionAttempts, ConnectedAccounts, Events
from aggregator.devices.repository import save_device
from aggregator.ids import new_id
from aggregator.workspaces.service import create_workspace
from schemas import (
    BatteryStatus,
    CodeConstraints,
    Device,
    DeviceCapabilities,
    DeviceProperties,
    Scope,
    Workspace,
)


@dataclass(frozen=True)
class Tenant:
    db: Database
    workspace: Workspace
    admin_secret: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.admin_secret)

    async def key(self, *scopes: Scope, name: str = "test") -> str:
        created = await create_key(
            self.db, workspace_id=self.workspace.id, name=name, scopes=list(scopes), actor=CLI, at=utcnow()
        )
        return created.secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def make_tenant(db: Database, name: str) -> Tenant:
    workspace = await create_workspace(db, name)
    key = await create_key(db, workspace_id=workspace.id, name="admin", scopes=[Scope.ADMIN], actor=CLI, at=utcnow())
    return Tenant(db, workspace, key.secret)


async def insert_account(tenant: Tenant, *, provider: str = "nuki", status: str = "active") -> uuid.UUID:
    account_id = new_id()
    now = utcnow()
    await ConnectedAccounts.insert(
        ConnectedAccounts(
            id=account_id,
            workspace_id=tenant.workspace.id,
            provider=provider,
            status=status,
            display_name=f"{provider} account",
            created_at=now,
            updated_at=now,
        )
    ).run()
    return account_id


async def insert_devices(
    tenant: Tenant,
    account_id: uuid.UUID,
    count: int,
    *,
    provider: str = "nuki",
    capabilities: DeviceCapabilities | None = None,
) -> list[uuid.UUID]:
    now = utcnow()
    ids = []
    for index in range(count):
        device = Device(
            id=new_id(),
            connected_account_id=account_id,
            provider=provider,
            provider_device_id=f"{provider}-{index}",
            name=f"Door {index}",
            model="Smart Lock 4",
            timezone="Europe/Berlin",
            properties=DeviceProperties(online=True, locked=True, battery_level=0.8, battery_status=BatteryStatus.GOOD),
            capabilities=capabilities or DeviceCapabilities(can_remotely_lock=True, can_remotely_unlock=True),
            code_constraints=CodeConstraints(supported_code_lengths=[6], max_active_codes=200, rules=["no_zeros"]),
            errors=[],
            warnings=[],
            created_at=now,
            updated_at=now,
        )
        await save_device(tenant.db, device, workspace_id=tenant.workspace.id)
        ids.append(device.id)
    return ids


async def insert_event(tenant: Tenant, device_id: uuid.UUID | None, **overrides: Any) -> uuid.UUID:
    now = utcnow()
    values: dict[str, Any] = {
        "id": new_id(),
        "workspace_id": tenant.workspace.id,
        "type": "lock.unlocked",
        "occurred_at": now - timedelta(minutes=5),
        "received_at": now,
        "device_id": device_id,
        "method": "keycode",
        "source": "device",
        "was_confirmed_by_device": True,
        "data": to_json({"code_name": "guest"}),
        **overrides,
    }
    await Events.insert(Events(**values)).run()
    event_id: uuid.UUID = values["id"]
    return event_id


async def insert_attempt(tenant: Tenant, device_id: uuid.UUID, *, at: datetime | None = None) -> uuid.UUID:
    now = at or utcnow()
    attempt_id = new_id()
    await ActionAttempts.insert(
        ActionAttempts(
            id=attempt_id,
            workspace_id=tenant.workspace.id,
            device_id=device_id,
            action_type="UNLOCK_DOOR",
            status="pending",
            created_at=now,
            updated_at=now,
        )
    ).run()
    return attempt_id
