"""The providers the gateway knows, by slug: the only way the gateway reaches an adapter."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from providers.base import Provider


class UnknownProvider(LookupError):
    """No provider has this slug."""


class ProviderRegistry:
    def __init__(self, providers: Iterable[type[Provider]]) -> None:
        self._providers = {provider.manifest.slug: provider for provider in providers}

    def get(self, slug: str) -> type[Provider]:
        try:
            return self._providers[slug]
        except KeyError:
            known = ", ".join(sorted(self._providers)) or "none"
            raise UnknownProvider(f"no provider {slug!r}; known providers: {known}") from None

    def __iter__(self) -> Iterator[type[Provider]]:
        return iter(self._providers.values())

    def __contains__(self, slug: object) -> bool:
        return slug in self._providers

    @property
    def slugs(self) -> list[str]:
        return sorted(self._providers)


def default_registry() -> ProviderRegistry:
    """Every provider shipped with the gateway."""
    from providers.home_assistant import PROVIDER as HOME_ASSISTANT
    from providers.igloohome import PROVIDER as IGLOOHOME
    from providers.nuki import PROVIDER as NUKI
    from providers.ttlock import PROVIDER as TTLOCK

    return ProviderRegistry([NUKI, TTLOCK, IGLOOHOME, HOME_ASSISTANT])
