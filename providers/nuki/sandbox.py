"""The sandbox's Nuki Web: a simulated cloud seeded with one account and four locks (`aggregator serve --sandbox`)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

from providers.base import SandboxCloud
from providers.nuki.simulator import NukiSimulator

CLIENT_ID = "gateway-sandbox"
EMAIL, PASSWORD = "host@example.com", "sandbox"
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
"""The sandbox locks' own time zones (Nuki reports only its `timezoneId`, which the gateway does not translate)."""
ACTION_DELAY_SECONDS = 1.0
"""How long a simulated lock takes per movement step, so that an attempt is seen `pending` before it succeeds."""


def sandbox_cloud(*, redirect_uri: str) -> SandboxCloud:
    """Locks for each case worth trying: keypad, no keypad, offline, critical battery (stable ids: seeded). Each
    lock judges its keypad codes in its own time zone: Europe/Berlin, and the back door in America/New_York.
    """
    sim = NukiSimulator(sandbox=True, action_delay=ACTION_DELAY_SECONDS, seed=2026)
    client_secret = secrets.token_urlsafe(24)
    sim.add_client(CLIENT_ID, client_secret, [redirect_uri])
    account = sim.add_account(EMAIL, PASSWORD, name="Sandbox Host")
    sim.add_smartlock(account, name="Front door", keypad=True, timezone=BERLIN)
    sim.add_smartlock(account, name="Cellar", keypad=False, timezone=BERLIN)
    sim.add_smartlock(account, name="Garden gate", keypad=True, online=False, timezone=BERLIN)
    sim.add_smartlock(
        account, name="Back door", keypad=True, battery_charge=4, battery_critical=True, timezone=NEW_YORK
    )
    return SandboxCloud(
        app=sim.app,
        client_id=CLIENT_ID,
        client_secret=client_secret,
        logins=(f"{EMAIL} / {PASSWORD} (or one-click approve)",),
        close=sim.aclose,
        approve=_approver(sim),
    )


def _approver(sim: NukiSimulator) -> Callable[[str], Awaitable[str]]:
    async def approve(authorization_url: str) -> str:
        """The sandbox account clicks "approve" on the consent page; the redirect back to the gateway is returned."""
        query = urlsplit(authorization_url).query
        async with httpx.AsyncClient(transport=sim.transport(), base_url="http://nuki.sandbox") as http:
            answer = await http.post(f"/oauth/authorize?{query}", data={"sandbox_approve": "1"})
        if answer.status_code != 302:
            raise RuntimeError(f"the simulated Nuki consent page answered {answer.status_code}: {answer.text[:200]}")
        return answer.headers["location"]

    return approve
