"""Benchmark data, written through the gateway's own services: a workspace, an admin key and many devices."""

from __future__ import annotations

import time

from aggregator.api_keys.service import create_key
from aggregator.auth.principal import SYSTEM
from aggregator.clock import utcnow
from aggregator.db import Database
from aggregator.db.migrate import migrate
from aggregator.db.tables import ConnectedAccounts
from aggregator.devices.repository import save_device
from aggregator.ids import new_id
from aggregator.workspaces.service import create_workspace
from schemas import BatteryStatus, CodeConstraints, Device, DeviceCapabilities, DeviceProperties, Scope

DEVICES = 1000


async def seed(database_url: str, devices: int = DEVICES) -> tuple[str, list[str]]:
    """Migrate, then create a workspace with an admin key and `devices` devices; returns the key and the ids."""
    db = Database(database_url)
    await db.open()
    try:
        await migrate(db)
        workspace = await create_workspace(db, f"bench-{time.time_ns()}")
        key = await create_key(
            db, workspace_id=workspace.id, name="bench", scopes=[Scope.ADMIN], actor=SYSTEM, at=utcnow()
        )
        account_id = new_id()
        now = utcnow()
        await ConnectedAccounts.insert(
            ConnectedAccounts(
                id=account_id,
                workspace_id=workspace.id,
                provider="nuki",
                status="active",
                created_at=now,
                updated_at=now,
            )
        ).run()
        ids = []
        for index in range(devices):
            device = _device(account_id, index)
            await save_device(db, device, workspace_id=workspace.id)
            ids.append(str(device.id))
        return key.secret, ids
    finally:
        await db.close()


def _device(account_id: object, index: int) -> Device:
    now = utcnow()
    return Device(
        id=new_id(),
        connected_account_id=account_id,  # type: ignore[arg-type]
        provider="nuki",
        provider_device_id=f"nuki-{index}",
        name=f"Door {index}",
        model="Smart Lock 4",
        timezone="Europe/Berlin",
        properties=DeviceProperties(online=True, locked=True, battery_level=0.8, battery_status=BatteryStatus.GOOD),
        capabilities=DeviceCapabilities(can_remotely_lock=True, can_remotely_unlock=True),
        code_constraints=CodeConstraints(supported_code_lengths=[6], max_active_codes=200, rules=["no_zeros"]),
        created_at=now,
        updated_at=now,
    )
