"""贷款业务 (LN-APPLY, LN-DRAW, LN-REPAY, LN-QUERY): products, the LPR table, the settings, the
application and its approval, the 借据 (one per drawdown) with its instalments, repayments,
the nightly deductions and the daily 罚息/复利 accrual. docs/loans.md.

Money
-----
The bank's loan principal book ``BANK:LOAN_PRINCIPAL`` (贷款本金, debit-normal) is what the
customers owe in principal: a drawdown debits it and credits the repayment account; principal
repaid credits it back, so its balance is always the sum of the 借据' outstanding principal
(``manage.py verify_loans``). Interest is taken into 贷款利息收入 and 罚息/复利 into 贷款罚息收入
when they are paid (cash basis): what is due and not yet paid is kept on the instalment rows.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from .schedule import Method, PrepayMode, fen

MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 4}   # a percentage per year, such as 3.6000 (%)
# 罚息/复利 as accrued day by day, unrounded (DOMAIN-RULES: rounded to the fen once, when posted).
ACCRUED = {"max_digits": 24, "decimal_places": 10}
# What rounding to the fen can add to an accrued amount (half-up): the most a payment may take.
HALF_FEN = Decimal("0.005")
ZERO = Decimal("0.00")


class LoanBusinessType(models.TextChoices):
    """The ledger business types of 贷款业务 (registered in LoansConfig.ready())."""

    DRAW = "loan_draw", "个人贷款发放"
    REPAY = "loan_repay", "个人贷款还款"
    PREPAY = "loan_prepay", "个人贷款提前还款"
    DEDUCT = "loan_deduct", "贷款到期扣款"


class LoanBook:
    """The bank books of this app (registered in its AppConfig.ready(); ebank.ledger.bank_books)."""

    PRINCIPAL = "BANK:LOAN_PRINCIPAL"           # 贷款本金 (debit-normal)
    INTEREST_INCOME = "BANK:LOAN_INTEREST"      # 贷款利息收入 (credit-normal)
    PENALTY_INCOME = "BANK:LOAN_PENALTY"        # 贷款罚息收入: 罚息 and 复利 (credit-normal)


MethodChoices = models.TextChoices("MethodChoices", [
    (Method.EQUAL_INSTALMENT, (Method.EQUAL_INSTALMENT, "等额本息")),
    (Method.EQUAL_PRINCIPAL, (Method.EQUAL_PRINCIPAL, "等额本金")),
])

PrepayModeChoices = models.TextChoices("PrepayModeChoices", [
    (PrepayMode.KEEP_TERM, (PrepayMode.KEEP_TERM, PrepayMode.LABELS[PrepayMode.KEEP_TERM])),
    (PrepayMode.SHORTEN, (PrepayMode.SHORTEN, PrepayMode.LABELS[PrepayMode.SHORTEN])),
])


# --- the shelf, the rate table and the settings (head office) -------------------------------------


class LprTerm(models.TextChoices):
    """The two LPR quotes: a term of up to five years takes the 1-year LPR, a longer one the
    5-year LPR (the PBOC's rule)."""

    ONE_YEAR = "1Y", "1年期LPR"
    FIVE_YEAR = "5Y", "5年期以上LPR"


class LoanProduct(models.Model):
    code = models.CharField("产品代码", max_length=16, unique=True)
    name = models.CharField("产品名称", max_length=32)
    min_amount = models.DecimalField("最低金额", **MONEY)
    max_amount = models.DecimalField("最高金额", **MONEY)
    # The terms a customer may choose, in months, comma-separated ("6,12,24,36").
    terms = models.CharField("可选期限（月）", max_length=64)
    spread = models.DecimalField("默认加点（%）", **RATE,
                                 help_text="执行利率 = LPR + 加点；审批时可调整")
    purposes = models.CharField("贷款用途", max_length=200,
                                help_text="可选用途，以顿号（、）分隔")
    on_sale = models.BooleanField("网银可申请", default=True)
    description = models.CharField("产品说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "贷款产品"
        verbose_name_plural = "贷款产品"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(min_amount__gt=0) & Q(max_amount__gte=models.F("min_amount")),
                                   name="loans_product_amounts"),
            models.CheckConstraint(condition=Q(spread__gte=0), name="loans_product_spread"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def term_list(self) -> list[int]:
        return sorted({int(part) for part in self.terms.split(",") if part.strip().isdigit()})

    @property
    def purpose_list(self) -> list[str]:
        return [part.strip() for part in self.purposes.split("、") if part.strip()]


class LprRate(models.Model):
    """The loan prime rate quoted on a date (贷款市场报价利率), in force from its 生效日期 until
    the next row of the same term."""

    term = models.CharField("期限品种", max_length=2, choices=LprTerm.choices)
    effective_from = models.DateField("生效日期")
    rate = models.DecimalField("利率（%）", **RATE)

    class Meta:
        verbose_name = "LPR利率"
        verbose_name_plural = "LPR利率表"
        ordering = ["term", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["term", "effective_from"], name="loans_lpr_once"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="loans_lpr_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_term_display()} {self.effective_from} {self.rate}%"


class LoanSetting(models.Model):
    """The loan **settings** of DOMAIN-RULES §4, in force from 生效日期 (the latest row on or
    before a day applies; none: the defaults)."""

    effective_from = models.DateField("生效日期", unique=True)
    dual_approval_above = models.DecimalField(
        "双人审批起点金额", **MONEY, default=Decimal("200000.00"),
        help_text="批准金额超过此金额的贷款须经主管复核")
    penalty_multiplier = models.DecimalField(
        "罚息利率倍数", max_digits=5, decimal_places=2, default=Decimal("1.50"),
        help_text="罚息、复利利率 = 合同利率 × 此倍数")
    approval_valid_days = models.PositiveIntegerField(
        "批复有效期（天）", default=90, help_text="批准后在此天数内可申请发放")

    class Meta:
        verbose_name = "贷款参数"
        verbose_name_plural = "贷款参数"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(dual_approval_above__gt=0),
                                   name="loans_setting_threshold"),
            models.CheckConstraint(condition=Q(penalty_multiplier__gte=1),
                                   name="loans_setting_multiplier"),
        ]

    def __str__(self) -> str:
        return f"贷款参数（{self.effective_from}起）"


# --- the application ----------------------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审批"
    CHECKING = "checking", "待复核"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已拒绝"
    WITHDRAWN = "withdrawn", "已撤销"
    EXPIRED = "expired", "已过期"


class LoanApplication(models.Model):
    number = models.CharField("申请编号", max_length=20, unique=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="loan_applications")
    user = models.ForeignKey("security.User", verbose_name="申请用户", on_delete=models.PROTECT,
                             related_name="loan_applications")
    product = models.ForeignKey(LoanProduct, verbose_name="贷款产品", on_delete=models.PROTECT,
                                related_name="applications")
    amount = models.DecimalField("申请金额", **MONEY)
    months = models.PositiveIntegerField("申请期限（月）")
    purpose = models.CharField("贷款用途", max_length=32)
    method = models.CharField("还款方式", max_length=20, choices=MethodChoices.choices)
    repayment_day = models.PositiveSmallIntegerField("每月还款日")
    repayment_account = models.ForeignKey("accounts.SubAccount", verbose_name="还款账户",
                                          on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    applied_at = models.DateTimeField("申请时间")
    # The approval (filled by the teller's 批准; above the setting, after the supervisor's 复核).
    approved_amount = models.DecimalField("批准金额", **MONEY, null=True, blank=True)
    approved_months = models.PositiveIntegerField("批准期限（月）", null=True, blank=True)
    lpr_term = models.CharField("LPR品种", max_length=2, choices=LprTerm.choices, blank=True)
    lpr = models.DecimalField("LPR（%）", **RATE, null=True, blank=True)
    spread = models.DecimalField("加点（%）", **RATE, null=True, blank=True)
    annual_rate = models.DecimalField("执行年利率（%）", **RATE, null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("审批时间", null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="复核人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField("复核时间", null=True, blank=True)
    approval_request = models.ForeignKey("security.ApprovalRequest", verbose_name="复核申请",
                                         null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    reject_reason = models.CharField("拒绝原因", max_length=200, blank=True)
    valid_until = models.DateField("发放截止日", null=True, blank=True)
    drawn_amount = models.DecimalField("已发放金额", **MONEY, default=ZERO)

    class Meta:
        verbose_name = "个人贷款申请"
        verbose_name_plural = "个人贷款申请"
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loans_application_amount"),
            models.CheckConstraint(condition=Q(repayment_day__gte=1) & Q(repayment_day__lte=31),
                                   name="loans_application_repayment_day"),
            models.CheckConstraint(
                condition=Q(drawn_amount__gte=0) & (
                    Q(approved_amount__isnull=True, drawn_amount=0)
                    | Q(drawn_amount__lte=models.F("approved_amount"))),
                name="loans_application_drawn_within"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def available(self) -> Decimal:
        """What may still be drawn (the approval less what was drawn)."""
        if self.approved_amount is None:
            return ZERO
        return self.approved_amount - self.drawn_amount


# --- the 借据 and its instalments ------------------------------------------------------------------


class LoanStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    OVERDUE = "overdue", "逾期"
    SETTLED = "settled", "已结清"


class Loan(models.Model):
    """电子借据: one per drawdown."""

    number = models.CharField("借据号", max_length=20, unique=True)
    application = models.ForeignKey(LoanApplication, verbose_name="贷款申请",
                                    on_delete=models.PROTECT, related_name="loans")
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="loans")
    product = models.ForeignKey(LoanProduct, verbose_name="贷款产品", on_delete=models.PROTECT,
                                related_name="loans")
    amount = models.DecimalField("借款金额", **MONEY)
    annual_rate = models.DecimalField("执行年利率（%）", **RATE)
    method = models.CharField("还款方式", max_length=20, choices=MethodChoices.choices)
    months = models.PositiveIntegerField("期限（月）")
    repayment_day = models.PositiveSmallIntegerField("每月还款日")
    draw_date = models.DateField("放款日")
    maturity_date = models.DateField("到期日")
    repayment_account = models.ForeignKey("accounts.SubAccount", verbose_name="还款账户",
                                          on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=8, choices=LoanStatus.choices,
                              default=LoanStatus.NORMAL)
    principal_owed = models.DecimalField("剩余本金", **MONEY)
    draw_entry_id = models.BigIntegerField("放款分录号")
    drawn_at = models.DateTimeField("放款时间")
    settled_on = models.DateField("结清日", null=True, blank=True)

    class Meta:
        verbose_name = "电子借据"
        verbose_name_plural = "电子借据"
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loans_loan_amount"),
            models.CheckConstraint(
                condition=Q(principal_owed__gte=0) & Q(principal_owed__lte=models.F("amount")),
                name="loans_loan_principal_owed"),
            models.CheckConstraint(
                condition=~Q(status="settled") | Q(principal_owed=0),
                name="loans_loan_settled_owes_nothing"),
        ]

    def __str__(self) -> str:
        return self.number


class Instalment(models.Model):
    """One period of a 借据's schedule. A partial prepayment retires the periods not yet due
    (``active`` False, kept for the history) and writes the new ones."""

    loan = models.ForeignKey(Loan, verbose_name="借据", on_delete=models.PROTECT,
                             related_name="instalments")
    number = models.PositiveIntegerField("期次")
    due_date = models.DateField("应还日")
    principal = models.DecimalField("应还本金", **MONEY)
    interest = models.DecimalField("应还利息", **MONEY)
    balance_after = models.DecimalField("期末剩余本金", **MONEY)
    principal_paid = models.DecimalField("已还本金", **MONEY, default=ZERO)
    interest_paid = models.DecimalField("已还利息", **MONEY, default=ZERO)
    # 罚息 (on overdue principal) and 复利 (on overdue interest), accrued nightly, unrounded;
    # what is due is the accrued amount rounded to the fen less what was paid.
    penalty = models.DecimalField("累计罚息", **ACCRUED, default=ZERO)
    compound = models.DecimalField("累计复利", **ACCRUED, default=ZERO)
    penalty_paid = models.DecimalField("已还罚息", **MONEY, default=ZERO)
    compound_paid = models.DecimalField("已还复利", **MONEY, default=ZERO)
    active = models.BooleanField("有效", default=True)
    settled_on = models.DateField("结清日", null=True, blank=True)

    class Meta:
        verbose_name = "还款计划"
        verbose_name_plural = "还款计划"
        ordering = ["loan", "number", "-active"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], condition=Q(active=True),
                                    name="loans_instalment_active_once"),
            models.CheckConstraint(
                condition=Q(principal__gte=0) & Q(interest__gte=0)
                & Q(principal_paid__gte=0) & Q(principal_paid__lte=models.F("principal"))
                & Q(interest_paid__gte=0) & Q(interest_paid__lte=models.F("interest"))
                & Q(penalty_paid__gte=0) & Q(penalty_paid__lte=models.F("penalty") + HALF_FEN)
                & Q(compound_paid__gte=0) & Q(compound_paid__lte=models.F("compound") + HALF_FEN),
                name="loans_instalment_paid_within"),
        ]
        indexes = [models.Index(fields=["due_date"], condition=Q(active=True, settled_on=None),
                                name="loans_instalment_open_due")]

    def __str__(self) -> str:
        return f"{self.loan.number} 第{self.number}期"

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest

    @property
    def principal_due(self) -> Decimal:
        return self.principal - self.principal_paid

    @property
    def interest_due(self) -> Decimal:
        return self.interest - self.interest_paid

    @property
    def penalty_total(self) -> Decimal:
        """罚息 accrued so far, rounded to the fen once (half-up)."""
        return fen(self.penalty)

    @property
    def compound_total(self) -> Decimal:
        return fen(self.compound)

    @property
    def penalty_due(self) -> Decimal:
        return self.penalty_total - self.penalty_paid

    @property
    def compound_due(self) -> Decimal:
        return self.compound_total - self.compound_paid

    @property
    def owed(self) -> Decimal:
        """What this period still owes (本金 + 利息 + 罚息 + 复利)."""
        return self.principal_due + self.interest_due + self.penalty_due + self.compound_due


class RepaymentKind(models.TextChoices):
    INSTALMENT = "instalment", "归还到期款项"
    PARTIAL = "partial", "部分提前还款"
    FULL = "full", "全部提前还款"
    DEDUCT = "deduct", "到期自动扣款"


class Repayment(models.Model):
    """Money received on a 借据, split as it was applied (one ledger entry)."""

    loan = models.ForeignKey(Loan, verbose_name="借据", on_delete=models.PROTECT,
                             related_name="repayments")
    kind = models.CharField("还款类型", max_length=12, choices=RepaymentKind.choices)
    amount = models.DecimalField("还款金额", **MONEY)
    principal = models.DecimalField("本金", **MONEY)
    interest = models.DecimalField("利息", **MONEY)
    penalty = models.DecimalField("罚息", **MONEY, default=ZERO)
    compound = models.DecimalField("复利", **MONEY, default=ZERO)
    prepay_mode = models.CharField("提前还款方式", max_length=12, blank=True,
                                   choices=PrepayModeChoices.choices)
    from_account = models.ForeignKey("accounts.SubAccount", verbose_name="扣款账户",
                                     on_delete=models.PROTECT, related_name="+")
    entry_id = models.BigIntegerField("分录号", unique=True)
    business_date = models.DateField("还款日期")
    posted_at = models.DateTimeField("入账时间")
    receipt_number = models.CharField("回单号", max_length=32, blank=True)

    class Meta:
        verbose_name = "还款记录"
        verbose_name_plural = "还款记录"
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount=models.F("principal") + models.F("interest")
                                               + models.F("penalty") + models.F("compound")),
                name="loans_repayment_split"),
        ]

    def __str__(self) -> str:
        return f"{self.loan.number} {self.get_kind_display()} {self.amount}"


