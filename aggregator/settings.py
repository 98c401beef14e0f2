"""Gateway settings: read once from `AGGREGATOR_*` environment variables into one typed, immutable struct."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec

ENV_PREFIX = "AGGREGATOR_"

Positive = msgspec.Meta(gt=0)


class SettingsError(ValueError):
    """A setting has a value the gateway cannot use; the message names the variable."""


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    """Every setting, its environment variable (`AGGREGATOR_` + upper-case name) and its default."""

    database_url: str = "sqlite:///var/aggregator.db"
    """`sqlite:///relative/path.db`, `sqlite:////absolute/path.db` or `postgresql://user@host:port/db`.
    Unset, it is `aggregator.db` in `var_dir`."""
    redis_url: str | None = None
    """Unset: jobs run in-process and limits are per process. Set: arq on Redis, limits shared by every process."""
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    public_url: str | None = None
    """Base URL that vendors and browsers reach the gateway at; defaults to `http://HOST:PORT`."""
    var_dir: str = "var"
    """Where the embedded default keeps its files: SQLite database, sandbox key."""
    rate_limit_per_second: Annotated[float, Positive] = 20.0
    """Sustained requests per second per API key."""
    rate_limit_burst: Annotated[int, Positive] = 100
    """Requests an API key may make at once before the sustained rate applies."""
    max_body_bytes: Annotated[int, Positive] = 1_048_576
    idempotency_ttl_seconds: Annotated[int, Positive] = 86_400
    """How long an `Idempotency-Key` is remembered."""
    database_pool_size: Annotated[int, Positive] = 10
    """PostgreSQL connections per process."""
    access_log: bool = True
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    secret_key: str | None = None
    """Key (32 random bytes, URL-safe base64) that encrypts vendor credentials; sandbox: generated into `var_dir`."""
    sandbox: bool = False
    """Route every provider to its simulated vendor cloud (`aggregator serve --sandbox`)."""
    vendor_requests_per_second: Annotated[float, Positive] | None = None
    """Requests per second per connected account to its vendor; unset: each provider's own pace (Nuki: 5)."""
    redirect_origins: str = ""
    """Comma-separated origins (`https://app.example.com`) a connect session's `redirect_url` may point to."""
    nuki_api_url: str = "https://api.nuki.io"
    nuki_client_id: str | None = None
    nuki_client_secret: str | None = None
    ttlock_api_url: str = "https://euapi.ttlock.com"
    """TTLock's cloud; accounts in mainland China use `https://cnapi.ttlock.com`."""
    ttlock_client_id: str | None = None
    ttlock_client_secret: str | None = None
    igloohome_api_url: str = "https://api.igloodeveloper.co/igloohome"
    igloohome_auth_url: str = "https://auth.igloohome.co/oauth2/token"

    @property
    def public_base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def oauth_callback_url(self) -> str:
        """Where vendors send people back after an OAuth consent (`GET /v1/connect_sessions/callback`)."""
        return f"{self.public_base_url}/v1/connect_sessions/callback"

    @property
    def allowed_redirect_origins(self) -> frozenset[str]:
        return frozenset(origin.strip().rstrip("/").lower() for origin in self.redirect_origins.split(",") if origin)

    @property
    def var_path(self) -> Path:
        return Path(self.var_dir)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from the environment; an invalid value raises `SettingsError` naming the variable."""
        env = os.environ if environ is None else environ
        values = {name: env[env_name(name)] for name in cls.__struct_fields__ if env_name(name) in env}
        if "database_url" not in values and "var_dir" in values:
            values["database_url"] = f"sqlite:///{values['var_dir'].rstrip('/')}/aggregator.db"
        try:
            return msgspec.convert(values, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise SettingsError(_explain(str(exc))) from exc


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def _explain(message: str) -> str:
    """Turn msgspec's `... - at `$.port`` into a message about `AGGREGATOR_PORT`."""
    text, _, path = message.partition(" - at `$.")
    if not path:
        return f"invalid settings: {message}"
    return f"{env_name(path.rstrip('`'))}: {text}"
