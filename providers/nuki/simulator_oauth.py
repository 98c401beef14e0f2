"""The simulated Nuki Web's OAuth 2 server: registered clients, single-use authorization codes, 1 h access tokens,
rotating refresh tokens, never-expiring API tokens, and its routes (`/oauth/authorize` sign-in page, `/oauth/token`).
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from litestar import MediaType, Request, Response, get, post
from litestar.response import Redirect

from providers.nuki.simulator_state import Account, SimError

if TYPE_CHECKING:
    from providers.nuki.simulator import NukiSimulator

Req = Request[Any, Any, Any]

CODE_LIFETIME = timedelta(minutes=10)
ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=90)
OFFLINE_ACCESS = "offline_access"


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass
class Grant:
    """An authorization code, or a refresh token (`used` once exchanged or rotated, `revoked` by the account)."""

    client_id: str
    account_id: int
    scope: str
    expires_at: datetime
    redirect_uri: str | None = None
    used: bool = False
    revoked: bool = False


@dataclass
class AccessToken:
    account_id: int
    expires_at: datetime | None
    """None: an API token, which never expires."""
    revoked: bool = False


def oauth_error(status: int, error: str) -> SimError:
    return SimError(status, error, {"error": error})


class OAuthServer:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, Grant] = {}
        self.access_tokens: dict[str, AccessToken] = {}

    # -- authorization ----------------------------------------------------------------------------------------

    def client_for(self, client_id: str | None, redirect_uri: str | None) -> Client:
        """The client, when `redirect_uri` is one it registered; else 400 (never redirect anywhere else)."""
        client = self.clients.get(client_id or "")
        if client is None:
            raise SimError(400, "Unknown client_id")
        if redirect_uri not in client.redirect_uris:
            raise SimError(400, "redirect_uri is not registered for this client")
        return client

    def issue_code(self, client: Client, redirect_uri: str, account_id: int, scope: str) -> str:
        code = secrets.token_urlsafe(24)
        granted = scope.split() + ([] if OFFLINE_ACCESS in scope.split() else [OFFLINE_ACCESS])
        self.codes[code] = Grant(
            client.client_id, account_id, " ".join(granted), self.clock() + CODE_LIFETIME, redirect_uri
        )
        return code

    # -- token endpoint ---------------------------------------------------------------------------------------

    def token(self, form: Mapping[str, str]) -> dict[str, object]:
        client = self.clients.get(form.get("client_id", ""))
        secret = form.get("client_secret", "").encode()
        if client is None or not secrets.compare_digest(client.client_secret.encode(), secret):
            raise oauth_error(401, "invalid_client")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            grant = self._redeem(self.codes, form.get("code"), client)
            if grant.redirect_uri != form.get("redirect_uri"):
                raise oauth_error(400, "invalid_grant")
        elif grant_type == "refresh_token":
            grant = self._redeem(self.refresh_tokens, form.get("refresh_token"), client)
        else:
            raise oauth_error(400, "unsupported_grant_type")
        return self._issue(grant)

    def _redeem(self, grants: dict[str, Grant], key: str | None, client: Client) -> Grant:
        grant = grants.get(key or "")
        if grant is None or grant.used or grant.revoked or grant.client_id != client.client_id:
            raise oauth_error(400, "invalid_grant")
        if self.clock() >= grant.expires_at:
            raise oauth_error(400, "invalid_grant")
        grant.used = True
        return grant

    def _issue(self, grant: Grant) -> dict[str, object]:
        now = self.clock()
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.access_tokens[access] = AccessToken(grant.account_id, now + ACCESS_LIFETIME)
        self.refresh_tokens[refresh] = Grant(grant.client_id, grant.account_id, grant.scope, now + REFRESH_LIFETIME)
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": int(ACCESS_LIFETIME.total_seconds()),
            "refresh_token": refresh,
            "scope": grant.scope,
        }

    # -- bearer tokens ----------------------------------------------------------------------------------------

    def issue_api_token(self, account_id: int) -> str:
        token = secrets.token_hex(40)
        self.access_tokens[token] = AccessToken(account_id, None)
        return token

    def account_for(self, authorization: str | None) -> int:
        """The account a `Bearer` header belongs to; 401 for a missing, unknown, expired or revoked token."""
        scheme, _, token = (authorization or "").partition(" ")
        found = self.access_tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if found is None or found.revoked or (found.expires_at is not None and self.clock() >= found.expires_at):
            raise SimError(401, "Invalid token", {"detailMessage": "Invalid Token Error"})
        return found.account_id

    def revoke(self, account_ids: set[int] | None) -> None:
        """Every token and refresh token of the accounts (all accounts for None) is refused from now on."""
        grants: list[Grant | AccessToken] = [*self.access_tokens.values(), *self.refresh_tokens.values()]
        grants += self.codes.values()
        for grant in grants:
            if account_ids is None or grant.account_id in account_ids:
                grant.revoked = True

    def expire_access_tokens(self) -> None:
        now = self.clock()
        for token in self.access_tokens.values():
            if token.expires_at is not None:
                token.expires_at = min(token.expires_at, now)


def redirect_to(redirect_uri: str, **params: str | None) -> str:
    query = urlencode({name: value for name, value in params.items() if value is not None})
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"


def login_page(params: Mapping[str, str], *, sandbox: bool, error: str | None = None) -> str:
    """Nuki Web's consent page, reduced to a form: email and password, Deny, and in the sandbox a one-click approve."""
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params.get(name, ""))}">'
        for name in ("response_type", "client_id", "redirect_uri", "scope", "state")
    )
    approve = '<button type="submit" name="sandbox_approve" value="1">Approve (sandbox)</button>' if sandbox else ""
    problem = f'<p class="error">{html.escape(error)}</p>' if error else ""
    return (
        "<!doctype html><html><head><title>Nuki Web (simulated): sign in</title></head><body>"
        f"<h1>Sign in to allow access</h1>{problem}"
        f'<form method="post" action="authorize">{hidden}'
        '<label>Email <input type="email" name="email"></label>'
        '<label>Password <input type="password" name="password"></label>'
        '<button type="submit" name="login" value="1">Sign in and allow</button>'
        f'{approve}<button type="submit" name="deny" value="1">Deny</button>'
        "</form></body></html>"
    )


