"""The access matrix's factories for payments' object URLs (tests/test_access_matrix.py).

Each makes the object for ``owner`` (a User) and returns the URL's kwargs.
"""


def _book_entry(owner):
    from payments.models import BillBookEntry, BillKind

    entry = BillBookEntry.objects.create(customer=owner.customer, kind=BillKind.POWER,
                                         customer_no=f"34010{owner.pk:05d}", alias="矩阵")
    return {"pk": entry.pk}


OBJECT_URLS = {
    # --- PAY-BOOK
    "payments:book_edit": _book_entry,
    "payments:book_delete": _book_entry,
}
