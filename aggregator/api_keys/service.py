"""API keys: create (the secret is shown once), list, revoke, and turn a presented secret into a principal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from aggregator.api_keys import repository
from aggregator.audit import repository as audit
from aggregator.auth.principal import Actor, Principal, effective_scopes
from aggregator.auth.secrets import display_prefix, hash_secret, new_secret
from aggregator.db import Database
from aggregator.http import errors
from aggregator.http.errors import ApiError, found
from aggregator.http.pagination import PageRequest, build_page
from aggregator.ids import new_id
from aggregator.workspaces import repository as workspaces
from schemas import ApiKey, ApiKeyWithSecret, Page, Scope

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""`last_used_at` is written at most this often per key, so reads do not turn into writes."""


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just created, with the secret that exists nowhere else (only its hash is stored)."""

    key: ApiKey
    secret: str

    def answer(self) -> ApiKeyWithSecret:
        fields = {name: getattr(self.key, name) for name in self.key.__struct_fields__}
        return ApiKeyWithSecret(**fields, secret=self.secret)


async def create_key(
    db: Database,
    *,
    workspace_id: uuid.UUID,
    name: str,
    scopes: list[Scope],
    actor: Actor,
    at: datetime,
    request_id: str | None = None,
) -> NewKey:
    workspace = await workspaces.get_workspace(db, workspace_id)
    if workspace is None:
        raise LookupError(f"workspace {workspace_id} does not exist")
    secret = new_secret(sandbox=workspace.is_sandbox)
    key = ApiKey(
        id=new_id(),
        name=name,
        scopes=sorted(set(scopes)),
        secret_prefix=display_prefix(secret),
        created_at=at,
        last_used_at=None,
        revoked_at=None,
    )
    async with db.transaction():
        await repository.insert_key(db, key, workspace_id=workspace_id, secret_hash=hash_secret(secret))
        await audit.record(
            db,
            workspace_id=workspace_id,
            actor=actor,
            action="api_key.created",
            resource_type="api_key",
            resource_id=key.id,
            after=key,
            at=at,
            request_id=request_id,
        )
    return NewKey(key, secret)


async def list_keys(db: Database, workspace_id: uuid.UUID, page: PageRequest) -> Page[ApiKey]:
    return build_page(await repository.list_keys(db, workspace_id, page), page)


async def get_key(db: Database, workspace_id: uuid.UUID, key_id: uuid.UUID | None) -> ApiKey:
    return found(await repository.get_key(db, workspace_id, key_id) if key_id else None, errors.API_KEY_NOT_FOUND)


async def revoke_key(
    db: Database,
    *,
    workspace_id: uuid.UUID,
    key_id: uuid.UUID | None,
    actor: Actor,
    at: datetime,
    request_id: str | None = None,
) -> ApiKey:
    """Revoke at once; revoking an already revoked key changes nothing and answers the key as it is.

    The conditional update decides which of several concurrent revocations made the change, so exactly
    one audit entry records it.
    """
    async with db.transaction():
        before = await get_key(db, workspace_id, key_id)
        changed = await repository.revoke_key(db, before.id, at)
        after = await get_key(db, workspace_id, before.id)
        if changed:
            await audit.record(
                db,
                workspace_id=workspace_id,
                actor=actor,
                action="api_key.revoked",
                resource_type="api_key",
                resource_id=after.id,
                before=before,
                after=after,
                at=at,
                request_id=request_id,
            )
    return after


async def authenticate(db: Database, secret: str, *, now: datetime) -> Principal:
    """The principal behind `secret`; one indexed query, so that a revocation counts from the next request."""
    digest = hash_secret(secret)
    credential = await repository.find_credential(db, digest)
    if credential is None:
        raise ApiError(errors.INVALID_API_KEY)
    if credential.revoked_at is not None:
        raise ApiError(errors.API_KEY_REVOKED)
    principal = _principal(digest, credential)
    if credential.last_used_at is None or now - credential.last_used_at >= LAST_USED_RESOLUTION:
        await repository.mark_used(db, principal.api_key_id, now)
    return principal


_principals: dict[tuple[str, str], Principal] = {}
_PRINCIPALS_KEPT = 10_000


def _principal(digest: str, credential: repository.StoredCredential) -> Principal:
    """A key's id, workspace and scopes never change: convert them once per key, not once per request."""
    memo_key = (digest, str(credential.raw_id))
    principal = _principals.get(memo_key)
    if principal is None:
        if len(_principals) >= _PRINCIPALS_KEPT:
            _principals.clear()
        principal = Principal(credential.id, credential.workspace_id, effective_scopes(credential.scopes))
        _principals[memo_key] = principal
    return principal
