"""定期存款 and 智能存款: rate tables, each time deposit's terms and state, and 活期 积数.

* :class:`DepositRate` — 利率表: one row per product, term and effective date (生效日期), edited
  by head office in the admin. A deposit keeps the row in force on its opening (or rollover) day;
  活期 settlement uses the 活期 row in force on the settlement day. A row once used, or in force
  in the past, cannot be changed (``deposits.rates``).
* :class:`Deposit` — the terms and state of one time deposit held in a sub-account of
  ``accounts`` (整存整取, 零存整取, 存本取息, 通知存款, 大额存单, 悠悦宝, 零存宝, 利先得). Its
  balance is the sub-account's ledger account (every movement goes through the ledger); this row
  holds what the ledger does not: product, term, the rate kept, dates, and the product's state.
* :class:`CurrentAccrual` — 积数 of one 活期 sub-account for the running settlement period, added
  to once per business date by the nightly step (set-based SQL; ``accrued_through`` makes a rerun
  add nothing).

Rules and worked examples: ../shared/DOMAIN-RULES.md §1–2; docs/deposits.md.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 18, "decimal_places": 2}
# Annual rates in percent (1.20 = 1.20 % a year), four places.
RATE = {"max_digits": 7, "decimal_places": 4}


class Product(models.TextChoices):
    CURRENT = "current", "活期"
    FIXED = "fixed", "整存整取"
    INSTALMENT = "instalment", "零存整取"
    INTEREST_PAYOUT = "interest_payout", "存本取息"
    NOTICE_1D = "notice_1d", "一天通知存款"
    NOTICE_7D = "notice_7d", "七天通知存款"
    LARGE_CD = "large_cd", "大额存单"
    YOUYUEBAO = "youyuebao", "悠悦宝"
    LINGCUNBAO = "lingcunbao", "零存宝"
    LIXIANDE = "lixiande", "利先得"


class DepositRate(models.Model):
    product = models.CharField("产品", max_length=20, choices=Product.choices)
    # 0 for products without a term (活期, 通知存款); months otherwise (3 = 三个月, 12 = 一年).
    term_months = models.PositiveSmallIntegerField("期限（月）", default=0)
    annual_rate = models.DecimalField("年利率（%）", **RATE)
    effective_from = models.DateField("生效日期")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    # A plain id: users live in security, which deposits does not import for a stamp.
    created_by_id = models.IntegerField("录入人ID", null=True, blank=True)

    class Meta:
        verbose_name = "存款利率"
        verbose_name_plural = "存款利率表"
        ordering = ["product", "term_months", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["product", "term_months", "effective_from"],
                                    name="deposits_rate_one_per_day"),
            models.CheckConstraint(condition=Q(annual_rate__gte=0) & Q(annual_rate__lt=100),
                                   name="deposits_rate_sane"),
        ]

    def __str__(self) -> str:
        term = f" {self.term_months}个月" if self.term_months else ""
        return f"{self.get_product_display()}{term} {self.annual_rate}%（{self.effective_from}起）"


class DepositStatus(models.TextChoices):
    OPEN = "open", "正常"
    CLOSED = "closed", "已销户"


class PayoutFrequency(models.TextChoices):
    MONTHLY = "monthly", "按月"
    QUARTERLY = "quarterly", "按季"


class MaturityOption(models.TextChoices):
    """整存整取: what happens at maturity, chosen at opening (docs/deposits.md)."""

    ROLL_ALL = "roll_all", "自动转存（本息）"
    ROLL_PRINCIPAL = "roll_principal", "自动转存（本金，利息转活期）"
    TO_CURRENT = "to_current", "到期转活期"
    HOLD = "hold", "不转存"


class Deposit(models.Model):
    sub_account = models.OneToOneField("accounts.SubAccount", verbose_name="子账户",
                                       on_delete=models.PROTECT, related_name="deposit")
    product = models.CharField("产品", max_length=20, choices=Product.choices)
    term_months = models.PositiveSmallIntegerField("存期（月）", default=0)
    # The principal at opening (or at the last rollover); the live balance is the ledger's.
    principal = models.DecimalField("本金", **MONEY)
    annual_rate = models.DecimalField("执行利率（%）", **RATE)
    rate_row = models.ForeignKey(DepositRate, verbose_name="利率表行", on_delete=models.PROTECT,
                                 related_name="deposits")
    opened_on = models.DateField("开户日")
    # 起息日: the opening day, or the last rollover's maturity day.
    value_date = models.DateField("起息日")
    matures_on = models.DateField("到期日", null=True, blank=True)
    auto_rollover = models.BooleanField("自动转存", default=False)
    rollover_with_interest = models.BooleanField("本息转存", default=True)
    rollovers = models.PositiveSmallIntegerField("已转存次数", default=0)
    # 整存整取: the four choices at opening; auto_rollover / rollover_with_interest follow it.
    maturity_option = models.CharField("到期处理方式", max_length=16,
                                       choices=MaturityOption.choices, blank=True)
    # Where interest (存本取息, 大额存单, 利先得) or a payout goes; the source card's 活期 by default.
    interest_account = models.ForeignKey("accounts.SubAccount", verbose_name="利息账户",
                                         null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    payout_frequency = models.CharField("取息频率", max_length=10,
                                        choices=PayoutFrequency.choices, blank=True)
    payouts_made = models.PositiveSmallIntegerField("已付息次数", default=0)
    interest_paid = models.DecimalField("已付利息", default=Decimal("0.00"), **MONEY)
    # 零存整取 / 零存宝: the fixed monthly amount, deposits made, and 违约 (two misses in a row).
    monthly_amount = models.DecimalField("每月存额", null=True, blank=True, **MONEY)
    instalments_made = models.PositiveSmallIntegerField("已存期数", default=0)
    defaulted = models.BooleanField("已违约", default=False)
    # 通知存款: the notice given (amount and the day it was given).
    notice_amount = models.DecimalField("通知金额", null=True, blank=True, **MONEY)
    notice_given_on = models.DateField("通知日期", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=DepositStatus.choices,
                              default=DepositStatus.OPEN)
    closed_on = models.DateField("销户日", null=True, blank=True)

    class Meta:
        verbose_name = "定期存款"
        verbose_name_plural = "定期存款"
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["status", "matures_on"], name="deposits_maturing")]

    def __str__(self) -> str:
        return f"{self.sub_account} {self.get_product_display()}"


class CurrentAccrual(models.Model):
    """活期 积数 of one sub-account: Σ closing balances from ``period_start`` through
    ``accrued_through`` (both inclusive), reset at each quarterly settlement."""

    sub_account = models.OneToOneField("accounts.SubAccount", verbose_name="子账户",
                                       on_delete=models.CASCADE, related_name="accrual")
    period_start = models.DateField("计息起始日")
    accrued_through = models.DateField("积数截至日", null=True, blank=True)
    accrued = models.DecimalField("积数", default=Decimal("0.00"), max_digits=24,
                                  decimal_places=2)

    class Meta:
        verbose_name = "活期积数"
        verbose_name_plural = "活期积数"

    def __str__(self) -> str:
        return f"{self.sub_account} 积数 {self.accrued}（至{self.accrued_through}）"
