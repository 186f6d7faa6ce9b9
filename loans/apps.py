from django.apps import AppConfig

from ebank.core.menu import menu_group, menu_leaf


class LoansConfig(AppConfig):
    name = "loans"
    label = "loans"
    verbose_name = "贷款业务"

    def ready(self):
        # Menu item (ebank.core.menu): plain text until the page ``loans:index`` exists.
        menu_group(80, menu_leaf("贷款业务", "loans:index"))
