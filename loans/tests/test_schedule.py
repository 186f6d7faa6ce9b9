"""The repayment schedule (loans/schedule.py), pure: each worked example of DOMAIN-RULES §4 as a
named test, to the fen."""

from datetime import date
from decimal import Decimal as D

import pytest

from loans.schedule import Method, PrepayMode, due_date, equal_instalment, prepay, schedule

P, RATE = D("100000.00"), D("3.6")


def _plan(method, *, draw=date(2026, 1, 21), day=21, months=12):
    return schedule(principal=P, annual_percent=RATE, months=months, method=method,
                    draw_date=draw, repayment_day=day)


def test_equal_instalment_8496_73_with_interest_300_00_then_275_41():
    assert equal_instalment(P, RATE, 12) == D("8496.73")
    rows = _plan(Method.EQUAL_INSTALMENT)
    assert [r.payment for r in rows[:11]] == [D("8496.73")] * 11
    assert (rows[0].interest, rows[1].interest) == (D("300.00"), D("275.41"))
    assert sum(r.principal for r in rows) == P and rows[-1].balance_after == 0


def test_equal_principal_8633_33_falling_by_25_00():
    rows = _plan(Method.EQUAL_PRINCIPAL)
    assert rows[0].payment == D("8633.33")
    assert [rows[i].payment - rows[i + 1].payment for i in range(10)] == [D("25.00")] * 10
    assert sum(r.principal for r in rows) == P
    assert rows[-1].principal == D("8333.37")       # the last takes the rounding


def test_first_period_by_days_42_days_420_00():
    rows = _plan(Method.EQUAL_INSTALMENT, draw=date(2026, 1, 10), day=21)
    assert rows[0].due_date == date(2026, 2, 21)
    assert rows[0].interest == D("420.00")
    # that interest plus the ordinary first principal part (A − P × r)
    assert rows[0].principal == D("8496.73") - D("300.00")
    equal_principal = _plan(Method.EQUAL_PRINCIPAL, draw=date(2026, 1, 10), day=21)
    assert equal_principal[0].payment == D("8333.33") + D("420.00")


def test_a_repayment_day_of_the_31st_falls_on_each_months_last_day():
    days = [due_date(date(2026, 1, 31), 31, n) for n in range(1, 5)]
    assert days == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
    assert due_date(date(2027, 12, 31), 31, 2) == date(2028, 2, 29)
    rows = _plan(Method.EQUAL_INSTALMENT, draw=date(2026, 1, 31), day=31)
    assert rows[0].interest == D("300.00")          # drawn on its repayment day: a whole month


def test_balance_50449_30_after_six_payments():
    assert _plan(Method.EQUAL_INSTALMENT)[5].balance_after == D("50449.30")


def test_prepay_20000_keep_the_term_6_x_5128_30():
    rows = prepay(owed=D("50449.30"), prepaid=D("20000.00"), annual_percent=RATE, months_left=6,
                  payment=D("8496.73"), mode=PrepayMode.KEEP_TERM,
                  method=Method.EQUAL_INSTALMENT, first_due=date(2026, 8, 21), repayment_day=21,
                  first_number=7)
    assert [r.payment for r in rows[:5]] == [D("5128.30")] * 5
    assert len(rows) == 6 and sum(r.principal for r in rows) == D("30449.30")
    assert rows[0].number == 7 and rows[0].due_date == date(2026, 8, 21)


def test_prepay_20000_shorten_3_x_8496_73_then_5172_90():
    rows = prepay(owed=D("50449.30"), prepaid=D("20000.00"), annual_percent=RATE, months_left=6,
                  payment=D("8496.73"), mode=PrepayMode.SHORTEN,
                  method=Method.EQUAL_INSTALMENT, first_due=date(2026, 8, 21), repayment_day=21)
    assert [r.payment for r in rows] == [D("8496.73")] * 3 + [D("5172.90")]
    assert rows[-1].balance_after == 0


def test_bad_figures_are_refused():
    with pytest.raises(ValueError):
        schedule(principal=D("0"), annual_percent=RATE, months=12,
                 method=Method.EQUAL_INSTALMENT, draw_date=date(2026, 1, 1), repayment_day=1)
    with pytest.raises(ValueError):
        prepay(owed=D("100"), prepaid=D("100"), annual_percent=RATE, months_left=2,
               payment=D("50"), mode=PrepayMode.SHORTEN, method=Method.EQUAL_INSTALMENT,
               first_due=date(2026, 1, 1), repayment_day=1)


@pytest.mark.parametrize(("method", "left"), [(Method.EQUAL_INSTALMENT, "0.03"),
                                               (Method.EQUAL_INSTALMENT, "0.01"),
                                               (Method.EQUAL_PRINCIPAL, "0.05"),
                                               (Method.EQUAL_PRINCIPAL, "0.01")])
def test_keeping_the_term_with_a_few_fen_left_never_writes_empty_or_negative_periods(method,
                                                                                   left):
    """A prepayment leaving a few fen (11 months kept): every period repays at least a fen and
    the last one what is left — no period of 0.00 (never settled by any payment: the 借据 would
    never be 已结清) and no negative principal (the rounded instalment outrunning the balance)."""
    owed = D("50449.30")
    rows = prepay(owed=owed, prepaid=owed - D(left), annual_percent=RATE, months_left=11,
                  payment=D("8496.73"), mode=PrepayMode.KEEP_TERM, method=method,
                  first_due=date(2026, 3, 21), repayment_day=21, first_number=2)
    assert all(row.principal > 0 for row in rows), rows
    assert sum(row.principal for row in rows) == D(left)
    assert rows[-1].balance_after == 0
    assert [row.number for row in rows] == list(range(2, 2 + len(rows)))


def test_shortening_an_equal_principal_loan_of_a_few_fen_ends():
    rows = prepay(owed=D("0.05"), prepaid=D("0.01"), annual_percent=RATE, months_left=11,
                  payment=D("0.01"), mode=PrepayMode.SHORTEN, method=Method.EQUAL_PRINCIPAL,
                  first_due=date(2026, 3, 21), repayment_day=21)
    assert [row.principal for row in rows] == [D("0.01")] * 4
