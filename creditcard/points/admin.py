"""积分管理 in the staff admin (imported from CreditcardConfig.ready()).

* 积分礼品 — head office adds and changes the catalogue (所需积分, 库存, 上架; every write
  audited, StaffAuditMixin); nobody deletes a gift (兑换 rows keep it).
* 积分兑换 — read-only, scoped to the branch; a supervisor marks an 已受理 redemption 已发货 or
  撤销 it (with a reason). A 撤销 gives the points back to the lots they were taken from, each
  with its own expiry (points of a lot already past it lapse), and the quantity back to the
  stock; both actions are audited (积分兑换发货 / 积分兑换撤销).
* 积分变动 — read-only, scoped to the branch.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ebank.core.admin_mixins import ReadOnlyAdminMixin
from ebank.core.errors import BusinessError
from ebank.core.proxy import client_ip
from security.staff.scoping import BranchScopedAdminMixin, StaffAuditMixin

from ..models import Gift, PointsMove, Redemption, RedemptionStatus
from .services import redemption_cancel, redemption_ship

HANDLE_PERMISSION = "creditcard.change_redemption"


@admin.register(Gift)
class GiftAdmin(StaffAuditMixin, admin.ModelAdmin):
    list_display = ("code", "name", "points", "stock", "active")
    list_filter = ("active",)
    search_fields = ("=code", "name")
    fields = ("code", "name", "points", "stock", "description", "active")

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()


class CancelForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请输入撤销原因",
                                             "max_length": "撤销原因最多200个字"})


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "customer", "gift", "quantity", "points", "recipient",
                    "redeemed_on", "status", "actions_link")
    list_select_related = ("customer", "gift")
    list_filter = ("status", "redeemed_on")
    search_fields = ("=number", "=customer__cif_no", "customer__name", "recipient")
    date_hierarchy = "redeemed_on"
    fields = ("number", "customer", "gift", "quantity", "points", "recipient", "phone",
              "address", "postcode", "status", "redeemed_on", "created_at")
    readonly_fields = fields

    def audit_customer_id(self, obj):
        return obj.customer_id

    @admin.display(description="操作")
    def actions_link(self, obj):
        if obj.status != RedemptionStatus.ACCEPTED:
            return ""
        url = reverse("admin:creditcard_redemption_handle", args=[obj.pk])
        return format_html('<a href="{}">发货/撤销</a>', url)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not request.user.has_perm(HANDLE_PERMISSION):
            shown = tuple(name for name in shown if name != "actions_link")
        return shown

    def get_urls(self):
        return [path("<int:redemption_id>/handle/",
                     self.admin_site.admin_view(self.handle_view),
                     name="creditcard_redemption_handle"), *super().get_urls()]

    def handle_view(self, request, redemption_id):
        if not request.user.has_perm(HANDLE_PERMISSION):
            raise PermissionDenied
        redemption = self.get_object(request, str(redemption_id))
        if redemption is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(redemption_id))
        action = request.POST.get("action", "") if request.method == "POST" else ""
        form = CancelForm(request.POST if action == "cancel" else None)
        if action == "ship":
            try:
                redemption_ship(staff=request.user, redemption=redemption, ip=client_ip(request))
            except BusinessError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"兑换{redemption.number}已标记为已发货")
                return redirect("admin:creditcard_redemption_changelist")
        elif action == "cancel" and form.is_valid():
            try:
                _, given, lapsed = redemption_cancel(
                    staff=request.user, redemption=redemption,
                    reason=form.cleaned_data["reason"], ip=client_ip(request))
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                note = f"，{lapsed}分已过有效期未退回" if lapsed else ""
                messages.success(request, f"兑换{redemption.number}已撤销，退回积分{given}分{note}")
                return redirect("admin:creditcard_redemption_changelist")
        return TemplateResponse(request, "admin/creditcard/redemption/handle.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "积分兑换发货/撤销",
            "redemption": redemption, "form": form,
            "open": redemption.status == RedemptionStatus.ACCEPTED,
        })


@admin.register(PointsMove)
class PointsMoveAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = ("moved_on", "customer", "kind", "points", "description", "reference")
    list_select_related = ("customer",)
    list_filter = ("kind", "moved_on")
    search_fields = ("=customer__cif_no", "customer__name", "=reference")
    date_hierarchy = "moved_on"
    fields = ("customer", "kind", "points", "moved_on", "description", "reference", "created_at")
    readonly_fields = fields

    def audit_customer_id(self, obj):
        return obj.customer_id
