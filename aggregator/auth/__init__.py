"""Who is calling: API-key authentication, the resulting principal, and the scope each endpoint needs."""

from aggregator.auth.principal import Actor, Principal
from aggregator.auth.scopes import needs

__all__ = ("Actor", "Principal", "needs")
