from django.apps import AppConfig

from ebank.core.menu import menu_group, menu_leaf


class WealthConfig(AppConfig):
    name = "wealth"
    label = "wealth"
    verbose_name = "基金与投资理财"

    def ready(self):
        # Menu item (ebank.core.menu): plain text until the page ``wealth:index`` exists.
        menu_group(60, menu_leaf("基金/投资理财", "wealth:index"))
