"""The framework ceiling: a bare Litestar app answering the same JSON as the gateway, without auth or database.

Started by bench/gateway_reads.py with BARE_DEVICE_JSON and BARE_PAGE_JSON pointing at captured gateway answers.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
from litestar import Litestar, get
from litestar.params import FromPath

from schemas import Device, Page

_DEVICE = msgspec.json.decode(Path(os.environ["BARE_DEVICE_JSON"]).read_bytes(), type=Device)
_PAGE = msgspec.json.decode(Path(os.environ["BARE_PAGE_JSON"]).read_bytes(), type=Page[Device])


@get("/v1/devices/{device_id:str}")
async def get_device(device_id: FromPath[str]) -> Device:
    return _DEVICE


@get("/v1/devices")
async def list_devices() -> Page[Device]:
    return _PAGE


app = Litestar([get_device, list_devices])
