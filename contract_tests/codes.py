"""PIN codes derived from a device's `CodeConstraints` alone: codes that satisfy every rule, and codes that break one.

Rules use Seam's `constraint_type` names. A rule this module does not know is an error, never ignored: a provider
that reports a new rule teaches it here (how to tell a code breaks it, and how to make a code that does).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass

from schemas import CodeConstraints

DIGITS = "0123456789"
ATTEMPTS = 10_000


@dataclass(frozen=True, slots=True)
class Rule:
    broken_by: Callable[[str], bool]
    """Whether a code breaks the rule."""
    breaker: Callable[[str], str]
    """A code that breaks the rule, made from a valid one of the same length."""


def _monotonic(code: str) -> bool:
    steps = {int(b) - int(a) for a, b in itertools.pairwise(code)}
    return steps in ({1}, {-1})


def _run_from(first: int, length: int) -> str:
    """An ascending run of `length` digits starting at `first`, or lower where the run would pass 9."""
    start = min(first, max(0, 10 - length))
    return "".join(str(start + step) for step in range(length))


RULES: dict[str, Rule] = {
    "no_zeros": Rule(lambda code: "0" in code, lambda code: code[:-1] + "0"),
    "cannot_start_with_12": Rule(lambda code: code.startswith("12"), lambda code: "12" + code[2:]),
    "cannot_contain_089": Rule(lambda code: any(d in code for d in "089"), lambda code: code[:-1] + "8"),
    "cannot_contain_0789": Rule(lambda code: any(d in code for d in "0789"), lambda code: code[:-1] + "7"),
    "no_all_same_digits": Rule(lambda code: len(set(code)) == 1, lambda code: code[0] * len(code)),
    "at_least_three_unique_digits": Rule(lambda code: len(set(code)) < 3, lambda code: code[0] * len(code)),
    "no_ascending_or_descending_sequence": Rule(_monotonic, lambda code: _run_from(int(code[0]), len(code))),
}


def rule(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise LookupError(f"contract_tests/codes.py does not know the code rule {name!r}; add it to RULES") from None


def broken_rules(code: str, constraints: CodeConstraints) -> list[str]:
    """The device's rules `code` breaks (its length included, as `supported_code_lengths`)."""
    broken = [name for name in constraints.rules if rule(name).broken_by(code)]
    if constraints.supported_code_lengths and len(code) not in constraints.supported_code_lengths:
        broken.append("supported_code_lengths")
    return broken


def valid_code(constraints: CodeConstraints, *, avoid: Collection[str] = (), seed: int = 0, length: int = 0) -> str:
    """A code of `length` (default: the shortest supported) that satisfies every rule and is not in `avoid`."""
    if not (length or constraints.supported_code_lengths):
        raise LookupError("the device takes codes but reports no supported_code_lengths")
    length = length or min(constraints.supported_code_lengths)
    rng = random.Random(f"{seed}-{length}")
    for _ in range(ATTEMPTS):
        code = "".join(rng.choice(DIGITS) for _ in range(length))
        if code not in avoid and not [name for name in constraints.rules if rule(name).broken_by(code)]:
            return code
    raise LookupError(f"no {length}-digit code satisfies {constraints.rules} in {ATTEMPTS} tries")


def invalid_codes(constraints: CodeConstraints) -> dict[str, str]:
    """One code per way of breaking the constraints (each unsupported length next to the supported ones, each
    rule), keyed by what it breaks; every other rule holds where the rules allow it.
    """
    lengths = constraints.supported_code_lengths
    samples: dict[str, str] = {}
    unsupported = {min(lengths) - 1, max(lengths) + 1} - set(lengths) - {0} if lengths else set()
    for length in sorted(unsupported):
        samples[f"length {length}"] = valid_code(CodeConstraints(rules=constraints.rules), length=length)
    base = valid_code(constraints)
    for name in constraints.rules:
        samples[name] = rule(name).breaker(base)
    return samples
