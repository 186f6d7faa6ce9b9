"""风险测评's rules (wealth/risk/scoring.py): the score bands at their edges, and the validity
through the day before the anniversary (a 29 February included)."""

from datetime import date

import pytest

from wealth.risk.scoring import (
    allowed_product_levels,
    anniversary,
    band_bounds,
    level_for_score,
    valid_until,
)


@pytest.mark.parametrize(("score", "level"), [
    (0, "C1"), (20, "C1"), (21, "C2"), (40, "C2"), (41, "C3"), (60, "C3"), (61, "C4"),
    (80, "C4"), (81, "C5"), (100, "C5")])
def test_the_bands_of_a_questionnaire_of_100_points(score, level):
    assert level_for_score(score, 100) == level


def test_the_bands_follow_the_maximum_and_round_the_bounds_down():
    # 37 points at most: bounds 7.4, 14.8, 22.2, 29.6 → 7, 14, 22, 29.
    assert [(lvl.value, low, high) for lvl, low, high in band_bounds(37)] == [
        ("C1", 0, 7), ("C2", 8, 14), ("C3", 15, 22), ("C4", 23, 29), ("C5", 30, 37)]
    for level, low, high in band_bounds(37):
        assert level_for_score(low, 37) == level and level_for_score(high, 37) == level
    # head office adds a question of 10 points: 60 was C3 of 100, is C3 of 110 too; 61 now C3.
    assert level_for_score(61, 110) == "C3" and level_for_score(67, 110) == "C4"


def test_a_score_outside_the_questionnaire_is_refused():
    with pytest.raises(ValueError):
        level_for_score(101, 100)
    with pytest.raises(ValueError):
        level_for_score(0, 0)


def test_valid_through_the_day_before_the_anniversary():
    assert valid_until(date(2026, 6, 1)) == date(2027, 5, 31)
    assert valid_until(date(2026, 12, 31)) == date(2027, 12, 30)
    assert valid_until(date(2027, 1, 1)) == date(2027, 12, 31)
    # The year after taking it holds a 29 February: still through the day before.
    assert valid_until(date(2027, 3, 1)) == date(2028, 2, 29)
    assert valid_until(date(2027, 2, 28)) == date(2028, 2, 27)


def test_taken_on_29_february_valid_through_28_february():
    assert anniversary(date(2028, 2, 29)) == date(2029, 3, 1)
    assert valid_until(date(2028, 2, 29)) == date(2029, 2, 28)
    # Its neighbours: the day before ends a day earlier, the day after on the same day.
    assert valid_until(date(2028, 2, 28)) == date(2029, 2, 27)
    assert valid_until(date(2028, 3, 1)) == date(2029, 2, 28)


def test_what_each_level_may_buy():
    assert allowed_product_levels("C1") == ["R1"]
    assert allowed_product_levels("C3") == ["R1", "R2", "R3"]
    assert allowed_product_levels("C5") == ["R1", "R2", "R3", "R4", "R5"]
