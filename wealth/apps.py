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
        # The registries that import models (the app registry is ready only now).
        from ebank.core.audit import audit_actions
        from ebank.core.demo import demo_part
        from ebank.ledger.bank_books import bank_book
        from ebank.ledger.models import Side
        from security.staff.admin_sections import admin_section_place
        from security.staff.roles import Role, role_grant

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

        # What the modules register at import: the admins (风险测评, the shelf and 净值, the
        # orders, shares and income); the X-CONFIRM kinds (security.confirm.registry) of
        # 认购/申购/赎回 (orders), 撤单 (settle) and 薪加利 转入/实时转出/普通转出 (xjl); the
        # due-work handler of 普通转出 (xjl.services); the nightly steps (ebank.duework.nightly)
        # 理财交易确认 (400), 理财产品到期兑付 (410) and 薪加利收益分配 (420).
        from .catalog import admin as catalog_admin  # noqa: F401
        from .catalog import nightly as catalog_nightly  # noqa: F401
        from .catalog.services import AUDIT_LABELS as CATALOG_AUDIT_LABELS
        from .orders import operations as orders_operations  # noqa: F401
        from .risk import admin as risk_admin  # noqa: F401
        from .risk.services import AUDIT_LABELS as RISK_AUDIT_LABELS
        from .settle import nightly as settle_nightly  # noqa: F401
        from .settle import operations as settle_operations  # noqa: F401
        from .settle.cancel import AUDIT_LABELS as CANCEL_AUDIT_LABELS
        from .settle.services import AUDIT_LABELS as SETTLE_AUDIT_LABELS
        from .xjl import nightly as xjl_nightly  # noqa: F401
        from .xjl import services as xjl_services  # noqa: F401

        # Audit action labels (ebank.core.audit).
        audit_actions(RISK_AUDIT_LABELS)
        audit_actions(CATALOG_AUDIT_LABELS)
        audit_actions({**SETTLE_AUDIT_LABELS, **CANCEL_AUDIT_LABELS})
        audit_actions({"wealth.xjl_in": "薪加利转入", "wealth.xjl_out_instant": "薪加利实时转出",
                       "wealth.xjl_out": "薪加利普通转出", "wealth.xjl_payout": "薪加利普通转出到账"})

        # The staff index (security.staff.admin_sections): results and share accounts beside the
        # customers' accounts; orders and income with the transactions; the questionnaire,
        # products and 净值 in the app's own section (基金与投资理财).
        admin_section_place("wealth", "riskassessment", section="accounts", order=70)
        admin_section_place("wealth", "shareaccount", section="accounts", order=71)
        admin_section_place("wealth", "order", section="transactions", order=90)
        admin_section_place("wealth", "income", section="transactions", order=91)

        # Staff permissions (security.staff.roles): tellers read all of it; head office keeps
        # the questionnaire, the products and their 净值 (a used 净值 is refused whatever the
        # grant).
        role_grant(Role.TELLER, tuple(("wealth", model, ("view",)) for model in (
            "riskquestion", "riskchoice", "riskassessment", "product", "nav", "order",
            "shareaccount", "shareposting", "income")))
        role_grant(Role.HEAD_OFFICE, (("wealth", "riskquestion", ("add", "change")),
                                      ("wealth", "riskchoice", ("add", "change")),
                                      ("wealth", "product", ("add", "change")),
                                      ("wealth", "nav", ("add", "change", "delete"))))

        # Demo data (ebank.core.demo): the shelf and its 净值 history (60), the questionnaire
        # and 张伟's C3 result (61), 张伟's 薪加利 with its income (62).
        from .catalog.demo import demo_seed as catalog_demo_seed
        from .risk.demo import demo_seed as risk_demo_seed
        from .xjl.demo import demo_seed as xjl_demo_seed
        demo_part(60, catalog_demo_seed)
        demo_part(61, risk_demo_seed)
        demo_part(62, xjl_demo_seed)
