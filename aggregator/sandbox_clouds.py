"""Sandbox mode's simulated vendor clouds: served under `/sandbox/<slug>` (for browsers: OAuth consent pages) and
reached in-process by the adapters (the shared HTTP client routes the gateway's own address to them).
"""

from __future__ import annotations

from typing import Any

import httpx

from aggregator.settings import Settings
from providers.base import SandboxCloud
from providers.registry import ProviderRegistry
from providers.simkit import SimulatorWebSocketTransport

PREFIX = "/sandbox"


class SandboxClouds:
    """Every provider's simulated cloud, keyed by slug."""

    def __init__(self, clouds: dict[str, SandboxCloud]) -> None:
        self.clouds = clouds

    @classmethod
    def build(cls, registry: ProviderRegistry, settings: Settings) -> SandboxClouds:
        clouds = {}
        for provider in registry:
            slug = provider.manifest.slug
            base_url = f"{settings.public_base_url}{PREFIX}/{slug}"
            cloud = provider.sandbox_cloud(redirect_uri=settings.oauth_callback_url, base_url=base_url)
            if cloud is not None:
                clouds[slug] = cloud
        return cls(clouds)

    def base_url(self, settings: Settings, slug: str) -> str:
        return f"{settings.public_base_url}{PREFIX}/{slug}"

    async def app(self, scope: Any, receive: Any, send: Any) -> None:
        """An ASGI app for paths `/<slug>/...` (or `/sandbox/<slug>/...`): each to its cloud, prefix removed."""
        path: str = scope["path"]
        if path.startswith(PREFIX + "/"):
            path = path[len(PREFIX) :]
        slug, _, rest = path.lstrip("/").partition("/")
        cloud = self.clouds.get(slug)
        if cloud is None:
            await _not_found(send)
            return
        await cloud.app({**scope, "path": "/" + rest, "raw_path": ("/" + rest).encode()}, receive, send)

    def transport(self) -> httpx.AsyncBaseTransport:
        """For the shared HTTP client: requests (and WebSockets) to the gateway's own address reach the clouds
        in-process.
        """
        return SimulatorWebSocketTransport(app=self.app, vendor="sandbox cloud")

    def logins(self) -> list[str]:
        return [f"{slug}: {login}" for slug, cloud in self.clouds.items() for login in cloud.logins]

    async def close(self) -> None:
        for cloud in self.clouds.values():
            await cloud.close()


async def _not_found(send: Any) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"no such sandbox cloud"})
