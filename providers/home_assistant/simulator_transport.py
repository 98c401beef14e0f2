"""The httpx transport onto the simulated Home Assistant: simkit's, which serves plain HTTP (the client's read
time-out honoured) and WebSocket upgrades (`httpx-ws`) from the same ASGI app, in process.
"""

from __future__ import annotations

from typing import Any

from providers.simkit import SimulatorWebSocketTransport


class HomeAssistantTransport(SimulatorWebSocketTransport):
    def __init__(self, app: Any) -> None:
        super().__init__(app, vendor="Home Assistant")
