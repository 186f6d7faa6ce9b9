"""The instalment table and its APR (creditcard/instal/schedule.py), DOMAIN-RULES §3 账单分期."""

from decimal import Decimal as D

import pytest

from creditcard.instal.schedule import apr, schedule


def test_12000_in_12_periods_at_0_60_percent_is_1072_a_month_and_apr_13_03():
    rows = schedule(D("12000.00"), 12, D("0.006"))
    assert [row.period for row in rows] == list(range(1, 13))
    assert {row.principal for row in rows} == {D("1000.00")}
    assert {row.fee for row in rows} == {D("72.00")}
    assert {row.payment for row in rows} == {D("1072.00")}
    assert apr(rows, D("12000.00")) == D("13.03")


def test_the_last_period_takes_the_rounding_remainder():
    rows = schedule(D("1000.00"), 3, D("0.0075"))
    assert [row.principal for row in rows] == [D("333.33"), D("333.33"), D("333.34")]
    assert [row.fee for row in rows] == [D("7.50")] * 3
    rows = schedule(D("500.00"), 24, D("0.006"))
    assert [row.principal for row in rows[:-1]] == [D("20.83")] * 23
    assert sum(row.principal for row in rows) == D("500.00")
    assert rows[-1].principal == D("500.00") - D("20.83") * 23 == D("20.91")


def test_half_up_to_the_fen_on_principal_and_fee():
    rows = schedule(D("1000.05"), 6, D("0.0075"))
    # 1000.05 / 6 = 166.675 → 166.68; fee 1000.05 × 0.75% = 7.500375 → 7.50
    assert rows[0].principal == D("166.68") and rows[0].fee == D("7.50")
    assert rows[-1].principal == D("1000.05") - D("166.68") * 5 == D("166.65")
    rows = schedule(D("700.00"), 3, D("0.0075"))
    assert rows[0].fee == D("5.25")  # 5.25 exactly
    rows = schedule(D("1002.00"), 3, D("0.0075"))
    assert rows[0].fee == D("7.52")  # 7.515 → 7.52 (half-up, not banker's)


@pytest.mark.parametrize("periods, rate, expected", [
    (3, "0.0075", "13.45"),
    (6, "0.0070", "14.26"),
    (24, "0.0060", "13.27"),
])
def test_the_apr_for_the_other_periods(periods, rate, expected):
    rows = schedule(D("12000.00"), periods, D(rate))
    assert apr(rows, D("12000.00")) == D(expected)


def test_the_apr_is_the_rate_that_discounts_the_payments_to_the_principal():
    rows = schedule(D("12000.00"), 12, D("0.006"))
    monthly = apr(rows, D("12000.00")) / 1200
    present = sum(row.payment / (1 + monthly) ** row.period for row in rows)
    assert abs(present - D("12000.00")) < D("1.00")


def test_no_fee_is_an_apr_of_zero_and_bad_input_is_refused():
    assert apr(schedule(D("600.00"), 3, D("0")), D("600.00")) == D("0.00")
    with pytest.raises(ValueError):
        schedule(D("0.00"), 3, D("0.0075"))
    with pytest.raises(ValueError):
        schedule(D("100.001"), 3, D("0.0075"))


def test_an_apr_above_100_percent_a_month_is_not_capped():
    # The admin takes any rate below 1 per period: at 90% a period over 3 periods the monthly
    # IRR is above 100%, beyond the bracket [0, 1] the search started with.
    rows = schedule(D("12000.00"), 3, D("0.9"))
    result = apr(rows, D("12000.00"))
    monthly = result / 1200
    present = sum(row.payment / (1 + monthly) ** row.period for row in rows)
    assert result > D("1200.00") and abs(present - D("12000.00")) < D("1.00"), result
