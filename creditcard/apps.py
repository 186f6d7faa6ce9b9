from django.apps import AppConfig

from ebank.core.menu import menu_group, menu_leaf


class CreditcardConfig(AppConfig):
    name = "creditcard"
    label = "creditcard"
    verbose_name = "信用卡业务"

    def ready(self):
        # Menu item (ebank.core.menu): plain text until the page ``creditcard:index`` exists.
        menu_group(50, menu_leaf("信用卡业务", "creditcard:index"))
