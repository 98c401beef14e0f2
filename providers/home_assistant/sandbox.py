"""The sandbox's Home Assistant: a simulated instance with a Matter lock that takes PIN codes, a Z-Wave lock, a lock
that jams and one that is unavailable, connected at start-up with a long-lived token.
"""

from __future__ import annotations

from providers.base import SandboxCloud
from providers.home_assistant.simulator import HomeAssistantSimulator

TOKEN = "sandbox-home-assistant-long-lived-token"
ACTION_DELAY_SECONDS = 1.0
"""How long a simulated lock takes to move, so that an attempt is seen `pending` first."""


def sandbox_cloud(*, base_url: str) -> SandboxCloud:
    sim = HomeAssistantSimulator(sandbox=True, action_delay=ACTION_DELAY_SECONDS, seed=2026)
    sim.add_token(TOKEN)
    sim.add_lock("lock.lobby_door", name="Lobby door", matter=True, manufacturer="Nuki", model="Smart Lock Pro")
    sim.add_lock(
        "lock.garage_side_door", name="Garage side door", state="unlocked", manufacturer="Yale", model="YRD256"
    )
    sim.add_lock(
        "lock.poorly_installed_door", name="Poorly installed door", state="unlocked", jams=True, registry=False
    )
    sim.add_lock("lock.basement", name="Basement lock", available=False, manufacturer="Schlage", model="BE469")
    return SandboxCloud(
        app=sim.app,
        client_id=None,
        client_secret=None,
        logins=(f"long-lived token {TOKEN} (connected at start-up)",),
        close=sim.aclose,
        credentials={"base_url": base_url, "access_token": TOKEN},
    )
