"""The nightly step 定期到期处理 (``fixed_maturity``): 整存整取 (and 悠悦宝, its variant:
``fixed.MATURING_PRODUCTS``) maturing on or before the
business date — 自动转存（本息 / 本金）at the rate of the rollover day, 到期转活期 paid out to the
活期 account kept at opening, 不转存 left until 到期支取 (deposits.fixed).

It runs in the step's one transaction with its DONE mark (ebank.duework.nightly); every posting
is keyed by deposit and maturity date, so a rerun or a resume after a kill posts nothing twice,
and a deposit already rolled has a later maturity and is not picked again.
"""

from datetime import date

from ebank.duework.nightly import nightly_step

from .fixed import fixed_maturities_run


@nightly_step("fixed_maturity", order=200, label="定期到期处理")
def fixed_maturity_step(business_date: date) -> int:
    return fixed_maturities_run(business_date)
