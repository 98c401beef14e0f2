"""The authenticated caller of a request, and the actor recorded in audit entries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Request

from schemas import ActorType, Scope

_IMPLIED: dict[Scope, frozenset[Scope]] = {
    Scope.ADMIN: frozenset(Scope),
    Scope.DEVICES_OPERATE: frozenset({Scope.DEVICES_READ}),
    Scope.ACCESS_CODES_WRITE: frozenset({Scope.ACCESS_CODES_READ}),
}


def effective_scopes(granted: list[str] | tuple[str, ...]) -> frozenset[Scope]:
    """The scopes a key holds: those granted plus what they imply (admin holds all; a write holds its read)."""
    scopes: set[Scope] = set()
    for name in granted:
        scope = Scope(name)
        scopes.add(scope)
        scopes.update(_IMPLIED.get(scope, ()))
    return frozenset(scopes)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, as audit entries record it."""

    type: ActorType
    id: str | None = None


SYSTEM = Actor(ActorType.SYSTEM)
CLI = Actor(ActorType.CLI)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated API key: its workspace and what it may do."""

    api_key_id: uuid.UUID
    workspace_id: uuid.UUID
    scopes: frozenset[Scope]

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes

    @property
    def actor(self) -> Actor:
        return Actor(ActorType.API_KEY, str(self.api_key_id))


def current_principal(request: Request[Any, Any, Any]) -> Principal:
    """A Litestar dependency: the principal the authentication middleware put on the request."""
    principal: Principal = request.scope["auth"]
    return principal
