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
    interest_instalment_at_maturity,
    interest_instalments_by_days,
    interest_up_front_clawback,
    notice_interest,
    payout_schedule,
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


def test_instalment_example_1000_a_month_12_months_at_085_is_55_25():
    assert interest_instalment_at_maturity(D("1000"), 12, D("0.85")) == D("55.25")


def test_instalments_by_days_round_once_at_the_end():
    deposits = [(date(2026, 1, 10), D("1000")), (date(2026, 2, 10), D("1000"))]
    # 1000 × 0.85% / 360 × 355 = 8.3819…, + 1000 × 0.85% / 360 × 324 = 7.65 → 16.0319… → 16.03
    assert interest_instalments_by_days(deposits, date(2026, 12, 31), D("0.85")) == D("16.03")


def test_payouts_take_the_rounding_on_the_last_one():
    schedule = payout_schedule(D("10000"), D("0.85"), 12, 12)
    assert schedule[:11] == [D("7.08")] * 11 and schedule[-1] == D("7.12")
    assert sum(schedule) == D("85.00")
    assert payout_schedule(D("50000"), D("1.05"), 36, 12) == [D("131.25")] * 12


def test_notice_deposit_rates():
    common = {"principal": D("100000"), "notice_days": 7, "opened_on": date(2026, 3, 1),
              "withdrawn_on": date(2026, 3, 31), "notice_rate": D("0.55"),
              "current_rate": D("0.10")}
    assert notice_interest(notice_given_on=date(2026, 3, 24), **common) == D("45.83")
    assert notice_interest(notice_given_on=None, **common) == D("8.33")
    assert notice_interest(notice_given_on=date(2026, 3, 25), **common) == D("8.33")  # 6 days
    short = {**common, "withdrawn_on": date(2026, 3, 6)}  # a 7-day deposit held 5 days
    assert notice_interest(notice_given_on=date(2026, 3, 1), **short) == \
        interest_by_days(D("100000"), D("0.10"), 5)


def test_up_front_interest_clawback_is_the_difference_and_never_negative():
    paid = interest_full_term(D("10000"), D("1.15"), 12)
    assert paid == D("115.00")
    assert interest_up_front_clawback(paid=paid, principal=D("10000"), days=90,
                                      current_rate=D("0.10")) == D("112.50")
    assert interest_up_front_clawback(paid=D("0.00"), principal=D("10000"), days=90,
                                      current_rate=D("0.10")) == D("0.00")
