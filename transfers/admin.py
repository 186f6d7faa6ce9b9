"""网银转账 and 收款人 in the staff admin: read-only, scoped to the teller's branch (行社).

Transfers change only through the customer's confirmation and the due-work dispatcher (audited,
posted through the ledger); staff look, they do not edit. Account numbers are masked in lists.
"""

from django.contrib import admin

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.masking import mask_account_number
from security.staff.scoping import BranchScopedAdminMixin

from .models import Payee, Transfer


class ScopedReadOnlyAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    branch_path = "customer__branch"

    def audit_customer_id(self, obj):
        return obj.customer_id


@admin.register(Transfer)
class TransferAdmin(ScopedReadOnlyAdmin):
    # At 1366 px: the arrival mode, the planned and the completion time are in the filters
    # and on the transfer's page.
    list_display = ("number", "customer", "kind", "status", "amount_cny", "payee_name",
                    "payee_masked", "submitted_at")
    list_select_related = ("customer",)
    list_filter = ("kind", "mode", "status")
    search_fields = ("=number", "=customer__cif_no", "customer__name", "payee_name")
    date_hierarchy = "submitted_at"
    fields = ("number", "customer", "user", "kind", "mode", "channel", "status",
              "from_sub_account", "to_sub_account", "payee_masked", "payee_name",
              "payee_bank_code", "payee_bank_name", "amount_cny", "purpose", "submitted_at",
              "execute_at", "executed_at", "entry_id", "return_entry_id", "limit_day",
              "failure_reason")
    readonly_fields = fields

    amount_cny = money_column("amount", "转账金额", ordering="amount")

    @admin.display(description="收款人账号")
    def payee_masked(self, obj):
        return mask_account_number(obj.payee_account)


@admin.register(Payee)
class PayeeAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "account_masked", "kind", "bank_name", "customer", "created_at")
    list_select_related = ("customer",)
    list_filter = ("kind",)
    search_fields = ("=customer__cif_no", "customer__name", "name")
    fields = ("customer", "kind", "account_masked", "name", "bank_code", "bank_name",
              "created_at")
    readonly_fields = fields

    @admin.display(description="收款人账号")
    def account_masked(self, obj):
        return mask_account_number(obj.account_number)


# --- TRF-SCHED 定时转账 ---------------------------------------------------------------------------
from .models import PeriodicTransfer, PeriodicTransferRun  # noqa: E402


@admin.register(PeriodicTransfer)
class PeriodicTransferAdmin(ScopedReadOnlyAdmin):
    list_display = ("number", "customer", "status", "frequency", "amount_cny", "payee_name",
                    "next_run_date", "runs_done")
    list_select_related = ("customer",)
    list_filter = ("status", "frequency", "payee_kind")
    search_fields = ("=number", "=customer__cif_no", "customer__name", "payee_name")
    fields = ("number", "customer", "user", "status", "payer", "payee_kind", "payee_masked",
              "payee_name", "payee_bank_code", "payee_bank_name", "amount_cny", "purpose",
              "frequency", "weekday", "day_of_month", "start_date", "end_date", "run_count",
              "runs_done", "next_run_date", "created_at", "cancelled_at")
    readonly_fields = fields

    amount_cny = money_column("amount", "转账金额", ordering="amount")

    @admin.display(description="收款人账号")
    def payee_masked(self, obj):
        return mask_account_number(obj.payee_account)


@admin.register(PeriodicTransferRun)
class PeriodicTransferRunAdmin(ScopedReadOnlyAdmin):
    branch_path = "plan__customer__branch"
    list_display = ("plan", "sequence", "scheduled_date", "status", "failure_reason",
                    "executed_at")
    list_select_related = ("plan",)
    list_filter = ("status",)
    search_fields = ("=plan__number",)
    fields = ("plan", "sequence", "scheduled_date", "status", "transfer", "failure_reason",
              "executed_at")
    readonly_fields = fields

    def audit_customer_id(self, obj):
        return obj.plan.customer_id
# --- end TRF-SCHED -------------------------------------------------------------------------------
# --- 他行账户管理 and 资金归集 (docs/otherbanks.md): read-only, scoped to the branch ---

from .models import (  # noqa: E402
    CollectionPlan,
    CollectionRun,
    CollectionRunStatus,
    OtherBankAgreement,
)


