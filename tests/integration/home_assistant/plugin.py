"""The `real_home_assistant` fixture (a pytest plugin, so that the contract suite and the integration tests share one
server per session): built and started when this machine can, skipped with the reason when it cannot.
`AGGREGATOR_TEST_HOME_ASSISTANT=skip` skips it on purpose.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.home_assistant import hass_env, hass_server

_failure: list[str] = []


@pytest.fixture(scope="session")
def real_home_assistant() -> Iterator[hass_server.HomeAssistant]:
    if os.environ.get("AGGREGATOR_TEST_HOME_ASSISTANT") == "skip":
        pytest.skip("a real Home Assistant is skipped on purpose (AGGREGATOR_TEST_HOME_ASSISTANT=skip)")
    if _failure:
        pytest.skip(_failure[0])
    workdir = Path(tempfile.mkdtemp(prefix="aggregator-hass-"))
    try:
        server = hass_server.start(hass_env.ensure_venv(), workdir)
    except hass_env.Unavailable as exc:
        _failure.append(f"no real Home Assistant {hass_env.VERSION} on this machine: {exc}")
        hass_server.cleanup(workdir)
        pytest.skip(_failure[0])
    try:
        yield server
    finally:
        server.stop()
        hass_server.cleanup(workdir)
