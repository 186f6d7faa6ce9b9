"""Writes of 缴费登记簿管理 (PAY-BOOK): add, modify, delete one entry; each audited.

Each runs in one transaction with the customer's row locked, so that two 提交 at once can
neither pass the cap together nor save the same number twice (the unique constraint stands
behind it too). Another customer's entry is a 404 and nothing is written.
"""

from django.db import transaction

from accounts.models import Customer
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from payments.models import BOOK_ALIAS_MAX, BillBookEntry, BillKind
from payments.numbers import customer_no_label, customer_no_normalise

from .selectors import book_entry_get

BOOK_MAX = 50  # entries per customer

AUDIT_LABELS = {
    "payments.book_add": "缴费登记簿新增",
    "payments.book_change": "缴费登记簿修改",
    "payments.book_delete": "缴费登记簿删除",
}


class BookDuplicate(BusinessError):
    code = "book_duplicate"
    default_message = "该缴费号码已在缴费登记簿中"


class BookFull(BusinessError):
    code = "book_full"
    default_message = f"缴费登记簿最多保存{BOOK_MAX}条缴费信息，请先删除不再使用的缴费信息"


def _alias_clean(alias: str) -> str:
    alias = " ".join((alias or "").split())
    if len(alias) > BOOK_ALIAS_MAX:
        raise BusinessError(f"备注名最多{BOOK_ALIAS_MAX}个字", code="alias_too_long")
    return alias


def _lock(customer: Customer) -> None:
    Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk").get()


def _duplicate_message(kind: str) -> str:
    return f"该{customer_no_label(kind)}已在缴费登记簿中（{BillKind(kind).label}），请勿重复登记"


def _detail(entry: BillBookEntry) -> dict:
    return {"kind": entry.kind, "customer_no": entry.customer_no, "alias": entry.alias}


@transaction.atomic
def book_entry_add(*, user, kind: str, customer_no: str, alias: str = "",
                   ip: str | None = None) -> BillBookEntry:
    customer = user.customer
    customer_no = customer_no_normalise(kind, customer_no)
    alias = _alias_clean(alias)
    _lock(customer)
    entries = BillBookEntry.objects.filter(customer=customer)
    if entries.filter(kind=kind, customer_no=customer_no).exists():
        raise BookDuplicate(_duplicate_message(kind))
    if entries.count() >= BOOK_MAX:
        raise BookFull()
    entry = BillBookEntry.objects.create(customer=customer, kind=kind, customer_no=customer_no,
                                         alias=alias)
    audit_record(action="payments.book_add", actor=user, customer_id=customer.pk,
                 object_ref=f"bill_book:{entry.pk}", ip_address=ip, detail=_detail(entry))
    return entry


@transaction.atomic
def book_entry_change(*, user, pk, kind: str, customer_no: str, alias: str = "",
                      ip: str | None = None) -> BillBookEntry:
    customer = user.customer
    # The customer's row first, then the entry (404 before anything is checked): a 删除 in
    # another tab is either wholly before (404) or after, never between the read and the save.
    _lock(customer)
    entry = book_entry_get(customer=customer, pk=pk)
    customer_no = customer_no_normalise(kind, customer_no)
    alias = _alias_clean(alias)
    if (BillBookEntry.objects.filter(customer=customer, kind=kind, customer_no=customer_no)
            .exclude(pk=entry.pk).exists()):
        raise BookDuplicate(_duplicate_message(kind))
    before = _detail(entry)
    if (entry.kind, entry.customer_no, entry.alias) == (kind, customer_no, alias):
        return entry  # nothing changed: nothing written, nothing audited
    entry.kind, entry.customer_no, entry.alias = kind, customer_no, alias
    entry.save(update_fields=["kind", "customer_no", "alias", "updated_at"])
    audit_record(action="payments.book_change", actor=user, customer_id=customer.pk,
                 object_ref=f"bill_book:{entry.pk}", ip_address=ip,
                 detail={"before": before, "after": _detail(entry)})
    return entry


@transaction.atomic
def book_entry_delete(*, user, pk, ip: str | None = None) -> None:
    customer = user.customer
    _lock(customer)  # as 修改 does, so the two never interleave
    entry = book_entry_get(customer=customer, pk=pk)
    detail, entry_pk = _detail(entry), entry.pk
    entry.delete()
    audit_record(action="payments.book_delete", actor=user, customer_id=customer.pk,
                 object_ref=f"bill_book:{entry_pk}", ip_address=ip, detail=detail)
