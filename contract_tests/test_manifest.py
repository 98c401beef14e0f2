"""The manifest: registered under its own slug, models whose capabilities make sense, every capability the provider
never claims exempted with a reason, and a way to connect an account that matches its auth kind.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from providers.base import Provider, ProviderConfig
from providers.manifest import Capability, ProviderManifest
from providers.registry import default_registry
from providers.testing import ProviderUnderTest
from schemas import DeviceCapabilities
from schemas.providers import AuthKind

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
REQUIRES = {
    Capability.PROGRAM_TIME_BOUND_CODES_NATIVELY: Capability.PROGRAM_ONLINE_ACCESS_CODES,
}
"""A capability that is meaningless without another one (the base checks both, in this order)."""


def test_capability_names_the_device_capability_flags() -> None:
    assert {capability.value for capability in Capability} == set(DeviceCapabilities.__struct_fields__)


def test_the_registry_knows_the_provider_by_its_manifest_slug(slug: str, provider: type[Provider]) -> None:
    slug = slug.partition("@")[0]  # a harness on a real server: `<slug>@real`
    assert isinstance(provider.manifest, ProviderManifest)
    assert provider.manifest.slug == slug and SLUG.match(slug)
    assert provider.manifest.display_name.strip() != ""
    assert default_registry().get(slug) is provider


def test_the_harness_drives_the_registered_provider(slug: str, put: ProviderUnderTest) -> None:
    assert put.provider is default_registry().get(slug.partition("@")[0])
    assert isinstance(put.adapter(), put.provider)


def test_models_have_unique_names_and_a_description(provider: type[Provider]) -> None:
    names = [model.name for model in provider.manifest.models]
    assert names and len(names) == len(set(names))
    assert all(model.description.strip() for model in provider.manifest.models)
    assert {provider.manifest.model(name).name for name in names} == set(names)


def test_every_model_claims_what_its_capabilities_depend_on(provider: type[Provider]) -> None:
    for model in provider.manifest.models:
        for capability, needed in REQUIRES.items():
            assert capability not in model.capabilities or needed in model.capabilities, (model.name, capability)


def test_a_capability_no_model_claims_is_exempted_with_a_reason(provider: type[Provider]) -> None:
    manifest = provider.manifest
    assert set(Capability) - manifest.capabilities == set(manifest.exempt)
    assert all(reason.strip() for reason in manifest.exempt.values())


def test_native_windows_come_with_a_lead_time_and_only_then(provider: type[Provider]) -> None:
    manifest = provider.manifest
    native = Capability.PROGRAM_TIME_BOUND_CODES_NATIVELY in manifest.capabilities
    assert (manifest.native_schedule_lead is not None) == native
    assert manifest.native_schedule_lead is None or manifest.native_schedule_lead.total_seconds() > 0


def test_actions_time_out_after_a_positive_while(provider: type[Provider]) -> None:
    assert provider.manifest.action_timeout.total_seconds() > 0


def test_the_default_base_url_is_an_http_url(provider: type[Provider]) -> None:
    parts = urlsplit(provider.manifest.default_base_url)
    assert parts.scheme in ("https", "http") and parts.netloc != ""


def overrides(provider: type[Provider], name: str) -> bool:
    """Whether the adapter (or a base of its own) defines `name` instead of inheriting `Provider`'s refusal."""
    return any(name in vars(cls) for cls in provider.__mro__ if issubclass(cls, Provider) and cls is not Provider)


def test_accounts_can_connect_as_the_manifest_says(provider: type[Provider]) -> None:
    manifest = provider.manifest
    oauth = manifest.auth_kind is AuthKind.OAUTH2_AUTHORIZATION_CODE
    assert overrides(provider, "connect") == bool(manifest.credential_fields)
    assert oauth or manifest.credential_fields, "an account of this provider has no way to connect"
    assert overrides(provider, "authorization_url") == overrides(provider, "exchange_code") == oauth


def test_the_authorization_url_carries_the_redirect_and_the_state(provider: type[Provider]) -> None:
    if provider.manifest.auth_kind is not AuthKind.OAUTH2_AUTHORIZATION_CODE:
        pytest.skip(f"{provider.manifest.slug} accounts do not connect by OAuth")
    config = ProviderConfig(base_url=provider.manifest.default_base_url, client_id="contract", client_secret="s")
    url = provider.authorization_url(config, redirect_uri="https://gateway.example/cb?x=1", state="st&te")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.scheme in ("https", "http") and query["state"] == ["st&te"]
    assert query["redirect_uri"] == ["https://gateway.example/cb?x=1"] and query["client_id"] == ["contract"]
