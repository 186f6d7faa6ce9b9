from django.apps import AppConfig

from ebank.core.menu import MenuSpec, menu_group, menu_leaf
from ebank.ledger.business_types import business_types


class PaymentsConfig(AppConfig):
    name = "payments"
    label = "payments"
    verbose_name = "自助缴费"

    def ready(self):
        # Ledger business types (ebank.ledger.business_types).
        from .models import PaymentBusinessType
        business_types(PaymentBusinessType)

        # Menu groups (ebank.core.menu): 自助缴费 in the manual's order (公共事业缴费, 话费缴费,
        # 缴费管理); its 缴费中转页 (payments:index) is reached from 账户总览's 缴费. 网上支付 ›
        # 直联支付管理 › 协议管理 comes after 贷款业务.
        from .models import BillKind
        menu_group(40, MenuSpec("自助缴费", children=(
            *(menu_leaf(kind.label, f"payments:pay_{kind.value}") for kind in BillKind),
            menu_leaf("缴费登记簿管理", "payments:book"),
            menu_leaf("缴费记录查询", "payments:records"),
        )))
        menu_group(85, MenuSpec("网上支付", children=(
            menu_leaf("协议管理", "payments:quickpay"),
        )))

        # --- PAY-BOOK 缴费登记簿 ---
        # Audit action labels (ebank.core.audit).
        from ebank.core.audit import audit_actions

        from .book.services import AUDIT_LABELS as BOOK_AUDIT_LABELS
        audit_actions(BOOK_AUDIT_LABELS)
        # Demo data (ebank.core.demo): 张伟's 登记簿 entries, after the e-banking users.
        from ebank.core.demo import demo_part

        from .book.demo import demo_seed as book_demo_seed
        demo_part(41, book_demo_seed)
        # --- end PAY-BOOK ---
        # 对账与结算 (payments/reconcile, docs/payments.md): the nightly step biller_settlement,
        # the admin of runs, differences and settlements (head office's 清算 and 账务 areas),
        # the audit label of 标记已处理.
        from ebank.core.audit import audit_actions
        from security.staff.admin_sections import admin_section_place

        from . import nightly  # noqa: F401  (registers the nightly batch steps)
        from .reconcile import admin as reconcile_admin  # noqa: F401
        from .reconcile.services import RESOLVE_ACTION
        audit_actions({RESOLVE_ACTION: "缴费对账差异处理"})
        admin_section_place("payments", "reconcilerun", section="clearing", order=40)
        admin_section_place("payments", "reconciledifference", section="clearing", order=50)
        admin_section_place("payments", "billersettlement", section="books", order=60)
        # --- bills (payments/bills): X-CONFIRM kinds, the write-off's DueWork handler, audit
        from ebank.core.audit import audit_actions

        from . import handlers, operations  # noqa: F401 — registers kinds and handlers
        from .bills.audit_labels import LABELS as BILLS_AUDIT_LABELS

        audit_actions(BILLS_AUDIT_LABELS)

        from security.tools.sms import sms_purposes

        from .notify import SMS_PURPOSES

        sms_purposes(SMS_PURPOSES)

        from ebank.core.demo import demo_part

        from .demo import demo_seed

        demo_part(40, demo_seed)
