from django.apps import AppConfig

from ebank.core.demo import demo_part


class BillersConfig(AppConfig):
    """The billers (缴费单位) behind one adapter (docs/payments.md): water, power, gas, heating,
    tax (TIPS) and the telcos. A lower app: it knows no customer of ours."""

    name = "ebank.billers"
    label = "billers"
    verbose_name = "缴费单位模拟器"

    def ready(self):
        from .demo import demo_seed
        demo_part(38, demo_seed)