class DeductionStatus(models.TextChoices):
    PAID = "paid", "扣款成功"
    PARTIAL = "partial", "部分扣款"
    FAILED = "failed", "扣款失败"


class Deduction(models.Model):
    """The nightly deduction of one 借据 on one business date: once (a rerun posts nothing)."""

    loan = models.ForeignKey(Loan, verbose_name="借据", on_delete=models.PROTECT,
                             related_name="deductions")
    business_date = models.DateField("扣款日期")
    wanted = models.DecimalField("应扣金额", **MONEY)
    paid = models.DecimalField("实扣金额", **MONEY)
    status = models.CharField("结果", max_length=8, choices=DeductionStatus.choices)
    note = models.CharField("说明", max_length=64, blank=True)
    repayment = models.OneToOneField(Repayment, verbose_name="还款记录", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="deduction")
    created_at = models.DateTimeField("处理时间", auto_now_add=True)

    class Meta:
        verbose_name = "贷款扣款记录"
        verbose_name_plural = "贷款扣款记录"
        ordering = ["-business_date", "loan"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "business_date"], name="loans_deduction_once"),
        ]

    def __str__(self) -> str:
        return f"{self.loan.number} {self.business_date} {self.get_status_display()}"


class Accrual(models.Model):
    """One day's 罚息 and 复利 of one overdue instalment (算头不算尾: the due date counts, the day
    of payment does not), once per instalment and day."""

    instalment = models.ForeignKey(Instalment, verbose_name="期次", on_delete=models.PROTECT,
                                   related_name="accruals")
    business_date = models.DateField("计息日")
    principal_base = models.DecimalField("逾期本金", **MONEY)
    interest_base = models.DecimalField("逾期利息", **MONEY)
    annual_rate = models.DecimalField("罚息年利率（%）", **RATE)
    # Unrounded: the fen is taken once, on the period's total (Instalment.penalty_total).
    penalty = models.DecimalField("罚息", **ACCRUED)
    compound = models.DecimalField("复利", **ACCRUED)

    class Meta:
        verbose_name = "罚息复利计提"
        verbose_name_plural = "罚息复利计提"
        ordering = ["-business_date", "instalment"]
        constraints = [
            models.UniqueConstraint(fields=["instalment", "business_date"],
                                    name="loans_accrual_once"),
        ]

    def __str__(self) -> str:
        return f"{self.instalment} {self.business_date}"
