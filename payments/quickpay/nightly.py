"""The nightly batch step of 快捷支付 (ebank.duework.nightly; docs/nightly.md).

* ``quickpay_settlement`` (610, 快捷支付结算): per merchant, the debits up to the business date
  not settled yet move from 快捷支付待清算 to the merchant's 收款户, one entry per merchant and
  date — payments.quickpay.settlement.quickpay_settlement_run.
"""

from datetime import date

from ebank.duework.nightly import nightly_step

from .settlement import quickpay_settlement_run


@nightly_step("quickpay_settlement", order=610, label="快捷支付结算")
def quickpay_settlement_step(business_date: date) -> int:
    return quickpay_settlement_run(business_date)
