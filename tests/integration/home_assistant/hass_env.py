"""A real Home Assistant 2024.3.3 for the integration tests, in a virtualenv of its own outside the repository
(cached between runs): built once from the package registry with Home Assistant's own version pins, so pip does not
spend minutes backtracking, and with what hass would install at its first start, so it then starts offline.

2024.3.3 is the newest release that installs on Python 3.11; it needs `josepy<2` beside it.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

VERSION = "2024.3.3"
HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("AGGREGATOR_HA_CACHE", Path.home() / ".cache" / "aggregator" / "home-assistant"))
BUILD_SECONDS = 900
READY = ".ready"


class Unavailable(RuntimeError):
    """Home Assistant cannot be had here; the message says why (the tests that need it are skipped with it)."""


def venv_dir() -> Path:
    return CACHE / f"venv-{VERSION}"


def ensure_venv() -> Path:
    """The venv with hass in it, built first if need be (one build at a time across processes)."""
    venv = venv_dir()
    if (venv / READY).exists():
        return venv
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / READY).exists():
            _build(venv)
    return venv


def _build(venv: Path) -> None:
    if sys.version_info[:2] != (3, 11):
        raise Unavailable(f"Home Assistant {VERSION} installs on Python 3.11, not {sys.version.split()[0]}")
    subprocess.run(["rm", "-rf", str(venv)], check=True)
    _run([sys.executable, "-m", "venv", str(venv)], "create the virtualenv")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    with tempfile.TemporaryDirectory() as scratch:
        constraints = _constraints(pip, Path(scratch))
        _run(
            [
                *pip,
                "install",
                f"homeassistant=={VERSION}",
                "josepy<2",
                "-r",
                str(HERE / "runtime-requirements.txt"),
                "-c",
                str(constraints),
            ],
            "install Home Assistant",
        )
    _run([str(venv / "bin" / "hass"), "--version"], "run hass")
    (venv / READY).write_text(VERSION + "\n")


def _constraints(pip: list[str], scratch: Path) -> Path:
    """Home Assistant's own pins (its wheel's `package_constraints.txt`, what hass itself installs with)."""
    _run([*pip, "download", "--no-deps", "-d", str(scratch), f"homeassistant=={VERSION}"], "download Home Assistant")
    wheel = next(scratch.glob("homeassistant-*.whl"))
    target = scratch / "package_constraints.txt"
    with zipfile.ZipFile(wheel) as archive:
        target.write_bytes(archive.read("homeassistant/package_constraints.txt"))
    return target


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"could not {what}: {exc}") from exc
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise Unavailable(f"could not {what} (exit {done.returncode}): {' | '.join(output)}")
