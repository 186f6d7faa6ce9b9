"""The simulated acquirer's own books: every transaction it sent to the issuer and the answer.
Not the bank's records (the bank keeps the card's items and credits); a declined transaction is
kept only here, with the issuer's reason."""

from django.db import models

MONEY = {"max_digits": 18, "decimal_places": 2}


class AcquirerTxnKind(models.TextChoices):
    PURCHASE = "purchase", "消费"
    REFUND = "refund", "退货"


class AcquirerTxnStatus(models.TextChoices):
    APPROVED = "approved", "交易成功"
    DECLINED = "declined", "交易拒绝"


class AcquirerTxn(models.Model):
    reference = models.CharField("收单流水号", max_length=32, unique=True)
    kind = models.CharField("交易类型", max_length=8, choices=AcquirerTxnKind.choices)
    card_masked = models.CharField("卡号", max_length=32)
    merchant_name = models.CharField("商户名称", max_length=60)
    mcc = models.CharField("商户类别码", max_length=4, blank=True)
    amount = models.DecimalField("交易金额", **MONEY)
    txn_date = models.DateField("交易日期")
    # A refund: the purchase it returns (the acquirer's reference of it).
    original_reference = models.CharField("原交易流水号", max_length=32, blank=True)
    status = models.CharField("交易结果", max_length=8, choices=AcquirerTxnStatus.choices)
    reason = models.CharField("拒绝原因", max_length=200, blank=True)
    issuer_reference = models.CharField("发卡行记录", max_length=32, blank=True)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "收单交易"
        verbose_name_plural = "收单交易"
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0),
                                              name="acquirer_txn_amount")]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()} {self.amount} {self.get_status_display()}"
