"""Carrying out a plan's operations through the adapter, one by one, reporting each outcome as it happens (so that
a worker that dies mid-run loses nothing). A permanent refusal is an outcome; a transient failure stops the run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aggregator.reconcile.model import Create, Delete, Operation, Plan, Update
from providers.base import Provider
from providers.errors import CapabilityNotSupported, ProviderError, ProviderRejected
from schemas.providers import ObservedAccessCode, ProviderDevice


@dataclass(frozen=True, slots=True)
class Done:
    """One operation's outcome: what the lock now holds for it (None after a removal), or the vendor's refusal."""

    operation: Operation
    seen: ObservedAccessCode | None = None
    refused: ProviderError | None = None


@dataclass(frozen=True, slots=True)
class Execution:
    done: list[Done]
    stopped_by: ProviderError | None = None
    """The transient (or login) failure that ended the run early; the rest waits for a retry."""


Report = Callable[[Done], Awaitable[None]]
Announce = Callable[[Create | Update], Awaitable[None]]


async def execute(
    adapter: Provider, device: ProviderDevice, plan: Plan, report: Report, announce: Announce
) -> Execution:
    """`announce` is awaited before each creation or update is sent (write-ahead), `report` after each outcome."""
    done: list[Done] = []
    for operation in plan.operations:
        if not isinstance(operation, Delete):
            await announce(operation)
        try:
            outcome = Done(operation, await _apply(adapter, device, operation))
        except (ProviderRejected, CapabilityNotSupported) as exc:
            outcome = Done(operation, refused=exc)
        except ProviderError as exc:
            return Execution(done, stopped_by=exc)
        await report(outcome)
        done.append(outcome)
    return Execution(done)


async def _apply(adapter: Provider, device: ProviderDevice, operation: Operation) -> ObservedAccessCode | None:
    if isinstance(operation, Delete):
        await adapter.delete_access_code(device, operation.provider_code_id)
        return None
    if isinstance(operation, Update):
        return await adapter.update_access_code(device, operation.provider_code_id, operation.spec)
    if isinstance(operation, Create):
        return await adapter.create_access_code(device, operation.spec)
    raise TypeError(f"not an operation: {operation!r}")


def lock_after(observed: list[ObservedAccessCode], execution: Execution) -> list[ObservedAccessCode]:
    """The lock's codes once the executed operations took effect (no second read from the vendor)."""
    codes = {seen.provider_code_id: seen for seen in observed}
    for outcome in execution.done:
        operation = outcome.operation
        if outcome.refused is not None:
            continue
        if isinstance(operation, Delete):
            codes.pop(operation.provider_code_id, None)
        elif outcome.seen is not None:
            if isinstance(operation, Update) and operation.provider_code_id != outcome.seen.provider_code_id:
                codes.pop(operation.provider_code_id, None)
            codes[outcome.seen.provider_code_id] = outcome.seen
    return list(codes.values())
