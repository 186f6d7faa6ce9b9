"""Reference data for clearing (X-CAL, TRF-CNAPS) and the state of the clearing simulator.

* :class:`Holiday` is one day that differs from the Monday–Friday week: a statutory day off
  (法定节假日) or a weekend day worked instead (调休工作日). ``calendar.WorkCalendar`` is built
  from these rows; ``manage.py load_holidays`` fills them.
* :class:`BankCode` is one row of the 联行号 (CNAPS bank code) table the customer searches when
  choosing a payee bank; ``manage.py import_bank_codes`` fills it.
* The ``Simulated*`` models hold what ``simulator.SimulatedClearing`` must share between the web
  process, the workers and the tests (maintenance switches, scripted answers, sent instructions
  and their pending returns). They live in the database rather than the cache because the
  embedded default has a per-process cache, and because a poll that consumes a return then rolls
  back with the caller's transaction must leave the return to be polled again.
"""

from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 18, "decimal_places": 2}


class HolidayKind(models.TextChoices):
    HOLIDAY = "HOLIDAY", "法定节假日"
    MAKEUP_WORKDAY = "MAKEUP_WORKDAY", "调休工作日"


class Holiday(models.Model):
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=HolidayKind.choices)
    name = models.CharField("节日", max_length=32)
    source = models.CharField("依据", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name} {self.get_kind_display()}"


class BankCode(models.Model):
    code = models.CharField("联行号", max_length=12, unique=True)
    name = models.CharField("行名", max_length=128, db_index=True)
    bank_name = models.CharField("所属银行", max_length=64)
    city = models.CharField("所在城市", max_length=32, blank=True)
    # The direct participant (清算行) that settles for this branch; blank when it settles itself.
    clearing_code = models.CharField("清算行行号", max_length=12, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "联行号"
        verbose_name_plural = "联行号"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{12}$"),
                                   name="clearing_bank_code_12_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SimulatedChannel(models.Model):
    channel = models.CharField("清算渠道", max_length=8, unique=True)
    in_maintenance = models.BooleanField("维护中", default=False)

    class Meta:
        verbose_name = "模拟清算渠道"
        verbose_name_plural = "模拟清算渠道"

    def __str__(self) -> str:
        return f"{self.channel} {'维护中' if self.in_maintenance else '正常'}"


class SimulatedScript(models.Model):
    """The answer the simulated other bank gives for one payee account, overriding the defaults."""

    payee_account = models.CharField("收款人账号", max_length=40, unique=True)
    outcome = models.CharField("结果", max_length=16)
    reason = models.CharField("原因", max_length=128, blank=True)

    class Meta:
        verbose_name = "模拟应答脚本"
        verbose_name_plural = "模拟应答脚本"

    def __str__(self) -> str:
        return f"{self.payee_account} → {self.outcome}"


class SimulatedInstruction(models.Model):
    """One instruction the simulator received; a resend of the same reference gets this answer."""

    reference = models.CharField("业务编号", max_length=128, unique=True)
    channel = models.CharField("清算渠道", max_length=8)
    payee_account = models.CharField("收款人账号", max_length=40)
    amount = models.DecimalField("金额", **MONEY)
    outcome = models.CharField("应答", max_length=16)
    reason = models.CharField("原因", max_length=128, blank=True)
    # Set for an instruction that will be returned (退汇): the reason, and when it was polled.
    return_reason = models.CharField("退汇原因", max_length=128, blank=True)
    returned_at = models.DateTimeField("退汇通知时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "模拟汇出指令"
        verbose_name_plural = "模拟汇出指令"

    def __str__(self) -> str:
        return f"{self.reference} {self.outcome}"
