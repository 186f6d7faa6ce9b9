"""The limit engine (X-LIMIT): who may move how much, and how much they already moved today.

How the pieces relate
---------------------
* A :class:`LimitPolicy` is one limit set at one *level* for one *channel* (the counter it
  applies to): ``transfer`` is every external transfer (本行转他人 + 跨行, procedures §13); other
  channels (``quickpay``, ``xjl_redeem`` …) are product limits with a counter of their own.
  ``single_limit`` and ``daily_limit`` are each optional: NULL means "this level set nothing".
* Levels, and what ``scope`` holds for each:

  ======== ================ =====================================================
  BANK     全行 (省联社)     ``""``
  BRANCH   行社              the branch code
  CUSTOMER 客户自设          the customer id, as a string
  TOOLLESS 无安全工具客户    ``""``; caps customers without a USBKey/token (X-TOOLS)
  CHANNEL  产品/渠道         the channel code itself (``scope == channel``)
  ======== ================ =====================================================

  The hierarchy BANK ≥ BRANCH ≥ CUSTOMER is kept when limits are *set*
  (``services.limit_policy_set``); when a movement is *checked* the tightest limit of every
  level that applies wins, so a stale row above a lowered higher level can never loosen anything.
* A :class:`DailyLimitUsage` is the running total of one customer on one business day
  (Asia/Shanghai) on one channel. It is the row ``limit_consume`` locks with SELECT … FOR UPDATE,
  so two concurrent transfers of the same customer queue on it and can never both pass the same
  remaining limit. It carries no foreign key: the dependency rule keeps ebank.limits below
  accounts, and a usage row must outlive nothing but its day.

Everything about precedence, messages and lock order is in ``docs/limits.md``.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q

MONEY = {"max_digits": 18, "decimal_places": 2}


class LimitLevel(models.TextChoices):
    BANK = "bank", "全行"
    BRANCH = "branch", "行社"
    CUSTOMER = "customer", "客户自设"
    TOOLLESS = "toolless", "无安全工具客户"
    CHANNEL = "channel", "产品/渠道"


class LimitKind(models.TextChoices):
    SINGLE = "single", "单笔"
    DAILY = "daily", "日累计"


class LimitChannel(models.TextChoices):
    TRANSFER = "transfer", "对外转账"
    QUICKPAY = "quickpay", "快捷支付"
    XJL_REDEEM = "xjl_redeem", "薪加利实时赎回"


# Levels whose scope is the whole bank; every other level names what it applies to.
UNSCOPED_LEVELS = (LimitLevel.BANK, LimitLevel.TOOLLESS)


class LimitPolicy(models.Model):
    level = models.CharField("限额级别", max_length=16, choices=LimitLevel.choices)
    scope = models.CharField(
        "适用范围", max_length=32, blank=True, default="",
        help_text="行社填行社代码，客户自设填客户号，产品/渠道填渠道代码；全行和无安全工具客户留空",
    )
    channel = models.CharField("渠道", max_length=32, choices=LimitChannel.choices,
                               default=LimitChannel.TRANSFER)
    single_limit = models.DecimalField("单笔限额", null=True, blank=True, **MONEY)
    daily_limit = models.DecimalField("日累计限额", null=True, blank=True, **MONEY)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    # A plain id, not a ForeignKey: users live in security, which ebank.limits may not import.
    updated_by_id = models.IntegerField("修改人ID", null=True, blank=True)

    class Meta:
        verbose_name = "限额策略"
        verbose_name_plural = "限额策略"
        ordering = ["channel", "level", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["level", "scope", "channel"],
                                    name="limits_policy_one_per_level_scope_channel"),
            models.CheckConstraint(
                condition=Q(single_limit__isnull=True) | Q(single_limit__gt=0),
                name="limits_policy_single_positive",
            ),
            models.CheckConstraint(
                condition=Q(daily_limit__isnull=True) | Q(daily_limit__gt=0),
                name="limits_policy_daily_positive",
            ),
            models.CheckConstraint(
                condition=Q(single_limit__isnull=True) | Q(daily_limit__isnull=True)
                | Q(single_limit__lte=F("daily_limit")),
                name="limits_policy_single_within_daily",
            ),
            models.CheckConstraint(
                condition=Q(level__in=UNSCOPED_LEVELS, scope="")
                | (Q(level__in=[LimitLevel.BRANCH, LimitLevel.CUSTOMER]) & ~Q(scope=""))
                | Q(level=LimitLevel.CHANNEL, scope=F("channel")),
                name="limits_policy_scope_matches_level",
            ),
        ]

    def __str__(self) -> str:
        scope = f" {self.scope}" if self.scope and self.level != LimitLevel.CHANNEL else ""
        return f"{self.get_level_display()}{scope} · {self.get_channel_display()}"


class DailyLimitUsage(models.Model):
    customer_id = models.BigIntegerField("客户ID")
    day = models.DateField("营业日")
    channel = models.CharField("渠道", max_length=32, choices=LimitChannel.choices,
                               default=LimitChannel.TRANSFER)
    used = models.DecimalField("当日累计已用", default=Decimal("0.00"), **MONEY)
    count = models.PositiveIntegerField("笔数", default=0)

    class Meta:
        verbose_name = "当日限额使用"
        verbose_name_plural = "当日限额使用"
        ordering = ["-day", "customer_id", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["customer_id", "day", "channel"],
                                    name="limits_usage_one_per_customer_day_channel"),
            models.CheckConstraint(condition=Q(used__gte=0), name="limits_usage_used_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.day} {self.channel} {self.used}"
