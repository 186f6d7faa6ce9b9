from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "ebank.limits"
    label = "limits"
    verbose_name = "限额"
