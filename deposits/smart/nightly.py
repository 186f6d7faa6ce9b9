"""The nightly step 利先得到期处理 (``lixiande_maturity``, order 225): each 利先得 maturing on or
before the business date pays its principal back to the card's 活期 (deposits.smart.lixiande).

It runs in the step's one transaction with its DONE mark (ebank.duework.nightly); every posting
is keyed by deposit, so a rerun or a resume after a kill posts nothing twice.
"""

from datetime import date

from ebank.duework.nightly import nightly_step

from .lixiande import lixiande_maturities_run


@nightly_step("lixiande_maturity", order=225, label="利先得到期处理")
def lixiande_maturity_step(business_date: date) -> int:
    return lixiande_maturities_run(business_date)
