"""存本取息's 利息（至今日） and its lines (取息频率, 已付息) on 账户总览 / 账户详情
(deposits.product_facts)."""

from ..models import Product
from ..product_facts import deposit_product_facts
from .services import payout_interest_today, payout_lines

deposit_product_facts(Product.INTEREST_PAYOUT, interest=payout_interest_today, lines=payout_lines,
                      withdraw_url="deposits:payout_withdraw", withdraw_by_pk=True)
