"""The diff, by property: a plan carried out on a model lock leaves exactly the wanted codes (and every unmanaged one),
a second plan is empty, unmanaged codes are never removed, and a revoked code stays in the plan until it is gone.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.reconcile.model import Delete, Terms, Update, Wanted
from aggregator.reconcile.plan import ON, applied_from, placement, plan, target
from schemas.providers import ObservedAccessCode
from tests.aggregator.reconcile.lock_model import ModelLock, observed

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
HOURS = st.integers(min_value=-100, max_value=100).map(lambda hours: NOW + timedelta(hours=hours))


@st.composite
def windows(draw: st.DrawFn) -> tuple[datetime | None, datetime | None]:
    start, end = draw(st.none() | HOURS), draw(st.none() | HOURS)
    if start is not None and end is not None and end <= start:
        start, end = end - timedelta(hours=1), start + timedelta(hours=1)
    return start, end


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Wanted], dict[str, ObservedAccessCode], Terms]:
    """Wanted codes (some on the lock as set, some changed since, some changed on the lock, some revoked) and the
    lock's codes, with every PIN distinct."""
    terms = Terms(
        native_windows=draw(st.booleans()), preload=timedelta(hours=72), name_length=draw(st.sampled_from([None, 8]))
    )
    pins = iter(draw(st.lists(st.integers(100000, 999999).map(str), min_size=24, max_size=24, unique=True)))
    wanted: list[Wanted] = []
    lock: dict[str, ObservedAccessCode] = {}
    for index in range(draw(st.integers(0, 6))):
        start, end = draw(windows())
        code = Wanted(
            uuid.UUID(int=index + 1),
            f"Guest number {index}",
            next(pins),
            start,
            end,
            revoked=draw(st.booleans()),
            allow_external_modification=draw(st.booleans()),
            native_scheduling=draw(st.booleans()),
        )
        state = draw(
            st.sampled_from(
                [
                    "new",
                    "set",
                    "changed_since",
                    "modified_on_lock",
                    "removed_on_lock",
                    "unrecorded",
                    "unrecorded_then_changed",
                    "update_unrecorded",
                    "update_unrecorded_then_reverted",
                ]
            )
        )
        wanted.append(_place(code, state, lock, terms, next(pins)))
    for index in range(draw(st.integers(0, 3))):
        lock[f"unmanaged-{index}"] = ObservedAccessCode(
            provider_code_id=f"unmanaged-{index}", name="Owner", code=next(pins)
        )
    return wanted, lock, terms


def _place(code: Wanted, state: str, lock: dict[str, ObservedAccessCode], terms: Terms, spare_pin: str) -> Wanted:
    if state == "new":
        return code
    provider_code_id = f"vendor-{code.id.int}"
    spec = target(code, terms)
    if state.startswith("unrecorded"):  # created on the lock, but the worker died before it kept the vendor id
        lock[provider_code_id] = observed(provider_code_id, spec, terms.name_length)
        if state == "unrecorded_then_changed":  # ... and the code was changed through the API since
            return replace(code, sent=(applied_from(spec),), name="Renamed guest", code=spare_pin)
        return replace(code, sent=(applied_from(spec),))
    code = replace(code, provider_code_id=provider_code_id, applied=applied_from(spec))
    if state.startswith("update_unrecorded"):  # an update reached the lock, the worker died before recording it
        sent = target(replace(code, name="Renamed guest"), terms)
        lock[provider_code_id] = observed(provider_code_id, sent, terms.name_length)
        code = replace(code, sent=(applied_from(sent),))
        return code if state.endswith("reverted") else replace(code, name="Renamed guest")
    if state == "removed_on_lock":
        return code
    seen = observed(provider_code_id, spec, terms.name_length)
    if state == "modified_on_lock":
        seen = msgspec.structs.replace(seen, code=spare_pin, name="Changed")
    lock[provider_code_id] = seen
    return replace(code, name="Renamed guest") if state == "changed_since" else code


def wanted_on_lock(wanted: list[Wanted], terms: Terms) -> set[tuple[object, ...]]:
    return {
        _key(observed("", target(code, terms), terms.name_length))
        for code in wanted
        if not code.revoked and placement(code, NOW, terms) == ON
    }


