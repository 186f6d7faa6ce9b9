"""客户服务: 留言管理, 短信服务 (balance-change messages), 手机银行管理."""

from django.conf import settings
from django.db import models


class CustomerMessage(models.Model):
    """留言: answered by staff within two working days (due date kept, overdue list in admin)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="客户", on_delete=models.PROTECT,
                             related_name="customer_messages")
    subject = models.CharField("留言主题", max_length=40)
    content = models.CharField("留言内容", max_length=340)
    created_at = models.DateTimeField("留言时间", auto_now_add=True)
    due_date = models.DateField("答复期限")
    reply = models.TextField("回复内容", blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回复人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = "客户留言"
        verbose_name_plural = "客户留言"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class SmsSubscription(models.Model):
    """短信服务签约: balance-change messages for one sub-account above a threshold."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="客户", on_delete=models.PROTECT,
                             related_name="sms_subscriptions")
    sub_account = models.ForeignKey("accounts.SubAccount", verbose_name="子账户",
                                    on_delete=models.PROTECT, related_name="+")
    threshold = models.DecimalField("起点金额", max_digits=18, decimal_places=2)
    phone = models.CharField("签约手机号", max_length=11)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("签约时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("解约时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信服务签约"
        verbose_name_plural = "短信服务签约"
        constraints = [
            models.UniqueConstraint(fields=["sub_account"], condition=models.Q(active=True),
                                    name="security_one_active_sms_per_sub_account"),
        ]

    def __str__(self) -> str:
        return f"{self.sub_account} ≥ {self.threshold}"


class MobileAgreementStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    SUSPENDED = "suspended", "暂停"
    CANCELLED = "cancelled", "已解约"


class MobileBankingAgreement(models.Model):
    """手机银行签约 (SVC-MOBILE): accounts, a mobile login password, a status."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="客户", on_delete=models.PROTECT,
                             related_name="mobile_agreements")
    media = models.ManyToManyField("accounts.Medium", verbose_name="关联账户", related_name="+")
    password_hash = models.CharField("手机银行登录密码", max_length=256)
    status = models.CharField("状态", max_length=16, choices=MobileAgreementStatus.choices,
                              default=MobileAgreementStatus.ACTIVE)
    signed_at = models.DateTimeField("签约时间", auto_now_add=True)
    changed_at = models.DateTimeField("变更时间", auto_now=True)

    class Meta:
        verbose_name = "手机银行签约"
        verbose_name_plural = "手机银行签约"
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=~models.Q(status="cancelled"),
                                    name="security_one_live_mobile_agreement"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_status_display()}"
