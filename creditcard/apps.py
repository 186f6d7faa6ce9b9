from django.apps import AppConfig

from ebank.core.menu import MenuSpec, menu_group, menu_leaf
from ebank.ledger.business_types import business_types

# The manual's 信用卡业务 menu in its order: 账户管理, 还款管理, 账单分期管理, 积分管理.
CARD_MENU = (
    ("信用额度查询", "creditcard:limit"),
    ("未出账单查询", "creditcard:unbilled"),
    ("已出账单查询", "creditcard:statements"),
    ("信用卡信息维护", "creditcard:info"),
    ("信用卡还款", "creditcard:repay"),
    ("信用卡取现", "creditcard:cash"),
    ("自动还款管理", "creditcard:autorepay"),
    ("分期付款试算", "creditcard:instal_trial"),
    ("账单分期申请", "creditcard:bill_instal"),
    ("账单分期提前终止", "creditcard:bill_instal_terminate"),
    ("账单分期查询", "creditcard:bill_instal_list"),
    ("灵活分期申请", "creditcard:flex_instal"),
    ("灵活分期提前终止", "creditcard:flex_instal_terminate"),
    ("灵活分期查询", "creditcard:flex_instal_list"),
    ("积分查询", "creditcard:points"),
    ("积分礼品兑换", "creditcard:gifts"),
    ("积分兑换查询", "creditcard:redemptions"),
    ("历史兑换查询", "creditcard:redemptions_history"),
)


class CreditcardConfig(AppConfig):
    """信用卡业务 (CC-*): docs/creditcard.md."""

    name = "creditcard"
    label = "creditcard"
    verbose_name = "信用卡业务"

    def ready(self):
        # The registries that import models (the app registry is ready only now).
        from ebank.acquirer.issuer import issuer_register
        from ebank.core.audit import audit_actions
        from ebank.core.demo import demo_part
        from ebank.ledger.bank_books import bank_book
        from ebank.ledger.models import Side
        from security.staff.admin_sections import admin_section_place
        from security.staff.roles import Role, role_grant
        from security.tools.sms import sms_purposes

        # Ledger business types (ebank.ledger.business_types).
        from .models import CardBook, CardBusinessType
        business_types(CardBusinessType)

        # Bank books (ebank.ledger.bank_books): the acquirer's clearing and the card's income.
        # The card sub-accounts themselves are the bank's 信用卡应收款.
        bank_book(CardBook.ACQUIRER, "银联清算往来（信用卡）", Side.CREDIT)
        bank_book(CardBook.INTEREST_INCOME, "信用卡利息收入", Side.CREDIT)
        bank_book(CardBook.FEE_INCOME, "信用卡手续费收入", Side.CREDIT)
        bank_book(CardBook.PENALTY_INCOME, "信用卡违约金收入", Side.CREDIT)

        # Menu group (ebank.core.menu): 信用卡业务 after 自助缴费; 安全中心 links the points pages.
        menu_group(50, MenuSpec("信用卡业务", children=tuple(
            menu_leaf(label, url_name) for label, url_name in CARD_MENU)))

        # What the modules register at import: X-CONFIRM kinds (security.confirm.registry) of
        # 信用卡信息维护, 还款, 取现, 自动还款, 分期 and 积分兑换; the counter action 信用卡发卡
        # (security.staff.counter); the nightly steps (ebank.duework.nightly) 信用卡账单生成 (300),
        # 信用卡自动还款 (310), 积分到期 (320) and 网银交易积分 (330); the admins.
        from . import admin  # noqa: F401
        from .account import operations as account_operations  # noqa: F401
        from .acquiring import counter as acquiring_counter  # noqa: F401
        from .acquiring import services as acquiring_services
        from .instal import admin as instal_admin  # noqa: F401
        from .instal import operations as instal_operations  # noqa: F401
        from .points import admin as points_admin  # noqa: F401
        from .points import nightly as points_nightly  # noqa: F401
        from .points import operations as points_operations  # noqa: F401
        from .repay import autorepay, cash, repayment  # noqa: F401
        from .repay import nightly as repay_nightly  # noqa: F401
        from .statements import nightly as statements_nightly  # noqa: F401

        # The issuer API for the acquirer simulator (ebank.acquirer.issuer), which may not
        # import a menu app.
        issuer_register(acquiring_services)

        # Audit action labels (ebank.core.audit) and SMS purposes (security.tools.sms).
        from .account.services import INFO_UPDATE_ACTION
        from .acquiring.staff import AUDIT_LABELS as ACQUIRING_AUDIT_LABELS
        from .instal.services import AUDIT_LABELS as INSTAL_AUDIT_LABELS
        from .points.services import AUDIT_LABELS as POINTS_AUDIT_LABELS
        audit_actions({INFO_UPDATE_ACTION: "信用卡信息维护"})
        audit_actions({"creditcard.repay": "信用卡还款", "creditcard.cash": "信用卡取现",
                       autorepay.SET_ACTION: "自动还款设置",
                       autorepay.CANCEL_ACTION: "取消自动还款",
                       "creditcard.autorepay_run": "信用卡自动还款扣款"})
        audit_actions(ACQUIRING_AUDIT_LABELS)
        audit_actions(INSTAL_AUDIT_LABELS)
        audit_actions(POINTS_AUDIT_LABELS)
        sms_purposes(autorepay.SMS_PURPOSES)

        # The staff index (security.staff.admin_sections): cards and statements beside the
        # customers' accounts; items, credits and redemptions with the transactions; the settings,
        # rates and gift catalogue in the app's own section.
        admin_section_place("creditcard", "card", section="accounts", order=60)
        admin_section_place("creditcard", "statement", section="accounts", order=61)
        admin_section_place("creditcard", "carditem", section="transactions", order=80)
        admin_section_place("creditcard", "cardcredit", section="transactions", order=81)
        admin_section_place("creditcard", "redemption", section="transactions", order=82)
        admin_section_place("creditcard", "pointsmove", section="transactions", order=83)
        admin_section_place("creditcard", "gift", section="transactions", order=84)
        admin_section_place("creditcard", "autorepayrun", section="transactions", order=85)
        admin_section_place("acquirer", "acquirertxn", section="transactions", order=86)

        # Staff permissions (security.staff.roles): tellers read cards, statements, plans' rates,
        # points and redemptions; supervisors freeze a card and mark a redemption 已发货/撤销; head
        # office keeps the settings, the instalment rates and the gift catalogue.
        role_grant(Role.TELLER, tuple(("creditcard", model, ("view",)) for model in (
            "card", "carditem", "cardcredit", "statement", "cardsetting", "instalmentrate",
            "redemption", "pointsmove", "gift", "autorepayrun")))
        # The acquirer simulator's journal (a lower app, which may not import security).
        role_grant(Role.TELLER, (("acquirer", "acquirertxn", ("view",)),))
        role_grant(Role.SUPERVISOR, (("creditcard", "card", ("change",)),
                                     ("creditcard", "redemption", ("change",))))
        role_grant(Role.HEAD_OFFICE, (
            ("creditcard", "cardsetting", ("add", "change")),
            ("creditcard", "instalmentrate", ("add", "change", "delete")),
            ("creditcard", "gift", ("add", "change")),
        ))

        # Demo data (ebank.core.demo): 张伟's card with its months of history (50), the
        # instalment rates (51), the gift catalogue (52).
        from .demo import demo_seed
        from .instal.demo import demo_seed as instal_demo_seed
        from .points.demo import demo_seed as points_demo_seed
        demo_part(50, demo_seed)
        demo_part(51, instal_demo_seed)
        demo_part(52, points_demo_seed)
