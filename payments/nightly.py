"""The nightly batch steps of 自助缴费 (ebank.duework.nightly; docs/nightly.md).

* ``biller_settlement`` (350, 代收款项结算): per biller, the PAID payments up to the business date
  not settled yet move from its 代收款项 to its 收款户, one entry per biller and date —
  payments.reconcile.services.settlement_run. 处理中 payments wait for a later run.
"""

from datetime import date

from ebank.duework.nightly import nightly_step

from .reconcile.services import settlement_run


@nightly_step("biller_settlement", order=350, label="代收款项结算")
def biller_settlement_step(business_date: date) -> int:
    return settlement_run(business_date)
