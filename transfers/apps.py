from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    label = "transfers"
    verbose_name = "转账汇款"
