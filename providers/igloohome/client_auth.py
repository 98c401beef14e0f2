"""igloohome's OAuth 2 client-credentials grant (built with authlib, sent through the injected httpx client) and
the account's token cache.

igloohome issues no refresh token: a new access token is requested with the client id and secret when the cached
one has expired (by its `expires_in`, never assumed) or is refused once. The token is kept in the credential store
beside the client credentials, so every adapter and process of the account reuses it instead of fetching a token
per request (igloohome-api 0.1.x does that, through a bug in its validity check).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
from authlib.oauth2.rfc6749 import OAuth2Token
from authlib.oauth2.rfc6749.parameters import prepare_token_request

from providers.base import CredentialStore, ProviderConfig, unpaced
from providers.errors import ProviderAuthError, ProviderUnavailable
from providers.http import raise_for_common_status, vendor_message
from providers.igloohome.models import Token

VENDOR = "igloohome"
DEFAULT_AUTH_URL = "https://auth.igloohome.co/oauth2/token"
SCOPES = tuple(
    f"igloohomeapi/{name}"
    for name in (
        "get-devices",
        "algopin-hourly",
        "algopin-daily",
        "algopin-onetime",
        "algopin-permanent",
        "lock-bridge-proxied-job",
        "unlock-bridge-proxied-job",
        "create-pin-bridge-proxied-job",
        "delete-pin-bridge-proxied-job",
        "get-activity-logs-bridge-proxied-job",
        "get-job-status",
        "get-device-activity",
    )
)
"""What the client calls. A client refused any of them gets no token at all (Cognito), so `config.extra["scope"]`
may replace the list; an empty value sends none, which grants every scope the client owns."""
TOKEN_FIELDS = ("access_token", "token_type", "expires_at")
EXPIRY_LEEWAY = 60


def token_url(config: ProviderConfig) -> str:
    return config.auth_url or DEFAULT_AUTH_URL


async def request_token(
    http: httpx.AsyncClient,
    config: ProviderConfig,
    client_id: str,
    client_secret: str,
    pace: Callable[[], Awaitable[None]] = unpaced,
) -> dict[str, Any]:
    """A new access token (with its `expires_at`); wrong credentials or scopes are `ProviderAuthError`."""
    scope = config.extra.get("scope", " ".join(SCOPES))
    body = prepare_token_request("client_credentials", scope=scope) if scope else "grant_type=client_credentials"
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }
    await pace()
    response = await http.post(token_url(config), content=body, headers=headers)
    if response.status_code in (400, 401, 403):
        raise ProviderAuthError(
            f"{VENDOR} refused the client credentials or the scopes asked for "
            f"(HTTP {response.status_code}): {vendor_message(response)}"
        )
    raise_for_common_status(response, VENDOR)
    if not response.is_success:
        raise ProviderUnavailable(f"{VENDOR}'s token endpoint answered HTTP {response.status_code}.")
    token = msgspec.json.decode(response.content, type=Token)
    issued = OAuth2Token.from_dict(msgspec.structs.asdict(token))
    return {name: issued[name] for name in TOKEN_FIELDS if issued.get(name) is not None}


def client_credentials(stored: dict[str, Any]) -> tuple[str, str]:
    client_id, client_secret = stored.get("client_id"), stored.get("client_secret")
    if not client_id or not client_secret:
        raise ProviderAuthError(f"The {VENDOR} account has no client id and secret.")
    return str(client_id), str(client_secret)


def _usable(token: dict[str, Any] | None) -> bool:
    if not token or not token.get("access_token"):
        return False
    return not OAuth2Token.from_dict(dict(token)).is_expired(leeway=EXPIRY_LEEWAY)


class TokenCache:
    """The account's current access token: the stored one while it lasts, else a new one (saved at once)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: ProviderConfig,
        credentials: CredentialStore,
        pace: Callable[[], Awaitable[None]] = unpaced,
    ) -> None:
        self.http = http
        self.config = config
        self.credentials = credentials
        self.pace = pace
        self._current: dict[str, Any] | None = None
        self._fetching = asyncio.Lock()

    async def token(self) -> str:
        if not _usable(self._current):
            async with self._fetching:
                if not _usable(self._current):
                    stored = await self.credentials.load()
                    self._current = stored if _usable(stored) else await self._fetch(stored)
        assert self._current is not None
        return str(self._current["access_token"])

    async def refetch(self, refused: str) -> str:
        """A new token after igloohome refused `refused` (one taken meanwhile by another request is reused)."""
        async with self._fetching:
            current = self._current
            if not (current and current.get("access_token") != refused and _usable(current)):
                self._current = await self._fetch(await self.credentials.load())
        return await self.token()

    async def _fetch(self, stored: dict[str, Any]) -> dict[str, Any]:
        client_id, client_secret = client_credentials(stored)
        token = await request_token(self.http, self.config, client_id, client_secret, self.pace)
        kept = {name: value for name, value in stored.items() if name not in TOKEN_FIELDS} | token
        await self.credentials.save(kept)
        return kept
