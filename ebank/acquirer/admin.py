"""The acquirer simulator's own journal for staff (read-only): every purchase and refund it sent
to the issuer with the answer — a declined one is kept only here, with the issuer's reason."""

from django.contrib import admin

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column

from .models import AcquirerTxn


@admin.register(AcquirerTxn)
class AcquirerTxnAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "reference", "kind", "card_masked", "merchant_name",
                    "amount_cny", "txn_date", "status", "reason")
    list_filter = ("status", "kind")
    search_fields = ("=reference", "=original_reference", "merchant_name")
    date_hierarchy = "created_at"
    amount_cny = money_column("amount", "交易金额", ordering="amount")
