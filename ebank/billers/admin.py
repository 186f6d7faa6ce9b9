"""The simulated billers in the admin: the behaviour switch (正常/拒绝缴费/销账失败/超时/暂停服务)
is edited here; bills and payments are the simulated billers' books (read-only)."""

from django.contrib import admin

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column

from .models import SimBill, SimBiller, SimPayment


@admin.register(SimBiller)
class SimBillerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "behaviour", "reason")
    list_editable = ("behaviour", "reason")
    fields = ("code", "name", "behaviour", "reason")
    readonly_fields = ("code", "name")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SimBill)
class SimBillAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("biller", "customer_no", "name", "amount_owed_cny", "amount_fixed",
                    "period", "balance_cny")
    list_filter = ("biller", "amount_fixed")
    search_fields = ("customer_no", "name")
    amount_owed_cny = money_column("amount_owed", "应缴金额")
    balance_cny = money_column("balance", "账户余额（话费）")


@admin.register(SimPayment)
class SimPaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "biller", "customer_no", "amount_cny", "status",
                    "biller_reference", "paid_at", "day", "planted")
    list_filter = ("biller", "status", "day", "planted")
    search_fields = ("reference", "customer_no", "biller_reference")
    amount_cny = money_column("amount", "金额")
