"""Security tools (X-TOOLS) and the SMS channel.

* A USBKey is a certificate issued by the bank's own CA; its private key is stored encrypted
  under the customer's 证书密码 (PKCS#8, scrypt-derived key), so only someone who knows the
  password can sign. Signing covers the exact confirmed payload plus a server nonce. Six wrong
  证书密码 in a row lock it until a teller unlocks it.
* A digital token (数字令牌) is a django-otp TOTP device; each code is accepted once.
* SMS: every message goes through a backend; in development the outbox (SmsMessage) is where it
  lands, readable by staff in the admin and by tests. An SmsCode is bound to one purpose and one
  operation digest and lives five minutes; only its hash is stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ToolKind(models.TextChoices):
    USBKEY = "usbkey", "USBKey证书"
    TOKEN = "token", "数字令牌"


class ToolStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    LOCKED = "locked", "锁定"
    REPLACED = "replaced", "已更换"
    CANCELLED = "cancelled", "已注销"


class ToolReplaceReason(models.TextChoices):
    LOST = "lost", "丢失"
    FORGOTTEN = "forgotten", "遗忘密码"
    LEAKED = "leaked", "泄露"
    EXPIRED = "expired", "过期"


class SecurityTool(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="客户", on_delete=models.PROTECT,
                             related_name="security_tools")
    kind = models.CharField("工具类型", max_length=16, choices=ToolKind.choices)
    serial = models.CharField("介质序列号", max_length=32, unique=True)
    status = models.CharField("状态", max_length=16, choices=ToolStatus.choices,
                              default=ToolStatus.ACTIVE)
    issued_at = models.DateTimeField("申领时间", auto_now_add=True)
    branch = models.ForeignKey("accounts.Branch", verbose_name="申领行社", on_delete=models.PROTECT,
                               related_name="+")
    # USBKey
    certificate_pem = models.TextField("证书", blank=True)
    certificate_serial = models.CharField("证书序列号", max_length=64, blank=True)
    not_after = models.DateTimeField("证书有效期至", null=True, blank=True)
    private_key_encrypted = models.TextField("私钥（证书密码加密）", blank=True)
    password_failures = models.PositiveSmallIntegerField("证书密码连续错误次数", default=0)
    # Digital token
    totp_device = models.OneToOneField("otp_totp.TOTPDevice", verbose_name="令牌", null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "安全认证工具"
        verbose_name_plural = "安全认证工具"
        constraints = [
            # At most one usable tool of each kind per customer.
            models.UniqueConstraint(fields=["user", "kind"],
                                    condition=Q(status__in=["active", "locked"]),
                                    name="security_one_live_tool_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"


class ToolRegisterAction(models.TextChoices):
    ISSUE = "issue", "申领绑定"
    REPLACE = "replace", "更换"
    CANCEL = "cancel", "注销"
    UNLOCK = "unlock", "解锁"


class ToolRegisterEntry(models.Model):
    """《网上银行 USB-Key 及密码信封领取登记簿》: one line per tool handed over or taken back."""

    tool = models.ForeignKey(SecurityTool, verbose_name="工具", on_delete=models.PROTECT,
                             related_name="register_entries")
    action = models.CharField("业务", max_length=16, choices=ToolRegisterAction.choices)
    reason = models.CharField("更换原因", max_length=16, choices=ToolReplaceReason.choices,
                              blank=True)
    fee = models.DecimalField("手续费", max_digits=18, decimal_places=2, default=0)
    fee_entry_id = models.BigIntegerField("收费分录", null=True, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办柜员",
                              on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("accounts.Branch", verbose_name="行社", on_delete=models.PROTECT,
                               related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "工具领取登记簿"
        verbose_name_plural = "工具领取登记簿"
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.tool} {self.get_action_display()}"


class SmsMessage(models.Model):
    """The SMS outbox: what the bank sent (or, in development, would have sent)."""

    phone = models.CharField("手机号", max_length=11, db_index=True)
    text = models.CharField("短信内容", max_length=300)
    purpose = models.CharField("用途", max_length=32)
    backend = models.CharField("通道", max_length=32)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    # The verification code this message carries (the admin masks it while it is live).
    code = models.ForeignKey("SmsCode", verbose_name="验证码", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "短信发件箱"
        verbose_name_plural = "短信发件箱"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.phone} {self.purpose}"


class SmsCode(models.Model):
    phone = models.CharField("手机号", max_length=11)
    purpose = models.CharField("用途", max_length=32)
    # The digest of the operation the code was sent for: a code for amount A fails for A+0.01.
    operation_digest = models.CharField("业务摘要", max_length=64)
    code_hash = models.CharField("验证码摘要", max_length=128)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    failures = models.PositiveSmallIntegerField("错误次数", default=0)
    # Who asked for it: the daily caps count per customer (null: nobody known, e.g. a phone
    # that is no customer's reserved phone).
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["phone", "purpose", "operation_digest"]),
                   models.Index(fields=["customer", "created_at"]),
                   models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.phone} {self.purpose}"
