"""A simulated Nuki Web served over real HTTP (uvicorn on a thread of its own), for gateway processes other than
the test's: `aggregator worker`s reach it at `url`. `refresh()` copies what its locks hold into `view`, a
simulator nobody serves, on the server's own event loop, so that the test compares a consistent picture.
"""

from __future__ import annotations

import asyncio
import copy
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import uvicorn

from providers.nuki.simulator import NukiSimulator

START_SECONDS = 10.0


@dataclass
class ServedNuki:
    sim: NukiSimulator
    """The live simulator: set its knobs (plain attributes) from the test; read it only through `refresh()`."""
    url: str
    loop: asyncio.AbstractEventLoop
    view: NukiSimulator = field(default_factory=NukiSimulator)
    """A copy of the live simulator's locks and keypad codes as of the last `refresh()`."""

    async def refresh(self) -> NukiSimulator:
        async def copy_state() -> None:
            self.view.locks = copy.deepcopy(self.sim.locks)
            self.view.auths = copy.deepcopy(self.sim.auths)

        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(copy_state(), self.loop))
        return self.view


@contextmanager
def serve_nuki(sim: NukiSimulator) -> Iterator[ServedNuki]:
    """Serve `sim` at a free port of 127.0.0.1 until the block ends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(cast(Any, sim.app), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    loops: list[asyncio.AbstractEventLoop] = []

    async def run() -> None:
        loops.append(asyncio.get_running_loop())
        await server.serve(sockets=[listener])

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="nuki-simulator", daemon=True)
    thread.start()
    try:
        _wait_until_started(server, thread)
        yield ServedNuki(sim, f"http://127.0.0.1:{port}", loops[0])
    finally:
        server.should_exit = True
        thread.join(START_SECONDS)
        listener.close()


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError("the simulated Nuki Web did not start")
