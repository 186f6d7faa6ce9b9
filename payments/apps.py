from django.apps import AppConfig

from ebank.core.demo import demo_part
from ebank.core.menu import MenuSpec, menu_group, menu_leaf
from ebank.ledger.business_types import business_types


class PaymentsConfig(AppConfig):
    """自助缴费 (payments/bills, book, hub, reconcile) and 网上支付 › 协议管理 (payments/quickpay):
    docs/payments.md."""

    name = "payments"
    label = "payments"
    verbose_name = "自助缴费"

    def ready(self):
        # The registries that import models (the app registry is ready only now).
        from ebank.core.audit import audit_actions
        from ebank.ledger.bank_books import bank_book
        from ebank.ledger.models import Side
        from security.staff.admin_sections import admin_section_place
        from security.staff.roles import Role, role_grant
        from security.tools.sms import sms_purposes

        # Ledger business types (ebank.ledger.business_types).
        from .models import BillKind, PaymentBusinessType
        business_types(PaymentBusinessType)

        # Bank book (ebank.ledger.bank_books): what quick-pay debits owe the merchants. Each
        # biller's and merchant's own books are opened when it is registered (services).
        from .quickpay.services import QUICKPAY_BOOK
        bank_book(QUICKPAY_BOOK, "快捷支付待清算", Side.CREDIT)

        # Menu groups (ebank.core.menu): 自助缴费 in the manual's order (公共事业缴费, 话费缴费,
        # 缴费管理); its 缴费中转页 (payments:index) is reached from 账户总览's 缴费. 网上支付 ›
        # 直联支付管理 › 协议管理 comes after 贷款业务.
        menu_group(40, MenuSpec("自助缴费", children=(
            *(menu_leaf(kind.label, f"payments:pay_{kind.value}") for kind in BillKind),
            menu_leaf("缴费登记簿管理", "payments:book"),
            menu_leaf("缴费记录查询", "payments:records"),
        )))
        menu_group(85, MenuSpec("网上支付", children=(
            menu_leaf("协议管理", "payments:quickpay"),
        )))

        # What the modules register at import: X-CONFIRM kinds (security.confirm.registry),
        # the write-off's due-work handler (ebank.duework.registry), the nightly steps
        # biller_settlement (600) and quickpay_settlement (610) (ebank.duework.nightly), and
        # the admins of the areas.
        # The bank's quick-pay API for the merchant simulator (ebank.merchants.bank), which
        # may not import a menu app.
        from ebank.merchants.bank import quickpay_bank_register

        from . import handlers, nightly, operations  # noqa: F401
        from .quickpay import admin as quickpay_admin  # noqa: F401
        from .quickpay import nightly as quickpay_nightly  # noqa: F401
        from .quickpay import services as quickpay_services
        from .reconcile import admin as reconcile_admin  # noqa: F401
        quickpay_bank_register(quickpay_services)

        # Audit action labels (ebank.core.audit).
        from .bills.audit_labels import LABELS as BILLS_AUDIT_LABELS
        from .bills.staff import AUDIT_LABELS as BILLS_STAFF_AUDIT_LABELS
        from .book.services import AUDIT_LABELS as BOOK_AUDIT_LABELS
        from .quickpay.services import STAFF_REVOKE_ACTION
        from .reconcile.services import RESOLVE_ACTION
        audit_actions(BILLS_AUDIT_LABELS)
        audit_actions(BILLS_STAFF_AUDIT_LABELS)
        audit_actions(BOOK_AUDIT_LABELS)
        audit_actions({RESOLVE_ACTION: "缴费对账差异处理"})
        audit_actions({"quickpay.sign": "快捷支付签约", "quickpay.limit_change": "快捷支付限额修改",
                       "quickpay.revoke": "快捷支付撤销协议",
                       STAFF_REVOKE_ACTION: "快捷支付撤销协议（柜面）"})

        # SMS purposes (security.tools.sms): the 冲正 notice, the quick-pay signing code.
        from .notify import SMS_PURPOSES
        from .quickpay.services import SIGN_PURPOSE
        sms_purposes(SMS_PURPOSES)
        sms_purposes({SIGN_PURPOSE: "快捷支付签约"})

        # The staff index (security.staff.admin_sections): payments and agreements under 交易,
        # reconciliation and merchants under 清算, settlements under 账务.
        admin_section_place("payments", "quickpayagreement", section="transactions", order=60)
        admin_section_place("payments", "quickpaydebit", section="transactions", order=70)
        admin_section_place("payments", "reconcilerun", section="clearing", order=40)
        admin_section_place("payments", "reconciledifference", section="clearing", order=50)
        admin_section_place("payments", "quickpaymerchant", section="clearing", order=60)
        admin_section_place("payments", "billersettlement", section="books", order=60)

        # Staff permissions (security.staff.roles): tellers read payments, agreements and the
        # 登记簿; supervisors revoke an agreement at a customer's request; head office keeps the
        # billers and their regions and resolves reconciliation differences.
        role_grant(Role.TELLER, (
            ("payments", "billpayment", ("view",)),
            ("payments", "biller", ("view",)),
            ("payments", "branchbiller", ("view",)),
            ("payments", "quickpayagreement", ("view",)),
            ("payments", "quickpaydebit", ("view",)),
        ))
        role_grant(Role.SUPERVISOR, (("payments", "quickpayagreement", ("change",)),))
        role_grant(Role.HEAD_OFFICE, (
            ("payments", "biller", ("add", "change")),
            ("payments", "branchbiller", ("add", "change", "delete")),
            ("payments", "reconcilerun", ("view",)),
            ("payments", "reconciledifference", ("view", "change")),
            ("payments", "billersettlement", ("view",)),
            ("payments", "quickpaymerchant", ("view",)),
        ))

        # Demo data (ebank.core.demo): the billers (40), 张伟's 登记簿 (41), his quick-pay
        # agreement at 快付通 with three debits (42); the billers' own customers are the
        # simulator's part (38).
        from .book.demo import demo_seed as book_demo_seed
        from .demo import demo_seed
        from .quickpay.demo import demo_seed as quickpay_demo_seed
        demo_part(40, demo_seed)
        demo_part(41, book_demo_seed)
        demo_part(42, quickpay_demo_seed)
