"""Read-path benchmark: the gateway's authenticated device reads against the bare-framework ceiling.

Seeds 1,000 devices into a fresh SQLite database, serves the gateway with uvicorn, and loads
`GET /v1/devices/{id}` (ids rotating) and `GET /v1/devices?limit=50` with wrk (32 connections); then serves a
bare Litestar app that returns the same JSON without auth or database, and loads it the same way.
Prints requests/s, p50, p99 and each gateway figure's ratio to the ceiling measured in the same run.

    python bench/gateway_reads.py [--duration 10] [--connections 32] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aggregator.db import Database  # noqa: E402
from aggregator.db.migrate import migrate  # noqa: E402
from tests.factories import insert_account, insert_devices, make_tenant  # noqa: E402

DEVICES = 1000


@dataclass
class Result:
    endpoint: str
    server: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float


async def seed(database_url: str) -> tuple[str, list[str]]:
    """A workspace with an admin key and 1,000 devices; returns the key and the device ids."""
    db = Database(database_url)
    await db.open()
    try:
        await migrate(db)
        tenant = await make_tenant(db, f"bench-{int(time.time())}")
        account = await insert_account(tenant)
        ids = await insert_devices(tenant, account, DEVICES)
        return tenant.admin_secret, [str(device_id) for device_id in ids]
    finally:
        await db.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/devices/x", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server on port {port} did not start; see {log}")


def wrk_script(path: Path, secret: str, ids: list[str] | None) -> Path:
    """A wrk Lua script that sends the API key and, for device reads, rotates through the ids."""
    lines = [f'wrk.headers["Authorization"] = "Bearer {secret}"']
    if ids:
        lines.append("ids = {" + ",".join(f'"{device_id}"' for device_id in ids) + "}")
        lines.append("counter = 0")
        lines.append("request = function()")
        lines.append("  counter = counter + 1")
        lines.append('  return wrk.format(nil, "/v1/devices/" .. ids[(counter % #ids) + 1])')
        lines.append("end")
    path.write_text("\n".join(lines) + "\n")
    return path


def run_wrk(url: str, script: Path, duration: int, connections: int) -> tuple[float, float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rps, _percentile(out, "50%"), _percentile(out, "99%")


def _percentile(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def capture(port: int, secret: str, device_id: str, workdir: Path) -> tuple[Path, Path]:
    headers = {"Authorization": f"Bearer {secret}"}
    device = httpx.get(f"http://127.0.0.1:{port}/v1/devices/{device_id}", headers=headers)
    page = httpx.get(f"http://127.0.0.1:{port}/v1/devices?limit=50", headers=headers)
    device.raise_for_status()
    page.raise_for_status()
    (workdir / "device.json").write_bytes(device.content)
    (workdir / "page.json").write_bytes(page.content)
    return workdir / "device.json", workdir / "page.json"


def measure(server: str, port: int, scripts: dict[str, Path], args: argparse.Namespace) -> list[Result]:
    results = []
    for endpoint, (path, script) in {
        "GET /v1/devices/{id}": ("/v1/devices/x", scripts["device"]),
        "GET /v1/devices?limit=50": ("/v1/devices?limit=50", scripts["page"]),
    }.items():
        run_wrk(f"http://127.0.0.1:{port}{path}", script, 2, args.connections)  # warm-up
        rps, p50, p99 = run_wrk(f"http://127.0.0.1:{port}{path}", script, args.duration, args.connections)
        results.append(Result(endpoint, server, rps, p50, p99))
    return results


def uvicorn_command(app: str, port: int, *, factory: bool = False) -> list[str]:
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--no-access-log", "--log-level", "warning"]
    return [*command, "--factory"] if factory else command


def print_table(results: list[Result]) -> None:
    ceilings = {result.endpoint: result.requests_per_second for result in results if result.server == "bare"}
    print(f"\n{'endpoint':<26} {'server':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs ceiling':>11}")
    for result in results:
        ratio = result.requests_per_second / ceilings[result.endpoint]
        print(
            f"{result.endpoint:<26} {result.server:<9} {result.requests_per_second:>9.0f} "
            f"{result.p50_ms:>8.2f} {result.p99_ms:>8.2f} {ratio:>11.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="aggregator-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir}/bench.db"
    secret, ids = asyncio.run(seed(database_url))
    scripts = {
        "device": wrk_script(workdir / "device.lua", secret, ids),
        "page": wrk_script(workdir / "page.lua", secret, None),
    }
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AGGREGATOR_DATABASE_URL": database_url,
        "AGGREGATOR_VAR_DIR": str(workdir / "var"),
        "AGGREGATOR_RATE_LIMIT_PER_SECOND": "1000000",
        "AGGREGATOR_RATE_LIMIT_BURST": "1000000",
        "AGGREGATOR_ACCESS_LOG": "false",
        "AGGREGATOR_LOG_LEVEL": "warning",
    }
    results: list[Result] = []
    port = free_port()
    gateway = start(uvicorn_command("aggregator.app:from_env", port, factory=True), env, port, workdir / "gateway.log")
    try:
        device_json, page_json = capture(port, secret, ids[0], workdir)
        results += measure("gateway", port, scripts, args)
    finally:
        gateway.terminate()
        gateway.wait(10)
    bare_env = {**env, "BARE_DEVICE_JSON": str(device_json), "BARE_PAGE_JSON": str(page_json)}
    port = free_port()
    bare = start(uvicorn_command("bench.bare_app:app", port), bare_env, port, workdir / "bare.log")
    try:
        results += measure("bare", port, scripts, args)
    finally:
        bare.terminate()
        bare.wait(10)
    print_table(results)
    print(
        f"\n{DEVICES} devices, wrk -t2 -c{args.connections} -d{args.duration}s, database {database_url.split(':')[0]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
