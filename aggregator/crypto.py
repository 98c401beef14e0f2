"""Vendor credentials at rest: AES-256-GCM under `AGGREGATOR_SECRET_KEY`, each ciphertext bound to its account."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import uuid
from pathlib import Path
from typing import Any

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aggregator.settings import Settings, SettingsError

KEY_FILE_NAME = "secret_key"
_VERSION = "v1"


class CredentialsUnreadable(ValueError):
    """Stored credentials do not decrypt: another key, or tampering."""


class CredentialBox:
    """Seals credential documents; the account id is authenticated data, so a ciphertext moved to another
    account's row does not open.
    """

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, account_id: uuid.UUID, credentials: dict[str, Any]) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, msgspec.json.encode(credentials), account_id.bytes)
        return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, account_id: uuid.UUID, ciphertext: str) -> dict[str, Any]:
        version, _, payload = ciphertext.partition(":")
        try:
            if version != _VERSION:
                raise ValueError(f"unknown credential format {version!r}")
            raw = base64.urlsafe_b64decode(payload)
            plain = self._aead.decrypt(raw[:12], raw[12:], account_id.bytes)
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise CredentialsUnreadable("the account's credentials do not decrypt with this secret key") from exc
        credentials: dict[str, Any] = msgspec.json.decode(plain)
        return credentials


def secret_key(settings: Settings) -> bytes:
    """The key from `AGGREGATOR_SECRET_KEY`, else the one kept in `var_dir` (the sandbox makes one, 0600)."""
    if settings.secret_key:
        return _decode(settings.secret_key, "AGGREGATOR_SECRET_KEY")
    key_file = settings.var_path / KEY_FILE_NAME
    if key_file.exists():
        return _decode(key_file.read_text().strip(), str(key_file))
    if settings.sandbox:
        return _generate(key_file)
    raise SettingsError(
        "AGGREGATOR_SECRET_KEY is not set: it encrypts vendor credentials. Make one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(32))'` and keep it safe (lose it, lose the logins)."
    )


def _decode(text: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise SettingsError(f"{source}: a secret key is 32 random bytes in URL-safe base64 (43 characters)")
    return key


def _generate(key_file: Path) -> bytes:
    key = secrets.token_bytes(32)
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(base64.urlsafe_b64encode(key).decode().rstrip("=") + "\n")
    return key
