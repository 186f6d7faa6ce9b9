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
        from .rates import rate_text, term_text  # rates reads these models

        term = f" {term_text(self.term_months)}" if self.term_months else ""
        return (f"{self.get_product_display()}{term} {rate_text(self.annual_rate)}"
                f"（{self.effective_from}起）")


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
    # The rate-table row kept; empty for a 大额存单, which keeps its issue's rate (cd_product).
    rate_row = models.ForeignKey(DepositRate, verbose_name="利率表行", on_delete=models.PROTECT,
                                 related_name="deposits", null=True, blank=True)
    cd_product = models.ForeignKey("LargeCDProduct", verbose_name="大额存单产品", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="deposits")
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
    # The day the notice names for the withdrawal (≥ 1 or 7 days after it was given), and the
    # 活期宝 agreement a swept 七天通知存款 belongs to (none for one the customer opened).
    notice_withdraw_on = models.DateField("预约支取日", null=True, blank=True)
    sweep = models.ForeignKey("SweepAgreement", verbose_name="活期宝协议", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="tranches")
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


class LargeCDProduct(models.Model):
    """大额存单 期次: one issue with its term, rate and 额度 (quota). ``sold`` only grows through
    ``deposits.cd.cd_quota_take`` (one conditional UPDATE), so two customers racing for the last
    额度 can never both get it; the database refuses ``sold`` above ``quota`` too."""

    code = models.CharField("产品代码", max_length=20, unique=True)
    name = models.CharField("产品名称", max_length=60)
    term_months = models.PositiveSmallIntegerField("存期（月）")
    annual_rate = models.DecimalField("年利率（%）", **RATE)
    minimum = models.DecimalField("起存金额", default=Decimal("200000.00"), **MONEY)
    quota = models.DecimalField("发行额度", **MONEY)
    sold = models.DecimalField("已售额度", default=Decimal("0.00"), **MONEY)
    sale_from = models.DateField("发售起始日")
    sale_to = models.DateField("发售截止日")

    class Meta:
        verbose_name = "大额存单产品"
        verbose_name_plural = "大额存单产品"
        ordering = ["-sale_from", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(sold__gte=0) & Q(sold__lte=models.F("quota")),
                                   name="deposits_cd_sold_within_quota"),
            models.CheckConstraint(condition=Q(minimum__gte=Decimal("200000.00")),
                                   name="deposits_cd_minimum_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def remaining(self) -> Decimal:
        return self.quota - self.sold


class PlanFrequency(models.TextChoices):
    MONTHLY = "monthly", "每月"
    WEEKLY = "weekly", "每周"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "生效"
    CANCELLED = "cancelled", "已撤销"
    FINISHED = "finished", "已结束"


class DepositPlan(models.Model):
    """卡内预约转存 (DEP-PLAN): on each scheduled day the nightly run moves ``amount`` from the
    card's 活期 into a new time deposit of ``product`` and ``term_months``. A short balance fails
    that run (recorded with its reason); the plan runs again on its next day."""

    medium = models.ForeignKey("accounts.Medium", verbose_name="卡号", on_delete=models.PROTECT,
                               related_name="deposit_plans")
    product = models.CharField("存款产品", max_length=20, choices=Product.choices,
                               default=Product.FIXED)
    term_months = models.PositiveSmallIntegerField("存期（月）")
    amount = models.DecimalField("转存金额", **MONEY)
    frequency = models.CharField("频率", max_length=8, choices=PlanFrequency.choices)
    # Monthly: the day of the month (29–31 run on a shorter month's last day); weekly: ISO
    # weekday 1 (Monday) to 7.
    run_day = models.PositiveSmallIntegerField("转存日")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    # None once the plan has no scheduled day left (past its end: FINISHED) or is cancelled.
    next_run_on = models.DateField("下次转存日", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=PlanStatus.choices,
                              default=PlanStatus.ACTIVE)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "卡内预约转存"
        verbose_name_plural = "卡内预约转存"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_run_on"], name="deposits_plan_due")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposits_plan_amount"),
            models.CheckConstraint(
                condition=(Q(frequency="monthly", run_day__gte=1, run_day__lte=31)
                           | Q(frequency="weekly", run_day__gte=1, run_day__lte=7)),
                name="deposits_plan_run_day"),
        ]

    def __str__(self) -> str:
        return f"{self.medium.masked_number} {self.get_frequency_display()} {self.amount}"


