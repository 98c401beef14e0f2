"""The Home Assistant adapter: every `lock.*` entity of an instance is a device; lock and unlock are service calls
confirmed by the state change seen on the WebSocket (or read back when the socket is down); Matter locks take PIN
codes through the `matter.*` lock user and credential actions where this Home Assistant has them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import msgspec

from providers import code_rules
from providers.base import HeldCredentials, Provider, ProviderContext, SandboxCloud
from providers.errors import CapabilityNotSupported, ProviderRejected, ProviderUnavailable
from providers.home_assistant import mapping
from providers.home_assistant.client import HomeAssistantClient, normalized_base_url
from providers.home_assistant.facts import gather_facts
from providers.home_assistant.models import JAMMED, LOCKED, UNAVAILABLE, UNLOCKED, CredentialSet, LockUsers
from providers.home_assistant.movement import watch_movement
from providers.manifest import Capability, DeviceModel, ProviderManifest
from schemas.providers import (
    AccessCodeSpec,
    AccountIdentity,
    ActionCheck,
    ActionKind,
    ActionReceipt,
    ActionState,
    AuthKind,
    ObservedAccessCode,
    ProviderDevice,
    ProviderEvent,
)

MANIFEST = ProviderManifest(
    slug="home_assistant",
    display_name="Home Assistant",
    auth_kind=AuthKind.ACCESS_TOKEN,
    models=(
        DeviceModel(mapping.LOCK, mapping.LOCK_CAPABILITIES, "Any lock entity: Z-Wave, Zigbee, cloud or Matter."),
        DeviceModel(
            mapping.MATTER_LOCK,
            mapping.PIN_CAPABILITIES,
            "A Matter lock with user management, on a Home Assistant with the Matter lock actions: PIN codes.",
        ),
    ),
    credential_fields=("base_url", "access_token"),
    default_base_url="http://homeassistant.local:8123",
    action_timeout=timedelta(seconds=60),
    exempt={
        Capability.PROGRAM_OFFLINE_ACCESS_CODES: "Home Assistant locks take no algorithmic offline codes.",
        Capability.PROGRAM_TIME_BOUND_CODES_NATIVELY: (
            "Matter PINs have no schedules: the gateway adds them at window start and removes them at window end."
        ),
    },
    requests_per_second=20.0,
    request_burst=40,
)
_TARGET = {ActionKind.LOCK: LOCKED, ActionKind.UNLOCK: UNLOCKED}
_SERVICE = {ActionKind.LOCK: "lock", ActionKind.UNLOCK: "unlock"}


class HomeAssistantProvider(Provider):
    manifest = MANIFEST

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self.api = HomeAssistantClient(context.http, context.credentials, context.pace)

    # -- accounts ---------------------------------------------------------------------------------------------

    @classmethod
    async def connect(cls, context: ProviderContext, submitted: Mapping[str, str]) -> dict[str, Any]:
        """The instance's URL and a long-lived token, tried before they are kept; an unreachable URL is refused as
        the input error it is.
        """
        credentials = {
            "base_url": normalized_base_url(submitted["base_url"]),
            "access_token": submitted["access_token"],
        }
        adapter = cls(
            ProviderContext(http=context.http, config=context.config, credentials=HeldCredentials(credentials))
        )
        try:
            await adapter.identify()
        except ProviderUnavailable as exc:
            raise ProviderRejected("provider_unreachable", f"{credentials['base_url']} does not answer: {exc}") from exc
        return credentials

    @classmethod
    def sandbox_cloud(cls, *, redirect_uri: str, base_url: str = "") -> SandboxCloud:
        from providers.home_assistant.sandbox import sandbox_cloud  # the simulator loads only when a sandbox asks

        return sandbox_cloud(base_url=base_url)

    async def _identify(self) -> AccountIdentity:
        base_url, _ = await self.api.login()
        config = await self.api.config()
        return AccountIdentity(provider_account_id=base_url, display_name=config.location_name or base_url)

    # -- devices and actions ----------------------------------------------------------------------------------

    async def _list_devices(self) -> list[ProviderDevice]:
        locks = [state for state in await self.api.states() if mapping.is_lock(state)]
        facts = await gather_facts(self.api, self.context.http, [state.entity_id for state in locks])
        return [mapping.to_device(state, facts[state.entity_id]) for state in locks]

    async def _get_device(self, provider_device_id: str) -> ProviderDevice:
        if not provider_device_id.startswith("lock."):
            raise ProviderRejected("device_not_found", f"{provider_device_id!r} is not a lock entity.")
        state = await self.api.state(provider_device_id)
        facts = await gather_facts(self.api, self.context.http, [provider_device_id])
        return mapping.to_device(state, facts[provider_device_id])

    async def _perform(self, device: ProviderDevice, action: ActionKind) -> ActionReceipt:
        """The service call answers once the integration is done; the state change that ends the movement, seen on
        the WebSocket (or in the states the call returns when the socket is down), confirms it.
        """
        entity_id, target = device.provider_device_id, _TARGET[action]
        final = await watch_movement(self.api, self.context.http, entity_id, _SERVICE[action])
        assumed = bool(device.metadata.get("assumed_state"))
        return ActionReceipt(confirmed=final == target and not assumed, accepted_at=self.context.clock())

    async def _check_action(self, device: ProviderDevice, action: ActionKind, receipt: ActionReceipt) -> ActionCheck:
        state = await self.api.state(device.provider_device_id)
        if state.state == _TARGET[action]:
            confirmed = not state.attributes.get("assumed_state", False)
            return ActionCheck(state=ActionState.SUCCEEDED, was_confirmed_by_device=confirmed)
        if state.state == JAMMED:
            return _failed("device_jammed", "The lock jammed: its bolt could not move.")
        if state.state == UNAVAILABLE:
            return _failed("device_offline", "Home Assistant lost the lock before it moved.")
        return ActionCheck(state=ActionState.PENDING)

    # -- Matter PIN codes -------------------------------------------------------------------------------------

    async def _list_access_codes(self, device: ProviderDevice) -> list[ObservedAccessCode]:
        return [mapping.observed(user) for user in (await self._users(device)).users if mapping.has_pin(user)]

    async def _create_access_code(self, device: ProviderDevice, spec: AccessCodeSpec) -> ObservedAccessCode:
        _check_code(device, spec)
        entity_id = device.provider_device_id
        answer = await self.api.call_for_response("matter", "set_lock_credential", _credential(entity_id, spec.code))
        created = _decode(answer, entity_id, CredentialSet)
        await self._name_user(entity_id, created.user_index, spec.name)
        return ObservedAccessCode(provider_code_id=str(created.user_index), name=spec.name, code=None)

    async def _update_access_code(
        self, device: ProviderDevice, provider_code_id: str, spec: AccessCodeSpec
    ) -> ObservedAccessCode:
        """A PIN cannot be read back, so both the PIN and the name are written again."""
        _check_code(device, spec)
        entity_id, user_index = device.provider_device_id, _user_index(provider_code_id)
        user = next((u for u in (await self._users(device)).users if u.user_index == user_index), None)
        slot = next((c.index for c in user.credentials if c.type == "pin"), None) if user else None
        if user is None or slot is None:
            raise ProviderRejected("access_code_not_found", f"The lock has no user {user_index} with a PIN any more.")
        data = _credential(entity_id, spec.code) | {"credential_index": slot, "user_index": user_index}
        await self.api.call_for_response("matter", "set_lock_credential", data)
        await self._name_user(entity_id, user_index, spec.name)
        return ObservedAccessCode(provider_code_id=provider_code_id, name=spec.name, code=None)

    async def _delete_access_code(self, device: ProviderDevice, provider_code_id: str) -> None:
        entity_id, user_index = device.provider_device_id, _user_index(provider_code_id)
        try:
            await self.api.call("matter", "clear_lock_user", {"entity_id": entity_id, "user_index": user_index})
        except ProviderRejected:
            if any(user.user_index == user_index for user in (await self._users(device)).users):
                raise  # still there: a real refusal

    async def _name_user(self, entity_id: str, user_index: int, name: str) -> None:
        await self.api.call(
            "matter", "set_lock_user", {"entity_id": entity_id, "user_index": user_index, "user_name": name}
        )

    async def _users(self, device: ProviderDevice) -> LockUsers:
        entity_id = device.provider_device_id
        return _decode(
            await self.api.call_for_response("matter", "get_lock_users", {"entity_id": entity_id}), entity_id, LockUsers
        )

    # -- events -----------------------------------------------------------------------------------------------

    async def _fetch_events(self, since: datetime) -> list[ProviderEvent]:
        """State changes recorded by Home Assistant (its recorder); none where the instance records no history."""
        locks = [state.entity_id for state in await self.api.states() if mapping.is_lock(state)]
        if not locks:
            return []
        try:
            history = await self.api.history(locks, since, self.context.clock())
        except ProviderRejected as exc:
            if exc.code == "device_not_found":  # no `history` integration: nothing recorded to read
                return []
            raise
        # the state each entity was in at `since` is no change (an instance that ignores `skip_initial_state`)
        changes = [state for states in history for state in states if not mapping.stamped(state, since)]
        events = [event for state in changes if (event := mapping.event_of(state, since))]
        return sorted(events, key=lambda event: (event.occurred_at, event.provider_event_id))


def _credential(entity_id: str, pin: str) -> dict[str, Any]:
    return {
        "entity_id": entity_id,
        "credential_type": "pin",
        "credential_data": pin,
        "user_status": "occupied_enabled",
        "user_type": "unrestricted_user",
    }


def _decode(answer: dict[str, Any], entity_id: str, kind: type[Any]) -> Any:
    if entity_id not in answer:
        raise ProviderUnavailable(f"Home Assistant answered for {sorted(answer)}, not for {entity_id}.")
    return msgspec.convert(answer[entity_id], kind)


def _check_code(device: ProviderDevice, spec: AccessCodeSpec) -> None:
    if spec.is_one_time_use:
        raise CapabilityNotSupported("is_one_time_use", "A Matter PIN cannot be limited to one use.")
    broken = code_rules.violation(spec.code, device.code_constraints)
    if broken is not None:
        raise ProviderRejected("code_constraint_violated", broken[1])


def _user_index(provider_code_id: str) -> int:
    try:
        return int(provider_code_id)
    except ValueError:
        raise ProviderRejected("access_code_not_found", f"{provider_code_id!r} is no Matter user index.") from None


def _failed(code: str, message: str) -> ActionCheck:
    return ActionCheck(state=ActionState.FAILED, error_code=code, message=message)
