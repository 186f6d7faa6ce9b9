"""零存宝's 利息（至今日） and its lines (已存笔数, 本月已存) on 账户总览 / 账户详情
(deposits.product_facts)."""

from ..models import Product
from ..product_facts import deposit_product_facts
from .services import fact_lines, interest_to_date

deposit_product_facts(Product.LINGCUNBAO, interest=interest_to_date, lines=fact_lines,
                      prefetch="lcb_instalments",
                      withdraw_url="deposits:lcb_withdraw")
