"""The diff: from the wanted codes of a lock, the codes the lock has, the time and the lock's terms, to a plan of
typed operations (removals, then updates, then creations). Pure: no I/O, no clock of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import msgspec

from aggregator.reconcile.model import (
    Applied,
    Create,
    Delete,
    External,
    Forget,
    Link,
    Plan,
    Terms,
    Update,
    Wanted,
)
from schemas.providers import AccessCodeSpec, ObservedAccessCode

BEFORE, ON, AFTER = "before", "on", "after"
_ONE_SECOND = timedelta(seconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ORDER = {Delete: 0, Update: 1, Create: 2}


def plan(wanted: Sequence[Wanted], observed: Sequence[ObservedAccessCode], now: datetime, terms: Terms) -> Plan:
    result = Plan()
    result.matched = match(wanted, observed, now, terms)
    for code in wanted:
        _plan_code(code, result.matched.get(code.id), now, terms, result)
    claimed = {seen.provider_code_id for seen in result.matched.values()}
    result.unmanaged = [seen for seen in observed if seen.provider_code_id not in claimed]
    result.operations.sort(key=lambda operation: _ORDER[type(operation)])
    edges = [edge for code in wanted if not code.revoked or code.offline for edge in _edges(code, terms) if edge > now]
    result.next_change_at = min(edges, default=None)
    return result


def match(
    wanted: Sequence[Wanted], observed: Sequence[ObservedAccessCode], now: datetime, terms: Terms
) -> dict[uuid.UUID, ObservedAccessCode]:
    """Each wanted code's counterpart on the lock: by vendor id, else (a code whose creation was never recorded)
    by PIN and name, the wanted ones or those of a spec sent before its run died (so that no unmanaged code is ever
    taken for a wanted one: someone may have added the same PIN in the vendor's app before the gateway read the
    lock). Where the vendor hides names or PINs, the other alone decides (`_may_be`).
    """
    by_id = {seen.provider_code_id: seen for seen in observed}
    found = {code.id: by_id[code.provider_code_id] for code in wanted if code.provider_code_id in by_id}
    taken = {seen.provider_code_id for seen in found.values()}
    for code in wanted:
        if code.id in found or code.provider_code_id is not None or code.offline:
            continue
        strict = code.revoked or placement(code, now, terms) != ON
        shapes = {(code.code, lock_name(code.name, terms))} | {(s.code, lock_name(s.name, terms)) for s in code.sent}
        for seen in observed:
            if seen.provider_code_id in taken or not _may_be(seen, shapes, strict=strict):
                continue
            found[code.id] = seen
            taken.add(seen.provider_code_id)
            break
    return found


def _may_be(seen: ObservedAccessCode, shapes: set[tuple[str, str]], *, strict: bool) -> bool:
    """Whether a code on the lock may be one of these (PIN, name) shapes: both match; or the vendor hides one of
    them (names, or Matter's write-only PINs) and the other matches, unless the code should not be on the lock.
    """
    if (seen.code, seen.name) in shapes:
        return True
    if strict or (seen.code is None and seen.name is None):
        return False
    if seen.name is None:
        return seen.code in {pin for pin, _ in shapes}
    return seen.code is None and seen.name in {name for _, name in shapes}


def _plan_code(code: Wanted, seen: ObservedAccessCode | None, now: datetime, terms: Terms, result: Plan) -> None:
    if code.offline:
        _plan_offline(code, seen, now, terms, result)
        return
    if seen is not None and seen.provider_code_id != code.provider_code_id:
        result.notes.append(Link(code.id, seen.provider_code_id))
    where = placement(code, now, terms)
    if code.revoked or where != ON:
        if seen is not None:
            why = "revoked" if code.revoked else ("ended" if where == AFTER else "not_started")
            result.operations.append(Delete(seen.provider_code_id, code.id, why))
        elif code.revoked:
            result.notes.append(Forget(code.id))
        return
    if seen is None:
        _plan_missing(code, terms, result)
        return
    changed = differences(code, seen, terms)
    if not changed:
        return
    if _changed_outside(code, seen, terms):
        result.notes.append(External(code.id, "modified", changed, adopted=code.allow_external_modification))
        if code.allow_external_modification:
            return
    spec = target(code, terms)
    if code.rejected != fingerprint(spec):
        result.operations.append(Update(code.id, seen.provider_code_id, spec, changed))


def _plan_missing(code: Wanted, terms: Terms, result: Plan) -> None:
    if code.provider_code_id is not None and code.applied is not None:  # it was on the lock: removed outside
        result.notes.append(External(code.id, "removed", adopted=code.allow_external_modification))
        if code.allow_external_modification:
            return
    spec = target(code, terms)
    if code.rejected != fingerprint(spec):
        result.operations.append(Create(code.id, spec))


def _plan_offline(code: Wanted, seen: ObservedAccessCode | None, now: datetime, terms: Terms, result: Plan) -> None:
    """An offline code is the vendor's to compute: never created or changed. Revoked, it leaves the lock where the
    vendor can take it off; where it cannot, it works on until its window ends, and is forgotten then.
    """
    if not code.revoked:
        return
    if seen is not None and terms.offline_removable:
        result.operations.append(Delete(seen.provider_code_id, code.id, "revoked"))
    elif (seen is None and terms.lists_codes) or lapsed(code, now):
        result.notes.append(Forget(code.id))


def lapsed(code: Wanted, now: datetime) -> bool:
    return code.ends_at is not None and now >= code.ends_at


def native(code: Wanted, terms: Terms) -> bool:
    """Whether the lock itself enforces this code's window."""
    return terms.native_windows and code.native_scheduling and (code.starts_at or code.ends_at) is not None


def load_at(code: Wanted, terms: Terms) -> datetime | None:
    """When the code goes onto the lock (None: at once)."""
    if code.starts_at is None:
        return None
    return code.starts_at - (terms.preload if native(code, terms) else terms.lead)


def placement(code: Wanted, now: datetime, terms: Terms) -> str:
    """Whether the code belongs on the lock now (ON), not yet (BEFORE), or no more (AFTER)."""
    if code.ends_at is not None and now >= code.ends_at:
        return AFTER
    start = load_at(code, terms)
    return BEFORE if start is not None and now < start else ON


def _edges(code: Wanted, terms: Terms) -> list[datetime]:
    if code.offline:
        return [edge for edge in (code.starts_at, code.ends_at) if edge is not None]
    edges = [edge for edge in (load_at(code, terms), code.ends_at) if edge is not None]
    if code.starts_at is not None and native(code, terms):
        edges.append(code.starts_at)  # the code turns from scheduled to set
    return edges


def target(code: Wanted, terms: Terms) -> AccessCodeSpec:
    """What the lock should hold: with the window where the lock enforces it (narrowed to the whole steps the lock
    keeps), without where the gateway does.
    """
    if not native(code, terms):
        return AccessCodeSpec(name=code.name, code=code.code)
    spec = code.spec()
    if terms.window_step <= _ONE_SECOND:
        return spec
    starts_at = _step(spec.starts_at, terms.window_step, up=True)
    return msgspec.structs.replace(spec, starts_at=starts_at, ends_at=_step(spec.ends_at, terms.window_step, up=False))


def _step(moment: datetime | None, step: timedelta, *, up: bool) -> datetime | None:
    if moment is None:
        return None
    down = moment - (moment - _EPOCH) % step
    return down + step if up and down != moment else down


def lock_name(name: str, terms: Terms) -> str:
    return name[: terms.name_length] if terms.name_length else name


def differences(code: Wanted, seen: ObservedAccessCode, terms: Terms) -> tuple[str, ...]:
    """Which of code, name and time frame the lock has otherwise than wanted (what the vendor hides is not compared)."""
    spec = target(code, terms)
    changed = []
    if seen.code is not None and seen.code != spec.code:
        changed.append("code")
    if seen.name is not None and seen.name != lock_name(spec.name, terms):
        changed.append("name")
    # a restriction set in the vendor's app (weekdays, hours, disabled) is an external change the code may allow
    restricted = seen.restriction is not None and not code.allow_external_modification
    if restricted or (_second(seen.starts_at), _second(seen.ends_at)) != (
        _second(spec.starts_at),
        _second(spec.ends_at),
    ):
        changed.append("time_frame")
    return tuple(changed)


def _changed_outside(code: Wanted, seen: ObservedAccessCode, terms: Terms) -> bool:
    """The lock differs from what the gateway last put there, and the gateway has not asked for a change since (nor
    sent one whose outcome it never recorded).
    """
    if code.applied is None:
        return False
    spec = target(code, terms)
    applied = code.applied
    asked_since = _shape(spec.name, spec.code, spec.starts_at, spec.ends_at) != _shape(
        applied.name, applied.code, applied.starts_at, applied.ends_at
    )
    return not asked_since and not any(_holds(seen, sent, terms) for sent in code.sent)


def _holds(seen: ObservedAccessCode, sent: Applied, terms: Terms) -> bool:
    """Whether the lock shows what the gateway sent (what the vendor hides counts as shown)."""
    return (
        (seen.code is None or seen.code == sent.code)
        and (seen.name is None or seen.name == lock_name(sent.name, terms))
        and (_second(seen.starts_at), _second(seen.ends_at)) == (_second(sent.starts_at), _second(sent.ends_at))
    )


def _shape(name: str, code: str, starts_at: datetime | None, ends_at: datetime | None) -> tuple[object, ...]:
    return (name, code, _second(starts_at), _second(ends_at))


def applied_from(spec: AccessCodeSpec) -> Applied:
    return Applied(name=spec.name, code=spec.code, starts_at=spec.starts_at, ends_at=spec.ends_at)


def fingerprint(spec: AccessCodeSpec) -> str:
    """A spec's identity, to remember one the vendor refused for good."""
    return f"{spec.code}|{spec.name}|{_second(spec.starts_at)}|{_second(spec.ends_at)}"


def _second(moment: datetime | None) -> float | None:
    return None if moment is None else int(moment.timestamp())
