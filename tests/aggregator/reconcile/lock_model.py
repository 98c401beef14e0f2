"""A model lock for planner tests: applies a plan's operations and notes the way the executor does, with no vendor."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field, replace

from aggregator.reconcile.model import Create, Delete, External, Forget, Link, Plan, Terms, Update, Wanted
from aggregator.reconcile.plan import applied_from, native, target
from schemas.providers import AccessCodeSpec, ObservedAccessCode


def observed(provider_code_id: str, spec: AccessCodeSpec, name_length: int | None = None) -> ObservedAccessCode:
    name = spec.name[:name_length] if name_length else spec.name
    return ObservedAccessCode(
        provider_code_id=provider_code_id, name=name, code=spec.code, starts_at=spec.starts_at, ends_at=spec.ends_at
    )


@dataclass
class ModelLock:
    codes: dict[str, ObservedAccessCode]
    terms: Terms
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def apply(self, plan: Plan, wanted: list[Wanted]) -> list[Wanted]:
        """Carry out `plan`; the wanted codes as the executor leaves them (links, vendor ids, forgotten codes)."""
        codes = {code.id: code for code in wanted}
        for note in plan.notes:
            self._note(note, codes)
        for operation in plan.operations:
            self._operate(operation, codes)
        return list(codes.values())

    def _note(self, note: Link | Forget | External, codes: dict[uuid.UUID, Wanted]) -> None:
        if isinstance(note, Link):
            linked = replace(codes[note.access_code_id], provider_code_id=note.provider_code_id, sent=())
            codes[note.access_code_id] = linked
        elif isinstance(note, Forget) or (note.adopted and note.change == "removed"):
            codes.pop(note.access_code_id, None)
        elif note.adopted:  # the lock's version becomes the wanted one
            code = codes[note.access_code_id]
            seen = self.codes[str(code.provider_code_id)]
            adopted = replace(code, name=seen.name or code.name, code=seen.code or code.code)
            if native(code, self.terms):
                adopted = replace(adopted, starts_at=seen.starts_at, ends_at=seen.ends_at)
            codes[code.id] = replace(adopted, applied=applied_from(target(adopted, self.terms)))

    def _operate(self, operation: Delete | Update | Create, codes: dict[uuid.UUID, Wanted]) -> None:
        if isinstance(operation, Delete):
            del self.codes[operation.provider_code_id]
            revoked = operation.access_code_id is not None and codes[operation.access_code_id].revoked
            if revoked and operation.access_code_id is not None:
                codes.pop(operation.access_code_id)
            return
        created = f"created-{next(self.ids)}"
        provider_code_id = operation.provider_code_id if isinstance(operation, Update) else created
        self.codes[provider_code_id] = observed(provider_code_id, operation.spec, self.terms.name_length)
        code = codes[operation.access_code_id]
        codes[code.id] = replace(code, provider_code_id=provider_code_id, applied=applied_from(operation.spec), sent=())
