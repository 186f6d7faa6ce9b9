from django.apps import AppConfig

from ebank.core.demo import demo_part


class ClearingConfig(AppConfig):
    name = "ebank.clearing"
    label = "clearing"
    verbose_name = "清算与营业日历"

    def ready(self):
        # Demo data (ebank.core.demo): the sample 联行号 table, first.
        from .demo import demo_seed
        demo_part(10, demo_seed)