def _key(seen: ObservedAccessCode) -> tuple[object, ...]:
    return seen.code, seen.name, seen.starts_at, seen.ends_at


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_a_plan_leaves_exactly_the_wanted_codes_and_a_second_plan_is_empty(scenario) -> None:  # type: ignore[no-untyped-def]
    wanted, codes, terms = scenario
    lock = ModelLock(dict(codes), terms)
    unmanaged_before = {key: seen for key, seen in codes.items() if key.startswith("unmanaged")}
    first = plan(wanted, list(lock.codes.values()), NOW, terms)
    after = lock.apply(first, wanted)
    managed_on_lock = {_key(seen) for key, seen in lock.codes.items() if not key.startswith("unmanaged")}
    assert managed_on_lock == wanted_on_lock(after, terms)
    assert {key: seen for key, seen in lock.codes.items() if key.startswith("unmanaged")} == unmanaged_before
    second = plan(after, list(lock.codes.values()), NOW, terms)
    assert second.operations == [] and second.notes == []
    assert second.in_sync


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_unmanaged_codes_are_never_removed_and_revoked_ones_always_are(scenario) -> None:  # type: ignore[no-untyped-def]
    wanted, codes, terms = scenario
    result = plan(wanted, list(codes.values()), NOW, terms)
    deleted = {operation.provider_code_id for operation in result.operations if isinstance(operation, Delete)}
    assert not {key for key in deleted if key.startswith("unmanaged")}
    for code in wanted:
        seen = result.matched.get(code.id)
        if code.revoked and seen is not None:
            assert seen.provider_code_id in deleted
    assert {seen.provider_code_id for seen in result.unmanaged} >= {key for key in codes if key.startswith("unmanaged")}


def test_a_code_sent_by_a_run_that_died_is_recognised_after_it_was_renamed_and_revoked() -> None:
    terms = Terms(native_windows=True, name_length=20)
    sent = Wanted(uuid.UUID(int=1), "Guest 0", "345678")
    on_lock = observed("auth-1", target(sent, terms), terms.name_length)
    owner = ObservedAccessCode(provider_code_id="auth-2", name="Owner", code="345678")
    revoked = replace(sent, name="Guest 0 renamed", revoked=True, sent=(applied_from(target(sent, terms)),))

    result = plan([revoked], [owner, on_lock], NOW, terms)
    assert [(type(op).__name__, op.provider_code_id) for op in result.operations] == [("Delete", "auth-1")]
    assert [seen.provider_code_id for seen in result.unmanaged] == ["auth-2"]
    forgotten = plan([replace(revoked, sent=())], [owner, on_lock], NOW, terms)
    assert forgotten.operations == [] and {s.provider_code_id for s in forgotten.unmanaged} == {"auth-1", "auth-2"}


def test_an_update_sent_by_a_run_that_died_is_not_taken_for_an_outside_change() -> None:
    terms = Terms(native_windows=True)
    code = Wanted(uuid.UUID(int=1), "Guest", "345678", provider_code_id="auth-1", allow_external_modification=True)
    code = replace(code, applied=applied_from(target(code, terms)))
    renamed = target(replace(code, name="Guest renamed"), terms)
    lock = [observed("auth-1", renamed, None)]
    reverted = replace(code, sent=(applied_from(renamed),))  # renamed, sent, died; then renamed back through the API

    [update] = plan([reverted], lock, NOW, terms).operations
    assert isinstance(update, Update) and update.spec.name == "Guest"
    assert plan([replace(reverted, sent=())], lock, NOW, terms).operations == []  # without the record: adopted


def test_removals_come_first_then_updates_then_creations() -> None:
    terms = Terms(native_windows=True, preload=timedelta(hours=72))
    gone = Wanted(uuid.UUID(int=1), "Old guest", "345678", revoked=True, provider_code_id="a")
    renamed = Wanted(
        uuid.UUID(int=2),
        "New name",
        "456789",
        provider_code_id="b",
        applied=applied_from(target(Wanted(uuid.UUID(int=2), "Old name", "456789"), terms)),
    )
    fresh = Wanted(uuid.UUID(int=3), "Guest", "567891")
    lock = [observed("a", gone.spec()), observed("b", target(Wanted(uuid.UUID(int=2), "Old name", "456789"), terms))]
    result = plan([fresh, renamed, gone], lock, NOW, terms)
    assert [type(operation).__name__ for operation in result.operations] == ["Delete", "Update", "Create"]
    assert result.notes == []


