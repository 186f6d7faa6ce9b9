"""The nightly steps of 贷款业务 (docs/duework.md): 贷款到期扣款 (430), then 贷款罚息复利计提 (440)
on what the deduction left unpaid."""

from datetime import date

from ebank.duework.nightly import nightly_step

from .accrue import accruals_run
from .deduct import deductions_run


@nightly_step("loans_deduct", order=430, label="贷款到期扣款")
def loans_deduct_step(business_date: date) -> int:
    return deductions_run(business_date)


@nightly_step("loans_overdue_accrue", order=440, label="贷款罚息复利计提")
def loans_overdue_accrue_step(business_date: date) -> int:
    return accruals_run(business_date)
