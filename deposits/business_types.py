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
