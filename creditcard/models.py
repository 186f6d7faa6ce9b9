"""信用卡业务 (CC-*; docs/creditcard.md): the card, what it owes item by item, statements,
instalments, automatic repayment and points.

The card's money lives in the ledger: its 信用卡账户 sub-account (accounts, kind CREDIT) is a
debit-normal ledger account whose balance is what the customer owes (negative: 溢缴款). Beside it
this app keeps the same money **item by item**, because statements, interest, the minimum
payment and the repayment order need to know what each yuan is:

* :class:`CardItem` — every amount the card owes (a purchase, a cash advance, a fee, interest,
  违约金, an instalment's principal or fee) with what is still ``outstanding``;
* :class:`CardCredit` — every amount that reduces it (a repayment, a refund, an instalment
  conversion) with what is still ``unapplied`` (溢缴款);
* :class:`Allocation` — which credit paid which item, and on which day (the interest methods
  need the day).

The invariant (``creditcard.engine.card_verify``): ledger balance = Σ item.outstanding +
Σ active plans' unbilled principal − Σ credit.unapplied. Items and credits that move money have
the ledger entry's id; an instalment's principal and a conversion do not (the debt only changes
its form: DOMAIN-RULES §3 账单分期).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from ebank.ledger.models import MONEY

RATE = {"max_digits": 9, "decimal_places": 6}


class CardBusinessType(models.TextChoices):
    """The ledger business types of 信用卡 (registered in CreditcardConfig.ready())."""

    PURCHASE = "card_purchase", "信用卡消费"
    REFUND = "card_refund", "信用卡退货"
    CASH = "card_cash", "信用卡取现"
    CASH_FEE = "card_cash_fee", "信用卡取现手续费"
    INTEREST = "card_interest", "信用卡利息"
    LATE_FEE = "card_late_fee", "信用卡违约金"
    INSTALMENT_FEE = "card_instalment_fee", "信用卡分期手续费"
    REPAYMENT = "card_repayment", "信用卡还款"
    AUTO_REPAYMENT = "card_auto_repayment", "信用卡自动还款"


class CardBook:
    """The bank books of this app (registered in its AppConfig.ready(); ebank.ledger.bank_books).
    The card sub-accounts themselves are the bank's 信用卡应收款 (debit-normal)."""

    ACQUIRER = "BANK:CARD_ACQUIRER"          # 银联清算往来（信用卡）: what purchases owe the acquirer
    INTEREST_INCOME = "BANK:CARD_INTEREST"   # 信用卡利息收入
    FEE_INCOME = "BANK:CARD_FEE"             # 信用卡手续费收入 (取现手续费, 分期手续费)
    PENALTY_INCOME = "BANK:CARD_PENALTY"     # 信用卡违约金收入


# --- settings (DOMAIN-RULES §3 **settings**: rows with a 生效日期, edited in the admin) -----------


class InterestMethod(models.TextChoices):
    FULL_BALANCE = "full_balance", "全额计息"
    UNPAID_PART = "unpaid_part", "按未还部分计息"


class CardSetting(models.Model):
    """信用卡业务参数: the row with the latest 生效日期 on or before a day is in force that day
    (``creditcard.settings.card_setting_on(day)``); no row: the defaults below (the rules')."""

    effective_from = models.DateField("生效日期", unique=True)
    due_days = models.PositiveSmallIntegerField("到期还款日（账单日后天数）", default=20)
    grace_days = models.PositiveSmallIntegerField("容时（天）", default=3)
    tolerance = models.DecimalField("容差（元）", default=Decimal("10.00"), **MONEY)
    interest_method = models.CharField("计息方式", max_length=16, choices=InterestMethod.choices,
                                       default=InterestMethod.FULL_BALANCE)
    daily_rate = models.DecimalField("日利率", default=Decimal("0.000500"), **RATE)
    purchase_minimum_rate = models.DecimalField("最低还款额消费比例", default=Decimal("0.100000"),
                                                **RATE)
    cash_minimum_rate = models.DecimalField("最低还款额取现比例", default=Decimal("1.000000"),
                                            **RATE)
    late_fee_rate = models.DecimalField("违约金比例", default=Decimal("0.050000"), **RATE)
    late_fee_minimum = models.DecimalField("违约金最低", default=Decimal("10.00"), **MONEY)
    cash_limit_ratio = models.DecimalField("取现额度比例", default=Decimal("0.500000"), **RATE)
    cash_fee_rate = models.DecimalField("取现手续费率", default=Decimal("0.010000"), **RATE)
    cash_fee_minimum = models.DecimalField("取现手续费最低", default=Decimal("10.00"), **MONEY)
    points_per_yuan = models.DecimalField("消费积分（每元）", default=Decimal("1.000000"), **RATE)
    points_per_thousand_transfers = models.PositiveIntegerField(
        "网银转账积分（每千元）", default=1)
    points_valid_months = models.PositiveSmallIntegerField("积分有效期（月）", default=24)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "信用卡业务参数"
        verbose_name_plural = "信用卡业务参数"
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"信用卡业务参数（{self.effective_from}起）"


