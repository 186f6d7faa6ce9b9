"""The nightly step 零存整取违约检查 (``instalment_defaults``, order 205, after 定期到期处理 and
before 卡内预约转存): marks 违约 (two consecutive months unpaid) — deposits.instalment.services.
defaults_run. A matured 零存整取 is not rolled (it has no 自动转存): it waits for 到期支取, its
overdue days at the 活期 rate of the withdrawal day. Marking is idempotent, so a rerun or a
resume after a kill changes nothing twice; nothing is posted."""

from datetime import date

from ebank.duework.nightly import nightly_step

from .services import defaults_run


@nightly_step("instalment_defaults", order=205, label="零存整取违约检查")
def instalment_defaults_step(business_date: date) -> int:
    return defaults_run(business_date)
