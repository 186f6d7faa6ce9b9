"""Reads of 缴费登记簿管理 (PAY-BOOK): the customer's entries, each with its 缴费 link."""

from dataclasses import dataclass

from django.http import Http404

from accounts.models import Customer
from payments.models import BillBookEntry, BillKind
from payments.numbers import customer_no_label
from payments.selectors import pay_url

_KIND_ORDER = {kind: index for index, kind in enumerate(BillKind.values)}


@dataclass(frozen=True)
class BookRow:
    entry: BillBookEntry
    pay_url: str | None  # None while the kind's pay page does not exist

    @property
    def number_label(self) -> str:
        return customer_no_label(self.entry.kind)


def book_entries(*, customer: Customer) -> list[BillBookEntry]:
    """The customer's 登记簿, in the manual's order of kinds, oldest first within a kind: one
    query."""
    rows = list(BillBookEntry.objects.filter(customer=customer))
    for row in rows:
        row.customer = customer  # the filter's own: no join for what is known
    return sorted(rows, key=lambda row: (_KIND_ORDER.get(row.kind, 99), row.created_at, row.pk))


def book_rows(*, customer: Customer, account_id: int | None = None) -> list[BookRow]:
    """The entries with their 缴费 links (``account_id``: the 缴费账户 the pay page preselects)."""
    return [BookRow(entry, pay_url(entry.kind, customer_no=entry.customer_no,
                                   account_id=account_id))
            for entry in book_entries(customer=customer)]


def book_entry_get(*, customer: Customer, pk) -> BillBookEntry:
    """One entry of the customer's; another customer's (or junk) → 404."""
    try:
        entry = BillBookEntry.objects.get(pk=int(pk), customer=customer)
    except (BillBookEntry.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404("缴费信息不存在") from exc
    entry.customer = customer
    return entry
