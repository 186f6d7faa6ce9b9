"""复核 (maker-checker): a request by one member of staff that executes only when another, with
the right role, approves it.

A request records who asked, what exactly will happen (``payload``: what the executor runs;
``summary``: the rows the approver reads, like a customer's confirmation page) and the outcome.
It executes at most once. The database refuses a request decided by its own maker
(``security_approval_maker_is_not_checker``), whatever path reached it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "待复核"
    APPROVED = "approved", "复核通过（已执行）"
    REJECTED = "rejected", "复核拒绝"
    FAILED = "failed", "复核通过，执行失败"
    EXPIRED = "expired", "已过期"
    WITHDRAWN = "withdrawn", "已撤回"


class ApprovalRequest(models.Model):
    public_id = models.UUIDField("申请编号", default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("复核事项", max_length=40)
    # What the executor runs: plain values only, never a secret in clear (a password arrives
    # here already hashed).
    payload = models.JSONField("执行要素", default=dict)
    # What the approver reads: [[label, value], …], masked numbers only.
    summary = models.JSONField("复核要素", default=list)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # Whose 主管 may approve: the customer's branch, or the branch the change is for.
    branch = models.ForeignKey("accounts.Branch", verbose_name="所属行社",
                               on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人",
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    expires_at = models.DateTimeField("有效期至")
    status = models.CharField("状态", max_length=16, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="复核人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    # The approver's reason for a rejection, or why the approved change could not be made.
    reason = models.CharField("原因", max_length=200, blank=True)
    # What the execution produced (e.g. the 业务受理单 number).
    result = models.JSONField("执行结果", default=dict, blank=True)

    class Meta:
        verbose_name = "复核申请"
        verbose_name_plural = "复核申请"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "branch"], name="security_approval_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="security_approval_maker_is_not_checker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"
