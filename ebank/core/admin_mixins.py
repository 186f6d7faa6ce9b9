"""Admin building blocks shared by every app's admin."""


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
