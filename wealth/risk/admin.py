"""风险测评 in the staff admin (imported from WealthConfig.ready()).

* 风险测评题目 with its 选项 inline — head office (总行管理员) adds and changes the questionnaire;
  tellers read it. A question is retired by clearing 启用, never deleted (nobody deletes: the
  results keep their own copy of the texts anyway). Every write is audited (StaffAuditMixin).
* 风险测评记录 — read-only, scoped to the customer's branch, searchable by customer.
"""

from django.contrib import admin
from django.utils.html import format_html_join

from ebank.core.admin_mixins import ReadOnlyAdminMixin
from security.staff.scoping import BranchScopedAdminMixin, StaffAuditMixin

from ..models import RiskAssessment, RiskChoice, RiskQuestion


class RiskChoiceInline(admin.TabularInline):
    model = RiskChoice
    fields = ("order", "text", "score")
    extra = 0
    min_num = 1


@admin.register(RiskQuestion)
class RiskQuestionAdmin(StaffAuditMixin, admin.ModelAdmin):
    inlines = (RiskChoiceInline,)
    list_display = ("order", "text", "choice_count", "max_score", "active")
    list_display_links = ("order", "text")
    list_filter = ("active",)
    search_fields = ("text",)
    fields = ("order", "text", "active")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("choices")

    @admin.display(description="选项数")
    def choice_count(self, question: RiskQuestion) -> int:
        return len(question.choices.all())

    @admin.display(description="最高分值")
    def max_score(self, question: RiskQuestion) -> int | str:
        return max((choice.score for choice in question.choices.all()), default="-")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = ("customer", "level", "score", "taken_at", "valid_until")
    list_select_related = ("customer",)
    list_filter = ("level",)
    search_fields = ("=customer__cif_no", "customer__name")
    date_hierarchy = "taken_at"
    fields = ("customer", "level", "score", "taken_at", "valid_until", "answer_lines")
    readonly_fields = fields

    def audit_customer_id(self, obj):
        return obj.customer_id

    @admin.display(description="答题记录")
    def answer_lines(self, assessment: RiskAssessment):
        items = (assessment.answers or {}).get("items", [])
        if not items:
            return "-"
        return format_html_join(
            "", "<p>{}. {}：{}（{}分）</p>",
            ((item["order"], item["question"], item["choice"], item["score"]) for item in items))
