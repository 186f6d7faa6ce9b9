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
