"""缴费对账 and 代收款项结算 in the staff admin (head office's 清算 and 账务 areas).

Runs and settlements are read only (what the command and the nightly batch did). Differences are
read only too, except staff's 标记已处理: the action takes the 处理说明 typed beside it and
resolves the selected 待处理 rows (payments.reconcile.services.difference_resolve, audited).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.errors import BusinessError

from ..models import BillerSettlement, ReconcileDifference, ReconcileRun
from .services import NOTE_MAX, difference_resolve


@admin.register(ReconcileRun)
class ReconcileRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("business_date", "biller", "status", "our_count", "our_amount_cny",
                    "their_count", "their_amount_cny", "matched_count", "difference_count",
                    "ran_at", "runs")
    list_filter = ("status", "biller", "business_date")
    list_select_related = ("biller",)
    date_hierarchy = "business_date"
    our_amount_cny = money_column("our_amount", "我方成功金额")
    their_amount_cny = money_column("their_amount", "对方金额")


class ResolveForm(ActionForm):
    note = forms.CharField(label="处理说明", max_length=NOTE_MAX, required=False)


@admin.register(ReconcileDifference)
class ReconcileDifferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "biller", "business_date", "kind", "customer_no",
                    "our_amount_cny", "our_status", "their_amount_cny", "their_reference",
                    "status", "note", "resolved_by", "resolved_at")
    list_filter = ("status", "kind", "run__biller", "run__business_date")
    list_select_related = ("run__biller", "resolved_by")
    search_fields = ("reference", "customer_no", "their_reference")
    action_form = ResolveForm
    actions = ["resolve"]
    our_amount_cny = money_column("our_amount", "我方金额")
    their_amount_cny = money_column("their_amount", "对方金额")

    @admin.display(description="缴费单位", ordering="run__biller__code")
    def biller(self, obj):
        return obj.run.biller

    @admin.display(description="对账日期", ordering="run__business_date")
    def business_date(self, obj):
        return obj.run.business_date

    def has_resolve_permission(self, request):
        return request.user.has_perm("payments.change_reconciledifference")

    @admin.action(description="标记已处理", permissions=["resolve"])
    def resolve(self, request, queryset):
        try:
            count = difference_resolve(difference_ids=queryset.values_list("pk", flat=True),
                                       user=request.user, note=request.POST.get("note", ""))
        except BusinessError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"已处理 {count} 笔差异", messages.SUCCESS)


@admin.register(BillerSettlement)
class BillerSettlementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("business_date", "biller", "count", "amount_cny", "entry_id", "settled_at")
    list_filter = ("biller", "business_date")
    list_select_related = ("biller",)
    amount_cny = money_column("amount", "结算金额")
