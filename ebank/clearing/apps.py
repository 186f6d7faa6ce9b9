from django.apps import AppConfig


class ClearingConfig(AppConfig):
    name = "ebank.clearing"
    label = "clearing"
    verbose_name = "清算与营业日历"
