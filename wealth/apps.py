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

        # --- 风险测评 (WLT-RISK, wealth/risk/) ---
        # --- catalog (wealth/catalog): the shelf, its 净值, 到期兑付 and the staff's views ---
        from ebank.core.audit import audit_actions
        from ebank.core.demo import demo_part
        from security.staff.admin_sections import admin_section_place
        from security.staff.roles import Role, role_grant

        from .risk import admin as risk_admin  # noqa: F401
        from .risk.demo import demo_seed as risk_demo_seed
        from .risk.services import AUDIT_LABELS as RISK_AUDIT_LABELS
        # Audit action labels (ebank.core.audit): 风险测评.
        audit_actions(RISK_AUDIT_LABELS)
        # The staff index (security.staff.admin_sections): the results beside the customers'
        # accounts; the questionnaire in the app's own section (基金与投资理财).
        admin_section_place("wealth", "riskassessment", section="accounts", order=70)
        # Staff permissions (security.staff.roles): tellers read the questionnaire and the
        # results; head office keeps the questionnaire.
        role_grant(Role.TELLER, tuple(("wealth", model, ("view",)) for model in (
            "riskquestion", "riskchoice", "riskassessment")))
        role_grant(Role.HEAD_OFFICE, (("wealth", "riskquestion", ("add", "change")),
                                      ("wealth", "riskchoice", ("add", "change"))))
        # Demo data (ebank.core.demo): the questionnaire and 张伟's C3 result.
        demo_part(61, risk_demo_seed)
        from .catalog import admin as catalog_admin  # noqa: F401  (the staff admin)
        from .catalog import nightly as catalog_nightly  # noqa: F401  (wealth_maturity, 410)
        from .catalog.demo import demo_seed as catalog_demo_seed
        from .catalog.services import AUDIT_LABELS as CATALOG_AUDIT_LABELS
        audit_actions(CATALOG_AUDIT_LABELS)
        # The staff index: orders and income with the transactions, share accounts beside the
        # customers' accounts; products and 净值 stay in the app's own section.
        admin_section_place("wealth", "order", section="transactions", order=90)
        admin_section_place("wealth", "income", section="transactions", order=91)
        admin_section_place("wealth", "shareaccount", section="accounts", order=70)
        # Tellers read the shelf, the orders, the shares and the income; head office keeps the
        # products and their 净值 (a used 净值 is refused by the admin whatever the grant).
            "product", "nav", "order", "shareaccount", "shareposting", "income")))
        role_grant(Role.HEAD_OFFICE, (("wealth", "product", ("add", "change")),
                                      ("wealth", "nav", ("add", "change", "delete"))))
        # Demo data (ebank.core.demo): the bank's shelf and its 净值 history.
        demo_part(60, catalog_demo_seed)
        # --- orders (理财产品认购, 我的理财产品): the X-CONFIRM kinds wealth.subscribe/purchase/redeem.
        from .orders import operations as _orders_operations  # noqa: F401
        # --- settle (理财交易确认, 理财交易撤单, 交易明细查询): wealth/settle/ ---
        # Nightly step (ebank.duework.nightly), X-CONFIRM kind (security.confirm.registry) and
        # audit labels (ebank.core.audit).

        from .settle import cancel as settle_cancel
        from .settle import nightly as settle_nightly  # noqa: F401
        from .settle import operations as settle_operations  # noqa: F401
        from .settle import services as settle_services
        audit_actions({**settle_services.AUDIT_LABELS, **settle_cancel.AUDIT_LABELS})
        # 薪加利 (FND-XJL, wealth/xjl/): X-CONFIRM kinds and the 普通转出 due-work handler
        # (services), the nightly income step, audit labels, demo part 62.

        from .xjl import nightly as xjl_nightly  # noqa: F401
        from .xjl import services as xjl_services  # noqa: F401
        from .xjl.demo import demo_seed as xjl_demo_seed
        audit_actions({"wealth.xjl_in": "薪加利转入", "wealth.xjl_out_instant": "薪加利实时转出",
                       "wealth.xjl_out": "薪加利普通转出", "wealth.xjl_payout": "薪加利普通转出到账"})
        demo_part(62, xjl_demo_seed)
