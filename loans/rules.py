"""The loan settings and rates in force on a day (DOMAIN-RULES §4 **settings**; docs/loans.md)."""

import secrets
from datetime import date
from decimal import Decimal

from ebank.core.errors import BusinessError

from .models import LoanSetting, LprRate, LprTerm

# A term of up to five years is priced on the 1-year LPR, a longer one on the 5-year LPR.
FIVE_YEARS = 60


def loan_setting_on(day: date) -> LoanSetting:
    """The row with the latest 生效日期 on or before ``day``; none: an unsaved row holding the
    defaults (双人审批 above 200,000.00, 罚息 ×1.5, an approval valid 90 days)."""
    row = LoanSetting.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return row if row is not None else LoanSetting(effective_from=day)


def lpr_term_for(months: int) -> str:
    return LprTerm.ONE_YEAR if months <= FIVE_YEARS else LprTerm.FIVE_YEAR


def lpr_on(months: int, day: date) -> Decimal:
    """The LPR (% a year) a ``months`` term is priced on, as quoted on ``day``; refused when the
    table has none yet."""
    term = lpr_term_for(months)
    rate = (LprRate.objects.filter(term=term, effective_from__lte=day)
            .order_by("-effective_from").values_list("rate", flat=True).first())
    if rate is None:
        raise BusinessError(f"{LprTerm(term).label}尚未公布，暂不能定价")
    return rate


def number_new(prefix: str, day: date) -> str:
    """A 申请编号 (SQ…) or 借据号 (JJ…): prefix, the date, ten random digits (unique columns)."""
    return f"{prefix}{day:%Y%m%d}{secrets.randbelow(10**10):010d}"
