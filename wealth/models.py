"""基金 and 投资理财 (FND-XJL, WLT-*): products, their daily 净值, orders, the share book, the
risk assessment and 薪加利's daily income. docs/wealth.md.

Two books
---------
* **Money** is in the ledger (ebank.ledger), as everywhere: each product has a cash book of its
  own (``Product.ledger_account``, a bank account ``WLT:<code>``, credit-normal: what the bank
  holds for the product's investors and settles with the issuer, so it may go negative when
  redemptions at a higher 净值 pay out more than came in). An order's money is held on the
  customer's 活期 (a ledger ``Hold``) until the nightly confirmation captures it.
* **Shares** (份额) are a second unit kept beside the ledger with the same rules
  (``wealth.book``): a ``ShareAccount`` per customer and product (the customer's fund
  sub-account, 基金/理财份额账户) and one issuance account per product (``customer`` NULL, the
  shares the product has issued, kept negative); every change is a ``ShareEntry`` of
  ``SharePosting`` legs that sum to zero, with an idempotency key; a customer's balance is never
  negative and never below what is frozen for a pending 赎回.

薪加利 is a product of kind ``XJL`` whose 净值 is always 1.0000 (one share is one yuan): income is
paid as new shares every night from the fund's 万份收益 (``Nav.income_per_10k``).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 18, "decimal_places": 2}
SHARES = {"max_digits": 18, "decimal_places": 4}
NAV = {"max_digits": 12, "decimal_places": 4}
RATE = {"max_digits": 7, "decimal_places": 4}   # a percentage such as 1.5000 (%)

ZERO = Decimal("0.00")
ZERO_SHARES = Decimal("0.0000")


class WealthBusinessType(models.TextChoices):
    """The ledger business types of 基金/投资理财 (registered in WealthConfig.ready())."""

    SUBSCRIBE = "wealth_subscribe", "理财认购"
    PURCHASE = "wealth_purchase", "理财申购"
    REDEEM = "wealth_redeem", "理财赎回"
    MATURITY = "wealth_maturity", "理财到期兑付"
    XJL_IN = "xjl_in", "薪加利转入"
    XJL_OUT_INSTANT = "xjl_out_instant", "薪加利实时转出"
    XJL_OUT = "xjl_out", "薪加利普通转出"
    XJL_INCOME = "xjl_income", "薪加利收益"


class WealthBook:
    """The bank books of this app (registered in WealthConfig.ready(); ebank.ledger.bank_books)."""

    # The fees of 认购/申购/赎回 the bank keeps as 代销手续费.
    FEE_INCOME = "BANK:WEALTH_FEE"
    # 薪加利's daily income as the fund company pays it in (its 万份收益 × shares).
    XJL_EARNINGS = "BANK:XJL_EARNINGS"


# --- products and 净值 ---------------------------------------------------------------------------


class RiskLevel(models.TextChoices):
    """A product's risk rating (产品风险等级)."""

    R1 = "R1", "R1（谨慎型）"
    R2 = "R2", "R2（稳健型）"
    R3 = "R3", "R3（平衡型）"
    R4 = "R4", "R4（进取型）"
    R5 = "R5", "R5（激进型）"


class CustomerRiskLevel(models.TextChoices):
    """A customer's risk tolerance from 风险测评; C<n> may buy R1…R<n>."""

    C1 = "C1", "C1（保守型）"
    C2 = "C2", "C2（稳健型）"
    C3 = "C3", "C3（平衡型）"
    C4 = "C4", "C4（成长型）"
    C5 = "C5", "C5（进取型）"


def level_rank(level: str) -> int:
    """1…5 of ``R3`` or ``C3``."""
    return int(level[1:])


class ProductKind(models.TextChoices):
    OPEN = "open", "开放式"        # 申购/赎回 on every trading day from its 成立日
    CLOSED = "closed", "封闭式"    # 认购 in the 募集期, paid back at 到期日
    XJL = "xjl", "薪加利"          # the money-market sweep: 转入/转出, income every night


