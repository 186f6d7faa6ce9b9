"""快捷支付 in the staff admin (imported from PaymentsConfig.ready()).

协议 and 支付记录 are read-only and scoped to the teller's branch (行社): agreements change only
through the customer (签约 at the merchant, 限额修改, 撤销协议) and, here, through one staff
action — 撤销协议 with a reason (the customer's request at the counter, a suspected fraud), the
same revoke service with an audit row naming the staff member. The merchants are the bank's
registry (head office's 清算 area), registered by quickpay_merchant_register.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.errors import BusinessError
from ebank.core.proxy import client_ip
from security.staff.scoping import BranchScopedAdminMixin

from ..models import QuickPayAgreement, QuickPayAgreementStatus, QuickPayDebit, QuickPayMerchant
from .services import quickpay_staff_revoke

REVOKE_PERMISSION = "payments.change_quickpayagreement"


class MerchantFilter(admin.SimpleListFilter):
    """商户: the registered merchants by name (one query for the registry)."""

    title = "商户/支付机构"
    parameter_name = "merchant"

    def lookups(self, request, model_admin):
        return list(QuickPayMerchant.objects.order_by("code").values_list("code", "name"))

    def queryset(self, request, queryset):
        return queryset.filter(merchant_code=self.value()) if self.value() else queryset


class SettledFilter(admin.SimpleListFilter):
    title = "结算状态"
    parameter_name = "settled"

    def lookups(self, request, model_admin):
        return [("no", "待结算"), ("yes", "已结算")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(settled_on__isnull=True)
        if self.value() == "yes":
            return queryset.filter(settled_on__isnull=False)
        return queryset


class StaffRevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请输入撤销原因",
                                             "max_length": "撤销原因最多200个字"})


@admin.register(QuickPayAgreement)
class QuickPayAgreementAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    branch_path = "customer__branch"
    list_display = ("number", "customer", "medium_masked", "merchant_name", "single_limit_cny",
                    "daily_limit_cny", "status", "signed_at", "revoke_link")
    list_select_related = ("customer", "medium")
    list_filter = ("status", MerchantFilter)
    search_fields = ("=number", "=customer__cif_no", "customer__name")
    date_hierarchy = "signed_at"
    fields = ("number", "customer", "medium_masked", "merchant_code", "merchant_name",
              "single_limit_cny", "daily_limit_cny", "status", "signed_at", "revoked_at")
    readonly_fields = fields

    single_limit_cny = money_column("single_limit", "单笔限额", ordering="single_limit")
    daily_limit_cny = money_column("daily_limit", "日累计限额", ordering="daily_limit")

    def audit_customer_id(self, obj):
        return obj.customer_id

    @admin.display(description="关联账户")
    def medium_masked(self, obj):
        return obj.medium.masked_number

    @admin.display(description="操作")
    def revoke_link(self, obj):
        if obj.status != QuickPayAgreementStatus.ACTIVE:
            return ""
        url = reverse("admin:payments_quickpayagreement_revoke", args=[obj.pk])
        return format_html('<a href="{}">撤销协议</a>', url)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not request.user.has_perm(REVOKE_PERMISSION):  # no link to a page that says 403
            shown = tuple(name for name in shown if name != "revoke_link")
        return shown

    def get_urls(self):
        return [path("<int:agreement_id>/revoke/", self.admin_site.admin_view(self.revoke_view),
                     name="payments_quickpayagreement_revoke"), *super().get_urls()]

    def revoke_view(self, request, agreement_id):
        if not request.user.has_perm(REVOKE_PERMISSION):
            raise PermissionDenied
        # Through the scoped queryset: another branch's agreement "does not exist".
        agreement = self.get_object(request, str(agreement_id))
        if agreement is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(agreement_id))
        form = StaffRevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                quickpay_staff_revoke(staff=request.user, agreement=agreement,
                                      reason=form.cleaned_data["reason"], ip=client_ip(request))
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"快捷支付协议{agreement.number}已撤销，"
                                          f"{agreement.merchant_name}不能再通过该协议扣款")
                return redirect("admin:payments_quickpayagreement_changelist")
        return TemplateResponse(request, "admin/payments/quickpayagreement/revoke.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "撤销快捷支付协议",
            "agreement": agreement, "form": form,
            "active": agreement.status == QuickPayAgreementStatus.ACTIVE,
        })


@admin.register(QuickPayDebit)
class QuickPayDebitAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    branch_path = "agreement__customer__branch"
    list_display = ("number", "customer_display", "merchant_display", "order_no", "amount_cny",
                    "status", "business_date", "settled_on", "created_at")
    list_select_related = ("agreement__customer",)
    list_filter = ("status", MerchantFilter, SettledFilter, "business_date")
    search_fields = ("=number", "=order_no", "=agreement__number",
                     "=agreement__customer__cif_no", "agreement__customer__name")
    date_hierarchy = "created_at"
    fields = ("number", "agreement", "customer_display", "merchant_display", "order_no",
              "amount_cny", "status", "sub_account", "entry_id", "receipt_number",
              "business_date", "created_at", "settled_on", "settlement_entry_id")
    readonly_fields = fields

    amount_cny = money_column("amount", "金额", ordering="amount")

    def audit_customer_id(self, obj):
        return obj.agreement.customer_id

    @admin.display(description="客户", ordering="agreement__customer__name")
    def customer_display(self, obj):
        return obj.agreement.customer

    @admin.display(description="商户/支付机构")
    def merchant_display(self, obj):
        return obj.agreement.merchant_name


@admin.register(QuickPayMerchant)
class QuickPayMerchantAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "balance_cny", "active", "registered_at")
    list_select_related = ("collection_account",)
    search_fields = ("=code", "name")
    fields = ("code", "name", "collection_account", "balance_cny", "active", "registered_at")
    readonly_fields = fields

    balance_cny = money_column("collection_account.balance", "收款户余额")
