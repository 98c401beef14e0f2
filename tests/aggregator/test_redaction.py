"""Secrets stay out of logs: masked database URLs and access-log query strings."""

from __future__ import annotations

import logging

from aggregator.redaction import AccessLogRedaction, redact


def access_record(path: str) -> logging.LogRecord:
    """A record shaped as uvicorn's access logger makes them."""
    args = ("127.0.0.1:5000", "GET", path, "1.1", 303)
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None)


def test_oauth_codes_and_states_are_masked_in_access_log_lines():
    record = access_record("/v1/connect_sessions/callback?code=abc123&state=s3cr3t&scope=account")
    assert AccessLogRedaction().filter(record) is True
    line = record.getMessage()
    assert "abc123" not in line and "s3cr3t" not in line
    assert "/v1/connect_sessions/callback?code=***&state=***&scope=account" in line


def test_lines_without_a_query_are_left_alone():
    record = access_record("/v1/devices")
    AccessLogRedaction().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /v1/devices HTTP/1.1" 303'


def test_database_passwords_are_masked():
    assert (
        redact("postgresql://app:hunter2@db:5432/gw?sslpassword=x") == "postgresql://app:***@db:5432/gw?sslpassword=***"
    )
