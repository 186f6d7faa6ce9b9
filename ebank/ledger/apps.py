from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ebank.ledger"
    label = "ledger"
    verbose_name = "总账"