class InstalmentRate(models.Model):
    """分期手续费率 (per period) for a number of periods, from its 生效日期."""

    periods = models.PositiveSmallIntegerField("期数", choices=[(3, "3期"), (6, "6期"),
                                                                (12, "12期"), (24, "24期")])
    rate = models.DecimalField("每期手续费率", **RATE)
    effective_from = models.DateField("生效日期")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "分期手续费率"
        verbose_name_plural = "分期手续费率"
        ordering = ["periods", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["periods", "effective_from"],
                                    name="creditcard_instalment_rate_unique"),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lt=1),
                                   name="creditcard_instalment_rate_range"),
        ]

    def __str__(self) -> str:
        return f"{self.periods}期 每期{self.rate * 100:.2f}%（{self.effective_from}起）"


# --- the card -----------------------------------------------------------------------------------


class CardStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    FROZEN = "frozen", "冻结"
    CLOSED = "closed", "销卡"


class AutoRepayMode(models.TextChoices):
    NONE = "none", "未设置"
    FULL = "full", "全额还款"
    MINIMUM = "minimum", "最低还款额"


class BillDelivery(models.TextChoices):
    EMAIL = "email", "电子邮件"
    PAPER = "paper", "纸质账单"
    EBANK = "ebank", "仅网银查询"


class Card(models.Model):
    """A credit card issued at the counter: its medium (accounts.Medium, kind 信用卡) and its
    信用卡账户 sub-account; limits, 账单日, 自动还款 and the details 信用卡信息维护 keeps."""

    medium = models.OneToOneField("accounts.Medium", verbose_name="信用卡", on_delete=models.PROTECT,
                                  related_name="credit_card")
    sub_account = models.OneToOneField("accounts.SubAccount", verbose_name="信用卡账户",
                                       on_delete=models.PROTECT, related_name="credit_card")
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="credit_cards")
    product = models.CharField("卡种", max_length=32, default="安徽农金信用卡")
    credit_limit = models.DecimalField("信用额度", **MONEY)
    cash_limit = models.DecimalField("取现额度", **MONEY)
    statement_day = models.PositiveSmallIntegerField("账单日")
    status = models.CharField("状态", max_length=8, choices=CardStatus.choices,
                              default=CardStatus.ACTIVE)
    issued_on = models.DateField("发卡日期")
    expires = models.CharField("有效期（月/年）", max_length=5)
    issued_by_id = models.IntegerField("经办柜员编号", null=True, blank=True)
    # 自动还款: the debit card (the customer's own, 借记卡) and the mode; NONE: not set.
    autorepay_mode = models.CharField("自动还款方式", max_length=8, choices=AutoRepayMode.choices,
                                      default=AutoRepayMode.NONE)
    autorepay_medium = models.ForeignKey("accounts.Medium", verbose_name="自动还款账户",
                                         on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+")
    # 信用卡信息维护 (CC-INFO).
    bill_delivery = models.CharField("账单寄送方式", max_length=8, choices=BillDelivery.choices,
                                     default=BillDelivery.EBANK)
    bill_email = models.EmailField("账单邮箱", blank=True)
    mailing_address = models.CharField("通讯地址", max_length=120, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    employer = models.CharField("单位名称", max_length=60, blank=True)
    employer_phone = models.CharField("单位电话", max_length=20, blank=True)
    # The last statement date run for this card (the statement run's cursor).
    last_statement_on = models.DateField("上一账单日", null=True, blank=True)

    class Meta:
        verbose_name = "信用卡"
        verbose_name_plural = "信用卡"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(statement_day__gte=1) & Q(statement_day__lte=28),
                                   name="creditcard_statement_day_range"),
            models.CheckConstraint(condition=Q(credit_limit__gte=0) & Q(cash_limit__gte=0),
                                   name="creditcard_limits_non_negative"),
            models.CheckConstraint(condition=Q(cash_limit__lte=models.F("credit_limit")),
                                   name="creditcard_cash_within_credit"),
        ]
        indexes = [models.Index(fields=["statement_day", "status"],
                                name="creditcard_card_by_day")]

    def __str__(self) -> str:
        return f"信用卡 {self.medium.masked_number}"


