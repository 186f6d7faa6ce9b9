"""The books in the admin: read-only for everyone. Corrections are new entries, made by services."""

from django.contrib import admin

from ebank.core.admin_mixins import ReadOnlyAdminMixin

from .models import Entry, Hold, LedgerAccount, Posting


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ("account", "side", "amount", "balance_after", "posted_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "owner", "normal_side", "balance", "held", "allow_negative")
    list_filter = ("owner",)
    search_fields = ("code", "name")


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "posted_at", "business_type", "reference", "memo")
    list_filter = ("business_type",)
    search_fields = ("reference", "idempotency_key")
    inlines = [PostingInline]
    date_hierarchy = "posted_at"


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ("id", "entry", "account", "side", "amount", "balance_after", "posted_at")
    list_select_related = ("entry", "account")
    search_fields = ("account__code",)


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "amount", "status", "reference", "created_at", "closed_at")
    list_filter = ("status",)
