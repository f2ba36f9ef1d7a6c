"""The planner's numeric search: the first step where a monotone goal holds, found with few tries."""
from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from engine.plan.inversion import first_step
from engine.values import Fraction


def search(gap, holds, start: int, stop: int, way: int = 1) -> tuple[int | None, int]:
    """The step `first_step` finds for a goal over one integer `x`, and how many steps it tried."""
    tries = []

    def goal(patch: dict) -> bool:
        tries.append(patch["x"])
        return holds(patch["x"])

    found = first_step(lambda steps: {"x": steps}, goal, lambda patch: gap(patch["x"]), start, stop, way)
    return (None if found is None else found["x"]), len(tries)


def brute(holds, start: int, stop: int, way: int) -> int | None:
    return next((x for x in range(start, stop + way, way) if holds(x)), None)


OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b}


@given(st.integers(0, 5000), st.integers(1, 5000), st.integers(-3000, 3000), st.sampled_from(sorted(OPS)),
       st.sampled_from(["line", "ratio", "floor", "flat"]), st.sampled_from([1, -1]))
def test_the_first_step_of_every_monotone_goal(start, span, target, op, shape, way):
    """Lines, ratios, steps of 50, and goals with no measure: always the step a one-by-one walk finds."""
    value = {
        "line": lambda x: Fraction(3 * x, 7),
        "ratio": lambda x: Fraction(x, abs(x) + 40),
        "floor": lambda x: (x // 50),
        "flat": lambda x: x,
    }[shape]
    level = Fraction(target, 7) if shape != "ratio" else Fraction(target, 3001)
    stop = start + way * span

    def holds(x: int) -> bool:
        return OPS[op](value(x) * way, level * way)

    def gap(x: int):
        return None if shape == "flat" else level * way - value(x) * way

    found, _ = search(gap, holds, start, stop, way)
    assert found == brute(holds, start, stop, way)


def test_a_straight_line_is_hit_in_a_few_tries():
    """拨缴经费 to the cent: a million steps away, found in 4 tries instead of about 40."""
    due = 1_234_567

    def holds(cents: int) -> bool:
        return Fraction(cents, due) >= Fraction(95, 100)

    found, tries = search(lambda cents: Fraction(95, 100) - Fraction(cents, due), holds, 0, 10**8)
    assert found == math.ceil(Fraction(95, 100) * due)
    assert tries <= 4


def test_a_strict_comparison_met_with_equality_takes_one_step_more():
    found, tries = search(lambda x: 1000 - x, lambda x: x > 1000, 0, 10**6)
    assert (found, tries) == (1001, 4)  # 0, 1, 1000 where the line meets it, 1001


def test_a_widening_gap_tries_the_last_step_and_gives_up():
    """More members only lower the rate of members holding a card: no number of members reaches 90%."""
    cards = 80

    def rate(members: int) -> Fraction:
        return Fraction(cards, members)

    found, tries = search(lambda m: Fraction(9, 10) - rate(m), lambda m: rate(m) >= Fraction(9, 10), 100, 100_000)
    assert (found, tries) == (None, 3)


def test_a_goal_with_no_measure_is_found_by_doubling_and_bisection():
    found, tries = search(lambda x: None, lambda x: x >= 700, 0, 100_000)
    assert found == 700
    assert tries == 11 + 9  # 0, 1, 3, 7, …, 1023, then halving the 512 steps between 511 and 1023


def test_a_start_past_the_stop_finds_nothing():
    assert search(lambda x: 0, lambda x: True, 10, 9) == (None, 0)
