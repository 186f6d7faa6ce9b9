from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    """The simulated payment institution (快付通) that debits our customers through quick-pay
    agreements (PAY-QUICKPAY, docs/payments.md). A lower app: it reaches the bank only through
    the API the bank registers in ``ebank.merchants.bank``; its demo data is seeded by payments' part 42."""

    name = "ebank.merchants"
    label = "merchants"
    verbose_name = "商户（支付机构）模拟器"
