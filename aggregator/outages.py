"""Which exceptions mean a dependency (database, Redis) is down right now: a 503 to retry, not a bug."""

from __future__ import annotations

import sqlite3

import asyncpg
import redis.exceptions

from aggregator.db import DatabaseUnavailable

_OUTAGES = (
    OSError,
    TimeoutError,
    DatabaseUnavailable,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def is_outage(exc: BaseException) -> bool:
    if isinstance(exc, _OUTAGES):
        return True
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "disk I/O" in str(exc))
