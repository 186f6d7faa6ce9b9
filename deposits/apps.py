from django.apps import AppConfig


class DepositsConfig(AppConfig):
    name = "deposits"
    label = "deposits"
    verbose_name = "定期存款与智能存款"
