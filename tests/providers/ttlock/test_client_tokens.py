"""TTLock logins and errors: the password grant with the MD5 of the password, tokens refreshed before they expire
(and a new login with the kept hash when the refresh token is refused), errcodes answered with HTTP 200 decoded into
the typed provider errors.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from providers.base import ProviderContext
from providers.errors import (
    DeviceOffline,
    ProviderAuthError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderUnavailable,
)
from providers.ttlock.adapter import TTLockProvider
from providers.ttlock.errors import error_for

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`ttlock`, `http`)
from tests.providers.ttlock.client_support import (
    CONFIG,
    FRESH,
    NOW,
    MemoryStore,
    client,
    fixture,
    form,
    http_fixture,  # noqa: F401
    query,
    ttlock_fixture,  # noqa: F401
)

OK = {"errcode": 0, "errmsg": "none error message"}


async def test_connecting_sends_the_md5_of_the_password_never_the_password(ttlock, http):
    route = ttlock.post("/oauth2/token").respond(200, content=fixture("token.json"))
    context = ProviderContext(http=http, config=CONFIG, credentials=MemoryStore({}), clock=lambda: NOW)

    kept = await TTLockProvider.connect(context, {"username": " host@example.com ", "password": "123456"})

    sent = form(route.calls.last.request)
    assert sent == {
        "clientId": "ttlock-client-id",
        "clientSecret": "ttlock-client-secret",
        "username": "host@example.com",
        "password": "e10adc3949ba59abbe56e057f20f883e",
    }
    assert "123456" not in str(kept)
    assert kept["password_md5"] == "e10adc3949ba59abbe56e057f20f883e" and kept["uid"] == 2340
    assert kept["expires_at"] == int(NOW.timestamp()) + 7_776_000


async def test_a_wrong_password_is_an_auth_error(ttlock, http):
    refusal = {"errcode": 10007, "errmsg": "invalid account or invalid password"}
    ttlock.post("/oauth2/token").respond(200, json=refusal)
    context = ProviderContext(http=http, config=CONFIG, credentials=MemoryStore({}), clock=lambda: NOW)

    with pytest.raises(ProviderAuthError, match="10007"):
        await TTLockProvider.connect(context, {"username": "host@example.com", "password": "wrong"})


async def test_an_expired_token_is_refreshed_and_saved_before_the_call(ttlock, http):
    fresh = {"access_token": "access-2", "refresh_token": "refresh-2", "expires_in": 7776000}
    token = ttlock.post("/oauth2/token").respond(200, json=fresh)
    locks = ttlock.get("/v3/lock/list").respond(200, json={"list": [], "pages": 1})
    api, store = client(http, FRESH | {"expires_at": int(NOW.timestamp()) - 10})

    await api.locks()

    assert form(token.calls.last.request) | {"clientSecret": ""} == {
        "clientId": "ttlock-client-id",
        "clientSecret": "",
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
    }
    assert query(locks.calls.last.request)["accessToken"] == "access-2"
    assert [saved["access_token"] for saved in store.saved] == ["access-2"]
    assert store.credentials["password_md5"] == FRESH["password_md5"]


async def test_a_refused_refresh_token_means_a_new_login_with_the_kept_hash(ttlock, http):
    token = ttlock.post("/oauth2/token").mock(
        side_effect=[
            httpx.Response(200, json={"errcode": 10011, "errmsg": "invalid refresh_token"}),
            httpx.Response(200, json={"access_token": "access-3", "refresh_token": "refresh-3", "uid": 2340}),
        ]
    )
    ttlock.get("/v3/lock/list").respond(200, json={"list": [], "pages": 1})
    api, store = client(http, FRESH | {"expires_at": int(NOW.timestamp()) - 10})

    await api.locks()

    login = form(token.calls.last.request)
    assert (login["username"], login["password"]) == ("host@example.com", FRESH["password_md5"])
    assert store.credentials["access_token"] == "access-3"


async def test_a_token_revoked_early_is_refreshed_once_and_the_call_repeated(ttlock, http):
    ttlock.post("/oauth2/token").respond(200, json={"access_token": "access-2", "refresh_token": "refresh-2"})
    unlock = ttlock.post("/v3/lock/unlock").mock(
        side_effect=[
            httpx.Response(200, json={"errcode": 10004, "errmsg": "token is invalide or revoked"}),
            httpx.Response(200, json=OK),
        ]
    )
    api, _ = client(http)

    await api.unlock(532323)

    assert [form(call.request)["accessToken"] for call in unlock.calls] == ["access-1", "access-2"]


async def test_an_errcode_with_http_200_is_a_typed_error(ttlock, http):
    ttlock.post("/v3/lock/unlock").respond(200, content=fixture("error_unlock_failed.json"))

    with pytest.raises(ProviderUnavailable, match="errcode 1"):
        await client(http)[0].unlock(532323)


@pytest.mark.parametrize(
    ("errcode", "kind", "code"),
    [
        (-3002, DeviceOffline, "device_offline"),
        (-2012, DeviceOffline, "device_offline"),
        (-3036, DeviceOffline, "device_offline"),
        (-3003, ProviderUnavailable, "provider_unavailable"),
        (80000, ProviderUnavailable, "provider_unavailable"),
        (10004, ProviderAuthError, "provider_auth_failed"),
        (30005, ProviderAuthError, "provider_auth_failed"),
        (30006, ProviderRateLimited, "provider_rate_limited"),
        (-3007, ProviderRejected, "duplicate_code_on_device"),
        (-3009, ProviderRejected, "no_space_for_access_code_on_device"),
        (-2032, ProviderRejected, "code_constraint_violated"),
        (-4043, ProviderRejected, "capability_not_supported"),
        (-1003, ProviderRejected, "device_not_found"),
        (-77777, ProviderRejected, "provider_rejected"),
    ],
)
def test_the_documented_errcodes_map_to_what_the_gateway_does(errcode, kind, code):
    error = error_for(errcode, "message")
    assert type(error) is kind and error.code == code
    assert str(errcode) in error.message


def test_the_monthly_quota_waits_for_the_first_of_the_month_in_beijing():
    error = error_for(30007, "exceeded the monthty limit", lambda: datetime(2026, 12, 31, 15, 0, tzinfo=UTC))
    assert isinstance(error, ProviderRateLimited) and error.retry_after == 3600  # midnight in Beijing is 16:00 UTC


async def test_a_vendor_5xx_is_unavailable(ttlock, http):
    ttlock.get("/v3/lock/list").respond(503, text="upstream down")

    with pytest.raises(ProviderUnavailable):
        await client(http)[0].locks()
