"""自助缴费 in the staff admin.

* 缴费记录 (BillPayment): read-only, scoped to the teller's branch; filters by kind, status,
  biller and 人工核查 — payments the biller never answered for after every re-query
  (``needs_review``) and any still 处理中 after an hour, which staff check with the biller.
  Payments change only through the confirmation and the write-off (ledger, audited) — and
  staff's 人工核查 actions on 处理中 ones (payments.bills.staff, audited; 人工核查 listed first):
  重新查询缴费单位 (every staff who sees the payment), 确认已销账 and 确认未销账并冲正 (主管 and
  总行管理员, with the 核查说明 typed beside the action).
* 缴费单位 (Biller) and 地区缴费单位 (BranchBiller): every staff role reads them, head office
  edits (audited). A new biller is registered through ``biller_register``, which opens its two
  ledger books (代收款项 and 收款户) the one way every biller gets them; code and kind are then
  fixed.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Q
from django.utils import timezone

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.errors import BusinessError
from security.staff.scoping import BranchScopedAdminMixin, StaffAuditMixin, head_office

from .bills import staff as bills_staff
from .models import Biller, BillPayment, BillPaymentStatus, BranchBiller
from .services import biller_register

LONG_PROCESSING = timedelta(hours=1)


class ReviewFilter(admin.SimpleListFilter):
    title = "人工核查"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("yes", "需人工核查")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            stale = timezone.now() - LONG_PROCESSING
            return queryset.filter(Q(needs_review=True)
                                   | Q(status=BillPaymentStatus.PROCESSING,
                                       submitted_at__lt=stale))
        return queryset


class ReviewActionForm(ActionForm):
    note = forms.CharField(label="核查说明", max_length=bills_staff.NOTE_MAX, required=False)


@admin.register(BillPayment)
class BillPaymentAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "customer", "kind", "biller", "customer_no", "amount_cny",
                    "status", "needs_review", "submitted_at")
    list_select_related = ("customer", "biller")
    list_filter = (ReviewFilter, "needs_review", "status", "kind", "biller")
    ordering = ("-needs_review", "-submitted_at", "-id")  # 人工核查 first
    action_form = ReviewActionForm
    actions = ["requery", "confirm_paid", "confirm_reversed"]
    search_fields = ("=number", "=customer_no", "=customer__cif_no", "customer__name",
                     "=biller_reference")
    date_hierarchy = "submitted_at"
    fields = ("number", "customer", "user", "kind", "biller", "customer_no",
              "payer_name_masked", "sub_account", "amount_cny", "status", "needs_review",
              "period", "tax_detail_count", "treasury_serial", "biller_reference", "entry_id",
              "reversal_entry_id", "failure_reason", "limit_day", "submitted_at",
              "business_date", "finished_at", "review_note", "reviewed_by", "reviewed_at")
    readonly_fields = fields

    amount_cny = money_column("amount", "缴费金额", ordering="amount")

    def audit_customer_id(self, obj):
        return obj.customer_id

    def has_confirm_permission(self, request):
        return bills_staff.may_confirm(request.user)

    def _each(self, request, queryset, act) -> None:
        """``act(payment_id)`` for each selected payment, its own transaction; then one
        message per outcome."""
        done: dict[str, list[str]] = {}
        for pk, number in queryset.order_by("pk").values_list("pk", "number"):
            try:
                outcome = act(pk)
            except BusinessError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            done.setdefault(outcome, []).append(number)
        words = {bills_staff.PAID: ("已确认缴费成功", messages.SUCCESS),
                 bills_staff.REVERSED: ("已冲正，款项已退回客户账户", messages.SUCCESS),
                 bills_staff.UNKNOWN: ("缴费单位仍未返回销账结果，状态未变", messages.WARNING),
                 bills_staff.SKIPPED: ("不是处理中的缴费，未作处理", messages.WARNING)}
        for outcome, numbers in done.items():
            text, level = words[outcome]
            self.message_user(request, f"{text}：{'、'.join(numbers)}", level)

    @admin.action(description="重新查询缴费单位", permissions=["view"])
    def requery(self, request, queryset):
        self._each(request, queryset, lambda pk: bills_staff.bill_staff_requery(
            payment_id=pk, staff=request.user))

    @admin.action(description="确认已销账", permissions=["confirm"])
    def confirm_paid(self, request, queryset):
        self._confirm(request, queryset, paid=True)

    @admin.action(description="确认未销账并冲正", permissions=["confirm"])
    def confirm_reversed(self, request, queryset):
        self._confirm(request, queryset, paid=False)

    def _confirm(self, request, queryset, *, paid: bool) -> None:
        note = request.POST.get("note", "")
        try:
            bills_staff.note_check(note)
        except BusinessError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self._each(request, queryset, lambda pk: bills_staff.bill_staff_confirm(
            payment_id=pk, staff=request.user, paid=paid, note=note))


class HeadOfficeEdits(StaffAuditMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return super().has_add_permission(request) and head_office(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and head_office(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # payments point at them: 停用 (active) instead


class BillerAddForm(forms.ModelForm):
    class Meta:
        model = Biller
        fields = ["code", "kind", "name", "active"]


@admin.register(Biller)
class BillerAdmin(HeadOfficeEdits):
    list_display = ("code", "name", "kind", "active", "settlement_account")
    list_select_related = ("settlement_account",)
    list_filter = ("kind", "active")
    search_fields = ("=code", "name")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BillerAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["code", "kind", "name", "active"]
        return ["code", "kind", "name", "active", "settlement_account", "collection_account"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["code", "kind", "settlement_account", "collection_account"]

    def save_model(self, request, obj, form, change):
        if not change:
            # The ledger books opened the one way (biller_register); no region yet.
            registered = biller_register(code=obj.code, kind=obj.kind, name=obj.name,
                                         branch_codes=())
            obj.pk = registered.pk
            obj.settlement_account_id = registered.settlement_account_id
            obj.collection_account_id = registered.collection_account_id
        super().save_model(request, obj, form, change)


@admin.register(BranchBiller)
class BranchBillerAdmin(HeadOfficeEdits):
    list_display = ("branch_code", "kind", "biller")
    list_select_related = ("biller",)
    list_filter = ("kind",)
    search_fields = ("=branch_code", "biller__name")

    def has_delete_permission(self, request, obj=None):
        return head_office(request.user) and request.user.has_perm("payments.delete_branchbiller")
