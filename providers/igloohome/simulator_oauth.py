"""The simulated igloohome token endpoint (Cognito-like, `POST /oauth2/token` on the same app): client
credentials in HTTP Basic (or in the form), JWT-shaped access tokens that expire after `expires_in`, scopes (none
asked: every scope the client owns; one it does not own: the whole request is refused), and the bearer check
every API route makes.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from litestar import Request, Response, post

from providers.igloohome.client_auth import SCOPES
from providers.igloohome.simulator_state import SimError

if TYPE_CHECKING:
    from providers.igloohome.simulator import IgloohomeSimulator

Req = Request[Any, Any, Any]
ALL_SCOPES = frozenset({*SCOPES, "igloohomeapi/get-properties", "igloohomeapi/get-battery-level-bridge-proxied-job"})


@dataclass
class ApiClient:
    client_id: str
    client_secret: str
    account: str
    scopes: frozenset[str]
    revoked: bool = False


@dataclass
class AccessToken:
    client_id: str
    account: str
    scopes: frozenset[str]
    expires_at: datetime
    revoked: bool = False


def oauth_error(status: int, error: str) -> SimError:
    return SimError(status, error, {"error": error})


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


class TokenServer:
    def __init__(self, clock: Callable[[], datetime], lifetime: timedelta) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.clients: dict[str, ApiClient] = {}
        self.tokens: dict[str, AccessToken] = {}

    def token(self, authorization: str | None, form: Mapping[str, str]) -> dict[str, Any]:
        client = self._client(authorization, form)
        if form.get("grant_type") != "client_credentials":
            raise oauth_error(400, "unsupported_grant_type")
        asked = frozenset(form.get("scope", "").split())
        if asked - client.scopes:
            raise oauth_error(400, "invalid_scope")
        granted = asked or client.scopes
        expires_at = self.clock() + self.lifetime
        claims = {"sub": client.client_id, "scope": " ".join(sorted(granted)), "exp": int(expires_at.timestamp())}
        token = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.{secrets.token_urlsafe(32)}"
        self.tokens[token] = AccessToken(client.client_id, client.account, granted, expires_at)
        return {"access_token": token, "expires_in": int(self.lifetime.total_seconds()), "token_type": "Bearer"}

    def _client(self, authorization: str | None, form: Mapping[str, str]) -> ApiClient:
        scheme, _, encoded = (authorization or "").partition(" ")
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if scheme.lower() == "basic":
            try:
                client_id, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
            except ValueError:
                raise oauth_error(401, "invalid_client") from None
        client = self.clients.get(client_id)
        if client is None or client.revoked or not secrets.compare_digest(client.client_secret, secret):
            raise oauth_error(401, "invalid_client")
        return client

    def caller(self, authorization: str | None, scope: str) -> str:
        """The account a bearer token belongs to: 401 when missing, unknown, expired or revoked; 403 without the
        route's scope.
        """
        scheme, _, token = (authorization or "").partition(" ")
        found = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if found is None or found.revoked or self.clock() >= found.expires_at:
            raise SimError(401, "Unauthorized")
        if scope not in found.scopes:
            raise SimError(403, f"The access token has no scope {scope}")
        return found.account

    def revoke(self, client_id: str | None = None) -> None:
        """The client (every client for None) is disabled: its tokens and its secret are refused from now on."""
        for client in self.clients.values():
            if client_id in (None, client.client_id):
                client.revoked = True
        for token in self.tokens.values():
            if client_id in (None, token.client_id):
                token.revoked = True

    def expire(self) -> None:
        now = self.clock()
        for token in self.tokens.values():
            token.expires_at = min(token.expires_at, now)


def sim_of(request: Req) -> IgloohomeSimulator:
    return cast("IgloohomeSimulator", request.app.state.sim)


@post("/oauth2/token", status_code=200)
async def token(request: Req) -> Response[Any]:
    form = {name: value for name, value in (await request.form()).items() if isinstance(value, str)}
    answer = sim_of(request).oauth.token(request.headers.get("authorization"), form)
    return Response(answer, headers={"Cache-Control": "no-store"})
