"""The nightly step of 自动还款 (docs/creditcard.md): every statement due on the business date
whose card has 自动还款 and no run yet (``autorepay.autorepay_run``: once per statement)."""

from datetime import date

from ebank.duework.nightly import nightly_step

from .autorepay import autorepay_run, statements_due


@nightly_step("card_autorepay", order=310, label="信用卡自动还款")
def card_autorepay_step(business_date: date) -> int:
    runs = 0
    for statement in statements_due(business_date):
        if autorepay_run(statement=statement, on=business_date) is not None:
            runs += 1
    return runs
