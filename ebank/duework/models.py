"""Deferred work (X-ASYNC) and the nightly batch's step log.

How the pieces relate
---------------------
* A :class:`DueWork` row is one piece of work that must run later: a reserved large-value
  transfer at 09:00, a 普通到账 transfer two hours from now, an auto-repayment. ``kind`` names
  the handler that runs it (see :mod:`ebank.duework.registry`), ``key`` is the business key
  (``(kind, key)`` is unique, so scheduling the same work twice gives back the first row) and
  ``payload`` carries the ids the handler needs. The row is the one copy of the schedule:
  Celery messages only *kick* the dispatcher earlier, they never carry work of their own.
* The dispatcher (:func:`ebank.duework.services.dispatch_due`) claims one due PENDING row with
  ``SELECT … FOR UPDATE SKIP LOCKED`` and runs its handler inside that same transaction. The
  row lock is the lease: while a worker runs the row nobody else can claim it, and a worker
  that dies mid-run rolls back everything it did, so the row is PENDING and claimable again at
  once. DONE is committed together with the handler's postings, never apart from them.
* A handler error rolls back the handler's work (a savepoint) and is recorded on the row:
  ``attempts`` grows, ``last_error`` says why (in words a customer can read where the handler
  gave some), and the row is either due again after a backoff or FAILED after
  ``max_attempts``. Staff can put a FAILED row back (admin action 立即重试).
* A :class:`BatchStepRun` records that one named step of the nightly batch (日终) ran for one
  business date, so a rerun after a crash skips what finished and redoes what did not. It keeps
  what the last attempt gave: the count the step returned, how long it took and, when it failed,
  why. The steps and their order are registered by the apps (see :mod:`ebank.duework.nightly`).

States of a DueWork row::

    PENDING ──run ok──▶ DONE
       │  ╲──error, attempts < max──▶ PENDING (due later)
       │   ╲─error, attempts = max / PermanentFailure / unknown kind──▶ FAILED ──立即重试──▶ PENDING
       └──due_work_cancel──▶ CANCELLED
"""

from django.conf import settings
from django.db import models


def default_max_attempts() -> int:
    return settings.DUEWORK_MAX_ATTEMPTS


class DueWorkStatus(models.TextChoices):
    PENDING = "pending", "待执行"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已撤销"


class DueWork(models.Model):
    kind = models.CharField("任务类型", max_length=64)
    key = models.CharField("业务键", max_length=128)
    payload = models.JSONField("任务参数", default=dict, blank=True)
    due_at = models.DateTimeField("执行时间")
    status = models.CharField("状态", max_length=16, choices=DueWorkStatus.choices,
                              default=DueWorkStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("已执行次数", default=0)
    max_attempts = models.PositiveSmallIntegerField("最多执行次数", default=default_max_attempts)
    last_error = models.TextField("失败原因", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "延时任务"
        verbose_name_plural = "延时任务"
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="duework_kind_key_unique"),
        ]
        # The claim query: WHERE status = 'pending' AND due_at <= now ORDER BY due_at, id.
        indexes = [models.Index(fields=["status", "due_at", "id"], name="duework_claim_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} {self.get_status_display()}"


class BatchStepStatus(models.TextChoices):
    PENDING = "pending", "待执行"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class BatchStepRun(models.Model):
    step = models.CharField("批处理步骤", max_length=64)
    business_date = models.DateField("业务日期")
    status = models.CharField("状态", max_length=16, choices=BatchStepStatus.choices,
                              default=BatchStepStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("已执行次数", default=0)
    # What the step returned (media released, sessions deleted …); empty for a step that
    # returns no count, or that failed.
    count = models.IntegerField("处理笔数", null=True, blank=True)
    duration = models.DurationField("耗时", null=True, blank=True)
    last_error = models.TextField("失败原因", blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "日终批处理步骤"
        verbose_name_plural = "日终批处理步骤"
        constraints = [
            models.UniqueConstraint(fields=["step", "business_date"],
                                    name="duework_batch_step_date_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.step} {self.get_status_display()}"
