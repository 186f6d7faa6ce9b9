"""复核申请 in the staff admin: the 待复核 queue, the detail an approver reads, and the decision.

The list is scoped to the branch (head office: all) and opens on 待复核. The detail shows the
request's rows as the maker's confirmation would, with 复核通过 / 拒绝 (a reason) for whoever may
decide it and 撤回 for its maker. Rows are read-only in the admin: its change form cannot change a
request (no change permission); every decision is a POST to one of the views below, and the
service decides whether this person may make it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from ebank.core.admin_mixins import ReadOnlyAdminMixin
from ebank.core.errors import BusinessError
from security.models import ApprovalRequest, ApprovalStatus

from ..admin_index import WorkstationLink, workstation_entry
from ..roles import Role, has_role
from ..scoping import head_office
from .registry import approval_kind_label, approval_kinds
from .services import (
    approval_approve,
    approval_refusal,
    approval_reject,
    approval_withdraw,
    approvals_visible_to,
)


class RejectForm(forms.Form):
    reason = forms.CharField(label="拒绝原因", max_length=200,
                             error_messages={"required": "请填写拒绝原因"},
                             widget=forms.TextInput(attrs={"size": 60}))


class KindFilter(admin.SimpleListFilter):
    title = "复核事项"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(code, kind.label) for code, kind in sorted(approval_kinds().items())]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class StatusFilter(admin.SimpleListFilter):
    """Opens on 待复核: the queue is what a supervisor comes for."""

    title = "状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*ApprovalStatus.choices, ("all", "全部")]

    def queryset(self, request, queryset):
        value = self.value() or ApprovalStatus.PENDING
        # A request past its time is 已过期 here before the nightly step marks it (a GET
        # changes nothing): 待复核 lists only what can still be decided.
        now = timezone.now()
        if value == ApprovalStatus.PENDING:
            return queryset.filter(status=value, expires_at__gt=now)
        if value == ApprovalStatus.EXPIRED:
            return queryset.filter(Q(status=value) | Q(status=ApprovalStatus.PENDING,
                                                      expires_at__lte=now))
        return queryset if value == "all" else queryset.filter(status=value)

    def choices(self, changelist):
        current = self.value() or ApprovalStatus.PENDING
        for value, label in self.lookup_choices:
            yield {"selected": current == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("requested_at", "kind_display", "customer", "branch", "requested_by",
                    "status_display", "expires_at", "decided_by", "open_link")
    list_filter = (StatusFilter, KindFilter)
    list_select_related = ("customer", "branch", "requested_by", "decided_by")
    search_fields = ("=customer__cif_no", "customer__name", "requested_by__username")
    date_hierarchy = "requested_at"

    def get_queryset(self, request):
        return approvals_visible_to(request.user)

    def get_list_filter(self, request):
        if head_office(request.user):
            return (*self.list_filter, "branch")
        return self.list_filter

    @admin.display(description="状态", ordering="status")
    def status_display(self, obj):
        if obj.status == ApprovalStatus.PENDING and obj.expires_at <= timezone.now():
            return ApprovalStatus.EXPIRED.label
        return obj.get_status_display()

    @admin.display(description="复核事项", ordering="kind")
    def kind_display(self, obj):
        return approval_kind_label(obj.kind)

    @admin.display(description="")
    def open_link(self, obj):
        url = reverse("admin:security_approvalrequest_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url,
                           "复核" if obj.status == ApprovalStatus.PENDING else "查看")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/approve/", view(self.approve_view),
                 name="security_approvalrequest_approve"),
            path("<int:object_id>/reject/", view(self.reject_view),
                 name="security_approvalrequest_reject"),
            path("<int:object_id>/withdraw/", view(self.withdraw_view),
                 name="security_approvalrequest_withdraw"),
            *super().get_urls(),
        ]

    def _request_or_404(self, request, object_id) -> ApprovalRequest:
        try:
            return self.get_queryset(request).get(pk=int(object_id))
        except (ApprovalRequest.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404("复核申请不存在") from exc

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The detail an approver reads (a GET; the admin's own change form is never shown)."""
        if request.method != "GET":
            raise PermissionDenied
        if not self.has_view_permission(request):
            raise PermissionDenied
        item = self._request_or_404(request, object_id)
        return self._detail(request, item, RejectForm())

    def _detail(self, request, item: ApprovalRequest, reject_form, status=200):
        refusal = approval_refusal(item, request.user)
        pending = (item.status == ApprovalStatus.PENDING
                   and item.expires_at > timezone.now())
        receipt = (item.result or {}).get("receipt")
        return TemplateResponse(request, "admin/security/approvalrequest/detail.html", {
            **self.admin_site.each_context(request), "opts": self.opts,
            "title": f"复核申请：{approval_kind_label(item.kind)}", "item": item,
            "kind_label": approval_kind_label(item.kind),
            "status_label": self.status_display(item),
            "may_decide": pending and refusal is None,
            "refusal": refusal if pending else None,
            "may_withdraw": pending and item.requested_by_id == request.user.pk,
            "reject_form": reject_form,
            "receipt_url": reverse("admin:counter_receipt", kwargs={"number": receipt})
            if receipt else None,
        }, status=status)

    @staticmethod
    def _done(request, item: ApprovalRequest):
        label = approval_kind_label(item.kind)
        if item.status == ApprovalStatus.APPROVED:
            messages.success(request, f"{label}：复核通过，已执行")
        elif item.status == ApprovalStatus.FAILED:
            messages.error(request, f"{label}：复核通过，但执行失败：{item.reason}")
        elif item.status == ApprovalStatus.REJECTED:
            messages.success(request, f"{label}：已拒绝")
        elif item.status == ApprovalStatus.WITHDRAWN:
            messages.success(request, f"{label}：已撤回")
        return redirect("admin:security_approvalrequest_change", item.pk)

    def _decide(self, request, object_id, decide):
        item = self._request_or_404(request, object_id)
        try:
            return self._done(request, decide(item))
        except BusinessError as exc:
            messages.error(request, exc.message)
            return redirect("admin:security_approvalrequest_change", item.pk)

    @method_decorator(require_POST)
    def approve_view(self, request, object_id):
        return self._decide(request, object_id, lambda item: approval_approve(
            public_id=item.public_id, checker=request.user))

    @method_decorator(require_POST)
    def reject_view(self, request, object_id):
        item = self._request_or_404(request, object_id)
        form = RejectForm(request.POST)
        if not form.is_valid():
            return self._detail(request, item, form, status=200)
        try:
            item = approval_reject(public_id=item.public_id, checker=request.user,
                                   reason=form.cleaned_data["reason"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
            return self._detail(request, item, form)
        return self._done(request, item)

    @method_decorator(require_POST)
    def withdraw_view(self, request, object_id):
        return self._decide(request, object_id, lambda item: approval_withdraw(
            public_id=item.public_id, maker=request.user))


@workstation_entry(25)
def approvals_entry(request) -> WorkstationLink | None:
    """待复核 on the index: for whoever may approve, the branch's requests waiting (their own
    excluded: they cannot check those); for a teller, their own requests still waiting."""
    staff = request.user
    if not staff.has_perm("security.view_approvalrequest"):
        return None
    url = reverse("admin:security_approvalrequest_changelist")
    waiting = approvals_visible_to(staff).filter(status=ApprovalStatus.PENDING,
                                                 expires_at__gt=timezone.now())
    if has_role(staff, Role.SUPERVISOR, Role.HEAD_OFFICE):
        count = waiting.exclude(requested_by=staff).count()
        return WorkstationLink("待复核", url, f"待我复核 {count} 笔" if count else "没有待复核的申请",
                               alert=count)
    mine = waiting.filter(requested_by=staff).count()
    return WorkstationLink("复核申请", url,
                           f"本人提交、等待复核 {mine} 笔" if mine else "本人没有等待复核的申请")
