"""贷款业务 in the staff admin: the 借据 side, read-only (docs/loans.md).

* 电子借据 (Loan) with its 还款计划 inline (the current schedule first, then the periods a
  prepayment retired);
* 还款记录, 贷款扣款记录 (the nightly deduction, step 430) and 罚息复利计提 (step 440).

Every list is scoped to the teller's branch (head office sees all). Nothing here writes: money
moves only through the services. The shelf, the rates, the settings and the applications have
their admins in loans/review/.
"""

from django.contrib import admin

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from security.staff.scoping import BranchScopedAdminMixin

from .models import Accrual, Deduction, Instalment, Loan, Repayment


class LoanRowsAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    """Rows of one 借据: scoped and searched through it."""

    branch_path = "loan__customer__branch"
    list_select_related = ("loan__customer",)
    search_fields = ("=loan__number", "=loan__customer__cif_no", "loan__customer__name")

    @admin.display(description="借据号", ordering="loan__number")
    def loan_number(self, obj):
        return obj.loan.number

    @admin.display(description="客户", ordering="loan__customer__name")
    def customer_name(self, obj):
        return obj.loan.customer.name

    def audit_customer_id(self, obj):
        return obj.loan.customer_id


class InstalmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Instalment
    verbose_name_plural = "还款计划（有效期次在前）"
    fields = ("number", "due_date", "principal_cny", "interest_cny", "balance_after_cny",
              "principal_paid_cny", "interest_paid_cny", "penalty_cny", "compound_cny",
              "penalty_paid_cny", "compound_paid_cny", "active", "settled_on")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-active", "number")

    principal_cny = money_column("principal", "应还本金")
    interest_cny = money_column("interest", "应还利息")
    balance_after_cny = money_column("balance_after", "期末剩余本金")
    principal_paid_cny = money_column("principal_paid", "已还本金")
    interest_paid_cny = money_column("interest_paid", "已还利息")
    penalty_cny = money_column("penalty_total", "罚息")
    compound_cny = money_column("compound_total", "复利")
    penalty_paid_cny = money_column("penalty_paid", "已还罚息")
    compound_paid_cny = money_column("compound_paid", "已还复利")


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    # Fits 1366 px (tests/browser/test_admin_workstation.py): 还款方式 and 期限 are on the page.
    list_display = ("number", "customer", "product", "amount_cny", "principal_owed_cny",
                    "annual_rate", "draw_date", "maturity_date", "status")
    list_select_related = ("customer", "product")
    list_filter = ("status", "product", "method")
    search_fields = ("=number", "=customer__cif_no", "customer__name", "=application__number")
    date_hierarchy = "draw_date"
    fields = ("number", "application", "customer", "product", "amount_cny", "annual_rate",
              "method", "months", "repayment_day", "draw_date", "maturity_date",
              "repayment_account_number", "status", "principal_owed_cny", "draw_entry_id",
              "drawn_at", "settled_on")
    readonly_fields = fields
    inlines = (InstalmentInline,)

    amount_cny = money_column("amount", "借款金额", ordering="amount")
    principal_owed_cny = money_column("principal_owed", "剩余本金", ordering="principal_owed")

    @admin.display(description="还款账户")
    def repayment_account_number(self, obj):
        return obj.repayment_account.medium.masked_number

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("repayment_account__medium")

    def audit_customer_id(self, obj):
        return obj.customer_id


@admin.register(Repayment)
class RepaymentAdmin(LoanRowsAdmin):
    list_display = ("loan_number", "customer_name", "kind", "business_date", "amount_cny",
                    "principal_cny", "interest_cny", "penalty_cny", "compound_cny",
                    "receipt_number")
    list_filter = ("kind",)
    date_hierarchy = "business_date"
    fields = ("loan", "kind", "business_date", "amount_cny", "principal_cny", "interest_cny",
              "penalty_cny", "compound_cny", "prepay_mode", "from_account_number", "entry_id",
              "posted_at", "receipt_number")
    readonly_fields = fields

    amount_cny = money_column("amount", "还款金额", ordering="amount")
    principal_cny = money_column("principal", "本金")
    interest_cny = money_column("interest", "利息")
    penalty_cny = money_column("penalty", "罚息")
    compound_cny = money_column("compound", "复利")

    @admin.display(description="扣款账户")
    def from_account_number(self, obj):
        return obj.from_account.medium.masked_number

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_account__medium")


@admin.register(Deduction)
class DeductionAdmin(LoanRowsAdmin):
    """贷款扣款记录: one row per 借据 and night the deduction (nightly 430) handled."""

    list_display = ("loan_number", "customer_name", "business_date", "wanted_cny", "paid_cny",
                    "status", "note")
    list_filter = ("status",)
    date_hierarchy = "business_date"
    fields = ("loan", "business_date", "wanted_cny", "paid_cny", "status", "note", "repayment",
              "created_at")
    readonly_fields = fields

    wanted_cny = money_column("wanted", "应扣金额", ordering="wanted")
    paid_cny = money_column("paid", "实扣金额", ordering="paid")


@admin.register(Accrual)
class AccrualAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    """罚息复利计提: one row per overdue period and night (nightly 440)."""

    branch_path = "instalment__loan__customer__branch"
    list_display = ("loan_number", "period", "business_date", "principal_base_cny",
                    "interest_base_cny", "annual_rate", "penalty_exact", "compound_exact")
    list_select_related = ("instalment__loan__customer",)
    search_fields = ("=instalment__loan__number", "=instalment__loan__customer__cif_no",
                     "instalment__loan__customer__name")
    date_hierarchy = "business_date"
    fields = ("instalment", "business_date", "principal_base_cny", "interest_base_cny",
              "annual_rate", "penalty_exact", "compound_exact")
    readonly_fields = fields

    principal_base_cny = money_column("principal_base", "逾期本金")
    interest_base_cny = money_column("interest_base", "逾期利息")
    @admin.display(description="当日罚息（未舍入）", ordering="penalty")
    def penalty_exact(self, obj):
        return f"{obj.penalty:.6f}"

    @admin.display(description="当日复利（未舍入）", ordering="compound")
    def compound_exact(self, obj):
        return f"{obj.compound:.6f}"

    @admin.display(description="借据号", ordering="instalment__loan__number")
    def loan_number(self, obj):
        return obj.instalment.loan.number

    @admin.display(description="期次", ordering="instalment__number")
    def period(self, obj):
        return obj.instalment.number

    def audit_customer_id(self, obj):
        return obj.instalment.loan.customer_id
