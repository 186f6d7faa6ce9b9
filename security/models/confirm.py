"""PendingOperation: what the customer is asked to confirm, exactly (X-CONFIRM).

The payload the confirmation page shows is stored with its digest and a server nonce of 128
bits; the 交易密码 and the chosen tool's code or signature are checked against *this* row, and
the executor runs once under the row's idempotency key. A replay, a double submit or a changed
amount can therefore never execute anything a second time or anything else.
"""

from django.conf import settings
from django.db import models


class OperationStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    EXECUTED = "executed", "已执行"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期"
    CANCELLED = "cancelled", "已取消"


class PendingOperation(models.Model):
    public_id = models.CharField("编号", max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="客户", on_delete=models.PROTECT,
                             related_name="pending_operations")
    kind = models.CharField("业务", max_length=64)
    payload = models.JSONField("业务要素")
    payload_digest = models.CharField("要素摘要", max_length=64)
    nonce = models.CharField("随机数", max_length=64)
    # The medium whose 交易密码 the confirmation asks for, if any.
    medium = models.ForeignKey("accounts.Medium", verbose_name="介质", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    status = models.CharField("状态", max_length=16, choices=OperationStatus.choices,
                              default=OperationStatus.PENDING)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间")
    executed_at = models.DateTimeField("执行时间", null=True, blank=True)
    auth_method = models.CharField("认证方式", max_length=16, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "待确认交易"
        verbose_name_plural = "待确认交易"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.public_id} {self.kind} {self.get_status_display()}"

    @property
    def idempotency_key(self) -> str:
        return f"confirm:{self.public_id}"
