"""Home Assistant: lock entities (any integration, Matter locks with PIN management) through Home Assistant's REST
and WebSocket APIs.
"""

from providers.home_assistant.adapter import MANIFEST, HomeAssistantProvider

PROVIDER = HomeAssistantProvider

__all__ = ("MANIFEST", "PROVIDER", "HomeAssistantProvider")
