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