class Product(models.Model):
    """A wealth product sold on e-banking, kept by head office in the admin."""

    code = models.CharField("产品代码", max_length=16, unique=True)
    name = models.CharField("产品名称", max_length=60)
    issuer = models.CharField("发行机构", max_length=60)
    kind = models.CharField("产品类型", max_length=8, choices=ProductKind.choices)
    risk_level = models.CharField("风险等级", max_length=2, choices=RiskLevel.choices)
    # 私募 products have a 冷静期 (hours) in which 撤单 is allowed whatever the cut-off.
    private = models.BooleanField("私募产品", default=False)
    cooling_hours = models.PositiveSmallIntegerField("冷静期（小时）", default=0)
    benchmark = models.CharField("业绩比较基准", max_length=40, blank=True)
    # 募集期: 认购 from raise_start to raise_end (inclusive); the product starts (成立日) on
    # start_date with 净值 1.0000. An open product without a 募集期 opens on start_date.
    raise_start = models.DateField("募集开始日", null=True, blank=True)
    raise_end = models.DateField("募集结束日", null=True, blank=True)
    start_date = models.DateField("成立日")
    end_date = models.DateField("到期日", null=True, blank=True)
    min_amount = models.DecimalField("起购金额", **MONEY)
    step_amount = models.DecimalField("递增金额", **MONEY)
    min_redeem_shares = models.DecimalField("最低赎回份额", default=ZERO_SHARES, **SHARES)
    min_hold_shares = models.DecimalField("最低持有份额", default=ZERO_SHARES, **SHARES)
    subscribe_fee_rate = models.DecimalField("认购费率（%）", default=Decimal("0"), **RATE)
    purchase_fee_rate = models.DecimalField("申购费率（%）", default=Decimal("0"), **RATE)
    redeem_fee_rate = models.DecimalField("赎回费率（%）", default=Decimal("0"), **RATE)
    on_sale = models.BooleanField("网银销售", default=True)
    ledger_account = models.OneToOneField("ledger.LedgerAccount", verbose_name="产品资金账户",
                                          on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "理财产品"
        verbose_name_plural = "理财产品"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(min_amount__gt=0) & Q(step_amount__gt=0),
                                   name="wealth_product_amounts_positive"),
            models.CheckConstraint(
                condition=Q(raise_start__isnull=True) | (
                    Q(raise_end__isnull=False) & Q(raise_end__gte=models.F("raise_start"))
                    & Q(start_date__gt=models.F("raise_end"))),
                name="wealth_product_raise_period"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")),
                name="wealth_product_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Nav(models.Model):
    """A product's 净值 of one trading day, published by head office (admin or
    ``manage.py publish_nav``). 薪加利's row carries its 万份收益 and 七日年化 (净值 1.0000)."""

    product = models.ForeignKey(Product, verbose_name="产品", on_delete=models.PROTECT,
                                related_name="navs")
    date = models.DateField("净值日期")
    nav = models.DecimalField("单位净值", **NAV)
    income_per_10k = models.DecimalField("万份收益（元）", null=True, blank=True, **NAV)
    seven_day_yield = models.DecimalField("七日年化收益率（%）", null=True, blank=True, **RATE)
    published_at = models.DateTimeField("发布时间", auto_now_add=True)
    published_by = models.CharField("发布人", max_length=64, blank=True)

    class Meta:
        verbose_name = "产品净值"
        verbose_name_plural = "产品净值"
        ordering = ["product", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["product", "date"], name="wealth_nav_one_a_day"),
            models.CheckConstraint(condition=Q(nav__gt=0), name="wealth_nav_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} {self.date:%Y-%m-%d} {self.nav}"


# --- the share book ------------------------------------------------------------------------------


class ShareAccount(models.Model):
    """Shares of one product: a customer's (份额账户) or, with ``customer`` NULL, the product's
    issuance account (minus everything issued). ``frozen``: shares of pending 赎回/转出."""

    product = models.ForeignKey(Product, verbose_name="产品", on_delete=models.PROTECT,
                                related_name="share_accounts")
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="share_accounts")
    shares = models.DecimalField("持有份额", default=ZERO_SHARES, **SHARES)
    frozen = models.DecimalField("冻结份额", default=ZERO_SHARES, **SHARES)
    opened_at = models.DateTimeField("开立时间", auto_now_add=True)

    class Meta:
        verbose_name = "份额账户"
        verbose_name_plural = "份额账户"
        ordering = ["product", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "customer"],
                                    name="wealth_share_account_one_per_customer"),
            models.UniqueConstraint(fields=["product"], condition=Q(customer__isnull=True),
                                    name="wealth_share_account_one_issuance"),
            models.CheckConstraint(
                condition=Q(customer__isnull=True) | (
                    Q(frozen__gte=0) & Q(shares__gte=models.F("frozen"))),
                name="wealth_share_account_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} {self.customer_id or '发行'}"

    @property
    def available(self) -> Decimal:
        return self.shares - self.frozen


class ShareEntry(models.Model):
    """One change of shares (认购/申购 confirmed, 赎回, income, 到期): legs that sum to zero."""

    idempotency_key = models.CharField("幂等键", max_length=128)
    business_type = models.CharField("业务类型", max_length=32)
    reference = models.CharField("业务编号", max_length=128)
    ledger_entry = models.ForeignKey("ledger.Entry", verbose_name="资金分录", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField("记账时间", auto_now_add=True)

    class Meta:
        verbose_name = "份额分录"
        verbose_name_plural = "份额分录"
        constraints = [models.UniqueConstraint(fields=["idempotency_key"],
                                               name="wealth_share_entry_key_unique")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.business_type} {self.reference}"


class SharePosting(models.Model):
    """One leg of a share entry: ``shares`` signed (+ in, − out), never changed afterwards."""

    entry = models.ForeignKey(ShareEntry, verbose_name="份额分录", on_delete=models.PROTECT,
                              related_name="postings")
    account = models.ForeignKey(ShareAccount, verbose_name="份额账户", on_delete=models.PROTECT,
                                related_name="postings")
    shares = models.DecimalField("份额变动", **SHARES)
    balance_after = models.DecimalField("变动后份额", **SHARES)
    posted_at = models.DateTimeField("记账时间", auto_now_add=True)

    class Meta:
        verbose_name = "份额明细"
        verbose_name_plural = "份额明细"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(shares=0),
                                              name="wealth_share_posting_not_zero")]
        indexes = [models.Index(fields=["account", "id"], name="wealth_posting_by_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.shares:+}"


# --- orders --------------------------------------------------------------------------------------


class OrderKind(models.TextChoices):
    SUBSCRIBE = "subscribe", "认购"
    PURCHASE = "purchase", "申购"
    REDEEM = "redeem", "赎回"
    XJL_IN = "xjl_in", "薪加利转入"
    XJL_OUT_INSTANT = "xjl_out_instant", "实时转出"
    XJL_OUT = "xjl_out", "普通转出"


# The kinds that pay money in (held on 活期 until confirmed) and that take shares out.
BUY_KINDS = (OrderKind.SUBSCRIBE, OrderKind.PURCHASE, OrderKind.XJL_IN)
SELL_KINDS = (OrderKind.REDEEM, OrderKind.XJL_OUT_INSTANT, OrderKind.XJL_OUT)


class OrderStatus(models.TextChoices):
    PENDING = "pending", "待确认"        # placed: money held / shares frozen
    CONFIRMED = "confirmed", "已确认"    # money and shares moved (or, 普通转出, shares taken)
    PAID = "paid", "已到账"              # 普通转出: the money arrived the next working day
    CANCELLED = "cancelled", "已撤单"    # the customer's 撤单 released the hold
    FAILED = "failed", "失败"            # the product did not start, or the hold was gone


class Order(models.Model):
    """One 认购/申购/赎回 (or 薪加利 转入/转出) placed by a customer.

    ``trade_date``: the trading day whose 净值 prices it (before 15:00 on a trading day: that
    day; else the next trading day); ``cancel_until``: when 撤单 closes (the trade date's
    15:00, a 认购's 募集期 last day 15:00, or the end of a private product's 冷静期 when later).
    """

    number = models.CharField("交易流水号", max_length=24, unique=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="wealth_orders")
    medium = models.ForeignKey("accounts.Medium", verbose_name="资金账户（卡号）",
                               on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, verbose_name="产品", on_delete=models.PROTECT,
                                related_name="orders")
    kind = models.CharField("交易类型", max_length=16, choices=OrderKind.choices)
    status = models.CharField("状态", max_length=12, choices=OrderStatus.choices,
                              default=OrderStatus.PENDING)
    # What the customer asked: an amount (buys) or shares (sells).
    amount = models.DecimalField("申请金额", null=True, blank=True, **MONEY)
    shares = models.DecimalField("申请份额", null=True, blank=True, **SHARES)
    placed_at = models.DateTimeField("委托时间")
    trade_date = models.DateField("交易日")
    cancel_until = models.DateTimeField("可撤单截止", null=True, blank=True)
    hold = models.OneToOneField("ledger.Hold", verbose_name="资金冻结", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    # What the confirmation settled.
    nav = models.DecimalField("确认净值", null=True, blank=True, **NAV)
    confirmed_shares = models.DecimalField("确认份额", null=True, blank=True, **SHARES)
    confirmed_amount = models.DecimalField("确认金额", null=True, blank=True, **MONEY)
    fee = models.DecimalField("手续费", null=True, blank=True, **MONEY)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    # 普通转出: the day the money arrives (the next working day).
    pay_on = models.DateField("到账日期", null=True, blank=True)
    entry = models.ForeignKey("ledger.Entry", verbose_name="资金分录", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)
    failure_reason = models.CharField("失败原因", max_length=120, blank=True)
    operation = models.ForeignKey("security.PendingOperation", verbose_name="确认操作", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "理财交易"
        verbose_name_plural = "理财交易"
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount__isnull=False, amount__gt=0) | Q(shares__isnull=False,
                                                                     shares__gt=0)),
                name="wealth_order_amount_or_shares"),
        ]
        indexes = [
            models.Index(fields=["status", "trade_date"], name="wealth_order_pending"),
            models.Index(fields=["customer", "-placed_at"], name="wealth_order_by_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class Income(models.Model):
    """薪加利's income of one day for one customer (收益明细): the shares that earned, the
    万份收益 and the income paid as new shares."""

    product = models.ForeignKey(Product, verbose_name="产品", on_delete=models.PROTECT,
                                related_name="incomes")
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="wealth_incomes")
    date = models.DateField("收益日期")
    shares_base = models.DecimalField("计息份额", **SHARES)
    income_per_10k = models.DecimalField("万份收益（元）", **NAV)
    amount = models.DecimalField("收益金额", **MONEY)
    share_entry = models.ForeignKey(ShareEntry, verbose_name="份额分录", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "薪加利收益"
        verbose_name_plural = "薪加利收益"
        ordering = ["-date", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "customer", "date"],
                                               name="wealth_income_one_a_day")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.amount}"


