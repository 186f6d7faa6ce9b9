"""The deposits' nightly batch steps (ebank.duework.nightly; docs/duework.md).

* ``current_accrual`` (100, 活期积数累计): every open 活期 sub-account's 积数 += its closing balance
  of the business date (missed days included), once per date — deposits.current.accrual_run.
* ``current_settlement`` (110, 活期结息): on the 20th of Mar/Jun/Sep/Dec, the quarter's 活期
  interest to every account, one entry and one 电子回单 each — deposits.current.settlement_run.
  It runs after the 积数 of the same date (the order), so the 20th's closing balance counts.
"""

from datetime import date

from ebank.duework.nightly import nightly_step

from .current import accrual_run, settlement_run


@nightly_step("current_accrual", order=100, label="活期积数累计")
def current_accrual_step(business_date: date) -> int:
    return accrual_run(business_date)


@nightly_step("current_settlement", order=110, label="活期结息")
def current_settlement_step(business_date: date) -> int:
    return settlement_run(business_date)
