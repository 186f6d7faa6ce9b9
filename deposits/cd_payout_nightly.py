"""Nightly steps of 大额存单 and 存本取息 (ebank.duework.nightly; docs/deposits.md).

* ``cd_maturity`` (215, 大额存单到期处理): every 大额存单 maturing on or before the business
  date: principal to the card's 活期主账户, full-term interest to the 利息账户, closed — keyed
  by deposit and maturity day (deposits.largecd.services.cd_maturities_run).
* ``payout_interest`` (220, 存本取息付息): every payout due on or before the business date, each
  keyed by deposit and payout number (deposits.payout.services.payouts_run); a late batch pays
  each missed payout.
"""

from datetime import date

from ebank.duework.nightly import nightly_step

from .largecd.services import cd_maturities_run
from .payout.services import payouts_run


@nightly_step("cd_maturity", order=215, label="大额存单到期处理")
def cd_maturity_step(business_date: date) -> int:
    return cd_maturities_run(business_date)


@nightly_step("payout_interest", order=220, label="存本取息付息")
def payout_interest_step(business_date: date) -> int:
    return payouts_run(business_date)
