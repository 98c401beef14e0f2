"""Fixtures of the contract suite: one parameter per registered provider (test ids start with its slug).

Each provider's inputs come from its own `providers/<slug>/testing.py`, which must export `provider_under_test()`
(see `providers/testing.py`); nothing here is specific to one vendor.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import cast

import pytest

from providers.base import Provider
from providers.registry import default_registry
from providers.testing import ProviderUnderTest

HarnessFactory = Callable[[], AbstractAsyncContextManager[ProviderUnderTest]]


def harness(slug: str) -> HarnessFactory:
    """`provider_under_test` of `providers/<slug>/testing.py`, with a plain message when it is missing."""
    module_name = f"providers.{slug}.testing"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        pytest.fail(f"{module_name} is missing: every provider ships one for the contract suite", pytrace=False)
    factory = getattr(module, "provider_under_test", None)
    if not callable(factory):
        pytest.fail(f"{module_name} does not export provider_under_test() (see providers/testing.py)", pytrace=False)
    return cast(HarnessFactory, factory)


REAL = {"home_assistant@real": "real_home_assistant"}
"""Harnesses on a real vendor server rather than the simulator, each with the fixture that runs the server (the
test is skipped, with the reason, where the server cannot run)."""


@pytest.fixture(name="slug", params=[*default_registry().slugs, *REAL])
def fx_slug(request: pytest.FixtureRequest) -> str:
    return cast(str, request.param)


@pytest.fixture(name="provider")
def fx_provider(slug: str) -> type[Provider]:
    return default_registry().get(slug.partition("@")[0])


@pytest.fixture(name="put")
async def fx_put(slug: str, request: pytest.FixtureRequest) -> AsyncIterator[ProviderUnderTest]:
    """The provider on a fresh simulator (or a real server) with one connected account holding every device role it
    can have.
    """
    if slug in REAL:
        from tests.integration.home_assistant.harness import provider_under_test

        async with provider_under_test(request.getfixturevalue(REAL[slug])) as under_test:
            yield under_test
        return
    async with harness(slug)() as under_test:
        yield under_test


@pytest.fixture(name="adapter")
def fx_adapter(put: ProviderUnderTest) -> Provider:
    return put.adapter()
