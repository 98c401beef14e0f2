"""One real Home Assistant server on loopback: started from the cached venv with this folder's configuration (offline,
`--skip-pip`), its owner created through onboarding and logged in, stopped at the end. Ready means: the API answers,
Home Assistant says it is RUNNING, and the demo's four locks exist.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.integration.home_assistant.hass_env import HERE, Unavailable

START_SECONDS = 120
DEMO_LOCKS = ("lock.front_door", "lock.kitchen_door", "lock.poorly_installed_door", "lock.openable_lock")
JAMS = "lock.poorly_installed_door"
OWNER = {"name": "Test Owner", "username": "owner", "password": "owner-password-1234", "language": "en"}


@dataclass
class HomeAssistant:
    url: str
    token: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def start(venv: Path, workdir: Path) -> HomeAssistant:
    """Start hass in `workdir` and have its owner's access token; Unavailable (with hass's last words) if it fails."""
    port = _free_port()
    config = workdir / "config"
    config.mkdir(parents=True)
    text = (HERE / "configuration.yaml").read_text().replace("server_port: 8123", f"server_port: {port}")
    (config / "configuration.yaml").write_text(text)
    log = workdir / "hass.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(venv / "bin" / "hass"), "-c", str(config), "--skip-pip"], stdout=out, stderr=subprocess.STDOUT
        )
    server = HomeAssistant(f"http://127.0.0.1:{port}", "", process, log)
    try:
        server.token = _onboard(server)
        _wait_running(server)
    except BaseException:
        server.stop()
        raise
    return server


def _onboard(server: HomeAssistant) -> str:
    client_id = f"{server.url}/"
    answer = _until(
        server, lambda: httpx.post(f"{server.url}/api/onboarding/users", json={"client_id": client_id, **OWNER})
    )
    code = answer.json()["auth_code"]
    form = {"grant_type": "authorization_code", "code": code, "client_id": client_id}
    token = httpx.post(f"{server.url}/auth/token", data=form, timeout=10)
    if token.status_code != 200:
        raise Unavailable(f"Home Assistant refused the onboarding code: {token.text[:200]}")
    return str(token.json()["access_token"])


def _wait_running(server: HomeAssistant) -> None:
    headers = {"Authorization": f"Bearer {server.token}"}

    def ready() -> httpx.Response:
        config = httpx.get(f"{server.url}/api/config", headers=headers, timeout=5)
        if config.status_code != 200 or config.json().get("state") != "RUNNING":
            return httpx.Response(503)
        states = httpx.get(f"{server.url}/api/states", headers=headers, timeout=5)
        found = {state["entity_id"] for state in states.json()} if states.status_code == 200 else set()
        return states if found >= set(DEMO_LOCKS) else httpx.Response(503)

    _until(server, ready)


def _until(server: HomeAssistant, attempt: Any) -> httpx.Response:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise Unavailable(f"hass exited ({server.process.returncode}): {_tail(server.log)}")
        try:
            answer: httpx.Response = attempt()
            if answer.status_code == 200:
                return answer
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise Unavailable(f"Home Assistant was not ready within {START_SECONDS} s: {_tail(server.log)}")


def _tail(log: Path, lines: int = 8) -> str:
    try:
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cleanup(workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