def test_the_next_change_is_the_nearest_window_edge() -> None:
    terms = Terms(native_windows=False, lead=timedelta(minutes=15))
    later = Wanted(uuid.UUID(int=1), "Guest", "345678", NOW + timedelta(hours=5), NOW + timedelta(hours=9))
    current = Wanted(uuid.UUID(int=2), "Cleaner", "456789", NOW - timedelta(hours=1), NOW + timedelta(hours=2))
    result = plan([later, current], [], NOW, terms)
    assert result.next_change_at == NOW + timedelta(hours=2)
    assert plan([later], [], NOW, terms).next_change_at == NOW + timedelta(hours=5) - timedelta(minutes=15)


def test_a_restriction_set_in_the_vendor_app_differs_unless_the_code_allows_outside_changes():
    terms = Terms(native_windows=True, preload=timedelta(hours=72), name_length=None)
    wanted = Wanted(uuid.UUID(int=1), "Guest", "345678", provider_code_id="auth-1")
    wanted = replace(wanted, applied=applied_from(target(wanted, terms)))
    seen = ObservedAccessCode(provider_code_id="auth-1", name="Guest", code="345678", restriction="only on Mon")

    [update] = plan([wanted], [seen], NOW, terms).operations
    assert (type(update).__name__, update.changed) == ("Update", ("time_frame",))
    allowing = replace(wanted, allow_external_modification=True)
    assert plan([allowing], [seen], NOW, terms).operations == []


def test_offline_codes_are_never_created_or_changed_only_taken_off_once_revoked() -> None:
    terms = Terms(native_windows=True, offline_removable=True)
    issued = Wanted(
        uuid.UUID(int=1), "Cleaner", "7654321", NOW, NOW + timedelta(hours=5), provider_code_id="pwd-1", offline=True
    )
    listed = ObservedAccessCode(provider_code_id="pwd-1", name="Cleaner", code="7654321")

    assert plan([issued], [], NOW, terms).operations == []  # not on the lock: never put there by the gateway
    kept = plan([issued], [listed], NOW, terms)
    assert kept.operations == [] and kept.unmanaged == [] and kept.in_sync
    revoked = replace(issued, revoked=True)
    [delete] = plan([revoked], [listed], NOW, terms).operations
    assert isinstance(delete, Delete) and delete.provider_code_id == "pwd-1"
    assert [type(note).__name__ for note in plan([revoked], [], NOW, terms).notes] == ["Forget"]


def test_an_offline_code_the_vendor_cannot_take_off_is_forgotten_when_its_window_ends() -> None:
    terms = Terms(native_windows=False, lists_codes=False, offline_removable=False)
    revoked = Wanted(
        uuid.UUID(int=1),
        "Guest",
        "7654321",
        NOW - timedelta(hours=1),
        NOW + timedelta(hours=2),
        offline=True,
        provider_code_id="pin-1",
        revoked=True,
    )
    early = plan([revoked], [], NOW, terms)
    assert early.operations == [] and early.notes == [] and early.next_change_at == NOW + timedelta(hours=2)
    assert [type(note).__name__ for note in plan([revoked], [], NOW + timedelta(hours=2), terms).notes] == ["Forget"]


def test_a_native_window_is_narrowed_to_the_whole_steps_the_lock_keeps() -> None:
    terms = Terms(native_windows=True, preload=timedelta(hours=72), window_step=timedelta(minutes=1))
    code = Wanted(
        uuid.UUID(int=1), "Guest", "345678", NOW + timedelta(seconds=30), NOW + timedelta(hours=1, seconds=50)
    )
    spec = target(code, terms)
    assert (spec.starts_at, spec.ends_at) == (NOW + timedelta(minutes=1), NOW + timedelta(hours=1))
    on_lock = ObservedAccessCode(
        provider_code_id="p", name="Guest", code="345678", starts_at=spec.starts_at, ends_at=spec.ends_at
    )
    assert plan([replace(code, provider_code_id="p")], [on_lock], NOW, terms).operations == []
