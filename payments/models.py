"""自助缴费: the billers we collect for, and every bill payment with its outcome.

A :class:`Biller` is a 缴费单位 the bank collects for (head office keeps them in the admin): its
code at the adapter (ebank.billers), its kind, its settlement book (代收款项, where payments are
credited) and its 收款户 (the biller's own account with us, which the nightly batch settles the
book to). :class:`BranchBiller` says which biller serves a branch's region for each kind; a
customer pays the biller of their account's branch (or the head-office default, branch "").

A :class:`BillPayment` is created when the customer confirms (X-CONFIRM), in the same
transaction as the debit to the biller's settlement book, as 处理中 with its reference: only
then is the biller asked to write it off (outbox, as transfers.collect does). PAID when the
biller wrote it off; on a failure or time-out after the debit the biller is queried by the
same reference and, if it did not write it off, a 冲正 entry gives the money back (REVERSED,
with the reason). Bill payments count toward no transfer limit (procedures §13).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ebank.ledger.models import MONEY


class PaymentBusinessType(models.TextChoices):
    """The ledger business types of 自助缴费 (registered in PaymentsConfig.ready())."""

    BILL_PAYMENT = "bill_payment", "缴费"
    BILL_REVERSAL = "bill_reversal", "缴费冲正"
    BILLER_SETTLEMENT = "biller_settlement", "代收款项结算"
    QUICKPAY_DEBIT = "quickpay_debit", "快捷支付"
    QUICKPAY_SETTLEMENT = "quickpay_settlement", "快捷支付结算"


class BillKind(models.TextChoices):
    """The manual's 自助缴费 pages, in its order; the label is the page's title."""

    WATER = "water", "水费缴费"
    POWER = "power", "电费缴费"
    GAS = "gas", "煤气缴费"
    HEATING = "heating", "供暖缴费"
    TAX = "tax", "申报扣税"
    MOBILE = "mobile", "移动缴费"
    TIETONG = "tietong", "铁通缴费"
    UNICOM = "unicom", "联通缴费"
    TELECOM = "telecom", "电信缴费"


# Kinds whose biller fixes the amount (供暖 and 申报扣税 pay what is shown: no amount entry).
FIXED_AMOUNT_KINDS = (BillKind.HEATING, BillKind.TAX)
# Kinds whose 缴费号码 is a phone number (话费缴费).
PHONE_KINDS = (BillKind.MOBILE, BillKind.TIETONG, BillKind.UNICOM, BillKind.TELECOM)


class Biller(models.Model):
    code = models.CharField("缴费单位代码", max_length=16, unique=True)
    kind = models.CharField("缴费类型", max_length=8, choices=BillKind.choices)
    name = models.CharField("缴费单位名称", max_length=64)
    # 代收款项: credited by each payment, debited by a 冲正 and by the nightly settlement.
    settlement_account = models.ForeignKey("ledger.LedgerAccount", verbose_name="代收款项账户",
                                           on_delete=models.PROTECT, related_name="+")
    # The biller's own account with us (收款户), credited by the nightly settlement.
    collection_account = models.ForeignKey("ledger.LedgerAccount", verbose_name="收款账户",
                                           on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "缴费单位"
        verbose_name_plural = "缴费单位"
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class BranchBiller(models.Model):
    """The biller serving a branch's region for one kind (branch_code "": the default)."""

    branch_code = models.CharField("行社代码", max_length=12, blank=True)
    kind = models.CharField("缴费类型", max_length=8, choices=BillKind.choices)
    biller = models.ForeignKey(Biller, verbose_name="缴费单位", on_delete=models.PROTECT,
                               related_name="regions")

    class Meta:
        verbose_name = "地区缴费单位"
        verbose_name_plural = "地区缴费单位"
        constraints = [models.UniqueConstraint(fields=["branch_code", "kind"],
                                               name="payments_one_biller_per_branch_kind")]

    def __str__(self) -> str:
        return f"{self.branch_code or '全辖'} {self.get_kind_display()} → {self.biller}"


class BillPaymentStatus(models.TextChoices):
    PROCESSING = "processing", "处理中"   # debited; the biller's write-off not known yet
    PAID = "paid", "缴费成功"
    REVERSED = "reversed", "已冲正"       # not written off: 冲正, the money back


