from django.apps import AppConfig

from ebank.core.menu import menu_group, menu_leaf


class PaymentsConfig(AppConfig):
    name = "payments"
    label = "payments"
    verbose_name = "自助缴费"

    def ready(self):
        # Menu item (ebank.core.menu): plain text until the page ``payments:index`` exists.
        menu_group(40, menu_leaf("自助缴费", "payments:index"))
