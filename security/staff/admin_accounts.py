"""Customers, media, sub-accounts and 网银关联账户 in the staff admin: read-only, branch-scoped.

Registered here rather than in ``accounts/admin.py`` because they need the staff scoping of
this app and ``accounts`` may not import ``security`` (dependency rule). ID numbers are shown
masked only (the ciphertext and digest are never displayed); card numbers are masked in lists.
Counter work on a customer starts from the 柜面业务 link.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import Customer, LinkedMedium, Medium, SubAccount
from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.masking import mask_phone

from .scoping import BranchScopedAdminMixin

CURRENCY_NAMES = {"CNY": "人民币"}


class ScopedReadOnlyAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    pass


@admin.register(Customer)
class CustomerAdmin(ScopedReadOnlyAdmin):
    branch_path = "branch"
    list_display = ("cif_no", "name", "branch", "id_type", "id_number_masked", "phone_masked",
                    "ebank_status", "counter_link")
    list_select_related = ("branch", "user")
    list_filter = ("id_type",)
    search_fields = ("=cif_no", "name", "=media__number")
    fields = ("cif_no", "name", "branch", "id_type", "id_number_masked", "phone_masked",
              "address", "postcode", "email", "created_at")
    readonly_fields = fields

    def audit_customer_id(self, obj):
        return obj.pk

    @admin.display(description="预留手机号")
    def phone_masked(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description="网银状态")
    def ebank_status(self, obj):
        user = getattr(obj, "user", None)
        return user.get_status_display() if user is not None else "未开通"

    @admin.display(description="柜面业务")
    def counter_link(self, obj):
        url = reverse("admin:counter_menu", kwargs={"customer_id": obj.pk})
        return format_html('<a href="{}">办理</a>', url)


@admin.register(Medium)
class MediumAdmin(ScopedReadOnlyAdmin):
    list_display = ("number_masked", "kind", "customer", "branch", "status", "opened_on",
                    "pin_locked_on")
    list_select_related = ("customer", "branch")
    list_filter = ("kind", "status")
    search_fields = ("=number", "=customer__cif_no", "customer__name")
    fields = ("number_masked", "kind", "customer", "branch", "status", "is_settlement",
              "opened_on", "pin_failures", "pin_locked_on")
    readonly_fields = fields
    # 书面挂失 and 解除挂失 are counter actions with the ID check and a slip (柜面业务; the
    # release through 复核): security/staff/counter/loss.py.

    @admin.display(description="卡号/账号")
    def number_masked(self, obj):
        return obj.masked_number


@admin.register(SubAccount)
class SubAccountAdmin(ScopedReadOnlyAdmin):
    branch_path = "medium__customer__branch"
    list_display = ("__str__", "kind", "status", "balance_cny", "held_cny", "opened_on")
    list_select_related = ("medium__customer", "ledger_account")
    list_filter = ("kind", "status")
    search_fields = ("=medium__number", "=medium__customer__cif_no")
    fields = ("__str__", "kind", "currency_display", "status", "opened_on", "balance_cny",
              "held_cny")
    readonly_fields = fields

    balance_cny = money_column("ledger_account.balance", "余额",
                               ordering="ledger_account__balance")
    held_cny = money_column("ledger_account.held", "冻结金额", ordering="ledger_account__held")

    @admin.display(description="币种")
    def currency_display(self, obj):
        return CURRENCY_NAMES.get(obj.currency, obj.currency)


@admin.register(LinkedMedium)
class LinkedMediumAdmin(ScopedReadOnlyAdmin):
    list_display = ("customer", "medium", "alias", "position", "linked_at")
    list_select_related = ("customer", "medium")
    search_fields = ("=customer__cif_no", "customer__name")
    fields = ("customer", "medium", "alias", "position", "linked_at")
    readonly_fields = fields
