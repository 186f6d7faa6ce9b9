from django.apps import AppConfig

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
