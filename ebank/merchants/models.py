"""The simulated payment institution's own books: the agreements its users bound at it and the
orders it charged through them. Not the bank's records: the bank keeps the agreement
(payments.QuickPayAgreement) and each debit (payments.QuickPayDebit); a refused order is kept
only here, with the bank's reason."""

from django.db import models

MONEY = {"max_digits": 18, "decimal_places": 2}


class MerchantBinding(models.Model):
    """A card bound at the merchant (绑卡): the bank's agreement number for it."""

    merchant_code = models.CharField("商户代码", max_length=16)
    agreement_no = models.CharField("协议号", max_length=32, unique=True)
    card_masked = models.CharField("银行卡", max_length=32)
    holder_name = models.CharField("持卡人", max_length=64)
    bound_at = models.DateTimeField("绑卡时间", auto_now_add=True)

    class Meta:
        verbose_name = "绑卡记录"
        verbose_name_plural = "绑卡记录"
        ordering = ["-bound_at", "-id"]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.card_masked}"


class MerchantOrderStatus(models.TextChoices):
    PAID = "paid", "支付成功"
    REFUSED = "refused", "支付失败"


class MerchantOrder(models.Model):
    merchant_code = models.CharField("商户代码", max_length=16)
    order_no = models.CharField("订单号", max_length=32)
    binding = models.ForeignKey(MerchantBinding, verbose_name="绑卡", on_delete=models.PROTECT,
                                related_name="orders")
    amount = models.DecimalField("金额", **MONEY)
    status = models.CharField("状态", max_length=8, choices=MerchantOrderStatus.choices)
    reason = models.CharField("失败原因", max_length=200, blank=True)
    bank_serial = models.CharField("银行流水号", max_length=32, blank=True)
    receipt_number = models.CharField("银行回单编号", max_length=32, blank=True)
    created_at = models.DateTimeField("下单时间", auto_now_add=True)

    class Meta:
        verbose_name = "支付订单"
        verbose_name_plural = "支付订单"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order_no} {self.amount} {self.get_status_display()}"
