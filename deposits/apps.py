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

        from . import nightly  # noqa: F401  (registers the nightly batch steps)

        # Menu item (ebank.core.menu): plain text until the page ``deposits:index`` exists.
        menu_group(70, menu_leaf("定期存款/智能存款", "deposits:index"))
