"""Deferred work in the admin: look, and put FAILED rows back (立即重试). Nothing else is editable:
the rows are the schedule, and a hand-edited payload would run something nobody asked for.
The nightly batch's step runs (日终批处理步骤) are listed read-only, per business date.
"""

from django.contrib import admin, messages

from ebank.core.admin_mixins import ReadOnlyAdminMixin

from .models import BatchStepRun, DueWork, DueWorkStatus
from .nightly import step_label
from .registry import due_kind_label, registered_kinds
from .services import due_work_retry


class DueKindFilter(admin.SimpleListFilter):
    """任务类型 by name, from the handlers' registry (no query)."""

    title = "任务类型"
    parameter_name = "kind_code"

    def lookups(self, request, model_admin):
        return [(kind, due_kind_label(kind)) for kind in registered_kinds()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(DueWork)
class DueWorkAdmin(admin.ModelAdmin):
    list_display = ("number", "kind_display", "key", "due_at", "status", "attempts",
                    "last_error")
    list_filter = ("status", DueKindFilter)
    search_fields = ("kind", "key")
    date_hierarchy = "due_at"
    ordering = ("-due_at", "-id")
    fields = ("kind_display", "key", "payload", "due_at", "status", "attempts", "max_attempts",
              "last_error", "created_at", "started_at", "finished_at")
    readonly_fields = fields
    actions = ["retry_now"]

    @admin.display(description="编号", ordering="id")
    def number(self, work: DueWork) -> int:
        return work.pk

    @admin.display(description="任务类型", ordering="kind")
    def kind_display(self, work: DueWork) -> str:
        return due_kind_label(work.kind)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The change list needs "change" for the action; a single row's page stays view-only.
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="立即重试", permissions=["change"])
    def retry_now(self, request, queryset):
        failed = list(queryset.filter(status=DueWorkStatus.FAILED))
        skipped = queryset.count() - len(failed)
        retried = 0
        for work in failed:
            if due_work_retry(work=work, acting_user=request.user):
                retried += 1
            else:
                skipped += 1
        if retried:
            self.message_user(request, f"已重新提交 {retried} 个失败任务，立即执行。",
                              messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} 个任务不是失败状态，未处理。", messages.WARNING)


@admin.register(BatchStepRun)
class BatchStepRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """日终批处理: each business date's steps, what they did and why one stopped. Read-only: a
    failed step is fixed in code or data and rerun with ``manage.py run_nightly_batch --date``.
    """

    list_display = ("business_date", "step_display", "status", "count", "duration_seconds",
                    "attempts", "started_at", "finished_at", "last_error")
    list_filter = ("status", "business_date", "step")
    search_fields = ("step",)
    date_hierarchy = "business_date"
    ordering = ("-business_date", "started_at", "step")

    @admin.display(description="批处理步骤", ordering="step")
    def step_display(self, run: BatchStepRun) -> str:
        return step_label(run.step)

    @admin.display(description="耗时（秒）", ordering="duration")
    def duration_seconds(self, run: BatchStepRun) -> str:
        return "-" if run.duration is None else f"{run.duration.total_seconds():.3f}"
