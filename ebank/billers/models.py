"""The simulated billers (缴费单位): their customers' bills, the payments they wrote off, and
a behaviour switch per biller.

These tables are the billers' books, not ours: an amount owed or a telco balance here is what
the simulated biller holds, never money of our ledger. They live in the database (as the other
banks' simulator's do) so the web process, the workers and the tests see the same switches,
and so a write-off the caller rolls back is rolled back "at the biller" too.
"""

from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 18, "decimal_places": 2}


class SimBehaviour(models.TextChoices):
    """How a simulated biller answers ``pay`` (query and status answer normally except when
    unavailable)."""

    NORMAL = "normal", "正常"
    # BillerRefused with the biller's reason; nothing written off, nothing recorded.
    REFUSE = "refuse", "拒绝缴费"
    # pay() answers FAILED with the reason (recorded, so the reference answers FAILED again).
    FAIL_AFTER_DEBIT = "fail_after_debit", "销账失败"
    # BillerTimeout and nothing recorded: status() answers NOT_FOUND.
    TIMEOUT_LOST = "timeout_lost", "超时（未销账）"
    # Written off and recorded as paid, but the answer is lost (BillerTimeout): status() PAID.
    TIMEOUT_DONE = "timeout_done", "超时（已销账）"
    # BillerUnavailable on every call (query, pay, status, statement).
    UNAVAILABLE = "unavailable", "暂停服务"


class SimPaymentStatus(models.TextChoices):
    PAID = "paid", "已销账"
    FAILED = "failed", "销账失败"


class SimBiller(models.Model):
    code = models.CharField("缴费单位代码", max_length=16, unique=True)
    name = models.CharField("缴费单位名称", max_length=64)
    behaviour = models.CharField("应答方式", max_length=20, choices=SimBehaviour.choices,
                                 default=SimBehaviour.NORMAL)
    reason = models.CharField("拒绝/失败原因", max_length=128, blank=True)
    # The last 销账流水号's serial (locked and counted per payment: deterministic numbers).
    last_serial = models.PositiveIntegerField("流水序号", default=0)

    class Meta:
        verbose_name = "模拟缴费单位"
        verbose_name_plural = "模拟缴费单位"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SimBill(models.Model):
    """One customer of a biller (户号 / 电话号码 / 缴税凭证号) and what it owes."""

    biller = models.ForeignKey(SimBiller, verbose_name="缴费单位", on_delete=models.CASCADE,
                               related_name="bills")
    customer_no = models.CharField("缴费号码", max_length=32)
    name = models.CharField("户名", max_length=64)
    amount_owed = models.DecimalField("应缴金额", **MONEY)
    amount_fixed = models.BooleanField("固定金额", default=False)
    period = models.CharField("账期", max_length=32, blank=True)
    address = models.CharField("地址", max_length=128, blank=True)
    balance = models.DecimalField("账户余额（话费）", null=True, blank=True, **MONEY)
    treasury_serial = models.CharField("国库申报序号", max_length=32, blank=True)
    # [[税种, "金额"], …] (申报扣税); 税种明细笔数 is its length.
    tax_lines = models.JSONField("税种明细", default=list, blank=True)

    class Meta:
        verbose_name = "模拟缴费户"
        verbose_name_plural = "模拟缴费户"
        ordering = ["biller", "customer_no"]
        constraints = [
            models.UniqueConstraint(fields=["biller", "customer_no"],
                                    name="billers_one_bill_per_number"),
            models.CheckConstraint(condition=Q(amount_owed__gte=0),
                                   name="billers_owed_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.biller.code} {self.customer_no} {self.name}"


class SimPayment(models.Model):
    """One payment the biller answered; the same reference again gets this answer."""

    biller = models.ForeignKey(SimBiller, verbose_name="缴费单位", on_delete=models.CASCADE,
                               related_name="payments")
    reference = models.CharField("缴费流水号（银行）", max_length=64)
    customer_no = models.CharField("缴费号码", max_length=32)
    amount = models.DecimalField("金额", **MONEY)
    status = models.CharField("状态", max_length=8, choices=SimPaymentStatus.choices)
    reason = models.CharField("失败原因", max_length=128, blank=True)
    biller_reference = models.CharField("销账流水号", max_length=40, blank=True)
    paid_at = models.DateTimeField("销账时间")
    day = models.DateField("对账日期")  # the statement (对账文件) it is listed in
    planted = models.BooleanField("测试植入", default=False)

    class Meta:
        verbose_name = "模拟缴费单位收款"
        verbose_name_plural = "模拟缴费单位收款"
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["biller", "reference"],
                                    name="billers_one_payment_per_reference"),
        ]
        indexes = [models.Index(fields=["biller", "day"])]

    def __str__(self) -> str:
        return f"{self.biller.code} {self.reference} {self.amount} {self.get_status_display()}"
