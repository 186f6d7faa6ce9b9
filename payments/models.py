from django.db import models


class PaymentBusinessType(models.TextChoices):
    """The ledger business types of 自助缴费 (registered in PaymentsConfig.ready())."""

    BILL_PAYMENT = "bill_payment", "缴费"
