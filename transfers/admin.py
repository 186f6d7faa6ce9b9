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
