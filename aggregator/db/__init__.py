"""Persistence: piccolo tables and migrations, the database handle, and the engines behind it."""

from aggregator.db.database import Database, DatabaseUnavailable, DatabaseUrlError, Row

__all__ = ("Database", "DatabaseUnavailable", "DatabaseUrlError", "Row")
