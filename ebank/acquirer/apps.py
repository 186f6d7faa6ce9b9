from django.apps import AppConfig


class AcquirerConfig(AppConfig):
    """The simulated acquirer (银联收单机构) that sends card purchases and refunds to the bank as
    issuer (docs/creditcard.md, "The card and the acquirer"). A lower app: it reaches the bank
    only through the issuer API the bank registers in ``ebank.acquirer.issuer``."""

    name = "ebank.acquirer"
    label = "acquirer"
    verbose_name = "收单机构模拟器"
