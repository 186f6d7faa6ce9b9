"""The audit log (X-LOG): one row for every customer self-service action and every staff action.

Written in the same transaction as the change it records (Zulip's RealmAuditLog habit), so a
rolled-back action leaves no audit row and a committed one always has one. Failed attempts
(wrong password, refused transfer) are recorded in a transaction of their own.
"""

from django.conf import settings
from django.db import models


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The customer the action concerns (core cannot reference accounts: dependency rule).
    customer_id = models.BigIntegerField("客户ID", null=True, blank=True, db_index=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    outcome = models.CharField("结果", max_length=16, choices=AuditOutcome.choices)
    object_ref = models.CharField("业务对象", max_length=128, blank=True)
    ip_address = models.GenericIPAddressField("IP地址", null=True, blank=True)
    channel = models.CharField("渠道", max_length=16, default="web")
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer_id", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"
