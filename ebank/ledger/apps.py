from django.apps import AppConfig

from .business_types import business_types


class LedgerConfig(AppConfig):
    name = "ebank.ledger"
    label = "ledger"
    verbose_name = "总账"

    def ready(self):
        # The ledger's own business types (apps register theirs from their ready()).
        from .models import BusinessType
        business_types(BusinessType)