class PlanRun(models.Model):
    """One scheduled day of a plan: done (the deposit opened) or failed (the reason)."""

    plan = models.ForeignKey(DepositPlan, verbose_name="预约转存", on_delete=models.CASCADE,
                             related_name="runs")
    run_on = models.DateField("转存日")
    succeeded = models.BooleanField("成功")
    reason = models.CharField("失败原因", max_length=200, blank=True)
    deposit = models.ForeignKey(Deposit, verbose_name="开立的定期", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("执行时间", auto_now_add=True)

    class Meta:
        verbose_name = "预约转存执行记录"
        verbose_name_plural = "预约转存执行记录"
        ordering = ["-run_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan", "run_on"],
                                               name="deposits_plan_run_once_a_day")]

    def __str__(self) -> str:
        return f"{self.plan} {self.run_on} {'成功' if self.succeeded else '失败'}"


# --- 零存整取 (DEP-LCZQ; deposits/instalment/) ----------------------------------------------------


class Instalment(models.Model):
    """零存整取: one month's deposit — its month (1 … the term's months), the day it was made and
    the amount (the fixed monthly amount). ``made_up``: paid in the following month (补存).
    After 违约 or an early 销户 each row earns for its own days
    (``interest.interest_instalments_by_days``)."""

    deposit = models.ForeignKey(Deposit, verbose_name="零存整取", on_delete=models.PROTECT,
                                related_name="instalments")
    month = models.PositiveSmallIntegerField("期次")
    paid_on = models.DateField("存入日")
    amount = models.DecimalField("存入金额", **MONEY)
    made_up = models.BooleanField("补存", default=False)

    class Meta:
        verbose_name = "零存整取存入记录"
        verbose_name_plural = "零存整取存入记录"
        ordering = ["deposit", "month"]
        constraints = [
            models.UniqueConstraint(fields=["deposit", "month"],
                                    name="deposits_instalment_once_a_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposits_instalment_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.deposit} 第{self.month}期 {self.amount}"


# --- 零存宝 (DEP-LCB; deposits/lingcunbao/) ------------------------------------------------------


class LingcunbaoSetting(models.Model):
    """零存宝 每月续存累计限额 (a DOMAIN-RULES **setting**): the monthly total of deposits into one
    零存宝 account, in force from ``effective_from``; head office adds rows in the admin (from
    tomorrow at the earliest). No row in force: 20,000 (``lingcunbao.services.DEFAULT_MONTHLY_CAP``)."""

    monthly_cap = models.DecimalField("每月累计限额", **MONEY)
    effective_from = models.DateField("生效日期", unique=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    created_by_id = models.IntegerField("录入人ID", null=True, blank=True)

    class Meta:
        verbose_name = "零存宝设置"
        verbose_name_plural = "零存宝设置"
        ordering = ["-effective_from"]
        constraints = [models.CheckConstraint(condition=Q(monthly_cap__gte=1),
                                              name="deposits_lcb_cap_positive")]

    def __str__(self) -> str:
        return f"零存宝每月累计限额 {self.monthly_cap}（{self.effective_from}起）"


class LingcunbaoInstalment(models.Model):
    """One deposit into a 零存宝 (the opening or a 续存): its day and amount. 支取 pays each by its
    own days (``interest.interest_instalments_by_days``)."""

    deposit = models.ForeignKey(Deposit, verbose_name="零存宝", on_delete=models.PROTECT,
                                related_name="lcb_instalments")
    made_on = models.DateField("存入日")
    amount = models.DecimalField("存入金额", **MONEY)
    entry_id = models.BigIntegerField("分录ID")

    class Meta:
        verbose_name = "零存宝存入记录"
        verbose_name_plural = "零存宝存入记录"
        ordering = ["made_on", "id"]
        indexes = [models.Index(fields=["deposit", "made_on"], name="deposits_lcb_by_day")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="deposits_lcb_amount_positive")]

    def __str__(self) -> str:
        return f"{self.deposit} {self.made_on} {self.amount}"


# --- 悠悦宝 (DEP-YYB; deposits/smart) -------------------------------------------------------------


class YouyuebaoSetting(models.Model):
    """悠悦宝网银业务设置 (manual 悠悦宝支取 note 3: 锦州银行将根据客户需求和业务情况，对悠悦宝网银业务的
    开通机构、最低起存金额等业务条件进行不定期的调整，具体以发生交易时系统的设置为准). Head office
    adds a row in the admin; the row with the latest 生效日期 on or before the transaction's
    day is in force. ``branches``: the 开通机构 — a 悠悦宝 held at another branch is shown greyed
    online (请至柜台办理); none chosen means every branch. No row: 10,000 and every branch."""

    minimum = models.DecimalField("网银最低起存金额", default=Decimal("10000.00"), **MONEY)
    effective_from = models.DateField("生效日期", unique=True)
    branches = models.ManyToManyField("accounts.Branch", verbose_name="开通机构", blank=True,
                                      related_name="+",
                                      help_text="不选表示全部机构开通悠悦宝网银业务")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "悠悦宝网银业务设置"
        verbose_name_plural = "悠悦宝网银业务设置"
        ordering = ["-effective_from"]
        constraints = [models.CheckConstraint(condition=Q(minimum__gt=0),
                                              name="deposits_youyuebao_minimum")]

    def __str__(self) -> str:
        return f"悠悦宝网银最低起存金额{self.minimum}元（{self.effective_from}起）"


# --- 通知存款 and 活期宝 (DEP-NOTICE, DEP-HQB; deposits/notice/, docs/deposits.md) -----------------


class SweepStatus(models.TextChoices):
    ACTIVE = "active", "已签约"
    TERMINATED = "terminated", "已解约"


class SweepAgreement(models.Model):
    """活期宝: the card's 活期主账户 balance above ``threshold`` (留存金额) goes into 七天通知存款
    each night (one ``Deposit`` per sweep, ``Deposit.sweep`` pointing here) and comes back,
    oldest first with its interest, when the balance is below it (deposits.notice.sweep)."""

    medium = models.ForeignKey("accounts.Medium", verbose_name="借记卡", on_delete=models.PROTECT,
                               related_name="sweep_agreements")
    threshold = models.DecimalField("留存金额", **MONEY)
    status = models.CharField("状态", max_length=12, choices=SweepStatus.choices,
                              default=SweepStatus.ACTIVE)
    signed_on = models.DateField("签约日")
    # A plain id (users live in security): the teller who signed it at the counter.
    signed_by_id = models.IntegerField("经办柜员ID", null=True, blank=True)
    terminated_on = models.DateField("解约日", null=True, blank=True)
    # The last business date the nightly 活期宝归集 handled (a rerun of that date does nothing).
    swept_through = models.DateField("归集截至日", null=True, blank=True)

    class Meta:
        verbose_name = "活期宝协议"
        verbose_name_plural = "活期宝协议"
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["medium"], condition=Q(status="active"),
                                    name="deposits_sweep_one_active_per_card"),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="deposits_sweep_threshold"),
        ]

    def __str__(self) -> str:
        return f"活期宝 {self.medium.masked_number} 留存{self.threshold}"


# --- 大额存单 / 存本取息 (DEP-CD, DEP-CBQX): 利息账户变更 -------------------------------------------------


class InterestAccountChange(models.Model):
    """利息账户变更 of a 大额存单 or 存本取息 (查询 lists them): the account interest was paid to
    before and after, when, and through which channel."""

    deposit = models.ForeignKey(Deposit, verbose_name="存款", on_delete=models.CASCADE,
                                related_name="interest_account_changes")
    from_account = models.ForeignKey("accounts.SubAccount", verbose_name="原利息账户",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    to_account = models.ForeignKey("accounts.SubAccount", verbose_name="新利息账户",
                                   on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField("变更时间", auto_now_add=True)
    channel = models.CharField("渠道", max_length=16)

    class Meta:
        verbose_name = "利息账户变更"
        verbose_name_plural = "利息账户变更"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.deposit} {self.changed_at:%Y-%m-%d}"
