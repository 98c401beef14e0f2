"""The sandbox's igloohome cloud: a simulated cloud seeded with one API client whose account has a lock with a
bridge, a lock without one and a padlock (`aggregator serve --sandbox` connects it with the client credentials).
"""

from __future__ import annotations

import secrets

from providers.base import SandboxCloud
from providers.igloohome.simulator import IgloohomeSimulator

CLIENT_ID = "gateway-sandbox-igloohome"
JOB_DELAY_SECONDS = 1.5
"""How long the simulated bridge takes to carry out a job, so that an attempt is seen `pending` first."""
TOKEN_PATH = "/oauth2/token"


def sandbox_cloud(*, redirect_uri: str = "", base_url: str = "") -> SandboxCloud:
    """Stable device ids (seeded); a new client secret at every start (the sandbox reconnects with it)."""
    sim = IgloohomeSimulator(sandbox=True, job_delay=JOB_DELAY_SECONDS, seed=2026)
    client_secret = secrets.token_urlsafe(24)
    sim.add_client(CLIENT_ID, client_secret)
    guest_house = sim.add_lock("Guest house")
    sim.add_bridge("Home Bridge", [guest_house])
    sim.add_keypad("Guest house keypad", guest_house)
    sim.add_lock("Studio", battery=55)
    sim.add_lock("Gate padlock", padlock=True, battery=15)
    return SandboxCloud(
        app=sim.app,
        client_id=None,
        client_secret=None,
        logins=(f"API client {CLIENT_ID} (client credentials, connected at start-up)",),
        close=sim.aclose,
        credentials={"client_id": CLIENT_ID, "client_secret": client_secret},
        auth_path=TOKEN_PATH,
    )
