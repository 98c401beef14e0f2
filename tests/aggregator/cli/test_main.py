"""The command line, run as users run it: clear output, the secret alone on the last line, one-line failures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.cli.main import main
from tests.conftest import TEST_SECRET_KEY, DatabaseTarget

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def cli(database_target: DatabaseTarget, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", database_target.url)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_workspaces_and_keys(cli):
    assert cli("workspaces", "create", "acme")[0] == 0
    code, out, err = cli("workspaces", "create", "acme")
    assert code == 1
    assert err.strip() == "aggregator: error: a workspace named 'acme' already exists"

    code, out, _ = cli("keys", "create", "--workspace", "acme", "--scopes", "devices:read,events:read", "--name", "ops")
    assert code == 0
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("agk_live_")
    assert "devices:read, events:read" in out

    code, out, _ = cli("keys", "list", "--workspace", "acme")
    assert secret[:13] in out
    assert secret not in out
    key_id = out.split()[0]

    code, out, _ = cli("keys", "revoke", "--workspace", "acme", key_id)
    assert code == 0
    assert f"revoked API key {key_id}" in out
    assert "revoked" in cli("keys", "list", "--workspace", "acme")[1]

    code, out, _ = cli("workspaces", "list")
    assert "acme" in out


def test_sandbox_workspace_keys_say_test(cli):
    cli("workspaces", "create", "playground", "--sandbox")
    out = cli("keys", "create", "--workspace", "playground", "--scopes", "admin")[1]
    assert out.strip().splitlines()[-1].startswith("agk_test_")


def test_mistakes_are_one_clear_line(cli):
    code, _, err = cli("keys", "create", "--workspace", "nowhere", "--scopes", "admin")
    assert code == 1
    assert "no workspace named 'nowhere'" in err
    code, _, err = cli("keys", "revoke", "--workspace", "nowhere", "x")
    assert code == 1
    cli("workspaces", "create", "acme")
    code, _, err = cli("keys", "revoke", "--workspace", "acme", "not-an-id")
    assert code == 1
    assert "api_key_not_found" in err
    code, _, err = cli("workspaces", "create", "-bad name!")
    assert code == 1
    assert "invalid workspace name" in err
    with pytest.raises(SystemExit) as usage:
        cli("keys", "create", "--workspace", "acme", "--scopes", "root")
    assert usage.value.code == 2


def test_migrate_is_idempotent(cli):
    code, out, _ = cli("migrate")
    assert code == 0
    assert out.strip() == "the database is up to date"


def base_env(**extra: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "AGGREGATOR_SECRET_KEY": TEST_SECRET_KEY, **extra}


def run_command(*argv: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli.main", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_unreachable_database_stops_serve_with_one_line(tmp_path: Path):
    env = base_env(AGGREGATOR_DATABASE_URL="postgresql://x:pw@127.0.0.1:9/db")
    done = run_command("serve", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("aggregator: error: cannot use the database at postgresql://x:***@127.0.0.1:9/db")
    assert "pw" not in done.stderr


def test_an_unmigrated_database_stops_serve(tmp_path: Path):
    env = base_env()
    done = run_command("serve", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "is not migrated; run `aggregator migrate` first" in done.stderr


def test_worker_needs_redis(tmp_path: Path):
    env = base_env()
    done = run_command("worker", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "needs AGGREGATOR_REDIS_URL" in done.stderr


def test_bad_settings_stop_every_command(tmp_path: Path):
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "AGGREGATOR_SECRET_KEY": TEST_SECRET_KEY,
        "AGGREGATOR_PORT": "eighty",
    }
    done = run_command("serve", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("aggregator: error: AGGREGATOR_PORT")


def test_an_unreachable_redis_stops_serve_with_one_line(tmp_path: Path):
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "AGGREGATOR_SECRET_KEY": TEST_SECRET_KEY,
        "AGGREGATOR_REDIS_URL": "redis://:pw@127.0.0.1:9/0",
    }
    done = run_command("serve", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("aggregator: error: cannot reach Redis at redis://:***@127.0.0.1:9/0")


def test_serving_without_a_secret_key_says_how_to_make_one(tmp_path: Path):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = run_command("serve", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("aggregator: error: AGGREGATOR_SECRET_KEY is not set")
    assert "token_urlsafe(32)" in done.stderr
    done = run_command("serve", env={**env, "AGGREGATOR_SECRET_KEY": "short"}, cwd=tmp_path)
    assert "32 random bytes" in done.stderr
