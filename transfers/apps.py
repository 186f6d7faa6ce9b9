from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    label = "transfers"
    verbose_name = "转账汇款"

    def ready(self):
        # Register the X-CONFIRM kinds (transfers.own, transfers.intra, transfers.inter), their
        # result pages (outcome) and the due-work handlers (transfers.execute and the inter-bank
        # ones). A Celery worker never loads the URLconf, so the registrations must not depend
        # on the views being imported.
        from .services import execution, inter, outcome, own_intra  # noqa: F401
