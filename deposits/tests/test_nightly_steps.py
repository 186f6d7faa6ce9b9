"""Every nightly step of deposits is registered on the core batch, in the order docs/nightly.md
gives (a step whose module nothing imports would silently never run)."""

from ebank.duework.nightly import registered_steps

DEPOSIT_STEPS = [
    (100, "current_accrual", "活期积数累计"),
    (110, "current_settlement", "活期结息"),
    (120, "deposit_sweep", "活期宝归集"),
    (200, "fixed_maturity", "定期到期处理"),
    (205, "instalment_defaults", "零存整取违约检查"),
    (210, "deposit_plans_run", "卡内预约转存"),
    (215, "cd_maturity", "大额存单到期处理"),
    (220, "payout_interest", "存本取息付息"),
    (225, "lixiande_maturity", "利先得到期处理"),
]


def test_every_deposit_step_is_registered_in_its_order():
    steps = [(step.order, step.name, step.label) for step in registered_steps()
             if step.qualname.startswith("deposits.")]
    assert steps == DEPOSIT_STEPS
