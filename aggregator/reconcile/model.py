"""What the planner works on: the wanted codes of one lock, the lock's terms, and the operations a plan is made of.
Plain data, no I/O.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from schemas.providers import AccessCodeSpec, ObservedAccessCode


@dataclass(frozen=True, slots=True)
class Applied:
    """What the gateway last put on the lock for a code (to tell its own pending changes from external ones)."""

    name: str
    code: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Wanted:
    """A managed code as the planner sees it."""

    id: uuid.UUID
    name: str
    code: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    revoked: bool = False
    """Deleted through the API: it must leave the lock, then it is gone."""
    provider_code_id: str | None = None
    applied: Applied | None = None
    allow_external_modification: bool = False
    native_scheduling: bool = True
    rejected: str | None = None
    """The fingerprint of a spec the vendor refused for good: not sent again until the code changes."""
    sent: tuple[Applied, ...] = ()
    """Specs sent to the vendor whose outcome was never recorded (the run died): the lock may hold any of them."""
    offline: bool = False
    """Issued by the vendor's algorithm for its window: never created or changed on the lock by the gateway."""

    def spec(self) -> AccessCodeSpec:
        return AccessCodeSpec(name=self.name, code=self.code, starts_at=self.starts_at, ends_at=self.ends_at)


@dataclass(frozen=True, slots=True)
class Terms:
    """What the planner must know about the lock."""

    native_windows: bool
    """The lock enforces a code's window itself (it may hold the code before it starts)."""
    preload: timedelta = timedelta(0)
    """With native windows: how long before its start a code is loaded."""
    lead: timedelta = timedelta(minutes=15)
    """Without native windows: how long before its start a code is put on the lock (it then works early)."""
    name_length: int | None = None
    """Names longer than this are cut by the vendor: compare only what the lock can hold."""
    window_step: timedelta = timedelta(seconds=1)
    """Native windows hold whole steps: a start is rounded up to one, an end down (a code never works longer)."""
    lists_codes: bool = True
    """The vendor lists the lock's codes (otherwise the gateway knows only what it put there itself)."""
    offline_removable: bool = False
    """The vendor can take an offline code off the lock remotely (else it works until its window ends)."""


@dataclass(frozen=True, slots=True)
class Create:
    access_code_id: uuid.UUID
    spec: AccessCodeSpec


@dataclass(frozen=True, slots=True)
class Update:
    access_code_id: uuid.UUID
    provider_code_id: str
    spec: AccessCodeSpec
    changed: tuple[str, ...]
    """Which of `code`, `name`, `time_frame` differ on the lock."""


@dataclass(frozen=True, slots=True)
class Delete:
    provider_code_id: str
    access_code_id: uuid.UUID | None
    why: str
    """`revoked`, `ended` or `not_started`."""


@dataclass(frozen=True, slots=True)
class Link:
    """An observed code is the wanted one (same PIN): remember its vendor id; no vendor call."""

    access_code_id: uuid.UUID
    provider_code_id: str


@dataclass(frozen=True, slots=True)
class Forget:
    """A revoked code that is off the lock: it can go."""

    access_code_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class External:
    """Someone changed or removed a managed code outside the gateway."""

    access_code_id: uuid.UUID
    change: str
    """`modified` or `removed`."""
    fields: tuple[str, ...] = ()
    adopted: bool = False
    """The code allows external changes: the lock's version is kept (a warning), not undone (an error)."""


Operation = Delete | Update | Create
Note = Link | Forget | External


@dataclass(slots=True)
class Plan:
    """Vendor operations in the order to run them (removals, updates, creations), the bookkeeping that needs no
    vendor call, the codes found that the gateway does not manage, and when the plan next changes by itself.
    """

    operations: list[Operation] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    unmanaged: list[ObservedAccessCode] = field(default_factory=list)
    next_change_at: datetime | None = None
    matched: dict[uuid.UUID, ObservedAccessCode] = field(default_factory=dict)
    """Each wanted code's counterpart on the lock."""

    @property
    def in_sync(self) -> bool:
        return not self.operations and not any(isinstance(note, Forget | External) for note in self.notes)
