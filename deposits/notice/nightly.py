"""The nightly step 活期宝归集 (``deposit_sweep``, order 120: after 活期积数累计 and 活期结息, so
the day's closing balance is already in the 积数; before 定期到期处理): every active 活期宝
agreement's sweep of the business date (deposits.notice.sweep.sweep_run). Postings are keyed by
agreement and date, and the agreement's ``swept_through`` marks the date done: a rerun posts
nothing twice."""

from datetime import date

from ebank.duework.nightly import nightly_step

from .sweep import sweep_run


@nightly_step("deposit_sweep", order=120, label="活期宝归集")
def deposit_sweep_step(business_date: date) -> int:
    return sweep_run(business_date)
