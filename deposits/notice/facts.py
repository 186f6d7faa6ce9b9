"""通知存款's part of 账户总览 / 我的定期存款 (deposits.product_facts): 利息（至今日） as a full
withdrawal today would earn it (利随本清), and the notice or the 活期宝 it belongs to."""

from decimal import Decimal

from ebank.core.errors import BusinessError
from ebank.core.money import format_cny

from ..models import Product
from ..product_facts import deposit_product_facts
from .services import interest_to_date


def notice_lines(deposit) -> list[tuple[str, str]]:
    lines = [("计息方式", "利随本清，按支取日利率计息")]
    if deposit.sweep_id:
        lines.append(("来源", "活期宝归集"))
    elif deposit.notice_given_on:
        lines.append(("支取通知", f"{deposit.notice_withdraw_on:%Y-%m-%d}起可支取"
                                  f"{format_cny(deposit.notice_amount)}"))
    return lines


def _sweep_interest(*, deposit, balance, on):
    if deposit.sweep_id:
        from .sweep import tranche_interest

        try:
            return tranche_interest(deposit, balance, until=on, rates_on=on)
        except BusinessError:  # no rate in force: a page line, never a 500
            return Decimal("0.00")
    return interest_to_date(deposit=deposit, balance=balance, on=on)


for _product in (Product.NOTICE_1D, Product.NOTICE_7D):
    deposit_product_facts(_product, interest=_sweep_interest, lines=notice_lines,
                          withdraw_url="deposits:notice_withdraw")
