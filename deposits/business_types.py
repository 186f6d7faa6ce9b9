"""The ledger business types (业务类型) of deposits, registered from DepositsConfig.ready()."""

from django.db import models


class DepositBusinessType(models.TextChoices):
    OPEN = "deposit_open", "定期开户"
    TOP_UP = "deposit_top_up", "定期续存"
    WITHDRAW = "deposit_withdraw", "定期支取"
    MATURITY = "deposit_maturity", "到期支取"
    ROLLOVER = "deposit_rollover", "到期转存"
    INTEREST_PAYOUT = "deposit_interest_payout", "存本取息付息"
    INTEREST_CLAWBACK = "deposit_interest_clawback", "利息扣回"
    CURRENT_INTEREST = "current_interest", "活期结息"
    SWEEP = "deposit_sweep", "活期宝归集"


class DepositCounterAction(models.TextChoices):
    """The deposits' counter actions (security.staff.counter.actions.counter_action): the code
    each 业务受理单 carries and the action's title."""

    LIXIANDE_OPEN = "lixiande_open", "利先得开户"   # deposits/smart/counter.py
    HQB_SIGN = "hqb_sign", "活期宝签约"             # deposits/notice/counter.py
    PAYOUT_OPEN = "payout_open", "存本取息开户"     # deposits/payout/counter.py
