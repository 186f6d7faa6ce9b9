from django.apps import AppConfig

from ebank.core.demo import demo_part


class OtherBanksConfig(AppConfig):
    name = "ebank.otherbanks"
    label = "otherbanks"
    verbose_name = "他行模拟器"

    def ready(self):
        # Demo data (ebank.core.demo): the simulated other banks' accounts of the demo
        # customers, after the e-banking users (30).
        from .demo import demo_seed
        demo_part(36, demo_seed)
