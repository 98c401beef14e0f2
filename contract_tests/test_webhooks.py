"""Inbound vendor callbacks: a genuine one names the devices it is about; a tampered body or a wrong or missing
signature is refused as `ProviderAuthError` (the sample comes from the provider's simulator, signed as the vendor
signs).
"""

from __future__ import annotations

import pytest

from contract_tests.support import ROLES, on_the_wire, role_id
from providers.errors import ProviderAuthError
from providers.manifest import WebhookTrust
from providers.testing import ProviderUnderTest, WebhookSample
from schemas.providers import WebhookResult


def sample_of(put: ProviderUnderTest, role: str) -> WebhookSample:
    sample = put.simulator.webhook_sample(role_id(put, role))
    if sample is None:
        pytest.skip(f"{put.provider.manifest.slug} sends no webhooks about its {role} device")
    return sample


def signed_sample(put: ProviderUnderTest) -> tuple[WebhookSample, str]:
    """A sample about the first role's device, and the name its signature header has in the sample."""
    sample = sample_of(put, next(iter(put.devices)))
    if sample.signature_header is None:
        pytest.skip(f"{put.provider.manifest.slug} signs no webhooks")
    names = [name for name in sample.headers if name.lower() == sample.signature_header.lower()]
    assert len(names) == 1, f"the sample carries no {sample.signature_header} header"
    return sample, names[0]


@pytest.mark.parametrize("role", ROLES)
def test_a_webhook_names_the_devices_it_is_about(put: ProviderUnderTest, role: str) -> None:
    sample = sample_of(put, role)
    result = put.provider.parse_webhook(sample.config, sample.headers, sample.body)
    assert on_the_wire(result, WebhookResult) == result
    named = set(result.refresh_device_ids) | {event.provider_device_id for event in result.events}
    assert sample.expect_device_ids and named == set(sample.expect_device_ids)


def test_a_tampered_body_is_refused(put: ProviderUnderTest) -> None:
    sample, _ = signed_sample(put)
    device_id = sample.expect_device_ids[0]
    other = next(other for other in put.devices.values() if other != device_id)
    tampered = [sample.body + b" ", sample.body.replace(device_id.encode(), other.encode())]
    for body in (body for body in tampered if body != sample.body):
        with pytest.raises(ProviderAuthError):
            put.provider.parse_webhook(sample.config, sample.headers, body)


def test_a_wrong_or_missing_signature_is_refused(put: ProviderUnderTest) -> None:
    sample, header = signed_sample(put)
    signature = sample.headers[header]
    wrong = signature[:-1] + ("1" if signature[-1] != "1" else "2")
    unsigned = {name: value for name, value in sample.headers.items() if name != header}
    for headers in ({**sample.headers, header: wrong}, {**sample.headers, header: ""}, unsigned):
        with pytest.raises(ProviderAuthError):
            put.provider.parse_webhook(sample.config, headers, sample.body)


def test_the_manifest_says_what_vouches_for_its_webhooks(put: ProviderUnderTest) -> None:
    """The gateway routes a signed callback to any account's device, an unsigned one only within its URL's account."""
    samples = [put.simulator.webhook_sample(device_id) for device_id in put.devices.values()]
    sample = next((sample for sample in samples if sample is not None), None)
    trust = put.provider.manifest.webhooks
    if sample is None:
        assert trust is WebhookTrust.NONE
    else:
        assert trust is (WebhookTrust.SIGNED if sample.signature_header else WebhookTrust.URL_TOKEN)
