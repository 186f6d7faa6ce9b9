from django.apps import AppConfig

from ebank.core.menu import MenuSpec, menu_group, menu_leaf
from ebank.ledger.business_types import business_types

# The manual's 基金业务 (薪加利) and 投资理财 (理财服务) menus in its order.
WEALTH_MENU = (
    ("购买薪加利", "wealth:xjl_buy"),
    ("我的薪加利", "wealth:xjl_mine"),
    ("薪加利交易明细查询", "wealth:xjl_history"),
    ("理财产品认购", "wealth:products"),
    ("理财交易撤单", "wealth:cancel_list"),
    ("我的理财产品", "wealth:mine"),
    ("交易明细查询", "wealth:history"),
    ("风险测评", "wealth:risk"),
)


class WealthConfig(AppConfig):
    """基金 (薪加利) and 投资理财 (FND-XJL, WLT-*): docs/wealth.md."""

    name = "wealth"
    label = "wealth"
    verbose_name = "基金与投资理财"

    def ready(self):
        from ebank.ledger.bank_books import bank_book
        from ebank.ledger.models import Side

        # Ledger business types (ebank.ledger.business_types).
        from .models import WealthBook, WealthBusinessType
        business_types(WealthBusinessType)

        # Bank books (ebank.ledger.bank_books): the bank's 代销手续费 and 薪加利's income as the
        # fund pays it in. Each product's own cash book is opened with the product.
        bank_book(WealthBook.FEE_INCOME, "理财代销手续费收入", Side.CREDIT)
        bank_book(WealthBook.XJL_EARNINGS, "薪加利基金收益划入", Side.DEBIT)

        # Menu group (ebank.core.menu): 基金/投资理财 after 信用卡业务.
        menu_group(60, MenuSpec("基金/投资理财", children=tuple(
            menu_leaf(label, url_name) for label, url_name in WEALTH_MENU)))

        # 薪加利 (FND-XJL, wealth/xjl/): X-CONFIRM kinds and the 普通转出 due-work handler
        # (services), the nightly income step, audit labels, demo part 62.
        from ebank.core.audit import audit_actions
        from ebank.core.demo import demo_part

        from .xjl import nightly as xjl_nightly  # noqa: F401
        from .xjl import services as xjl_services  # noqa: F401
        from .xjl.demo import demo_seed as xjl_demo_seed
        audit_actions({"wealth.xjl_in": "薪加利转入", "wealth.xjl_out_instant": "薪加利实时转出",
                       "wealth.xjl_out": "薪加利普通转出", "wealth.xjl_payout": "薪加利普通转出到账"})
        demo_part(62, xjl_demo_seed)
