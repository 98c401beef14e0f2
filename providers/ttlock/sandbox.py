"""The sandbox's TTLock cloud: a simulated account with a gateway per room, and a lock for each case worth trying:
keypad on an online gateway, no keypad, keypad on a gateway that is down, low battery, and no gateway at all.
"""

from __future__ import annotations

from providers.base import SandboxCloud
from providers.ttlock.simulator import TTLockSimulator

CLIENT_ID = "gateway-sandbox"
USERNAME, PASSWORD = "host@example.com", "sandbox"
BERLIN_WINTER_MS = 3_600_000
"""The locks keep an offset, not a zone (UTC+1)."""
GATEWAY_DELAY_SECONDS = 1.0
"""How long a command takes through a simulated gateway to the lock and back."""


def sandbox_cloud(*, redirect_uri: str) -> SandboxCloud:
    sim = TTLockSimulator(sandbox=True, gateway_delay=GATEWAY_DELAY_SECONDS, seed=2026)
    client_secret = "sandbox-ttlock-secret"
    sim.add_client(CLIENT_ID, client_secret)
    uid = sim.add_account(USERNAME, PASSWORD)
    hallway = sim.add_gateway(uid, name="Hallway gateway")
    garden = sim.add_gateway(uid, name="Garden gateway", online=False)
    offset = BERLIN_WINTER_MS
    sim.add_lock(uid, alias="Apartment door", gateways=[hallway], timezone_offset_ms=offset)
    sim.add_lock(uid, alias="Storage room", gateways=[hallway], keypad=False, timezone_offset_ms=offset)
    sim.add_lock(uid, alias="Garden shed", gateways=[garden], timezone_offset_ms=offset)
    sim.add_lock(uid, alias="Side door", gateways=[hallway], battery=8, timezone_offset_ms=offset)
    sim.add_lock(uid, alias="Cabin", timezone_offset_ms=offset)
    return SandboxCloud(
        app=sim.app,
        client_id=CLIENT_ID,
        client_secret=client_secret,
        logins=(f"{USERNAME} / {PASSWORD} (POST /v1/connected_accounts)",),
        close=sim.aclose,
        credentials={"username": USERNAME, "password": PASSWORD},
    )
