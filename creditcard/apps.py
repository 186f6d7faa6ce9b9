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
        from ebank.ledger.bank_books import bank_book
        from ebank.ledger.models import Side

        # Ledger business types (ebank.ledger.business_types).
        from .models import CardBook, CardBusinessType
        business_types(CardBusinessType)

        # Bank books (ebank.ledger.bank_books): the acquirer's clearing and the card's income.
        # The card sub-accounts themselves are the bank's 信用卡应收款.
        bank_book(CardBook.ACQUIRER, "银联清算往来（信用卡）", Side.CREDIT)
        bank_book(CardBook.INTEREST_INCOME, "信用卡利息收入", Side.CREDIT)
        bank_book(CardBook.FEE_INCOME, "信用卡手续费收入", Side.CREDIT)
        bank_book(CardBook.PENALTY_INCOME, "信用卡违约金收入", Side.CREDIT)

        # Menu group (ebank.core.menu): 信用卡业务 after 自助缴费.
        menu_group(50, MenuSpec("信用卡业务", children=tuple(
            menu_leaf(label, url_name) for label, url_name in CARD_MENU)))

        # --- CC-INSTAL 账单分期管理 (creditcard/instal) ---
        # X-CONFIRM kinds (security.confirm.registry), audit labels (ebank.core.audit), the
        # 分期手续费率 admin, head office's grant on it (security.staff.roles) and the demo rates
        # (ebank.core.demo).
        from ebank.core.audit import audit_actions
        from ebank.core.demo import demo_part
        from security.staff.roles import Role, role_grant

        from .instal import admin as instal_admin  # noqa: F401
        from .instal import operations as instal_operations  # noqa: F401
        from .instal.demo import demo_seed as instal_demo_seed
        from .instal.services import AUDIT_LABELS as INSTAL_AUDIT_LABELS
        audit_actions(INSTAL_AUDIT_LABELS)
        role_grant(Role.TELLER, (("creditcard", "instalmentrate", ("view",)),))
        role_grant(Role.HEAD_OFFICE, (
            ("creditcard", "instalmentrate", ("add", "change", "delete")),))
        demo_part(51, instal_demo_seed)
        # --- end CC-INSTAL ---

        # --- 账户管理 (creditcard/account): its X-CONFIRM kind and audit label.
        from ebank.core.audit import audit_actions

        from .account import operations as account_operations  # noqa: F401
        from .account.services import INFO_UPDATE_ACTION
        audit_actions({INFO_UPDATE_ACTION: "信用卡信息维护"})
