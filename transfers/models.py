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


# --- 他行账户管理 and 资金归集 (ACC-OTHERBANK, ACC-COLLECT, TRF-PULL; docs/otherbanks.md) -----------


class OtherBankBusinessType(models.TextChoices):
    """The ledger business type of a pull from another bank (registered in ready())."""

    INTER_PULL = "inter_pull", "跨行资金归集"


class OtherBankKind(models.TextChoices):
    QUERY = "query", "账户信息查询协议"
    PAY = "pay", "授权支付协议"


class OtherBankAgreementStatus(models.TextChoices):
    ACTIVE = "active", "已签约"
    CANCELLED = "cancelled", "已解约"
    REVOKED = "revoked", "他行已解约"


class OtherBankSigning(models.Model):
    """A signing on its way through the other bank's page (the ``state`` we gave it)."""

    state = models.CharField("签约流水", max_length=64, unique=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("协议类型", max_length=8, choices=OtherBankKind.choices)
    bank_code = models.CharField("他行代码", max_length=12)
    bank_name = models.CharField("他行名称", max_length=64)
    sign_url = models.CharField("他行签约地址", max_length=1000)
    operation = models.ForeignKey("security.PendingOperation", verbose_name="确认交易",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField("发起时间")
    expires_at = models.DateTimeField("失效时间")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "他行签约请求"
        verbose_name_plural = "他行签约请求"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.get_kind_display()}"


class OtherBankAgreement(models.Model):
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="otherbank_agreements")
    kind = models.CharField("协议类型", max_length=8, choices=OtherBankKind.choices)
    bank_code = models.CharField("他行代码", max_length=12)
    bank_name = models.CharField("他行名称", max_length=64)
    account_number = models.CharField("他行账号", max_length=32)
    holder_name = models.CharField("户名", max_length=64)
    single_limit = models.DecimalField("单笔限额", null=True, blank=True, **MONEY)
    daily_limit = models.DecimalField("日累计限额", null=True, blank=True, **MONEY)
    valid_until = models.DateField("有效期至")
    status = models.CharField("状态", max_length=16, choices=OtherBankAgreementStatus.choices,
                              default=OtherBankAgreementStatus.ACTIVE)
    external_id = models.CharField("协议号", max_length=32, unique=True)
    signed_at = models.DateTimeField("签约时间")
    cancelled_at = models.DateTimeField("解约时间", null=True, blank=True)
    cancel_reason = models.CharField("解约原因", max_length=128, blank=True)

    class Meta:
        verbose_name = "他行账户协议"
        verbose_name_plural = "他行账户协议"
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number[-4:]} {self.get_kind_display()}"

    @property
    def masked_account(self) -> str:
        from ebank.core.masking import mask_account_number

        return mask_account_number(self.account_number)


class OtherBankLogKind(models.TextChoices):
    AGREEMENT = "agreement", "协议管理"
    QUERY = "query", "跨行查询"
    PAYMENT = "payment", "授权支付"


class OtherBankOperationLog(models.Model):
    """操作记录查询's rows: one per 签约/解约, 跨行查询 and 授权支付 (success or not)."""

    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("操作类型", max_length=16, choices=OtherBankLogKind.choices)
    action = models.CharField("操作", max_length=32)
    bank_name = models.CharField("他行名称", max_length=64, blank=True)
    account_masked = models.CharField("他行账号", max_length=32, blank=True)
    amount = models.DecimalField("金额", null=True, blank=True, **MONEY)
    succeeded = models.BooleanField("成功")
    detail = models.CharField("说明", max_length=200, blank=True)
    at = models.DateTimeField("操作时间")

    class Meta:
        verbose_name = "他行操作记录"
        verbose_name_plural = "他行操作记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.action}"


class CollectionFrequency(models.TextChoices):
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"


class CollectionMode(models.TextChoices):
    FULL = "full", "全额归集"
    FIXED = "fixed", "定额归集"
    RESERVE = "reserve", "留存余额归集"


class CollectionPlanStatus(models.TextChoices):
    ACTIVE = "active", "生效"
    CANCELLED = "cancelled", "已撤销"


