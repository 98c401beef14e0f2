"""Keep secrets out of messages and logs: connection URLs with their passwords masked, access-log query strings
with their codes and tokens masked.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit

_SECRET_PARAMETERS = ("password", "secret", "token", "key")


def redact(url: str) -> str:
    """The URL with its password, and any query parameter that names a secret, replaced by `***`."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@")
    query = [
        (name, "***" if any(word in name.lower() for word in _SECRET_PARAMETERS) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return parts._replace(netloc=netloc, query=urlencode(query, safe="*")).geturl()


_ACCESS_LOG_SECRETS = ("code", "state", *_SECRET_PARAMETERS)


class AccessLogRedaction(logging.Filter):
    """Masks secrets in the query strings of uvicorn's access log lines (an OAuth callback's `code` and `state`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            path, _, query = args[2].partition("?")
            masked = [
                (name, "***" if any(word in name.lower() for word in _ACCESS_LOG_SECRETS) else value)
                for name, value in parse_qsl(query, keep_blank_values=True)
            ]
            record.args = (*args[:2], f"{path}?{urlencode(masked, safe='*')}", *args[3:])
        return True
