"""Deposits in the staff admin: 存款利率表, 定期存款 and 活期积数.

* 存款利率表: every member of staff reads it; only 总行管理员 working at head office add rows, and
  change or delete a row only while it is editable (``rates.rate_row_editable``: not yet in
  force, used by no deposit). Every save goes through ``rates.rate_add`` / ``rate_change`` /
  ``rate_delete`` (audited); the form runs the same checks so a refusal shows on it.
* 定期存款: read-only and branch-scoped like the sub-accounts that hold them; changes are the
  customer's (X-CONFIRM) or the nightly batch's, never an admin edit.
* 活期积数: read-only, head office's (the nightly batch writes it).

Who may read is decided by the staff role (``security.staff.roles``), not by per-model
permissions, so the role groups need no deposits rows.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.errors import BusinessError
from security.staff.scoping import BranchScopedAdminMixin, head_office

from .models import CurrentAccrual, Deposit, DepositRate
from .rates import (
    PRODUCT_TERMS,
    rate_add,
    rate_change,
    rate_delete,
    rate_row_editable,
    rate_text,
    rate_validate,
    term_text,
)

TERM_CHOICES = [(months, term_text(months))
                for months in sorted({t for terms in PRODUCT_TERMS.values() for t in terms})]


# --- 存款利率表 ---------------------------------------------------------------------------------


class DepositRateForm(forms.ModelForm):
    term_months = forms.TypedChoiceField(
        label="期限", choices=TERM_CHOICES, coerce=int,
        help_text="活期、通知存款为无固定期限；整存整取三个月至五年；零存整取、存本取息一年、三年、五年；"
                  "悠悦宝、零存宝、利先得一年")

    class Meta:
        model = DepositRate
        fields = ["product", "term_months", "annual_rate", "effective_from"]

    # Help for the one filling the form in (set on the fields, not in Meta, so a read-only page
    # does not show it).
    HELP = {"annual_rate": "百分比，如 1.20 即年利率 1.20%",
            "effective_from": "最早为明天：已生效的利率不能更改，调整利率请录入新的生效日期"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in self.HELP.items():
            if name in self.fields:
                self.fields[name].help_text = text

    def clean(self):
        # The service's checks are the one set of rules (range, term, date, one row a day), so
        # ModelForm's own unique/constraint pass (super().clean()) is not asked to repeat them.
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        row = self.instance if self.instance.pk else None
        try:
            cleaned["annual_rate"] = rate_validate(
                product=cleaned.get("product", row.product if row else ""),
                term_months=cleaned.get("term_months", row.term_months if row else 0),
                annual_rate=cleaned["annual_rate"], effective_from=cleaned["effective_from"],
                today=timezone.localdate(), replacing=row)
        except BusinessError as exc:
            raise ValidationError(exc.message) from exc
        return cleaned


class TermFilter(admin.SimpleListFilter):
    title = "期限"
    parameter_name = "term"

    def lookups(self, request, model_admin):
        return [(str(months), label) for months, label in TERM_CHOICES]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None or not value.isdigit():
            return queryset
        return queryset.filter(term_months=int(value))


@admin.register(DepositRate)
class DepositRateAdmin(admin.ModelAdmin):
    form = DepositRateForm
    list_display = ("product", "term_shown", "rate_shown", "effective_from", "state",
                    "deposit_count", "created_at")
    list_filter = ("product", TermFilter)
    readonly_fields = ("term_shown", "rate_shown", "state", "deposit_count", "created_at",
                       "created_by")

    def get_queryset(self, request):
        in_force_since = (DepositRate.objects
                          .filter(product=OuterRef("product"), term_months=OuterRef("term_months"),
                                  effective_from__lte=timezone.localdate())
                          .order_by("-effective_from").values("effective_from")[:1])
        return super().get_queryset(request).annotate(
            used_by=Count("deposits"), in_force_since=Subquery(in_force_since))

    @admin.display(description="期限", ordering="term_months")
    def term_shown(self, row: DepositRate) -> str:
        return term_text(row.term_months)

    @admin.display(description="年利率", ordering="annual_rate")
    def rate_shown(self, row: DepositRate) -> str:
        return rate_text(row.annual_rate)

    @admin.display(description="状态")
    def state(self, row: DepositRate) -> str:
        if row.effective_from > timezone.localdate():
            return "未生效"
        since = getattr(row, "in_force_since", None)
        return "执行中" if since == row.effective_from else "已调整"

    @admin.display(description="使用笔数")
    def deposit_count(self, row: DepositRate) -> int:
        used = getattr(row, "used_by", None)
        return row.deposits.count() if used is None else used

    @admin.display(description="录入人")
    def created_by(self, row: DepositRate) -> str:
        if row.created_by_id is None:
            return "系统初始化"
        user = get_user_model().objects.filter(pk=row.created_by_id).first()
        if user is None:
            return str(row.created_by_id)
        return user.get_full_name() or user.get_username()

    # --- who may do what ---

    # Reading and writing are the roles' permissions (security.staff.roles: every role reads,
    # 总行管理员 writes) — already loaded for the page, no query of their own — and a writer
    # works at head office too; the services check the role again (rates.rate_staff_may_edit).
    def has_add_permission(self, request):
        return super().has_add_permission(request) and head_office(request.user)

    def has_change_permission(self, request, obj=None):
        if not (super().has_change_permission(request, obj) and head_office(request.user)):
            return False
        return obj is None or rate_row_editable(obj, timezone.localdate())

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_actions(self, request):
        # One row at a time, through rate_delete (the bulk action would bypass the service).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- the form ---

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["product", "term_months", "annual_rate", "effective_from"]
        about = ["state", "deposit_count", "created_at", "created_by"]
        if self.has_change_permission(request, obj):
            # Product and term are the row's identity: correct the figure or the date.
            return ["product", "term_shown", "annual_rate", "effective_from", *about]
        return ["product", "term_shown", "rate_shown", "effective_from", *about]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # term_months too: the form declares it, so only a read-only name keeps it off the form.
        return ("product", "term_months", *self.readonly_fields)

    # --- writes, each through its service ---

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                saved = rate_change(row=obj, annual_rate=data["annual_rate"],
                                    effective_from=data["effective_from"],
                                    acting_user=request.user)
            else:
                saved = rate_add(product=data["product"], term_months=data["term_months"],
                                 annual_rate=data["annual_rate"],
                                 effective_from=data["effective_from"], acting_user=request.user)
        except BusinessError as exc:  # the form checked the same rules: a race, said plainly
            raise PermissionDenied(exc.message) from exc
        # The admin logs and redirects with the object it handed us: make it the saved row.
        obj.pk = saved.pk
        obj.created_at = saved.created_at
        obj.created_by_id = saved.created_by_id
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            rate_delete(row=obj, acting_user=request.user)
        except BusinessError as exc:
            raise PermissionDenied(exc.message) from exc


# --- 定期存款 -----------------------------------------------------------------------------------


@admin.register(Deposit)
class DepositAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin,
                   admin.ModelAdmin):
    branch_path = "sub_account__medium__customer__branch"
    list_display = ("sub_account", "customer_name", "product", "term_shown", "principal_cny",
                    "rate_shown", "opened_on", "matures_on", "status")
    list_select_related = ("sub_account__medium__customer",)
    list_filter = ("product", "status", "auto_rollover")
    search_fields = ("=sub_account__medium__number", "=sub_account__medium__customer__cif_no")
    fields = ("sub_account", "customer_name", "product", "term_shown", "principal_cny",
              "rate_shown", "opened_on", "value_date", "matures_on", "auto_rollover",
              "rollover_with_interest", "rollovers", "interest_account", "payout_frequency",
              "payouts_made", "interest_paid_cny", "monthly_amount_cny", "instalments_made",
              "defaulted", "notice_amount_cny", "notice_given_on", "status", "closed_on")
    readonly_fields = fields

    principal_cny = money_column("principal", "本金", ordering="principal")
    interest_paid_cny = money_column("interest_paid", "已付利息")
    monthly_amount_cny = money_column("monthly_amount", "每月存额")
    notice_amount_cny = money_column("notice_amount", "通知金额")

    def audit_customer_id(self, obj):
        return obj.sub_account.medium.customer_id

    @admin.display(description="客户", ordering="sub_account__medium__customer__name")
    def customer_name(self, deposit: Deposit) -> str:
        return str(deposit.sub_account.medium.customer)

    @admin.display(description="存期", ordering="term_months")
    def term_shown(self, deposit: Deposit) -> str:
        return term_text(deposit.term_months)

    @admin.display(description="执行利率", ordering="annual_rate")
    def rate_shown(self, deposit: Deposit) -> str:
        return rate_text(deposit.annual_rate)


# --- 活期积数 -----------------------------------------------------------------------------------


@admin.register(CurrentAccrual)
class CurrentAccrualAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sub_account", "period_start", "accrued_through", "accrued_shown")
    list_select_related = ("sub_account__medium",)
    search_fields = ("=sub_account__medium__number",)
    fields = ("sub_account", "period_start", "accrued_through", "accrued_shown")
    readonly_fields = fields

    @admin.display(description="积数（元）", ordering="accrued")
    def accrued_shown(self, accrual: CurrentAccrual) -> str:
        return f"{accrual.accrued:,.2f}"

    # Every branch's accounts, written by the nightly batch: head office reads them (only the
    # 总行管理员 role has the view permission), at head office.
    def has_module_permission(self, request):
        return super().has_module_permission(request) and head_office(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and head_office(request.user)
