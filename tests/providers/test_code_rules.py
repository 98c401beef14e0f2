"""PIN rules (`providers.code_rules`): `violation` names the first rule a code breaks, with Nuki's constraints as
the main case (6 digits, no 0, not starting with 12); `generate` always makes a code that keeps every rule and is
not taken, even when only one free code is left, and says so when none is.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers import code_rules
from providers.nuki import mapping
from providers.nuki.models import Smartlock
from schemas import CodeConstraints

NUKI = mapping.constraints(Smartlock(smartlock_id=1, type=4, name="Front door"))
NUKI_1 = mapping.constraints(Smartlock(smartlock_id=1, type=0, name="Old door"))


def test_nuki_constraints_are_the_documented_ones():
    assert (NUKI.supported_code_lengths, NUKI.rules, NUKI.max_active_codes) == (
        [6],
        ["no_zeros", "cannot_start_with_12"],
        200,
    )
    assert (NUKI.max_name_length, NUKI_1.max_active_codes) == (20, 100)


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("34567", "supported_code_lengths"),
        ("3456789", "supported_code_lengths"),
        ("", "digits_only"),
        ("34567a", "digits_only"),
        ("\uff13\uff14\uff15\uff16\uff17\uff18", "digits_only"),  # full-width digits: digits to Python, not to a keypad
        ("34 678", "digits_only"),
        ("345670", "no_zeros"),
        ("034567", "no_zeros"),
        ("123456", "cannot_start_with_12"),
        ("129999", "cannot_start_with_12"),
    ],
)
def test_a_code_nuki_refuses_names_the_rule_it_breaks(code: str, rule: str):
    broken = code_rules.violation(code, NUKI)

    assert broken is not None and broken[0] == rule
    assert rule in broken[1]


@pytest.mark.parametrize("code", ["345678", "212345", "999999", "111111", "311112"])
def test_a_code_nuki_takes_breaks_no_rule(code: str):
    assert code_rules.violation(code, NUKI) is None
    assert mapping.code_problem(code) is None  # the adapter's own check agrees


def test_a_code_with_a_zero_that_starts_with_12_names_the_first_rule_listed():
    assert code_rules.violation("120345", NUKI) == (
        "no_zeros",
        "The code must not contain the digit 0 on this device (no_zeros).",
    )


def test_the_message_lists_the_lengths_a_device_takes():
    broken = code_rules.violation("12345", CodeConstraints(supported_code_lengths=[6, 4]))

    assert broken == (
        "supported_code_lengths",
        "This device takes codes of 4, 6 digits, not 5 (supported_code_lengths).",
    )


@pytest.mark.parametrize(
    ("rule", "breaks", "keeps"),
    [
        ("cannot_contain_089", "345689", "345671"),
        ("cannot_contain_0789", "345671", "345612"),
        ("no_all_same_digits", "444444", "444445"),
        ("at_least_three_unique_digits", "454545", "454546"),
        ("no_ascending_or_descending_sequence", "654321", "654322"),
        ("no_triple_consecutive_ints", "344456", "344556"),
    ],
)
def test_each_other_known_rule_is_checked(rule: str, breaks: str, keeps: str):
    constraints = CodeConstraints(supported_code_lengths=[6], rules=[rule])

    assert code_rules.violation(breaks, constraints) == (
        rule,
        f"The code {code_rules.RULES[rule][1]} on this device ({rule}).",
    )
    assert code_rules.violation(keeps, constraints) is None


def test_an_unknown_rule_is_left_to_the_vendor():
    assert code_rules.violation("345678", CodeConstraints(rules=["some_future_rule"])) is None


def test_without_lengths_any_pin_of_4_to_12_digits_is_accepted():
    free = CodeConstraints()

    assert [code_rules.violation("7" * size, free) is None for size in (3, 4, 12, 13)] == [False, True, True, False]


# -- generate -----------------------------------------------------------------------------------------------


def fits(code: str, constraints: CodeConstraints) -> bool:
    return code_rules.violation(code, constraints) is None


nuki_codes = st.text(alphabet="123456789", min_size=6, max_size=6).filter(lambda code: not code.startswith("12"))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(taken=st.sets(nuki_codes, max_size=200))
def test_generate_makes_a_nuki_code_that_keeps_the_rules_and_is_free(taken: set[str]):
    code = code_rules.generate(NUKI, taken=taken)

    assert len(code) == 6 and code.isdigit()
    assert "0" not in code and not code.startswith("12")
    assert code not in taken
    assert mapping.code_problem(code) is None


@settings(max_examples=200)
@given(
    rules=st.lists(st.sampled_from(sorted(code_rules.RULES)), unique=True),
    lengths=st.lists(st.integers(min_value=4, max_value=8), min_size=1, max_size=3, unique=True),
    asked=st.none() | st.integers(min_value=4, max_value=8),
    taken=st.sets(st.text(alphabet="0123456789", min_size=4, max_size=8), max_size=50),
)
def test_generate_keeps_any_known_rules_and_lengths(
    rules: list[str], lengths: list[int], asked: int | None, taken: set[str]
):
    constraints = CodeConstraints(supported_code_lengths=lengths, rules=rules)

    code = code_rules.generate(constraints, taken=taken, length=asked)

    assert fits(code, constraints) and code not in taken
    assert len(code) == (asked if asked in lengths else min(lengths))


SMALL = CodeConstraints(supported_code_lengths=[4], rules=["cannot_contain_0789"])
"""1,296 codes: the digits 1 to 6 in four places."""


def every_small_code() -> list[str]:
    return ["".join(digits) for digits in itertools.product("123456", repeat=4)]


@pytest.mark.parametrize("free", ["1111", "3456", "6666"])
def test_generate_finds_the_last_free_code(free: str):
    taken = set(every_small_code()) - {free}

    assert [code_rules.generate(SMALL, taken=taken) for _ in range(5)] == [free] * 5


def test_generate_says_when_no_code_is_left():
    with pytest.raises(LookupError, match=r"No free 4-digit code keeps this device's rules \(cannot_contain_0789\)"):
        code_rules.generate(SMALL, taken=every_small_code())