def sim_of(request: Req) -> NukiSimulator:
    return cast("NukiSimulator", request.app.state.sim)


async def _form(request: Req) -> dict[str, str]:
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


# -- routes ----------------------------------------------------------------------------------------------------


@get("/oauth/authorize")
async def authorize_page(request: Req) -> Response[Any]:
    sim, params = sim_of(request), dict(request.query_params)
    sim.oauth.client_for(params.get("client_id"), params.get("redirect_uri"))
    if params.get("response_type") != "code":
        unsupported = redirect_to(params["redirect_uri"], error="unsupported_response_type", state=params.get("state"))
        return Redirect(unsupported)
    return Response(login_page(params, sandbox=sim.sandbox), media_type=MediaType.HTML)


@post("/oauth/authorize", status_code=200)
async def authorize(request: Req) -> Response[Any]:
    """Consent: deny, sandbox one-click approve, or email and password; answers with a redirect to the client.

    The authorization request's fields may come in the query (a form posted back to the consent link, as
    `curl -d sandbox_approve=1 "$url"` does) or in the form body (the page's hidden fields); the body wins.
    """
    sim, form = sim_of(request), dict(request.query_params) | await _form(request)
    client = sim.oauth.client_for(form.get("client_id"), form.get("redirect_uri"))
    uri, state = form["redirect_uri"], form.get("state")
    if form.get("deny"):
        return Redirect(redirect_to(uri, error="access_denied", state=state), status_code=302)
    if form.get("sandbox_approve"):
        if not sim.sandbox or not sim.accounts:
            raise SimError(400, "One-click approval exists in the sandbox only")
        account: Account | None = sim.accounts[min(sim.accounts)]
    else:
        email = form.get("email", "").strip().lower()
        found = [known for known in sim.accounts.values() if known.email.lower() == email]
        account = found[0] if found and found[0].password == form.get("password") else None
    if account is None:
        page = login_page(form, sandbox=sim.sandbox, error="Wrong email or password.")
        return Response(page, media_type=MediaType.HTML, status_code=200)
    code = sim.oauth.issue_code(client, uri, account.account_id, form.get("scope", ""))
    return Redirect(redirect_to(uri, code=code, state=state), status_code=302)


@post("/oauth/token", status_code=200)
async def token(request: Req) -> Response[Any]:
    answer = sim_of(request).oauth.token(await _form(request))
    return Response(answer, headers={"Cache-Control": "no-store"})


OAUTH_ROUTES = (authorize_page, authorize, token)
