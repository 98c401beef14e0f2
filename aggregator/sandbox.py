"""The sandbox: a `sandbox` workspace and an admin key kept in `var/` (mode 0600) so a restart reuses it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aggregator.api_keys import repository as api_keys
from aggregator.api_keys.service import create_key
from aggregator.auth.principal import SYSTEM
from aggregator.auth.secrets import hash_secret
from aggregator.clock import Clock, utcnow
from aggregator.db import Database
from aggregator.workspaces import repository as workspaces
from aggregator.workspaces.service import create_workspace
from schemas import Scope, Workspace

SANDBOX_WORKSPACE = "sandbox"
KEY_FILE_NAME = "sandbox_api_key"


@dataclass(frozen=True, slots=True)
class Sandbox:
    workspace: Workspace
    api_key: str
    key_file: Path
    new_key: bool


async def prepare_sandbox(db: Database, var_dir: Path, *, clock: Clock = utcnow) -> Sandbox:
    """Create the sandbox workspace and its admin key if missing; reuse the stored key while it still works."""
    workspace = await workspaces.find_by_name(db, SANDBOX_WORKSPACE)
    if workspace is None:
        workspace = await create_workspace(db, SANDBOX_WORKSPACE, is_sandbox=True, actor=SYSTEM, clock=clock)
    key_file = var_dir / KEY_FILE_NAME
    stored = _read_secret(key_file)
    if stored and await _still_valid(db, stored, workspace):
        return Sandbox(workspace, stored, key_file, new_key=False)
    key = await create_key(
        db, workspace_id=workspace.id, name="sandbox admin", scopes=[Scope.ADMIN], actor=SYSTEM, at=clock()
    )
    write_secret_file(key_file, key.secret)
    return Sandbox(workspace, key.secret, key_file, new_key=True)


def write_secret_file(path: Path, secret: str) -> None:
    """Write `secret` readable by its owner only (0600), whatever the umask or the file's old mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (secret + "\n").encode())
    finally:
        os.close(fd)


def _read_secret(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


async def _still_valid(db: Database, secret: str, workspace: Workspace) -> bool:
    credential = await api_keys.find_credential(db, hash_secret(secret))
    return credential is not None and credential.workspace_id == workspace.id and credential.revoked_at is None
