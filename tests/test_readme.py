"""The README is kept true: its first lines, its settings table, and every curl line against `make run`."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest

from aggregator.settings import Settings, env_name

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
README_BASE = "http://127.0.0.1:8000"
_EXPECTED = re.compile(r"^\s*(\d{3})\s+(\w+)")


def bash_blocks() -> list[list[str]]:
    return [block.strip().splitlines() for block in re.findall(r"```bash\n(.*?)```", README, re.DOTALL)]


def is_walkthrough(block: list[str]) -> bool:
    """A block that carries answers from one call to the next in shell variables: run as a whole by bash."""
    return any("=$(curl" in line for line in block)


def curl_lines() -> list[str]:
    return [line for block in bash_blocks() if not is_walkthrough(block) for line in block if line.startswith("curl ")]


def test_readme_starts_with_the_two_commands() -> None:
    first = bash_blocks()[0]
    assert README.startswith("```bash")
    assert [line.split("#")[0].strip() for line in first] == ["make run", "make test"]


def test_configuration_table_lists_every_setting_with_its_default() -> None:
    rows = dict(re.findall(r"^\| `(AGGREGATOR_[A-Z_]+)` \| ([^|]+) \|", README, re.MULTILINE))
    defaults = Settings()
    assert set(rows) == {env_name(field) for field in Settings.__struct_fields__}
    for field in Settings.__struct_fields__:
        documented = rows[env_name(field)].strip().strip("`")
        value = getattr(defaults, field)
        if value is None:
            assert documented in {"unset", "http://HOST:PORT"}, field
        else:
            assert documented == msgspec.json.encode(value).decode().strip('"'), field


@dataclass
class Curl:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: int | None
    expected_code: str | None


def parse_curl(line: str, key: str, base: str) -> Curl:
    match = _EXPECTED.search(line.partition(" #")[2])
    words = shlex.split(line.replace("$KEY", key), comments=True)[1:]
    method, headers, body, url = "GET", {}, None, ""
    while words:
        word = words.pop(0)
        if word == "-X":
            method = words.pop(0)
        elif word == "-H":
            name, _, value = words.pop(0).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            body = words.pop(0).encode()
            method = "POST" if method == "GET" else method
        elif not word.startswith("-"):
            url = word.replace(README_BASE, base)
    return Curl(method, url, headers, body, *(int(match[1]), match[2]) if match else (None, None))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gateway:
    """`aggregator serve --sandbox` as a child process, the way `make run` starts it."""

    def __init__(self, cwd: Path, env: dict[str, str], port: int) -> None:
        self.cwd, self.env, self.base = cwd, env, f"http://127.0.0.1:{port}"
        self.log = cwd / "serve.log"
        self.banner = ""
        self.key = ""

    def __enter__(self) -> Gateway:
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "aggregator.cli.main", "serve", "--sandbox"],
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_until_up()
        except BaseException:
            self.process.kill()
            self.process.wait()
            raise
        self.banner = self.log.read_text()
        key = re.search(r"API key: (\S+)", self.banner)
        assert key, self.banner
        self.key = key[1]
        return self

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal it caught
        assert self.process.wait(15) in (0, -signal.SIGTERM)

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError("the gateway did not answer /health within 30 s")


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """What `make run` does after installing: `aggregator migrate`, then `aggregator serve --sandbox`; one gateway
    for every README test (each works on locks and codes of its own), started a second time at the end.
    """
    tmp_path = tmp_path_factory.mktemp("make-run")
    env = {**os.environ, "AGGREGATOR_PORT": str(free_port()), "AGGREGATOR_ACCESS_LOG": "false"}
    env.pop("AGGREGATOR_DATABASE_URL", None)
    env.pop("AGGREGATOR_REDIS_URL", None)
    subprocess.run([sys.executable, "-m", "aggregator.cli.main", "migrate"], cwd=tmp_path, env=env, check=True)
    port = int(env["AGGREGATOR_PORT"])
    with Gateway(tmp_path, env, port) as gateway:
        yield gateway
    with Gateway(tmp_path, env, port) as again:
        assert again.key == gateway.key, "a second `make run` reuses the stored sandbox key"
        assert "reused" in again.banner


@pytest.mark.slow
def test_every_readme_curl_line_works_against_make_run(make_run: Gateway) -> None:
    assert (make_run.cwd / "var" / "sandbox_api_key").read_text().strip() == make_run.key
    assert oct((make_run.cwd / "var" / "sandbox_api_key").stat().st_mode & 0o777) == "0o600"
    assert f"curl -H 'Authorization: Bearer {make_run.key}' {make_run.base}/v1/devices" in make_run.banner
    lines = curl_lines()
    assert len(lines) >= 8
    for line in lines:
        curl = parse_curl(line, make_run.key, make_run.base)
        answer = httpx.request(curl.method, curl.url, headers=curl.headers, content=curl.body, timeout=10)
        assert answer.headers["x-request-id"], line
        if curl.expected_status is None:
            assert answer.status_code < 300, f"{line}\n{answer.status_code} {answer.text}"
        else:
            assert answer.status_code == curl.expected_status, f"{line}\n{answer.text}"
            assert answer.json()["code"] == curl.expected_code, line


def run_walkthrough(marker: str, gateway: Gateway) -> subprocess.CompletedProcess[str]:
    """The README's walkthrough that mentions `marker`, run by bash against the gateway."""
    [walkthrough] = [block for block in bash_blocks() if is_walkthrough(block) and marker in "\n".join(block)]
    script = "\n".join(walkthrough).replace(README_BASE, gateway.base)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=gateway.cwd, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.slow