@admin.register(OtherBankAgreement)
class OtherBankAgreementAdmin(ScopedReadOnlyAdmin):
    list_display = ("external_id", "customer", "kind", "bank_name", "account_masked",
                    "valid_until", "status", "signed_at")
    list_select_related = ("customer",)
    list_filter = ("kind", "status")
    search_fields = ("=external_id", "=customer__cif_no", "customer__name")
    fields = ("external_id", "customer", "kind", "bank_code", "bank_name", "account_masked",
              "holder_name", "single_limit", "daily_limit", "valid_until", "status",
              "signed_at", "cancelled_at", "cancel_reason")
    readonly_fields = fields

    @admin.display(description="他行账号")
    def account_masked(self, obj):
        return mask_account_number(obj.account_number)


@admin.register(CollectionPlan)
class CollectionPlanAdmin(ScopedReadOnlyAdmin):
    list_display = ("number", "customer", "frequency", "mode", "status", "next_run_on",
                    "created_at")
    list_select_related = ("customer",)
    list_filter = ("frequency", "mode", "status")
    search_fields = ("=number", "=customer__cif_no", "customer__name")
    fields = ("number", "customer", "agreement", "to_sub_account", "frequency", "day", "mode",
              "amount", "reserve", "minimum", "status", "next_run_on", "created_at",
              "cancelled_at", "cancel_reason")
    readonly_fields = fields


@admin.register(CollectionRun)
class CollectionRunAdmin(ScopedReadOnlyAdmin):
    """A run 处理中 is one whose debit the other bank has not answered: the re-query rows
    (transfers.collect_requery) ask again with backoff; after the last one the run stays 处理中
    with the reason 已转人工核查 — staff confirm the debit with the other bank by its 交易流水号
    (nothing here changes it)."""

    list_display = ("reference", "customer", "plan", "run_date", "amount_cny", "status",
                    "staff_check", "at")
    list_select_related = ("customer", "plan")
    list_filter = ("status",)
    search_fields = ("=reference", "=customer__cif_no", "customer__name")
    date_hierarchy = "at"
    fields = ("reference", "customer", "agreement", "plan", "run_date", "to_sub_account",
              "amount_cny", "status", "reason", "staff_check", "entry_id", "at")
    readonly_fields = fields

    amount_cny = money_column("amount", "金额", ordering="amount")

    @admin.display(description="人工核查")
    def staff_check(self, obj):
        from .collect.services import STAFF_REASON

        if obj.status == CollectionRunStatus.PROCESSING and obj.reason == STAFF_REASON:
            return "待人工核查：请按交易流水号向他行核实扣款结果"
        if obj.status == CollectionRunStatus.PROCESSING:
            return "结果待确认，系统自动查询中"
        return ""


# --- TRF-BATCH: 批量转账 and its rows, read-only, scoped to the teller's branch ------------------

from .models import TransferBatch, TransferBatchRow  # noqa: E402 - this block's own import


@admin.register(TransferBatch)
class TransferBatchAdmin(ScopedReadOnlyAdmin):
    list_display = ("number", "customer", "kind", "status", "count", "total_cny", "done_count",
                    "failed_count", "created_at")
    list_select_related = ("customer",)
    list_filter = ("kind", "status", "source")
    search_fields = ("=number", "=customer__cif_no", "customer__name")
    date_hierarchy = "created_at"
    fields = ("number", "customer", "user", "kind", "source", "file_name", "status", "payer",
              "count", "total_cny", "invalid_count", "done_count", "failed_count", "created_at",
              "confirmed_at", "finished_at")
    readonly_fields = fields

    total_cny = money_column("total", "总金额", ordering="total")


@admin.register(TransferBatchRow)
class TransferBatchRowAdmin(ScopedReadOnlyAdmin):
    # 10,000 rows a batch: a list of its own (searched by 批次号), not an inline.
    branch_path = "batch__customer__branch"
    list_display = ("batch", "line_no", "payee_masked", "payee_name", "bank_code", "amount_cny",
                    "status", "failure_reason", "transfer")
    list_select_related = ("batch", "transfer")
    list_filter = ("status", "batch__kind")
    search_fields = ("=batch__number", "=transfer__number", "=batch__customer__cif_no")
    fields = ("batch", "line_no", "payee_masked", "payee_name", "bank_code", "bank_name",
              "amount_cny", "amount_text", "purpose", "error", "status", "failure_reason",
              "transfer", "executed_at")
    readonly_fields = fields

    amount_cny = money_column("amount", "金额", ordering="amount")

    def audit_customer_id(self, obj):
        return obj.batch.customer_id

    @admin.display(description="收款人账号")
    def payee_masked(self, obj):
        return mask_account_number(obj.payee_account)
# --- end TRF-BATCH
