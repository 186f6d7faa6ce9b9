"""The interest conventions and the worked examples of DOMAIN-RULES §2 that are one formula."""

from datetime import date
from decimal import Decimal

import pytest

from deposits.interest import (
    add_months,
    days_between,
    fen,
    interest_by_accrual,
    interest_by_days,
    interest_full_term,
)

D = Decimal


def test_current_settlement_example_1148000_at_010_is_3_19():
    assert interest_by_accrual(D("1148000"), D("0.10")) == D("3.19")


def test_fixed_example_10000_one_year_at_120_is_120_not_by_days():
    assert interest_full_term(D("10000"), D("1.20"), 12) == D("120.00")
    assert interest_by_days(D("10000"), D("1.20"), 365) == D("121.67")  # what "by days" gives


def test_fixed_early_example_20000_after_183_days_at_010_is_10_17():
    assert interest_by_days(D("20000"), D("0.10"), 183) == D("10.17")


def test_fixed_rest_example_30000_at_maturity_is_360():
    assert interest_full_term(D("30000"), D("1.20"), 12) == D("360.00")


def test_fixed_overdue_example_30_days_after_maturity_is_2_50():
    assert interest_by_days(D("30000"), D("0.10"), 30) == D("2.50")


def test_large_cd_example_200000_three_years_at_180_is_10800():
    assert interest_full_term(D("200000"), D("1.80"), 36) == D("10800.00")


def test_notice_examples_with_and_without_notice():
    assert interest_by_days(D("100000"), D("0.55"), 30) == D("45.83")
    assert interest_by_days(D("100000"), D("0.10"), 30) == D("8.33")


def test_days_count_the_first_day_not_the_last():
    assert days_between(date(2026, 1, 1), date(2026, 1, 1)) == 0
    assert days_between(date(2026, 1, 1), date(2026, 1, 2)) == 1
    assert days_between(date(2026, 1, 5), date(2026, 1, 1)) == 0


@pytest.mark.parametrize(("amount", "rounded"), [("0.005", "0.01"), ("0.0049", "0.00"),
                                                 ("2.505", "2.51"), ("-0.005", "-0.01")])
def test_rounding_is_half_up_to_the_fen(amount, rounded):
    assert fen(D(amount)) == D(rounded)


@pytest.mark.parametrize(("start", "months", "end"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 3, 15), 12, date(2027, 3, 15)), (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 31), 60, date(2031, 12, 31)),
])
def test_add_months_takes_the_last_day_of_a_short_month(start, months, end):
    assert add_months(start, months) == end
