"""The nightly batch steps of 自助缴费 (ebank.duework.nightly; docs/nightly.md).

* ``biller_settlement`` (600, 代收款项结算): per biller, the PAID payments up to the business date
  not settled yet move from its 代收款项 to its 收款户, one entry per biller and date —
  payments.reconcile.services.settlement_run. 处理中 payments wait for a later run.
* ``biller_reconcile`` (620, 缴费对账): T+1 对账 — every active biller's 对账文件 of the day
  *before* the business date against our payments of that day (``reconcile_run``, as
  ``manage.py reconcile_billers`` does): by then the day's file and the next day's (payments
  written off after midnight) are both complete. Returns the differences found; a biller whose
  file cannot be had is recorded 对账文件未取得 and does not stop the batch (rerun the command).
"""

from datetime import date, timedelta

from ebank.duework.nightly import nightly_step

from .models import Biller
from .reconcile.services import reconcile_run, settlement_run


@nightly_step("biller_settlement", order=600, label="代收款项结算")
def biller_settlement_step(business_date: date) -> int:
    return settlement_run(business_date)


@nightly_step("biller_reconcile", order=620, label="缴费对账（T+1）")
def biller_reconcile_step(business_date: date) -> int:
    day = business_date - timedelta(days=1)
    return sum(reconcile_run(biller=biller, day=day).difference_count
               for biller in Biller.objects.filter(active=True).order_by("code"))