def test_the_readme_walkthrough_connects_nuki_and_opens_a_door(make_run: Gateway) -> None:
    done = run_walkthrough("/v1/connect_sessions", make_run)
    assert '"status":"authorized"' in done.stdout
    assert '"status":"success","error":null,"was_confirmed_by_device":true' in done.stdout
    assert '"error":{"type":"device_offline"' in done.stdout
    headers = {"Authorization": f"Bearer {make_run.key}"}
    events = httpx.get(f"{make_run.base}/v1/events?limit=500", headers=headers).json()["data"]
    outcomes = [event["type"] for event in events if event["type"].startswith("action_attempt.")]
    assert outcomes == ["action_attempt.unlock_door.succeeded", "action_attempt.unlock_door.failed"]
    accounts = httpx.get(f"{make_run.base}/v1/connected_accounts", headers=headers).json()["data"]
    assert ("nuki", "active") in [(account["provider"], account["status"]) for account in accounts]


@pytest.mark.slow
def test_the_readme_walkthrough_sets_a_code_restores_it_and_ends_it(make_run: Gateway) -> None:
    done = run_walkthrough("/drift?refresh=true", make_run)
    answers = [msgspec.json.decode(line) for line in done.stdout.replace("}{", "}\n{").splitlines()]
    set_once, stale, reconciling, set_again, ended, workspace = answers
    assert (set_once["status"], set_again["status"], ended["status"]) == ("set", "set", "unset")
    for drift in (stale, reconciling):
        assert [(item["reason"], item["name"]) for item in drift["items"]] == [("missing_on_device", "Guest Smith")]
    assert workspace == {"data": [], "next_cursor": None}
    headers = {"Authorization": f"Bearer {make_run.key}"}
    events = httpx.get(f"{make_run.base}/v1/events?limit=500", headers=headers).json()["data"]
    code_events = [event["type"] for event in events if event["access_code_id"] == set_once["id"]]
    assert code_events == [
        "access_code.created",
        "access_code.set_on_device",
        "access_code.deleted_external_to_seam",
        "access_code.set_on_device",
        "access_code.removed_from_device",
    ]


@pytest.mark.slow
def test_the_readme_walkthrough_sets_a_ttlock_code_and_issues_an_offline_one(make_run: Gateway) -> None:
    done = run_walkthrough("/sandbox/ttlock/app", make_run)
    answers = [msgspec.json.decode(line) for line in done.stdout.replace("}{", "}\n{").splitlines()]
    account, code, now, later, refused, issued = answers
    assert (account["provider"], account["status"]) == ("ttlock", "active")
    assert (code["status"], code["name"]) == ("set", "Guest Lee")
    assert (now["opens"], later["opens"]) == (True, False)
    assert refused["code"] == "time_frame_not_supported" and "Period: 1 h to 365 days" in refused["detail"]
    assert issued["is_offline_access_code"] and issued["code"].isdigit() and issued["status"] == "set"
    assert issued["starts_at"].endswith(":00:00Z") and issued["ends_at"].endswith(":00:00Z")
    warnings = [warning["error_code"] for warning in issued["warnings"]]
    assert warnings == ["time_frame_adjusted", "must_be_used_within_time_limit"]


@pytest.mark.slow
def test_the_readme_walkthrough_issues_igloohome_offline_codes_for_a_stay(make_run: Gateway) -> None:
    done = run_walkthrough('max_time_rounding\\": \\"1d', make_run)
    studio, stay, refused, rounded = [
        msgspec.json.decode(line) for line in done.stdout.replace("}{", "}\n{").splitlines()
    ]
    assert studio["timezone"] == "Europe/Berlin"
    assert stay["is_offline_access_code"] and stay["code"].isdigit()
    assert stay["ends_at"] > stay["starts_at"] and stay["starts_at"].endswith(":00:00Z")
    assert refused["code"] == "time_frame_not_supported" and "Daily: 29 days to 367 days" in refused["detail"]
    berlin = ZoneInfo("Europe/Berlin")
    start, end = (datetime.fromisoformat(rounded[name]).astimezone(berlin) for name in ("starts_at", "ends_at"))
    assert (start.hour, end.hour, (end.date() - start.date()).days) == (15, 15, 40)
    assert "time_frame_adjusted" in [warning["error_code"] for warning in rounded["warnings"]]