# --- what the card owes and what reduced it -------------------------------------------------------


class ItemKind(models.TextChoices):
    """What a debit item is; the repayment order within a statement (DOMAIN-RULES §3) is
    fees → interest → cash → instalments due → purchases (``REPAYMENT_ORDER``)."""

    PURCHASE = "purchase", "消费"
    CASH = "cash", "取现"
    CASH_FEE = "cash_fee", "取现手续费"
    INTEREST = "interest", "利息"
    LATE_FEE = "late_fee", "违约金"
    INSTALMENT = "instalment", "分期本金"
    INSTALMENT_FEE = "instalment_fee", "分期手续费"


FEE_KINDS = (ItemKind.CASH_FEE, ItemKind.LATE_FEE, ItemKind.INSTALMENT_FEE)
# Lower first (Allocation order within a statement; unbilled items come after every statement).
REPAYMENT_ORDER = {
    ItemKind.CASH_FEE: 0, ItemKind.LATE_FEE: 0, ItemKind.INSTALMENT_FEE: 0,
    ItemKind.INTEREST: 1,
    ItemKind.CASH: 2,
    ItemKind.INSTALMENT: 3,
    ItemKind.PURCHASE: 4,
}


class CardItem(models.Model):
    card = models.ForeignKey(Card, verbose_name="信用卡", on_delete=models.PROTECT,
                             related_name="items")
    kind = models.CharField("类型", max_length=16, choices=ItemKind.choices)
    amount = models.DecimalField("金额", **MONEY)
    outstanding = models.DecimalField("未还金额", **MONEY)
    txn_date = models.DateField("交易日")
    posted_on = models.DateField("记账日")
    description = models.CharField("交易摘要", max_length=80)
    merchant = models.CharField("商户名称", max_length=60, blank=True)
    mcc = models.CharField("商户类别码", max_length=4, blank=True)
    # Unique per card: the acquirer's reference, or the service's own (idempotency).
    reference = models.CharField("交易流水号", max_length=64)
    entry_id = models.BigIntegerField("记账分录号", null=True, blank=True)
    statement = models.ForeignKey("Statement", verbose_name="账单", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="items")
    # Interest (DOMAIN-RULES §3): accrues from ``interest_from`` (a cash advance: its posting day;
    # a purchase, instalment or billed interest: its posting day once its statement was not
    # paid in full by the due date + 容时); billed up to ``interest_through`` (exclusive).
    interest_from = models.DateField("起息日", null=True, blank=True)
    interest_through = models.DateField("已计息至", null=True, blank=True)
    refunded = models.DecimalField("已退货金额", default=Decimal("0.00"), **MONEY)
    points = models.IntegerField("积分", default=0)
    instalment = models.ForeignKey("InstalmentPlan", verbose_name="分期", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="items")
    period = models.PositiveSmallIntegerField("期次", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "信用卡交易（借方）"
        verbose_name_plural = "信用卡交易（借方）"
        ordering = ["posted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["card", "reference"], name="creditcard_item_reference"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="creditcard_item_amount"),
            models.CheckConstraint(condition=Q(outstanding__gte=0) & Q(
                outstanding__lte=models.F("amount")), name="creditcard_item_outstanding"),
        ]
        indexes = [
            models.Index(fields=["card", "statement", "posted_on"], name="creditcard_item_card"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class CreditKind(models.TextChoices):
    REPAYMENT = "repayment", "还款"
    AUTO_REPAYMENT = "auto_repayment", "自动还款"
    REFUND = "refund", "退货"
    CONVERSION = "conversion", "转分期"


class CardCredit(models.Model):
    card = models.ForeignKey(Card, verbose_name="信用卡", on_delete=models.PROTECT,
                             related_name="credits")
    kind = models.CharField("类型", max_length=16, choices=CreditKind.choices)
    amount = models.DecimalField("金额", **MONEY)
    # 溢缴款: what no item has taken yet.
    unapplied = models.DecimalField("未冲抵金额", **MONEY)
    txn_date = models.DateField("交易日")
    posted_on = models.DateField("记账日")
    description = models.CharField("交易摘要", max_length=80)
    merchant = models.CharField("商户名称", max_length=60, blank=True)
    reference = models.CharField("交易流水号", max_length=64)
    entry_id = models.BigIntegerField("记账分录号", null=True, blank=True)
    statement = models.ForeignKey("Statement", verbose_name="账单", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="credits")
    # A refund: the purchase it returns. A repayment: the debit card it came from.
    refund_of = models.ForeignKey(CardItem, verbose_name="原消费", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="refunds")
    from_medium = models.ForeignKey("accounts.Medium", verbose_name="还款账户",
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "信用卡交易（贷方）"
        verbose_name_plural = "信用卡交易（贷方）"
        ordering = ["posted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["card", "reference"],
                                    name="creditcard_credit_reference"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="creditcard_credit_amount"),
            models.CheckConstraint(condition=Q(unapplied__gte=0) & Q(
                unapplied__lte=models.F("amount")), name="creditcard_credit_unapplied"),
        ]
        indexes = [models.Index(fields=["card", "statement", "posted_on"],
                                name="creditcard_credit_card")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Allocation(models.Model):
    """``amount`` of ``credit`` paid ``item`` on ``applied_on`` (the later of the two's days)."""

    credit = models.ForeignKey(CardCredit, verbose_name="贷方", on_delete=models.PROTECT,
                               related_name="allocations")
    item = models.ForeignKey(CardItem, verbose_name="借方", on_delete=models.PROTECT,
                             related_name="allocations")
    amount = models.DecimalField("金额", **MONEY)
    applied_on = models.DateField("冲抵日")

    class Meta:
        verbose_name = "还款冲抵"
        verbose_name_plural = "还款冲抵"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="creditcard_allocation_amount")]
        indexes = [models.Index(fields=["item", "applied_on"], name="creditcard_alloc_item")]

    def __str__(self) -> str:
        return f"冲抵 {self.amount}（{self.applied_on}）"


# --- statements ----------------------------------------------------------------------------------


class Statement(models.Model):
    """One card's statement for one 账单日 (the statement run: creditcard.statements)."""

    card = models.ForeignKey(Card, verbose_name="信用卡", on_delete=models.PROTECT,
                             related_name="statements")
    statement_date = models.DateField("账单日")
    period_start = models.DateField("账单周期起")
    due_date = models.DateField("到期还款日")
    previous_balance = models.DecimalField("上期账单金额", **MONEY)
    new_debits = models.DecimalField("本期新增金额", **MONEY)
    new_credits = models.DecimalField("本期还款/退货", **MONEY)
    balance = models.DecimalField("本期应还金额", **MONEY)
    minimum_payment = models.DecimalField("最低还款额", **MONEY)
    purchases = models.DecimalField("消费", default=Decimal("0.00"), **MONEY)
    cash = models.DecimalField("取现", default=Decimal("0.00"), **MONEY)
    fees = models.DecimalField("费用", default=Decimal("0.00"), **MONEY)
    interest = models.DecimalField("利息", default=Decimal("0.00"), **MONEY)
    late_fee = models.DecimalField("违约金", default=Decimal("0.00"), **MONEY)
    instalments = models.DecimalField("分期应还", default=Decimal("0.00"), **MONEY)
    previous_minimum_unpaid = models.DecimalField("上期最低还款额未还", default=Decimal("0.00"),
                                                  **MONEY)
    credit_limit = models.DecimalField("信用额度", **MONEY)
    points_earned = models.IntegerField("本期积分", default=0)
    points_balance = models.IntegerField("积分余额", default=0)
    interest_method = models.CharField("计息方式", max_length=16, choices=InterestMethod.choices)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "信用卡账单"
        verbose_name_plural = "信用卡账单"
        ordering = ["card", "-statement_date"]
        constraints = [
            models.UniqueConstraint(fields=["card", "statement_date"],
                                    name="creditcard_one_statement_per_day"),
            models.CheckConstraint(condition=Q(minimum_payment__gte=0),
                                   name="creditcard_statement_minimum"),
        ]

    def __str__(self) -> str:
        return f"{self.card} {self.statement_date:%Y年%m月}账单"


# --- instalments --------------------------------------------------------------------------------


class InstalmentKind(models.TextChoices):
    BILL = "bill", "账单分期"
    FLEX = "flex", "灵活分期"


class InstalmentStatus(models.TextChoices):
    ACTIVE = "active", "分期中"
    COMPLETED = "completed", "已结清"
    TERMINATED = "terminated", "已提前终止"


class InstalmentPlan(models.Model):
    """账单分期 (a statement's purchases) or 灵活分期 (one purchase) in ``periods`` periods: each
    period bills ``period_principal`` (the last the remainder) and ``period_fee``."""

    card = models.ForeignKey(Card, verbose_name="信用卡", on_delete=models.PROTECT,
                             related_name="instalment_plans")
    kind = models.CharField("分期类型", max_length=8, choices=InstalmentKind.choices)
    statement = models.ForeignKey(Statement, verbose_name="分期账单", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="instalment_plans")
    item = models.ForeignKey(CardItem, verbose_name="分期消费", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="instalment_plans")
    principal = models.DecimalField("分期本金", **MONEY)
    periods = models.PositiveSmallIntegerField("期数")
    fee_rate = models.DecimalField("每期手续费率", **RATE)
    period_principal = models.DecimalField("每期本金", **MONEY)
    period_fee = models.DecimalField("每期手续费", **MONEY)
    apr = models.DecimalField("年化利率（%）", max_digits=7, decimal_places=2)
    applied_on = models.DateField("申请日")
    status = models.CharField("状态", max_length=12, choices=InstalmentStatus.choices,
                              default=InstalmentStatus.ACTIVE)
    periods_billed = models.PositiveSmallIntegerField("已入账期数", default=0)
    # What is still to be billed (the card's ledger balance already holds it).
    unbilled_principal = models.DecimalField("未入账本金", **MONEY)
    terminated_on = models.DateField("提前终止日", null=True, blank=True)
    reference = models.CharField("分期编号", max_length=32, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "信用卡分期"
        verbose_name_plural = "信用卡分期"
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="creditcard_plan_principal"),
            models.CheckConstraint(condition=Q(unbilled_principal__gte=0),
                                   name="creditcard_plan_unbilled"),
            # A statement is split once, a purchase once (while the plan is not terminated
            # before anything... simply: once).
            models.UniqueConstraint(fields=["statement"], condition=Q(kind="bill"),
                                    name="creditcard_one_bill_plan_per_statement"),
            models.UniqueConstraint(fields=["item"], condition=Q(kind="flex"),
                                    name="creditcard_one_flex_plan_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.principal} × {self.periods}期"


# --- automatic repayment -----------------------------------------------------------------------


class AutoRepayStatus(models.TextChoices):
    PAID = "paid", "已扣款"
    PARTIAL = "partial", "部分扣款"
    FAILED = "failed", "扣款失败"
    NOT_NEEDED = "not_needed", "无需扣款"


class AutoRepayRun(models.Model):
    """自动还款 of one statement on its due date: once per statement."""

    statement = models.OneToOneField(Statement, verbose_name="账单", on_delete=models.PROTECT,
                                     related_name="autorepay_run")
    mode = models.CharField("自动还款方式", max_length=8, choices=AutoRepayMode.choices)
    medium = models.ForeignKey("accounts.Medium", verbose_name="扣款账户", on_delete=models.PROTECT,
                               related_name="+")
    wanted = models.DecimalField("应扣金额", **MONEY)
    paid = models.DecimalField("实扣金额", **MONEY)
    status = models.CharField("结果", max_length=12, choices=AutoRepayStatus.choices)
    credit = models.OneToOneField(CardCredit, verbose_name="还款", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="autorepay_run")
    run_on = models.DateField("扣款日")
    note = models.CharField("说明", max_length=80, blank=True)

    class Meta:
        verbose_name = "自动还款记录"
        verbose_name_plural = "自动还款记录"
        ordering = ["-run_on", "-id"]

    def __str__(self) -> str:
        return f"自动还款 {self.paid}/{self.wanted}（{self.run_on}）"


# --- points (one balance per customer: 信用卡 and 安全中心 show it) --------------------------------


class PointsSource(models.TextChoices):
    CARD_PURCHASE = "card_purchase", "信用卡消费"
    EBANK = "ebank", "网银交易"


class PointsLot(models.Model):
    """Points earned at once from one source; spent oldest first, expiring at the end of the
    24th month after ``earned_on`` (``expires_on``)."""

    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="points_lots")
    source = models.CharField("来源", max_length=16, choices=PointsSource.choices)
    points = models.IntegerField("获得积分")
    remaining = models.IntegerField("剩余积分")
    earned_on = models.DateField("获得日")
    expires_on = models.DateField("到期日")
    item = models.OneToOneField(CardItem, verbose_name="消费", on_delete=models.PROTECT,
                                null=True, blank=True, related_name="points_lot")
    reference = models.CharField("业务编号", max_length=64, unique=True)

    class Meta:
        verbose_name = "积分批次"
        verbose_name_plural = "积分批次"
        ordering = ["earned_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="creditcard_lot_points"),
            models.CheckConstraint(condition=Q(remaining__gte=0) & Q(
                remaining__lte=models.F("points")), name="creditcard_lot_remaining"),
        ]
        indexes = [models.Index(fields=["customer", "expires_on"], name="creditcard_lot_cust")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.points}分（{self.earned_on}）"


class PointsMoveKind(models.TextChoices):
    EARN = "earn", "积分获得"
    REVERSE = "reverse", "退货扣减"
    REDEEM = "redeem", "积分兑换"
    EXPIRE = "expire", "积分到期"
    RESTORE = "restore", "兑换撤销退回"  # CC-POINTS: a cancelled redemption's points come back


class PointsMove(models.Model):
    """Every change of a customer's points (积分查询's lines); the balance is their sum."""

    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="points_moves")
    kind = models.CharField("类型", max_length=8, choices=PointsMoveKind.choices)
    points = models.IntegerField("积分（正为增加）")
    moved_on = models.DateField("日期")
    description = models.CharField("摘要", max_length=80)
    reference = models.CharField("业务编号", max_length=64, unique=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "积分变动"
        verbose_name_plural = "积分变动"
        ordering = ["-moved_on", "-id"]
        indexes = [models.Index(fields=["customer", "moved_on"], name="creditcard_move_cust")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}分"


class Gift(models.Model):
    """积分礼品 (the catalogue head office keeps in the admin)."""

    code = models.CharField("礼品编号", max_length=16, unique=True)
    name = models.CharField("礼品名称", max_length=60)
    points = models.PositiveIntegerField("所需积分")
    stock = models.PositiveIntegerField("库存")
    description = models.CharField("说明", max_length=200, blank=True)
    active = models.BooleanField("上架", default=True)

    class Meta:
        verbose_name = "积分礼品"
        verbose_name_plural = "积分礼品"
        ordering = ["points", "code"]
        constraints = [models.CheckConstraint(condition=Q(points__gt=0),
                                              name="creditcard_gift_points")]

    def __str__(self) -> str:
        return f"{self.name}（{self.points}分）"


class RedemptionStatus(models.TextChoices):
    ACCEPTED = "accepted", "已受理"
    SHIPPED = "shipped", "已发货"
    CANCELLED = "cancelled", "已撤销"


class Redemption(models.Model):
    """积分兑换: a gift for points, sent to the recipient's address (confirmed with a tool)."""

    number = models.CharField("兑换编号", max_length=20, unique=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="redemptions")
    gift = models.ForeignKey(Gift, verbose_name="礼品", on_delete=models.PROTECT,
                             related_name="redemptions")
    quantity = models.PositiveSmallIntegerField("数量")
    points = models.PositiveIntegerField("消耗积分")
    recipient = models.CharField("收件人", max_length=30)
    phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("收件地址", max_length=120)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    status = models.CharField("状态", max_length=12, choices=RedemptionStatus.choices,
                              default=RedemptionStatus.ACCEPTED)
    redeemed_on = models.DateField("兑换日期")
    created_at = models.DateTimeField("兑换时间", auto_now_add=True)
    # CC-POINTS (0002_points): the confirmation that made it (its result page reads it back),
    # and the lots it took, {lot id: points}, so a 撤销 gives them back to the same lots.
    operation = models.OneToOneField("security.PendingOperation", verbose_name="确认交易",
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    lots = models.JSONField("消耗批次", default=dict, blank=True)

    class Meta:
        verbose_name = "积分兑换"
        verbose_name_plural = "积分兑换"
        ordering = ["-redeemed_on", "-id"]
        indexes = [models.Index(fields=["customer", "redeemed_on"], name="creditcard_redeem_cust")]

    def __str__(self) -> str:
        return f"{self.number} {self.gift.name} × {self.quantity}"
