"""Clearing reference data in the admin. Holidays may be corrected by hand; the 联行号 table is
kept by ``import_bank_codes`` and is read-only here."""

from django.contrib import admin
from django.db import transaction

from ebank.core.admin_mixins import ReadOnlyAdminMixin

from .calendar import calendar_invalidate
from .models import BankCode, Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "source", "updated_at")
    list_filter = ("kind", "name")
    date_hierarchy = "date"
    search_fields = ("name",)

    # Every change goes through here so that no process keeps routing on the old calendar; after
    # commit, or a process rebuilding meanwhile would cache the old rows as the new version.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(calendar_invalidate)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(calendar_invalidate)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(calendar_invalidate)


@admin.register(BankCode)
class BankCodeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "bank_name", "city", "clearing_code", "updated_at")
    list_filter = ("bank_name",)
    search_fields = ("code", "name")
