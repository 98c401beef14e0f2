"""The suite's own PIN helper (codes.py): valid codes keep every rule, each invalid code breaks what it says."""

from __future__ import annotations

import pytest

from contract_tests.codes import RULES, broken_rules, invalid_codes, rule, valid_code
from schemas import CodeConstraints

EVERY_RULE = CodeConstraints(supported_code_lengths=[4, 6], rules=sorted(RULES))


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_rule_has_a_breaker_that_breaks_it_alone_where_possible(name: str) -> None:
    constraints = CodeConstraints(supported_code_lengths=[6], rules=[name])
    code = valid_code(constraints)
    assert broken_rules(code, constraints) == []
    assert broken_rules(RULES[name].breaker(code), constraints) == [name]


def test_valid_codes_keep_every_rule_and_avoid_taken_ones() -> None:
    first = valid_code(EVERY_RULE)
    second = valid_code(EVERY_RULE, avoid={first})
    assert len(first) == 4 and broken_rules(first, EVERY_RULE) == broken_rules(second, EVERY_RULE) == []
    assert second != first and len(valid_code(EVERY_RULE, length=6)) == 6


def test_invalid_codes_break_what_their_key_names() -> None:
    samples = invalid_codes(CodeConstraints(supported_code_lengths=[6], rules=["no_zeros", "cannot_start_with_12"]))
    assert set(samples) == {"length 5", "length 7", "no_zeros", "cannot_start_with_12"}
    assert broken_rules(samples["length 7"], CodeConstraints(supported_code_lengths=[6])) == ["supported_code_lengths"]
    assert samples["no_zeros"].count("0") == 1 and samples["cannot_start_with_12"].startswith("12")


def test_an_unknown_rule_is_an_error_not_ignored() -> None:
    with pytest.raises(LookupError, match="no_such_rule"):
        rule("no_such_rule")
    with pytest.raises(LookupError, match="supported_code_lengths"):
        valid_code(CodeConstraints(rules=["no_zeros"]))
