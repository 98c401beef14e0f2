"""What discovery learns about lock entities besides their states: the instance's time zone, whether it has the
Matter lock actions, the entity and device registries (over the WebSocket: model and manufacturer), and each Matter
lock's user management. What cannot be learned (socket down, no Matter actions) is left out, never guessed.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import httpx
import msgspec

from providers.errors import ProviderAuthError, ProviderRejected
from providers.home_assistant import ws
from providers.home_assistant.client import HomeAssistantClient
from providers.home_assistant.mapping import Facts
from providers.home_assistant.models import MATTER_SERVICES, DeviceEntry, Entry, LockInfo

T = TypeVar("T")


async def gather_facts(api: HomeAssistantClient, http: httpx.AsyncClient, entity_ids: list[str]) -> dict[str, Facts]:
    config = await _optional(api.config())  # admin tokens only
    services = await api.services()
    matter = any(domain.domain == "matter" and set(domain.services) >= MATTER_SERVICES for domain in services)
    entries, devices = await registries(api, http)
    facts = {}
    for entity_id in entity_ids:
        entry = entries.get(entity_id)
        device = devices.get(entry.device_id) if entry is not None and entry.device_id else None
        pins = await _lock_info(api, entity_id) if matter and entry is not None and entry.platform == "matter" else None
        facts[entity_id] = Facts(entry, device, pins, config.time_zone if config else None)
    return facts


async def registries(
    api: HomeAssistantClient, http: httpx.AsyncClient
) -> tuple[dict[str, Entry], dict[str, DeviceEntry]]:
    """Entity entries by entity id and devices by id; empty where the instance serves no WebSocket."""
    base_url, token = await api.login()
    try:
        async with ws.connected(http, base_url, token) as socket:
            entries = msgspec.convert(await socket.command("config/entity_registry/list"), list[Entry])
            devices = msgspec.convert(await socket.command("config/device_registry/list"), list[DeviceEntry])
    except ws.NoSocket:
        return {}, {}
    return {entry.entity_id: entry for entry in entries}, {device.id: device for device in devices}


async def _lock_info(api: HomeAssistantClient, entity_id: str) -> LockInfo | None:
    try:
        answer = await api.call_for_response("matter", "get_lock_info", {"entity_id": entity_id})
    except ProviderRejected:  # this lock has no user management
        return None
    return msgspec.convert(answer[entity_id], LockInfo) if entity_id in answer else None


async def _optional(call: Awaitable[T]) -> T | None:
    try:
        return await call
    except ProviderAuthError:  # a token of a non-admin user reads states but not the config
        return None
