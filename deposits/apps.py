from django.apps import AppConfig

from ebank.core.demo import demo_part
from ebank.core.menu import menu_group, menu_leaf


class DepositsConfig(AppConfig):
    name = "deposits"
    label = "deposits"
    verbose_name = "定期存款与智能存款"

    def ready(self):
        from ebank.ledger.business_types import business_types

        from .business_types import DepositBusinessType

        # Ledger business types (ebank.ledger.business_types).
        business_types(DepositBusinessType)

        # 大额存单产品 in the staff admin (Django's autodiscover reads deposits/admin.py only).
        from . import admin_cd  # noqa: F401

        # Menu item (ebank.core.menu): plain text until the page ``deposits:index`` exists.
        menu_group(70, menu_leaf("定期存款/智能存款", "deposits:index"))

        # Audit action labels (ebank.core.audit): the rate table's writes.
        from ebank.core.audit import audit_actions

        from .rates import AUDIT_LABELS as RATE_AUDIT_LABELS
        audit_actions(RATE_AUDIT_LABELS)

        # Demo data (ebank.core.demo): the rate table, after the bank, its customers and staff
        # (30); the place of the app's menu group.
        from .demo import demo_seed
        demo_part(70, demo_seed)

        # The staff index (security.staff.admin_sections): 定期存款 beside the sub-accounts
        # that hold them; 活期积数 with head office's books. 存款利率表 stays in the app's own
        # section (定期存款与智能存款).
        from security.staff.admin_sections import admin_section_place
        admin_section_place("deposits", "deposit", section="accounts", order=50)
        admin_section_place("deposits", "currentaccrual", section="books", order=50)
