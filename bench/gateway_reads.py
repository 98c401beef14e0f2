"""Read-path benchmark: the gateway's authenticated device reads against the bare-framework ceiling.

Seeds 1,000 devices into a fresh SQLite database, serves the gateway with uvicorn, and loads
`GET /v1/devices/{id}` (ids rotating) and `GET /v1/devices?limit=50` with wrk (32 connections); then serves a
bare Litestar app that returns the same JSON without auth or database, and loads it the same way.
Prints requests/s, p50, p99 and each gateway figure's ratio to the ceiling measured in the same run
(the median of `--rounds` rounds; any non-2xx answer aborts the run).

    python bench/gateway_reads.py [--duration 10] [--rounds 1] [--connections 32] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import DEVICES, seed  # noqa: E402

ENDPOINTS = {
    "GET /v1/devices/{id}": ("/v1/devices/x", "device"),
    "GET /v1/devices?limit=50": ("/v1/devices?limit=50", "page"),
}


@dataclass
class Result:
    endpoint: str
    server: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(app: str, env: dict[str, str], log: Path, *, factory: bool = False) -> Iterator[int]:
    """Run `app` under uvicorn on a free port until the block ends; yields the port."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--no-access-log", "--log-level", "warning"]
    with log.open("wb") as out:
        process = subprocess.Popen([*command, "--factory"] if factory else command, env=env, stdout=out, stderr=out)
    try:
        _wait_for(port, process, log)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited; see {log}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/devices/x", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start; see {log}")


def wrk_script(path: Path, secret: str, ids: list[str] | None) -> Path:
    """A wrk Lua script that sends the API key and, for device reads, rotates through the ids."""
    lines = [f'wrk.headers["Authorization"] = "Bearer {secret}"']
    if ids:
        lines += [
            "ids = {" + ",".join(f'"{device_id}"' for device_id in ids) + "}",
            "counter = 0",
            "request = function()",
            "  counter = counter + 1",
            '  return wrk.format(nil, "/v1/devices/" .. ids[(counter % #ids) + 1])',
            "end",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


def run_wrk(url: str, script: Path, duration: int, connections: int) -> tuple[float, float, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests against {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rps, _percentile(out, "50%"), _percentile(out, "99%")


def _percentile(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def capture(port: int, secret: str, device_id: str, workdir: Path) -> dict[str, str]:
    """The gateway's answers, saved for the bare app to return."""
    headers = {"Authorization": f"Bearer {secret}"}
    files = {}
    for name, path in (("BARE_DEVICE_JSON", f"/v1/devices/{device_id}"), ("BARE_PAGE_JSON", "/v1/devices?limit=50")):
        answer = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers)
        answer.raise_for_status()
        target = workdir / f"{name.lower()}.json"
        target.write_bytes(answer.content)
        files[name] = str(target)
    return files


def measure(server: str, port: int, scripts: dict[str, Path], args: argparse.Namespace) -> list[Result]:
    results = []
    for endpoint, (path, script) in ENDPOINTS.items():
        url = f"http://127.0.0.1:{port}{path}"
        run_wrk(url, scripts[script], 2, args.connections)  # warm-up
        rps, p50, p99 = run_wrk(url, scripts[script], args.duration, args.connections)
        results.append(Result(endpoint, server, rps, p50, p99))
    return results


def median(results: list[Result]) -> list[Result]:
    """Per endpoint and server, the round with the median throughput."""
    groups: dict[tuple[str, str], list[Result]] = {}
    for result in results:
        groups.setdefault((result.endpoint, result.server), []).append(result)
    chosen = []
    for group in groups.values():
        middle = statistics.median_low(result.requests_per_second for result in group)
        chosen.append(next(result for result in group if result.requests_per_second == middle))
    return chosen


def print_table(results: list[Result]) -> None:
    ceilings = {result.endpoint: result.requests_per_second for result in results if result.server == "bare"}
    print(f"\n{'endpoint':<26} {'server':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs ceiling':>11}")
    for result in sorted(results, key=lambda result: (result.server != "gateway", result.endpoint)):
        ratio = result.requests_per_second / ceilings[result.endpoint]
        print(
            f"{result.endpoint:<26} {result.server:<9} {result.requests_per_second:>9.0f} "
            f"{result.p50_ms:>8.2f} {result.p99_ms:>8.2f} {ratio:>11.2f}"
        )


def run_round(
    args: argparse.Namespace, env: dict[str, str], workdir: Path, secret: str, ids: list[str]
) -> list[Result]:
    scripts = {
        "device": wrk_script(workdir / "device.lua", secret, ids),
        "page": wrk_script(workdir / "page.lua", secret, None),
    }
    with served("aggregator.app:from_env", env, workdir / "gateway.log", factory=True) as port:
        answers = capture(port, secret, ids[0], workdir)
        results = measure("gateway", port, scripts, args)
    with served("bench.bare_app:app", {**env, **answers}, workdir / "bare.log") as port:
        results += measure("bare", port, scripts, args)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=1, help="repeat and report the median round")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="aggregator-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir}/bench.db"
    secret, ids = asyncio.run(seed(database_url))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AGGREGATOR_DATABASE_URL": database_url, **BENCH_SETTINGS}
    env["AGGREGATOR_VAR_DIR"] = str(workdir / "var")
    results = [result for _ in range(args.rounds) for result in run_round(args, env, workdir, secret, ids)]
    print_table(median(results))
    engine = database_url.split(":")[0]
    print(f"\n{DEVICES} devices, wrk -t2 -c{args.connections} -d{args.duration}s, {args.rounds} round(s), {engine}")
    return 0


BENCH_SETTINGS = {
    "AGGREGATOR_RATE_LIMIT_PER_SECOND": "1000000",  # the limiter still runs on every request, it just never refuses
    "AGGREGATOR_RATE_LIMIT_BURST": "1000000",
    "AGGREGATOR_ACCESS_LOG": "false",
    "AGGREGATOR_LOG_LEVEL": "warning",
}


if __name__ == "__main__":
    sys.exit(main())
