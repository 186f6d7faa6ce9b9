"""大额存单 on 我的定期存款 (deposits.product_facts): its 支取 page names the deposit in the URL.
Its 利息（至今日） is 整存整取's reckoning (the issue's rate kept, by days, capped at the term)."""

from ..models import Product
from ..product_facts import deposit_product_facts

deposit_product_facts(Product.LARGE_CD, withdraw_url="deposits:cd_withdraw", withdraw_by_pk=True)
