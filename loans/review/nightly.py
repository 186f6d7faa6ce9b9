"""The nightly step of the loan review (ebank.duework.nightly; imported from LoansConfig.ready())."""

from datetime import date

from ebank.duework.nightly import nightly_step

from .services import approvals_expire


@nightly_step("loans_approval_expire", order=450, label="贷款批复过期")
def approval_expire_step(business_date: date) -> int:
    return approvals_expire(business_date)
