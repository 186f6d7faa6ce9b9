from django.apps import AppConfig

from ebank.core.menu import menu_group, menu_leaf
from ebank.ledger.business_types import business_types


class PaymentsConfig(AppConfig):
    name = "payments"
    label = "payments"
    verbose_name = "自助缴费"

    def ready(self):
        # Ledger business types (ebank.ledger.business_types).
        from .models import PaymentBusinessType
        business_types(PaymentBusinessType)

        # Menu item (ebank.core.menu): plain text until the page ``payments:index`` exists.
        menu_group(40, menu_leaf("自助缴费", "payments:index"))

        # --- PAY-QUICKPAY 网上支付 › 协议管理 (快捷支付) ---
        # Bank book (ebank.ledger.bank_books): what quick-pay debits owe the merchants.
        from ebank.ledger.bank_books import bank_book
        from ebank.ledger.models import Side

        from .quickpay.services import QUICKPAY_BOOK, SIGN_PURPOSE
        bank_book(QUICKPAY_BOOK, "快捷支付待清算", Side.CREDIT)
        # The bank's quick-pay API for the merchant simulator (ebank.merchants.bank).
        from ebank.merchants.bank import quickpay_bank_register

        from .quickpay import services as quickpay_services
        quickpay_bank_register(quickpay_services)
        # X-CONFIRM kinds (security.confirm.registry): 限额修改.
        # Demo data (ebank.core.demo): 张伟's agreement at 快付通 with three debits.
        from ebank.core.demo import demo_part

        from .quickpay.demo import demo_seed as quickpay_demo_seed
        demo_part(42, quickpay_demo_seed)
        # SMS purposes (security.tools.sms) and audit labels (ebank.core.audit).
        from ebank.core.audit import audit_actions
        from security.tools.sms import sms_purposes

        from . import operations  # noqa: F401
        sms_purposes({SIGN_PURPOSE: "快捷支付签约"})
        audit_actions({"quickpay.sign": "快捷支付签约", "quickpay.limit_change": "快捷支付限额修改",
                       "quickpay.revoke": "快捷支付撤销协议"})
        # Nightly step quickpay_settlement (355, 快捷支付结算), the staff admin (协议 and 支付记录
        # under 交易, the merchants under 清算) and the label of the staff's 撤销协议.
        from security.staff.admin_sections import admin_section_place

        from .quickpay import admin as quickpay_admin  # noqa: F401
        from .quickpay import nightly as quickpay_nightly  # noqa: F401
        from .quickpay.services import STAFF_REVOKE_ACTION
        audit_actions({STAFF_REVOKE_ACTION: "快捷支付撤销协议（柜面）"})
        admin_section_place("payments", "quickpayagreement", section="transactions", order=60)
        admin_section_place("payments", "quickpaydebit", section="transactions", order=70)
        admin_section_place("payments", "quickpaymerchant", section="clearing", order=60)
