"""零存整取's 利息（至今日） and its lines (每月存额, 已存期数, 违约) on 账户总览 / 账户详情
(deposits.product_facts)."""

from ..models import Product
from ..product_facts import deposit_product_facts
from .services import fact_lines, interest_to_date

deposit_product_facts(Product.INSTALMENT, interest=interest_to_date, lines=fact_lines,
                      prefetch="instalments",
                      withdraw_url="deposits:instalment_withdraw")
