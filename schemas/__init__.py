"""The normalized model: msgspec types and enums shared by providers and the gateway. No I/O."""

from schemas.access_codes import (
    AccessCode,
    AccessCodeCreate,
    AccessCodeStatus,
    AccessCodeType,
    AccessCodeUpdate,
    DeviceDrift,
    DriftItem,
    DriftReason,
    MutationCode,
    PendingMutation,
)
from schemas.action_attempts import ActionAttempt, ActionAttemptError, ActionAttemptStatus, ActionType
from schemas.api_keys import ApiKey, ApiKeyCreate, ApiKeyWithSecret, Scope
from schemas.audit import ActorType, AuditEntry
from schemas.base import AwareDatetime, RequestStruct, WireStruct
from schemas.common import ErrorCodeInfo, FieldError, Page, Problem, ResourceIssue
from schemas.connected_accounts import (
    ConnectedAccount,
    ConnectedAccountCreate,
    ConnectedAccountStatus,
    ConnectSession,
    ConnectSessionCreate,
    ConnectSessionError,
    ConnectSessionStatus,
    ProviderWebhook,
    ProviderWebhookReceipt,
)
from schemas.devices import (
    BatteryStatus,
    CodeConstraints,
    Device,
    DeviceCapabilities,
    DeviceProperties,
    DeviceUpdate,
    TimeFrameOption,
)
from schemas.events import Event, EventMethod, EventSource, EventType
from schemas.health import ComponentHealth, Health, HealthStatus, JobsHealth
from schemas.workspaces import Workspace

__all__ = (
    "AccessCode",
    "AccessCodeCreate",
    "AccessCodeStatus",
    "AccessCodeType",
    "AccessCodeUpdate",
    "ActionAttempt",
    "ActionAttemptError",
    "ActionAttemptStatus",
    "ActionType",
    "ActorType",
    "ApiKey",
    "ApiKeyCreate",
    "ApiKeyWithSecret",
    "AuditEntry",
    "AwareDatetime",
    "BatteryStatus",
    "CodeConstraints",
    "ComponentHealth",
    "ConnectSession",
    "ConnectSessionCreate",
    "ConnectSessionError",
    "ConnectSessionStatus",
    "ConnectedAccount",
    "ConnectedAccountCreate",
    "ConnectedAccountStatus",
    "Device",
    "DeviceCapabilities",
    "DeviceDrift",
    "DeviceProperties",
    "DeviceUpdate",
    "DriftItem",
    "DriftReason",
    "ErrorCodeInfo",
    "Event",
    "EventMethod",
    "EventSource",
    "EventType",
    "FieldError",
    "Health",
    "HealthStatus",
    "JobsHealth",
    "MutationCode",
    "Page",
    "PendingMutation",
    "Problem",
    "ProviderWebhook",
    "ProviderWebhookReceipt",
    "RequestStruct",
    "ResourceIssue",
    "Scope",
    "TimeFrameOption",
    "WireStruct",
    "Workspace",
)
