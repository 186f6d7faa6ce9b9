"""What 我的定期存款 / 账户总览 show of 悠悦宝 and 利先得 (deposits.product_facts): 悠悦宝 reckons
its 利息（至今日） as 整存整取 and is taken on its own 支取 page; 利先得 shows the interest paid at
opening and nothing more due before maturity."""

from ..models import Product
from ..product_facts import deposit_product_facts
from .lixiande import facts_lines, interest_to_date

deposit_product_facts(Product.YOUYUEBAO, withdraw_url="deposits:youyuebao_withdraw")
deposit_product_facts(Product.LIXIANDE, interest=interest_to_date, lines=facts_lines,
                      withdraw_url="deposits:lixiande_withdraw")
