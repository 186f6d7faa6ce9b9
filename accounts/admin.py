"""The bank and its branches (行社) in the admin: read-only reference data.

Customers, media, sub-accounts and links carry customers and are branch-scoped for staff; they
are registered by ``security/staff/admin_accounts.py``, next to the staff scoping they need.
"""

from django.contrib import admin

from ebank.core.admin_mixins import ReadOnlyAdminMixin

from .models import Bank, Branch


class ReferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Bank and branches come from the seed and ops, not from the admin."""


@admin.register(Bank)
class BankAdmin(ReferenceAdmin):
    list_display = ("code", "name")


@admin.register(Branch)
class BranchAdmin(ReferenceAdmin):
    list_display = ("code", "name", "is_head_office", "address")
    search_fields = ("code", "name")