class CollectionPlan(models.Model):
    """自动归集设置: what to pull from a 授权支付协议's account, how often, into which account."""

    number = models.CharField("归集编号", max_length=32, unique=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(OtherBankAgreement, verbose_name="付款协议",
                                  on_delete=models.PROTECT, related_name="plans")
    to_sub_account = models.ForeignKey("accounts.SubAccount", verbose_name="收款账户",
                                       on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField("归集频率", max_length=8, choices=CollectionFrequency.choices)
    # 每周: 1 (Monday) – 7; 每月: 1 – 28; 每日: 0.
    day = models.PositiveSmallIntegerField("归集日", default=0)
    mode = models.CharField("归集方式", max_length=8, choices=CollectionMode.choices)
    amount = models.DecimalField("归集金额", null=True, blank=True, **MONEY)  # 定额
    reserve = models.DecimalField("留存余额", null=True, blank=True, **MONEY)  # 留存余额
    minimum = models.DecimalField("起归金额", **MONEY)  # below it a 全额/留存 run is skipped
    status = models.CharField("状态", max_length=16, choices=CollectionPlanStatus.choices,
                              default=CollectionPlanStatus.ACTIVE)
    next_run_on = models.DateField("下次归集日", null=True, blank=True)
    created_at = models.DateTimeField("设置时间")
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)
    cancel_reason = models.CharField("撤销原因", max_length=128, blank=True)
    operation = models.ForeignKey("security.PendingOperation", verbose_name="确认交易",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = "自动归集设置"
        verbose_name_plural = "自动归集设置"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_mode_display()}"


class CollectionRunStatus(models.TextChoices):
    PROCESSING = "processing", "处理中"  # asked (or about to ask) the other bank; result unknown
    SUCCEEDED = "succeeded", "成功"
    FAILED = "failed", "失败"
    SKIPPED = "skipped", "未归集"


class CollectionRun(models.Model):
    """One pull: 跨行资金归集 (plan null) or one due run of an 自动归集 plan."""

    reference = models.CharField("交易流水号", max_length=32, unique=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(OtherBankAgreement, verbose_name="付款协议",
                                  on_delete=models.PROTECT, related_name="runs")
    plan = models.ForeignKey(CollectionPlan, verbose_name="自动归集", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="runs")
    run_date = models.DateField("归集日")
    to_sub_account = models.ForeignKey("accounts.SubAccount", verbose_name="收款账户",
                                       on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额", null=True, blank=True, **MONEY)
    status = models.CharField("状态", max_length=16, choices=CollectionRunStatus.choices)
    reason = models.CharField("原因", max_length=200, blank=True)
    entry_id = models.BigIntegerField("记账分录", null=True, blank=True)
    operation = models.ForeignKey("security.PendingOperation", verbose_name="确认交易",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    at = models.DateTimeField("交易时间")

    class Meta:
        verbose_name = "资金归集明细"
        verbose_name_plural = "资金归集明细"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "run_date"], condition=Q(plan__isnull=False),
                                    name="transfers_one_collection_run_per_plan_day"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_status_display()}"


# --- TRF-BATCH 批量行内转账 / 批量跨行转账 / 批量转账查询 (transfers/batch/) -------------------------


class BatchKind(models.TextChoices):
    INTRA = "intra", "批量行内转账"
    INTER = "inter", "批量跨行转账"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "草稿"  # uploaded, the report read; not submitted yet
    PENDING = "pending", "待确认"  # submitted, waiting for the customer's signature
    RUNNING = "running", "执行中"  # confirmed: rows run by deferred work
    DONE = "done", "已完成"  # every row final (成功 or 失败)


class BatchSource(models.TextChoices):
    UPLOAD = "upload", "文件上传"
    MANUAL = "manual", "手工录入"


class TransferBatch(models.Model):
    number = models.CharField("批次号", max_length=32, unique=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="transfer_batches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作用户",
                             on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("批量类型", max_length=8, choices=BatchKind.choices)
    status = models.CharField("批次状态", max_length=8, choices=BatchStatus.choices,
                              default=BatchStatus.DRAFT)
    source = models.CharField("录入方式", max_length=8, choices=BatchSource.choices)
    file_name = models.CharField("文件名", max_length=128, blank=True)
    payer = models.ForeignKey("accounts.SubAccount", verbose_name="转出账户",
                              on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField("总笔数", default=0)
    total = models.DecimalField("总金额", **MONEY, default=0)
    invalid_count = models.PositiveIntegerField("校验未通过笔数", default=0)
    done_count = models.PositiveIntegerField("成功笔数", default=0)
    failed_count = models.PositiveIntegerField("失败笔数", default=0)
    operation = models.ForeignKey("security.PendingOperation", verbose_name="确认交易",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField("上传时间")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "批量转账"
        verbose_name_plural = "批量转账"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class BatchRowStatus(models.TextChoices):
    PENDING = "pending", "待执行"
    SUCCEEDED = "succeeded", "成功"
    FAILED = "failed", "失败"


class TransferBatchRow(models.Model):
    batch = models.ForeignKey(TransferBatch, verbose_name="批次", on_delete=models.CASCADE,
                              related_name="rows")
    line_no = models.PositiveIntegerField("行号")
    payee_account = models.CharField("收款人账号", max_length=64, blank=True)
    payee_name = models.CharField("收款人名称", max_length=128, blank=True)
    bank_code = models.CharField("收款行行号", max_length=32, blank=True)
    bank_name = models.CharField("收款行名称", max_length=128, blank=True)
    amount = models.DecimalField("金额", **MONEY, null=True, blank=True)
    amount_text = models.CharField("金额（原文）", max_length=32, blank=True)
    purpose = models.CharField("用途", max_length=128, blank=True)
    # The 行内 payee's 活期主账户, found when the row was checked (checked again at execution).
    to_sub_account = models.ForeignKey("accounts.SubAccount", verbose_name="转入账户",
                                       on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    error = models.CharField("校验结果", max_length=200, blank=True)
    status = models.CharField("执行状态", max_length=10, choices=BatchRowStatus.choices,
                              default=BatchRowStatus.PENDING)
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)
    transfer = models.ForeignKey(Transfer, verbose_name="转账", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    executed_at = models.DateTimeField("执行时间", null=True, blank=True)

    class Meta:
        verbose_name = "批量转账明细"
        verbose_name_plural = "批量转账明细"
        ordering = ["batch", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line_no"], name="transfers_batch_row_line"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.line_no}"
# --- end TRF-BATCH ---------------------------------------------------------------------------------
