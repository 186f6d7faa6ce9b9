"""The card settings in force on a day (DOMAIN-RULES §3 **settings**; docs/creditcard.md)."""

from datetime import date
from decimal import Decimal

from ebank.core.errors import BusinessError

from .models import CardSetting, InstalmentRate

INSTALMENT_PERIODS = (3, 6, 12, 24)


def card_setting_on(day: date) -> CardSetting:
    """The row with the latest 生效日期 on or before ``day``; none: an unsaved row holding the
    rules' defaults (20 days, 容时 3, 容差 10, full balance, 0.05% a day …)."""
    row = CardSetting.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return row if row is not None else CardSetting(effective_from=day)


def instalment_rate_on(periods: int, day: date) -> Decimal:
    """The fee rate per period for ``periods`` in force on ``day``; refused when none is."""
    if periods not in INSTALMENT_PERIODS:
        raise BusinessError("分期期数只能为3、6、12或24期")
    rate = (InstalmentRate.objects.filter(periods=periods, effective_from__lte=day)
            .order_by("-effective_from").values_list("rate", flat=True).first())
    if rate is None:
        raise BusinessError(f"{periods}期分期暂未开办")
    return rate
