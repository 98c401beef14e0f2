"""The sandbox: one workspace, one admin key kept with mode 0600 and reused while it works."""

from __future__ import annotations

import stat

from aggregator.api_keys.service import revoke_key
from aggregator.auth.principal import CLI
from aggregator.clock import utcnow
from aggregator.db import Database
from aggregator.db.rows import as_uuid
from aggregator.sandbox import prepare_sandbox


async def test_prepare_reuses_the_key_until_it_is_revoked(db: Database, tmp_path):
    first = await prepare_sandbox(db, tmp_path / "var")
    assert first.new_key
    assert first.workspace.is_sandbox
    assert first.api_key.startswith("agk_test_")
    assert stat.S_IMODE(first.key_file.stat().st_mode) == 0o600
    assert first.key_file.read_text().strip() == first.api_key

    second = await prepare_sandbox(db, tmp_path / "var")
    assert not second.new_key
    assert second.api_key == first.api_key
    assert second.workspace.id == first.workspace.id

    key_id = (await db.fetch_one("SELECT id FROM api_keys WHERE name = 'sandbox admin'"))[0]
    await revoke_key(db, workspace_id=first.workspace.id, key_id=as_uuid(key_id), actor=CLI, at=utcnow())
    third = await prepare_sandbox(db, tmp_path / "var")
    assert third.new_key
    assert third.api_key != first.api_key
    assert third.key_file.read_text().strip() == third.api_key


async def test_a_loose_key_file_is_tightened(db: Database, tmp_path):
    key_file = tmp_path / "var" / "sandbox_api_key"
    key_file.parent.mkdir()
    key_file.write_text("agk_test_not_a_real_key\n")
    key_file.chmod(0o644)
    sandbox = await prepare_sandbox(db, tmp_path / "var")
    assert sandbox.new_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
