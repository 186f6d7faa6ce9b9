"""The simulated other banks in the admin: their behaviour switches (正常/拒绝/超时/解除协议)
are edited here; balances, agreements and debits are the simulated bank's books (read-only)."""

from django.contrib import admin

from ebank.core.admin_mixins import ReadOnlyAdminMixin

from .models import SimAccount, SimAgreement, SimBank, SimDebit


@admin.register(SimBank)
class SimBankAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "behaviour", "reason")
    list_editable = ("behaviour", "reason")
    fields = ("code", "name", "behaviour", "reason")


@admin.register(SimAccount)
class SimAccountAdmin(admin.ModelAdmin):
    list_display = ("number", "bank", "holder_name", "balance", "behaviour", "reason")
    list_filter = ("bank", "behaviour")
    search_fields = ("number", "holder_name")
    fields = ("bank", "number", "holder_name", "balance", "behaviour", "reason")
    readonly_fields = ("bank", "number", "holder_name", "balance")

    def has_add_permission(self, request):
        return False


@admin.register(SimAgreement)
class SimAgreementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("external_id", "account", "kind", "single_limit", "daily_limit",
                    "valid_until", "status", "signed_at")
    list_filter = ("kind", "status")
    search_fields = ("external_id", "account__number")


@admin.register(SimDebit)
class SimDebitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "agreement", "amount", "succeeded", "reason", "at")
    list_filter = ("succeeded",)
    search_fields = ("reference",)