# --- 风险测评 ------------------------------------------------------------------------------------


class RiskQuestion(models.Model):
    """One question of the 风险测评 questionnaire (head office keeps it in the admin)."""

    order = models.PositiveSmallIntegerField("题号")
    text = models.CharField("题目", max_length=200)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "风险测评题目"
        verbose_name_plural = "风险测评题目"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"


class RiskChoice(models.Model):
    question = models.ForeignKey(RiskQuestion, verbose_name="题目", on_delete=models.CASCADE,
                                 related_name="choices")
    order = models.PositiveSmallIntegerField("选项顺序")
    text = models.CharField("选项", max_length=120)
    score = models.PositiveSmallIntegerField("分值")

    class Meta:
        verbose_name = "风险测评选项"
        verbose_name_plural = "风险测评选项"
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text


class RiskAssessment(models.Model):
    """A customer's 风险测评 result: valid through the day before its anniversary."""

    customer = models.ForeignKey("accounts.Customer", verbose_name="客户",
                                 on_delete=models.PROTECT, related_name="risk_assessments")
    level = models.CharField("风险承受能力", max_length=2, choices=CustomerRiskLevel.choices)
    score = models.PositiveSmallIntegerField("得分")
    answers = models.JSONField("答题记录", default=dict)
    taken_at = models.DateTimeField("测评时间")
    valid_until = models.DateField("有效期至")

    class Meta:
        verbose_name = "风险测评记录"
        verbose_name_plural = "风险测评记录"
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["customer", "-taken_at"], name="wealth_risk_latest")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.level}"
