"""The simulated other banks (ACC-OTHERBANK, TRF-PULL): their customers' accounts, the
agreements signed at them and the debits they answered.

These tables are the other banks' books, not ours: a balance here is what the simulated bank
holds for its customer, never money of our ledger. They live in the database (as the clearing
simulator's do) so that the web process, the workers and the tests see the same switches, and
so that a debit the caller rolls back is rolled back at the "other bank" too.
"""

from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 18, "decimal_places": 2}


class SimBehaviour(models.TextChoices):
    NORMAL = "normal", "正常"
    REFUSE = "refuse", "拒绝"
    TIMEOUT = "timeout", "超时（未处理）"
    LATE = "late", "超时（已扣款）"
    REVOKE = "revoke", "解除协议"
    # The debit is made, then every call (the debit again, debit_status) times out for as
    # long as the behaviour stays: nobody on our side can know the result.
    SILENT = "silent", "已扣款但查询超时"


class AgreementKind(models.TextChoices):
    QUERY = "query", "账户信息查询协议"
    PAY = "pay", "授权支付协议"


class SimAgreementStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    CANCELLED = "cancelled", "已解约"
    REVOKED = "revoked", "他行已解约"


class SimSigningStatus(models.TextChoices):
    PENDING = "pending", "待签约"
    SIGNED = "signed", "已签约"
    CANCELLED = "cancelled", "已取消"


class SimBank(models.Model):
    code = models.CharField("银行代码", max_length=12, unique=True)
    name = models.CharField("银行名称", max_length=64)
    behaviour = models.CharField("应答方式", max_length=16, choices=SimBehaviour.choices,
                                 default=SimBehaviour.NORMAL)
    reason = models.CharField("拒绝原因", max_length=128, blank=True)

    class Meta:
        verbose_name = "模拟他行"
        verbose_name_plural = "模拟他行"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SimAccount(models.Model):
    bank = models.ForeignKey(SimBank, verbose_name="开户行", on_delete=models.PROTECT,
                             related_name="accounts")
    number = models.CharField("账号", max_length=32, unique=True)
    holder_name = models.CharField("户名", max_length=64)
    # SHA-256 of the ID number: the simulated bank matches it, never shows it.
    id_digest = models.CharField("证件号码摘要", max_length=64)
    password_hash = models.CharField("账户密码（摘要）", max_length=256)
    balance = models.DecimalField("余额", **MONEY)
    # Wrong card passwords in a row at the signing page; at PASSWORD_TRIES the card locks.
    password_failures = models.PositiveSmallIntegerField("密码连续错误次数", default=0)
    # Blank: the bank's behaviour.
    behaviour = models.CharField("应答方式", max_length=16, choices=SimBehaviour.choices,
                                 blank=True)
    reason = models.CharField("拒绝原因", max_length=128, blank=True)

    class Meta:
        verbose_name = "模拟他行账户"
        verbose_name_plural = "模拟他行账户"
        ordering = ["bank", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="otherbanks_balance_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.bank.name} {self.number} {self.holder_name}"


class SimHistory(models.Model):
    account = models.ForeignKey(SimAccount, verbose_name="账户", on_delete=models.CASCADE,
                                related_name="history")
    at = models.DateTimeField("交易时间")
    amount = models.DecimalField("发生额", **MONEY)  # + in, − out
    balance_after = models.DecimalField("余额", **MONEY)
    summary = models.CharField("摘要", max_length=64)
    counterparty = models.CharField("对方户名", max_length=64, blank=True)

    class Meta:
        verbose_name = "模拟他行交易明细"
        verbose_name_plural = "模拟他行交易明细"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "-at"])]

    def __str__(self) -> str:
        return f"{self.account.number} {self.at:%Y-%m-%d} {self.amount}"


class SimSigning(models.Model):
    """A signing request our bank sent: whose it is and where to go back."""

    token = models.CharField("签约流水", max_length=64, unique=True)
    bank = models.ForeignKey(SimBank, verbose_name="他行", on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField("协议类型", max_length=8, choices=AgreementKind.choices)
    holder_name = models.CharField("户名", max_length=64)
    id_digest = models.CharField("证件号码摘要", max_length=64)
    state = models.CharField("发起方流水", max_length=128)
    return_url = models.CharField("返回地址", max_length=500)
    status = models.CharField("状态", max_length=16, choices=SimSigningStatus.choices,
                              default=SimSigningStatus.PENDING)
    agreement = models.ForeignKey("SimAgreement", verbose_name="协议", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    class Meta:
        verbose_name = "模拟签约请求"
        verbose_name_plural = "模拟签约请求"

    def __str__(self) -> str:
        return f"{self.bank.name} {self.get_kind_display()} {self.get_status_display()}"


class SimAgreement(models.Model):
    external_id = models.CharField("协议号", max_length=32, unique=True)
    account = models.ForeignKey(SimAccount, verbose_name="账户", on_delete=models.PROTECT,
                                related_name="agreements")
    kind = models.CharField("协议类型", max_length=8, choices=AgreementKind.choices)
    single_limit = models.DecimalField("单笔限额", null=True, blank=True, **MONEY)
    daily_limit = models.DecimalField("日累计限额", null=True, blank=True, **MONEY)
    valid_until = models.DateField("有效期至")
    status = models.CharField("状态", max_length=16, choices=SimAgreementStatus.choices,
                              default=SimAgreementStatus.ACTIVE)
    signed_at = models.DateTimeField("签约时间", auto_now_add=True)
    ended_at = models.DateTimeField("解约时间", null=True, blank=True)

    class Meta:
        verbose_name = "模拟他行协议"
        verbose_name_plural = "模拟他行协议"
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind"], condition=Q(status="active"),
                                    name="otherbanks_one_active_agreement_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.get_kind_display()} {self.get_status_display()}"


class SimDebit(models.Model):
    """One debit the simulated bank answered; the same reference again gets this answer."""

    reference = models.CharField("业务编号", max_length=64, unique=True)
    agreement = models.ForeignKey(SimAgreement, verbose_name="协议", on_delete=models.PROTECT,
                                  related_name="debits")
    amount = models.DecimalField("金额", **MONEY)
    succeeded = models.BooleanField("扣款成功")
    reason = models.CharField("拒绝原因", max_length=128, blank=True)
    day = models.DateField("扣款日")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "模拟他行扣款"
        verbose_name_plural = "模拟他行扣款"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {'成功' if self.succeeded else '失败'}"
