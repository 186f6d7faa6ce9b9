"""The nightly step 信用卡账单生成 (``card_statements``, order 300): the statement run of the
business date (creditcard.statements.run) — after interest (100s) and maturities (200s).

It runs in the step's one transaction with its DONE mark (ebank.duework.nightly); each chunk of
cards is a savepoint inside it, and every statement is unique per card and day, so a rerun or a
resume after a kill makes no statement twice.
"""

from datetime import date

from ebank.duework.nightly import nightly_step

from .run import statement_run


@nightly_step("card_statements", order=300, label="信用卡账单生成")
def card_statements_step(business_date: date) -> int:
    return statement_run(business_date)
