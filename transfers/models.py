"""转账汇款: every outgoing e-banking transfer, its schedule and outcome, and the payee book.

A :class:`Transfer` is created when the customer confirms (X-CONFIRM). Real-time transfers are
executed in that same transaction; 普通到账, 次日到账 and HVPS transfers reserved to the next
session get a DueWork row (ebank.duework, key = the transfer number) and are executed by its
handler, which checks balance and limits again and takes them then (manual 跨行转账 note 4).
Inter-bank transfers move the money to the clearing book and wait for the other bank's
answer: success, failure (a return entry gives the money and the limit back) or a later 退汇.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ebank.clearing.routing import ArrivalMode, Channel
from ebank.ledger.models import MONEY


class TransferKind(models.TextChoices):
    OWN = "own", "关联账户互转"
    INTRA = "intra", "行内转账"
    INTER = "inter", "跨行转账"


class TransferBusinessType(models.TextChoices):
    """The ledger business types of transfers (registered in TransfersConfig.ready())."""

    OWN_TRANSFER = "own_transfer", "关联账户互转"
    INTRA_TRANSFER = "intra_transfer", "行内转账"
    INTER_TRANSFER = "inter_transfer", "跨行转账"
    INTER_TRANSFER_RETURN = "inter_transfer_return", "跨行退汇"


class TransferStatus(models.TextChoices):
    SCHEDULED = "scheduled", "待执行"  # 普通到账/次日到账: cancellable in 定时转账维护
    RESERVED = "reserved", "预约"  # HVPS outside its session: listed in 预约交易管理
    PROCESSING = "processing", "处理中"  # sent to the other bank, no answer yet
    SUCCEEDED = "succeeded", "成功"
    FAILED = "failed", "失败"
    RETURNED = "returned", "已退汇"
    CANCELLED = "cancelled", "已撤销"
    DELETED = "deleted", "已删除"


class Transfer(models.Model):
    number = models.CharField("交易流水号", max_length=32, unique=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="transfers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作用户",
                             on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("转账类型", max_length=8, choices=TransferKind.choices)
    mode = models.CharField("到账方式", max_length=16, choices=ArrivalMode.choices,
                            default=ArrivalMode.REAL_TIME)
    channel = models.CharField("清算渠道", max_length=8, choices=Channel.choices, blank=True)
    status = models.CharField("状态", max_length=16, choices=TransferStatus.choices)
    from_sub_account = models.ForeignKey("accounts.SubAccount", verbose_name="转出账户",
                                         on_delete=models.PROTECT, related_name="+")
    # Own-account and intra-bank transfers credit a sub-account of ours; inter-bank ones don't.
    to_sub_account = models.ForeignKey("accounts.SubAccount", verbose_name="转入账户",
                                       on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    payee_account = models.CharField("收款人账号", max_length=32)
    payee_name = models.CharField("收款人名称", max_length=64)
    payee_bank_code = models.CharField("收款行行号", max_length=12, blank=True)
    payee_bank_name = models.CharField("收款行名称", max_length=128, blank=True)
    payee_branch_code = models.CharField("收款网点行号", max_length=12, blank=True)
    amount = models.DecimalField("转账金额", **MONEY)
    purpose = models.CharField("付款用途", max_length=60, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    execute_at = models.DateTimeField("执行时间")
    executed_at = models.DateTimeField("完成时间", null=True, blank=True)
    # The ledger entries: the debit, and the money coming back after a failure or 退汇.
    entry_id = models.BigIntegerField("记账分录", null=True, blank=True)
    return_entry_id = models.BigIntegerField("退回分录", null=True, blank=True)
    # The business day whose daily limit the transfer took (given back on failure/return).
    limit_day = models.DateField("限额占用日", null=True, blank=True)
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)
    operation = models.ForeignKey("security.PendingOperation", verbose_name="确认交易",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = "网银转账"
        verbose_name_plural = "网银转账"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["customer", "-submitted_at"]),
                   models.Index(fields=["status", "execute_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfers_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()} {self.amount}"


class PayeeKind(models.TextChoices):
    INTRA = "intra", "行内收款人"
    INTER = "inter", "跨行收款人"


class Payee(models.Model):
    """收款人登记簿 (TRF-PAYEES)."""

    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="payees")
    kind = models.CharField("类型", max_length=8, choices=PayeeKind.choices)
    account_number = models.CharField("收款人账号", max_length=32)
    name = models.CharField("收款人名称", max_length=64)
    bank_code = models.CharField("收款行行号", max_length=12, blank=True)
    bank_name = models.CharField("收款行名称", max_length=128, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "收款人"
        verbose_name_plural = "收款人"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "account_number"],
                                    name="transfers_one_payee_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.account_number[-4:]}"


# --- TRF-SCHED 定时转账 (periodic transfers) ------------------------------------------------------
# See docs/periodic-transfers.md. A plan (定时转账设置) runs weekly or monthly on a day, from a
# start date to an end date or for a number of runs; each run is a DueWork row
# (``transfers.periodic_run``) that creates one Transfer and one PeriodicTransferRun.


class PeriodicFrequency(models.TextChoices):
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"


PERIODIC_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def periodic_schedule_describe(frequency: str, weekday: int | None,
                               day_of_month: int | None) -> str:
    """定时周期 as the pages say it: 每周一 … 每周日, 每月31日 (the one wording of a schedule)."""
    if frequency == PeriodicFrequency.WEEKLY and weekday is not None:
        return f"每周{PERIODIC_WEEKDAYS[weekday][1]}"
    return f"每月{day_of_month}日"


class PeriodicStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    CANCELLED = "cancelled", "已撤销"
    FINISHED = "finished", "已结束"


class PeriodicRunStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "成功"
    FAILED = "failed", "失败"
    PROCESSING = "processing", "处理中"


class PeriodicTransfer(models.Model):
    """定时转账: one active plan per paying card (manual: 目前，一张卡只能设置一笔有效的定时转账)."""

    number = models.CharField("交易流水号", max_length=24, unique=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="periodic_transfers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作用户",
                             on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey("accounts.SubAccount", verbose_name="转出账户",
                              on_delete=models.PROTECT, related_name="+")
    payer_medium = models.ForeignKey("accounts.Medium", verbose_name="转出卡/折",
                                     on_delete=models.PROTECT, related_name="+")
    payee_kind = models.CharField("收款人类型", max_length=8, choices=PayeeKind.choices)
    payee_sub_account = models.ForeignKey("accounts.SubAccount", verbose_name="转入账户",
                                          on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+")
    payee_account = models.CharField("收款人账号", max_length=32)
    payee_name = models.CharField("收款人名称", max_length=64)
    payee_bank_code = models.CharField("收款行行号", max_length=12, blank=True)
    payee_bank_name = models.CharField("收款行名称", max_length=128, blank=True)
    amount = models.DecimalField("转账金额", **MONEY)
    purpose = models.CharField("付款用途", max_length=60, blank=True)
    frequency = models.CharField("定时周期", max_length=8, choices=PeriodicFrequency.choices)
    weekday = models.PositiveSmallIntegerField("每周几", null=True, blank=True)  # 0 = 周一
    day_of_month = models.PositiveSmallIntegerField("每月几日", null=True, blank=True)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期", null=True, blank=True)
    run_count = models.PositiveIntegerField("执行次数", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=PeriodicStatus.choices,
                              default=PeriodicStatus.ACTIVE)
    runs_done = models.PositiveIntegerField("已执行次数", default=0)
    next_run_date = models.DateField("下次执行日期", null=True, blank=True)
    created_at = models.DateTimeField("设置时间")
    operation = models.ForeignKey("security.PendingOperation", verbose_name="确认交易",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "定时转账"
        verbose_name_plural = "定时转账"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["payer_medium"],
                                    condition=Q(status="active"),
                                    name="transfers_one_active_periodic_per_card"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfers_periodic_amount_positive"),
            models.CheckConstraint(
                condition=(Q(end_date__isnull=False, run_count__isnull=True)
                           | Q(end_date__isnull=True, run_count__isnull=False)),
                name="transfers_periodic_end_or_count"),
        ]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.get_frequency_display()} {self.amount}"

    @property
    def schedule_label(self) -> str:
        """定时周期 as the pages say it: 每周一 … 每周日, 每月31日."""
        return periodic_schedule_describe(self.frequency, self.weekday, self.day_of_month)


class PeriodicTransferRun(models.Model):
    """执行记录: one run of a plan (its Transfer, or why it failed)."""

    plan = models.ForeignKey(PeriodicTransfer, verbose_name="定时转账", on_delete=models.PROTECT,
                             related_name="runs")
    sequence = models.PositiveIntegerField("期数")
    scheduled_date = models.DateField("计划执行日期")
    status = models.CharField("执行结果", max_length=12, choices=PeriodicRunStatus.choices)
    transfer = models.OneToOneField(Transfer, verbose_name="转账", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="periodic_run")
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)
    executed_at = models.DateTimeField("执行时间")

    class Meta:
        verbose_name = "定时转账执行记录"
        verbose_name_plural = "定时转账执行记录"
        ordering = ["-scheduled_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="transfers_periodic_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.number} 第{self.sequence}期 {self.get_status_display()}"
# --- end TRF-SCHED -------------------------------------------------------------------------------
