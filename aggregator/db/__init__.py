"""Persistence: piccolo tables and migrations, the database handle, and the engines behind it."""

from aggregator.db.database import Database, DatabaseUnavailable, DatabaseUrlError, Row, is_unique_violation

__all__ = ("Database", "DatabaseUnavailable", "DatabaseUrlError", "Row", "is_unique_violation")
