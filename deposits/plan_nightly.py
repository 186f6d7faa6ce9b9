"""The nightly step 卡内预约转存 (``deposit_plans_run``, order 210, after 定期到期处理): every
active plan due on or before the business date runs once for each scheduled day
(deposits.plan_services.plans_run). It runs in the step's one transaction with its DONE mark;
each run's posting is keyed ``plan:<id>:<date>`` and recorded as a PlanRun unique per plan and
day, so a rerun or a resume after a kill posts nothing twice."""

from datetime import date

from ebank.duework.nightly import nightly_step

from .plan_services import plans_run


@nightly_step("deposit_plans_run", order=210, label="卡内预约转存")
def deposit_plans_step(business_date: date) -> int:
    return plans_run(business_date)
