from django.apps import AppConfig


class CreditcardConfig(AppConfig):
    name = "creditcard"
    label = "creditcard"
    verbose_name = "信用卡业务"
