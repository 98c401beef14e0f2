"""How the gateway reaches providers: the registry, each provider's settings, and adapters bound to accounts.

The gateway never imports a provider package: everything goes through `providers.registry`. In sandbox mode
each provider's base URL points at its simulated cloud, which the gateway serves under `/sandbox/<slug>`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx

from aggregator.crypto import CredentialBox
from aggregator.db import Database
from aggregator.ratelimit.buckets import Limit, RateLimiter
from aggregator.sandbox_clouds import SandboxClouds
from aggregator.settings import Settings
from providers.base import Provider, ProviderConfig, ProviderContext, unpaced
from providers.manifest import ProviderManifest
from providers.registry import ProviderRegistry


def provider_config(settings: Settings, slug: str, sandbox: SandboxClouds | None = None) -> ProviderConfig:
    """A provider's deployment settings: `AGGREGATOR_<SLUG>_*`, or its simulated cloud in sandbox mode."""
    if sandbox is not None and slug in sandbox.clouds:
        cloud, base_url = sandbox.clouds[slug], sandbox.base_url(settings, slug)
        auth_url = f"{base_url}{cloud.auth_path}" if cloud.auth_path else None
        return ProviderConfig(base_url, cloud.client_id, cloud.client_secret, auth_url=auth_url)
    return ProviderConfig(
        base_url=str(getattr(settings, f"{slug}_api_url", "")).rstrip("/"),
        client_id=getattr(settings, f"{slug}_client_id", None),
        client_secret=getattr(settings, f"{slug}_client_secret", None),
        auth_url=getattr(settings, f"{slug}_auth_url", None),
    )


class StoredCredentials:
    """An account's credentials in the database, sealed; `save` writes at once (rotating refresh tokens)."""

    def __init__(self, db: Database, box: CredentialBox, account_id: uuid.UUID) -> None:
        self.db = db
        self.box = box
        self.account_id = account_id

    async def load(self) -> dict[str, Any]:
        row = await self.db.fetch_one(
            "SELECT credentials_ciphertext FROM connected_accounts WHERE id = ?", self.account_id
        )
        if row is None or row[0] is None:
            return {}
        return self.box.open(self.account_id, row[0])

    async def save(self, credentials: dict[str, Any]) -> None:
        sealed = self.box.seal(self.account_id, credentials)
        await self.db.execute(
            "UPDATE connected_accounts SET credentials_ciphertext = ? WHERE id = ?", sealed, self.account_id
        )


class Vendors:
    """The providers, configured for this deployment, and adapters for connected accounts."""

    def __init__(
        self,
        registry: ProviderRegistry,
        settings: Settings,
        http: httpx.AsyncClient,
        db: Database,
        box: CredentialBox,
        clock: Callable[[], datetime],
        sandbox: SandboxClouds | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.registry = registry
        self.settings = settings
        self.http = http
        self.db = db
        self.box = box
        self.clock = clock
        self.sandbox = sandbox
        self.limiter = limiter

    def provider(self, slug: str) -> type[Provider]:
        return self.registry.get(slug)

    def config(self, slug: str) -> ProviderConfig:
        return provider_config(self.settings, slug, self.sandbox)

    def context(self, slug: str, credentials: Any, pace: Callable[[], Awaitable[None]] = unpaced) -> ProviderContext:
        config = self.config(slug)
        return ProviderContext(http=self.http, config=config, credentials=credentials, clock=self.clock, pace=pace)

    def adapter(self, slug: str, account_id: uuid.UUID) -> Provider:
        """The provider bound to a stored account (its credentials are read when first needed), paced by the
        account's token bucket.
        """
        store = StoredCredentials(self.db, self.box, account_id)
        provider = self.provider(slug)
        return provider(self.context(slug, store, self._pacer(provider.manifest, f"vendor:{slug}:{account_id}")))

    def _pacer(self, manifest: ProviderManifest, key: str) -> Callable[[], Awaitable[None]]:
        limiter = self.limiter
        if limiter is None:
            return unpaced
        rate = self.settings.vendor_requests_per_second or manifest.requests_per_second
        limit = Limit(rate=rate, burst=manifest.request_burst)

        async def pace() -> None:
            while True:  # a bucket refill is a time, not an event: wait for it, then take a token again
                wait = await limiter.acquire(key, limit)
                if wait <= 0:
                    return
                await asyncio.sleep(wait)

        return pace
