"""Admin building blocks shared by every app's admin."""

from operator import attrgetter

from django.contrib import admin
from django.utils.html import format_html

from ebank.core.money import format_cny

# Money columns are named "<field>_cny": the staff admin's stylesheet (static/css/staff-admin.css)
# right-aligns every column whose name ends so (Django gives each cell "field-<name>" and each
# header "column-<name>").
MONEY_COLUMN_SUFFIX = "_cny"


class ReadOnlyAdminMixin:
    """Rows staff may read but never add, change or delete in the admin.

    Used for the books (corrections are new entries), reference data maintained by ops
    commands, batch records, and customer data that changes only through the audited counter
    services.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def money_column(path: str, description: str, *, ordering: str | None = None,
                 empty: str = "-"):
    """A ModelAdmin display method showing the amount at ``path`` (``"ledger_account.balance"``)
    as ``¥1,234.56`` (ebank.core.money.format_cny); ``empty`` where there is none. Assign it to
    a name ending in ``_cny`` so the column is right-aligned::

        balance_cny = money_column("ledger_account.balance", "余额")
    """
    read = attrgetter(path)

    @admin.display(description=description, ordering=ordering)
    def show(self, obj):
        try:
            amount = read(obj)
        except AttributeError:  # a missing related row (e.g. no ledger account yet)
            amount = None
        if amount is None:
            return empty
        return format_html('<span class="cny">{}</span>', format_cny(amount))

    return show