class BillPayment(models.Model):
    number = models.CharField("缴费流水号", max_length=32, unique=True)  # the adapter reference
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="bill_payments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作用户",
                             on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("缴费类型", max_length=8, choices=BillKind.choices)
    biller = models.ForeignKey(Biller, verbose_name="缴费单位", on_delete=models.PROTECT,
                               related_name="payments")
    customer_no = models.CharField("缴费号码", max_length=32)
    payer_name_masked = models.CharField("户名", max_length=64, blank=True)
    sub_account = models.ForeignKey("accounts.SubAccount", verbose_name="缴费账户",
                                    on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("缴费金额", **MONEY)
    status = models.CharField("状态", max_length=12, choices=BillPaymentStatus.choices,
                              default=BillPaymentStatus.PROCESSING)
    period = models.CharField("账期", max_length=32, blank=True)
    tax_detail_count = models.PositiveIntegerField("税种明细笔数", null=True, blank=True)
    treasury_serial = models.CharField("国库申报序号", max_length=32, blank=True)
    biller_reference = models.CharField("缴费单位流水号", max_length=40, blank=True)
    entry_id = models.BigIntegerField("记账分录", null=True, blank=True)
    reversal_entry_id = models.BigIntegerField("冲正分录", null=True, blank=True)
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)
    submitted_at = models.DateTimeField("缴费时间")
    business_date = models.DateField("账务日期")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    operation = models.ForeignKey("security.PendingOperation", verbose_name="确认交易",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    # 对账与结算 (payments/reconcile): the nightly settlement that moved this PAID payment's
    # amount from 代收款项 to the biller's 收款户 (set with that entry, in its transaction).
    settlement = models.ForeignKey("BillerSettlement", verbose_name="结算批次",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="payments")
    # --- bills (payments/bills): the tool-less cap's day (None: nothing consumed, a tool
    # holder's payment) and the 人工核查 flag of one the biller never answered for.
    limit_day = models.DateField("占用限额日期", null=True, blank=True)
    needs_review = models.BooleanField("人工核查", default=False)
    # --- 人工核查 (payments/bills/staff.py): what staff did about a 处理中 payment, by whom.
    review_note = models.CharField("核查说明", max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核查员工",
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField("核查时间", null=True, blank=True)

    class Meta:
        verbose_name = "缴费记录"
        verbose_name_plural = "缴费记录"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["customer", "-submitted_at"]),
                   models.Index(fields=["biller", "business_date"]),
                   models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_positive"),
            # bills: a fixed bill (one heating bill, one tax voucher) is paid once — a second
            # payment of it is refused before any debit unless the first was reversed.
            models.UniqueConstraint(
                fields=["biller", "customer_no", "period"],
                condition=Q(kind__in=["heating", "tax"]) & ~Q(status="reversed"),
                name="payments_fixed_bill_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()} {self.amount}"


# --- PAY-BOOK 缴费登记簿 ---------------------------------------------------------------------------
# The customer's saved bills (缴费登记簿管理): a 缴费号码 of one kind with an optional 备注名, each
# row a 缴费 link to the kind's pay page with the number filled in (docs/payments.md).

BOOK_ALIAS_MAX = 20


class BillBookEntry(models.Model):
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="bill_book_entries")
    kind = models.CharField("缴费类型", max_length=8, choices=BillKind.choices)
    customer_no = models.CharField("缴费号码", max_length=32)
    alias = models.CharField("备注名", max_length=BOOK_ALIAS_MAX, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "缴费登记簿"
        verbose_name_plural = "缴费登记簿"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "customer_no"],
                                    name="payments_book_one_entry_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.customer_no}"
# --- 对账与结算 (payments/reconcile, docs/payments.md) -------------------------------------------


class BillerSettlement(models.Model):
    """One nightly settlement of a biller (日终 step biller_settlement): the PAID payments not
    settled yet, up to its business date, moved from 代收款项 to the biller's 收款户 in one
    ledger entry (key ``biller_settlement:<code>:<date>``)."""

    biller = models.ForeignKey(Biller, verbose_name="缴费单位", on_delete=models.PROTECT,
                               related_name="settlements")
    business_date = models.DateField("结算日期")
    amount = models.DecimalField("结算金额", **MONEY)
    count = models.PositiveIntegerField("笔数")
    entry_id = models.BigIntegerField("记账分录")
    settled_at = models.DateTimeField("结算时间")

    class Meta:
        verbose_name = "代收款项结算"
        verbose_name_plural = "代收款项结算"
        ordering = ["-business_date", "biller"]
        constraints = [
            models.UniqueConstraint(fields=["biller", "business_date"],
                                    name="payments_one_settlement_per_biller_date"),
            models.CheckConstraint(condition=Q(amount__gt=0),
                                   name="payments_settlement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.biller.code} {self.business_date} {self.amount}"


class ReconcileRunStatus(models.TextChoices):
    DONE = "done", "已对账"
    FAILED = "failed", "对账文件未取得"


class ReconcileRun(models.Model):
    """One reconciliation of a biller's business date (``manage.py reconcile_billers``): our
    BillPayment rows of the date against the biller's 对账文件. A rerun updates the same row."""

    biller = models.ForeignKey(Biller, verbose_name="缴费单位", on_delete=models.PROTECT,
                               related_name="reconcile_runs")
    business_date = models.DateField("对账日期")
    status = models.CharField("状态", max_length=8, choices=ReconcileRunStatus.choices)
    error = models.CharField("错误", max_length=200, blank=True)
    our_count = models.PositiveIntegerField("我方成功笔数", default=0)
    our_amount = models.DecimalField("我方成功金额", default=0, **MONEY)
    their_count = models.PositiveIntegerField("对方笔数", default=0)
    their_amount = models.DecimalField("对方金额", default=0, **MONEY)
    matched_count = models.PositiveIntegerField("相符笔数", default=0)
    difference_count = models.PositiveIntegerField("差异笔数", default=0)
    ran_at = models.DateTimeField("对账时间")
    runs = models.PositiveIntegerField("对账次数", default=1)

    class Meta:
        verbose_name = "缴费对账"
        verbose_name_plural = "缴费对账"
        ordering = ["-business_date", "biller"]
        constraints = [
            models.UniqueConstraint(fields=["biller", "business_date"],
                                    name="payments_one_reconcile_run_per_biller_date"),
        ]

    def __str__(self) -> str:
        return f"{self.biller.code} {self.business_date} {self.get_status_display()}"


class DifferenceKind(models.TextChoices):
    OURS_ONLY = "ours_only", "我方有、对方无"
    THEIRS_ONLY = "theirs_only", "对方有、我方无"
    AMOUNT = "amount", "金额不符"
    STATUS = "status", "状态不符"


class DifferenceStatus(models.TextChoices):
    OPEN = "open", "待处理"
    RESOLVED = "resolved", "已处理"


class ReconcileDifference(models.Model):
    """One reference on which we and the biller disagree, with both sides' figures and what
    staff did about it (标记已处理 with a note)."""

    run = models.ForeignKey(ReconcileRun, verbose_name="对账", on_delete=models.PROTECT,
                            related_name="differences")
    reference = models.CharField("缴费流水号", max_length=64)
    kind = models.CharField("差异类型", max_length=12, choices=DifferenceKind.choices)
    payment = models.ForeignKey(BillPayment, verbose_name="缴费记录", on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    customer_no = models.CharField("缴费号码", max_length=32, blank=True)
    our_amount = models.DecimalField("我方金额", null=True, blank=True, **MONEY)
    our_status = models.CharField("我方状态", max_length=12, blank=True,
                                  choices=BillPaymentStatus.choices)
    their_amount = models.DecimalField("对方金额", null=True, blank=True, **MONEY)
    their_reference = models.CharField("缴费单位流水号", max_length=40, blank=True)
    their_paid_at = models.DateTimeField("对方销账时间", null=True, blank=True)
    status = models.CharField("处理状态", max_length=8, choices=DifferenceStatus.choices,
                              default=DifferenceStatus.OPEN)
    note = models.CharField("处理说明", max_length=200, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人",
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    found_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = "缴费对账差异"
        verbose_name_plural = "缴费对账差异"
        ordering = ["-run__business_date", "run__biller", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["run", "reference"],
                                    name="payments_one_difference_per_reference"),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"
# --- end 对账与结算 ---------------------------------------------------------------------------------
# --- PAY-QUICKPAY 网上支付 › 协议管理 (快捷支付) ------------------------------------------------------
#
# A :class:`QuickPayAgreement` lets one payment institution (商户/支付机构, the merchant simulator
# ebank.merchants) debit one of the customer's e-banking linked accounts (关联账户) without the
# customer logging in, within the agreement's own 单笔/日累计 limits (chosen by the customer under
# settings.QUICKPAY_SINGLE_CAP / QUICKPAY_DAILY_CAP) and the limit engine's ``quickpay`` channel.
# Every successful debit is a :class:`QuickPayDebit` with its ledger entry and e-receipt; a
# refused debit writes nothing at the bank (the merchant keeps the reason). docs/payments.md.


class QuickPayMerchant(models.Model):
    """A payment institution the bank lets sign quick-pay agreements (the bank's own registry:
    the simulator's records are not ours), with its 收款户 ``MERCHANT:<code>:ACCT`` that the
    nightly 快捷支付结算 credits from 快捷支付待清算. quickpay_merchant_register()."""

    code = models.CharField("商户代码", max_length=16, unique=True)
    name = models.CharField("商户/支付机构", max_length=64)
    collection_account = models.ForeignKey("ledger.LedgerAccount", verbose_name="收款账户",
                                           on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField("启用", default=True)
    registered_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "快捷支付商户"
        verbose_name_plural = "快捷支付商户"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class QuickPayAgreementStatus(models.TextChoices):
    ACTIVE = "active", "已签约"
    REVOKED = "revoked", "已撤销"


class QuickPayAgreement(models.Model):
    number = models.CharField("协议号", max_length=32, unique=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="quickpay_agreements")
    medium = models.ForeignKey("accounts.Medium", verbose_name="关联账户",
                               on_delete=models.PROTECT, related_name="quickpay_agreements")
    merchant_code = models.CharField("商户代码", max_length=16)
    merchant_name = models.CharField("商户/支付机构", max_length=64)
    single_limit = models.DecimalField("单笔限额", **MONEY)
    daily_limit = models.DecimalField("日累计限额", **MONEY)
    status = models.CharField("状态", max_length=8, choices=QuickPayAgreementStatus.choices,
                              default=QuickPayAgreementStatus.ACTIVE)
    signed_at = models.DateTimeField("签约时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "快捷支付协议"
        verbose_name_plural = "快捷支付协议"
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["customer", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["medium", "merchant_code"],
                                    condition=Q(status="active"),
                                    name="payments_one_active_quickpay_per_medium_merchant"),
            models.CheckConstraint(condition=Q(single_limit__gt=0) & Q(daily_limit__gt=0)
                                   & Q(single_limit__lte=models.F("daily_limit")),
                                   name="payments_quickpay_limits_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.merchant_name}"


class QuickPayDebitStatus(models.TextChoices):
    SUCCESS = "success", "支付成功"


class QuickPayDebit(models.Model):
    number = models.CharField("交易流水号", max_length=32, unique=True)
    agreement = models.ForeignKey(QuickPayAgreement, verbose_name="协议",
                                  on_delete=models.PROTECT, related_name="debits")
    merchant_code = models.CharField("商户代码", max_length=16)
    order_no = models.CharField("商户订单号", max_length=32)
    amount = models.DecimalField("金额", **MONEY)
    status = models.CharField("状态", max_length=8, choices=QuickPayDebitStatus.choices,
                              default=QuickPayDebitStatus.SUCCESS)
    sub_account = models.ForeignKey("accounts.SubAccount", verbose_name="扣款账户",
                                    on_delete=models.PROTECT, related_name="+")
    entry_id = models.BigIntegerField("记账分录")
    receipt_number = models.CharField("回单编号", max_length=32)
    business_date = models.DateField("账务日期")
    created_at = models.DateTimeField("交易时间")
    # Set by the nightly 快捷支付结算 in the transaction of its entry (payments/quickpay/settlement.py).
    settled_on = models.DateField("结算日期", null=True, blank=True)
    settlement_entry_id = models.BigIntegerField("结算分录", null=True, blank=True)

    class Meta:
        verbose_name = "快捷支付记录"
        verbose_name_plural = "快捷支付记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agreement", "business_date"]),
                   models.Index(fields=["merchant_code", "business_date"],
                                condition=Q(settled_on__isnull=True),
                                name="payments_quickpay_unsettled")]
        constraints = [
            models.UniqueConstraint(fields=["merchant_code", "order_no"],
                                    name="payments_quickpay_one_debit_per_order"),
            models.CheckConstraint(condition=Q(amount__gt=0),
                                   name="payments_quickpay_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.order_no} {self.amount}"
# --- end PAY-QUICKPAY ----------------------------------------------------------------------------
