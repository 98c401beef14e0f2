"""Unguessable callback URLs: an account's token is its id and an HMAC of it under a key derived from
`AGGREGATOR_SECRET_KEY`, so nothing is stored, and a token can be neither guessed nor moved to another account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PURPOSE = b"aggregator provider webhook tokens"


class WebhookTokens:
    def __init__(self, secret_key: bytes) -> None:
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret_key)

    def token(self, account_id: uuid.UUID) -> str:
        return account_id.hex + self._mac(account_id)

    def account_of(self, token: str) -> uuid.UUID | None:
        """The account the token was made for; None for anything this gateway did not make."""
        try:
            account_id = uuid.UUID(hex=token[:32])
        except ValueError:
            return None
        genuine = hmac.compare_digest(token[32:].encode(errors="replace"), self._mac(account_id).encode())
        return account_id if genuine and len(token) > 32 else None

    def _mac(self, account_id: uuid.UUID) -> str:
        digest = hmac.new(self._key, account_id.bytes, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
