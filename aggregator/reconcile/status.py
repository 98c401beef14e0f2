"""What a code's status, schedule flag and pending mutations are, given the wanted code and its counterpart on the
lock (Seam's lifecycle: `setting` -> `set` -> `removing` -> gone; `unset` while off the lock). Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aggregator.reconcile.model import Terms, Wanted
from aggregator.reconcile.plan import AFTER, BEFORE, differences, lapsed, load_at, native, placement, target
from schemas import AccessCodeStatus, MutationCode, PendingMutation
from schemas.providers import ObservedAccessCode

_UPDATING = {
    "code": MutationCode.UPDATING_CODE,
    "name": MutationCode.UPDATING_NAME,
    "time_frame": MutationCode.UPDATING_TIME_FRAME,
}


@dataclass(frozen=True, slots=True)
class CodeState:
    status: AccessCodeStatus
    is_scheduled_on_device: bool
    pending_mutations: list[PendingMutation]


def code_state(
    code: Wanted,
    seen: ObservedAccessCode | None,
    now: datetime,
    terms: Terms,
    earlier: list[PendingMutation] | None = None,
) -> CodeState:
    """The code's state now; mutations keep the `created_at` of the same mutation listed `earlier`."""
    since = {mutation.mutation_code: mutation.created_at for mutation in earlier or []}

    def mutation(kind: MutationCode, **fields: object) -> PendingMutation:
        return PendingMutation(mutation_code=kind, created_at=since.get(kind, now), **fields)  # type: ignore[arg-type]

    where = placement(code, now, terms)
    if code.revoked:
        return CodeState(AccessCodeStatus.REMOVING, False, [mutation(MutationCode.DELETING)])
    if code.offline:  # issued, not device state: it works from its start until its end
        started = code.starts_at is None or now >= code.starts_at
        return CodeState(
            AccessCodeStatus.SET if started and not lapsed(code, now) else AccessCodeStatus.UNSET, False, []
        )
    if where == BEFORE:
        pending = [mutation(MutationCode.DEFERRING_CREATION, scheduled_at=load_at(code, terms))]
        if seen is not None:
            pending.insert(0, mutation(MutationCode.DELETING))
        return CodeState(AccessCodeStatus.UNSET, False, pending)
    if where == AFTER:
        if seen is None:
            return CodeState(AccessCodeStatus.UNSET, False, [])
        return CodeState(AccessCodeStatus.SET, False, [mutation(MutationCode.DELETING)])
    return _on_lock_state(code, seen, now, terms, mutation)


def _on_lock_state(
    code: Wanted, seen: ObservedAccessCode | None, now: datetime, terms: Terms, mutation: Callable[..., PendingMutation]
) -> CodeState:
    early = native(code, terms) and code.starts_at is not None and now < code.starts_at
    if seen is None:
        status = AccessCodeStatus.UNSET if early else AccessCodeStatus.SETTING
        return CodeState(status, False, [mutation(MutationCode.CREATING)])
    spec = target(code, terms)
    pending = [mutation(_UPDATING[field], **_change(field, seen, spec)) for field in differences(code, seen, terms)]
    if early:
        return CodeState(AccessCodeStatus.UNSET, not seen.is_pending, pending)
    status = AccessCodeStatus.SETTING if seen.is_pending else AccessCodeStatus.SET
    return CodeState(status, False, pending)


def _change(field: str, seen: ObservedAccessCode, spec: object) -> dict[str, dict[str, object]]:
    names = {"code": ("code",), "name": ("name",), "time_frame": ("starts_at", "ends_at")}[field]
    return {
        "from_": {name: _plain(getattr(seen, name)) for name in names},
        "to": {name: _plain(getattr(spec, name)) for name in names},
    }


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
