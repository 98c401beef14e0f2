"""PIN rules by Seam's `constraint_type` names: why a code breaks a device's `CodeConstraints`, and a fresh code that
keeps them. Shared by the gateway (checks before any vendor call, generated codes) and adapters.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Collection

from schemas import CodeConstraints

GENERATION_ATTEMPTS = 2_000
EXHAUSTIVE_LIMIT = 10**6
"""After the random tries, spaces of at most this many codes are walked through (about a second at worst)."""
MIN_LENGTH, MAX_LENGTH = 4, 12
"""Any PIN is 4 to 12 digits (Seam's API-level pattern); a device narrows it with `supported_code_lengths`."""


def _monotonic(code: str) -> bool:
    steps = {int(b) - int(a) for a, b in itertools.pairwise(code)}
    return steps in ({1}, {-1})


def _triple(code: str) -> bool:
    return any(a == b == c for a, b, c in zip(code, code[1:], code[2:], strict=False))


RULES: dict[str, tuple[Callable[[str], bool], str]] = {
    "no_zeros": (lambda code: "0" in code, "must not contain the digit 0"),
    "cannot_start_with_12": (lambda code: code.startswith("12"), "must not start with 12"),
    "cannot_contain_089": (lambda code: any(d in code for d in "089"), "must not contain 0, 8 or 9"),
    "cannot_contain_0789": (lambda code: any(d in code for d in "0789"), "must not contain 0, 7, 8 or 9"),
    "no_all_same_digits": (lambda code: len(set(code)) == 1, "must not be one digit repeated"),
    "at_least_three_unique_digits": (lambda code: len(set(code)) < 3, "must have at least three different digits"),
    "no_ascending_or_descending_sequence": (_monotonic, "must not be an ascending or descending run"),
    "no_triple_consecutive_ints": (_triple, "must not repeat a digit three times in a row"),
}
"""Rule name -> (whether a code breaks it, what the rule asks, for messages). Unknown rules are not checked here:
the vendor still refuses what breaks them, and the refusal becomes an error on the code."""


def violation(code: str, constraints: CodeConstraints) -> tuple[str, str] | None:
    """The first rule `code` breaks, as (rule name, a sentence a person understands), or None."""
    if not (code.isascii() and code.isdigit()):
        return "digits_only", "A code is made of the digits 0 to 9 only (digits_only)."
    lengths = constraints.supported_code_lengths or list(range(MIN_LENGTH, MAX_LENGTH + 1))
    if len(code) not in lengths:
        allowed = ", ".join(str(length) for length in sorted(lengths))
        return (
            "supported_code_lengths",
            f"This device takes codes of {allowed} digits, not {len(code)} (supported_code_lengths).",
        )
    for name in constraints.rules:
        check = RULES.get(name)
        if check and check[0](code):
            return name, f"The code {check[1]} on this device ({name})."
    return None


def generate(constraints: CodeConstraints, *, taken: Collection[str] = (), length: int | None = None) -> str:
    """A random code that keeps every rule and differs from each code in `taken` (the shortest supported length
    unless `length` asks for another); LookupError when the rules leave no room.
    """
    lengths = constraints.supported_code_lengths or [6]
    size = length if length in lengths else min(lengths)
    used = set(taken)
    for _ in range(GENERATION_ATTEMPTS):
        code = "".join(secrets.choice("0123456789") for _ in range(size))
        if code not in used and violation(code, constraints) is None:
            return code
    found = _first_free(size, constraints, used)
    if found is None:
        raise LookupError(f"No free {size}-digit code keeps this device's rules ({', '.join(constraints.rules)}).")
    return found


def _first_free(size: int, constraints: CodeConstraints, used: set[str]) -> str | None:
    """The first free code counting on from a random one, for spaces small enough to walk: random tries miss the
    few codes a nearly full space has left (with 1 of 1,296 free, 2,000 tries find it only one time in five).
    """
    space = 10**size
    if space > EXHAUSTIVE_LIMIT:
        return None
    start = secrets.randbelow(space)
    for step in range(space):
        code = f"{(start + step) % space:0{size}d}"
        if code not in used and violation(code, constraints) is None:
            return code
    return None
