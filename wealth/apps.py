from django.apps import AppConfig


class WealthConfig(AppConfig):
    name = "wealth"
    label = "wealth"
    verbose_name = "基金与投资理财"
