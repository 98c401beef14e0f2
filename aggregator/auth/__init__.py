"""Who is calling: API-key authentication, the resulting principal, and per-endpoint scope guards."""

from aggregator.auth.guards import requires
from aggregator.auth.principal import Actor, Principal, current_principal

__all__ = ("Actor", "Principal", "current_principal", "requires")
