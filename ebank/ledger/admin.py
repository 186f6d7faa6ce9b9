"""The books in the admin: read-only for everyone. Corrections are new entries, made by services."""

from django.contrib import admin

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column

from .models import Entry, Hold, LedgerAccount, Posting


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    @admin.display(description="编号", ordering="id")
    def number(self, obj) -> int:
        return obj.pk


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ("account", "side", "amount_cny", "balance_after_cny", "posted_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    amount_cny = money_column("amount", "金额")
    balance_after_cny = money_column("balance_after", "发生后余额")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "owner", "normal_side", "balance_cny", "held_cny",
                    "allow_negative")
    list_filter = ("owner",)
    search_fields = ("code", "name")

    balance_cny = money_column("balance", "账面余额", ordering="balance")
    held_cny = money_column("held", "冻结金额", ordering="held")

    fields = ("code", "name", "owner", "normal_side", "allow_negative", "balance_cny",
              "held_cny", "created_at")
    readonly_fields = fields


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("number", "posted_at", "business_type", "reference", "memo")
    list_filter = ("business_type",)
    search_fields = ("reference", "idempotency_key")
    inlines = [PostingInline]
    date_hierarchy = "posted_at"


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ("number", "entry_number", "account", "side", "amount_cny", "balance_after_cny",
                    "posted_at")
    list_select_related = ("account",)
    search_fields = ("account__code", "=entry__id")
    fields = ("entry", "account", "side", "amount_cny", "balance_after_cny", "posted_at")
    readonly_fields = fields

    amount_cny = money_column("amount", "金额", ordering="amount")
    balance_after_cny = money_column("balance_after", "发生后余额")

    @admin.display(description="会计分录", ordering="entry_id")
    def entry_number(self, posting: Posting) -> int:
        return posting.entry_id


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ("number", "account", "amount_cny", "status", "reference", "created_at",
                    "closed_at")
    list_filter = ("status",)

    amount_cny = money_column("amount", "冻结金额", ordering="amount")

    fields = ("account", "amount_cny", "status", "reference", "reason", "created_at",
              "closed_at", "entry", "idempotency_key")
    readonly_fields = fields
