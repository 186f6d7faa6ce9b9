"""Reads of 转账汇款, every one scoped to the logged-in customer.

A transfer or payee of another customer is a 404, never a permission error that would confirm
it exists. Transfers are named by their 交易流水号 (never by a card number, which would land in
access logs).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import router
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import (
    Branch,
    Customer,
    LinkedMedium,
    Medium,
    MediumKind,
    MediumStatus,
    Receipt,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from accounts.payers import receipt_url
from ebank.core.clock import SHANGHAI
from ebank.core.masking import mask_account_number
from ebank.core.sql import columns, fetch_one, loaded, raw_sql_usable
from ebank.ledger.models import LedgerAccount
from ebank.limits.models import LimitLevel

from .models import Payee, Transfer, TransferKind, TransferStatus

# Manual 关联账户互转 note 1 and 行内转账 note 2: the media that hold and take current money.
CURRENT_MEDIUM_KINDS = (MediumKind.DEBIT_CARD, MediumKind.CURRENT_PASSBOOK,
                        MediumKind.CURRENT_ONEBOOK)
CURRENT_SUB_ACCOUNT_KINDS = (SubAccountKind.CURRENT_MAIN, SubAccountKind.CURRENT)
# What 定时转账维护 lists and may cancel: 普通到账/次日到账 transfers of every kind, which all
# run as ``transfers.execute`` due work (inter-bank 预约 ones are 预约交易管理's, status RESERVED).
SCHEDULED_KINDS = (TransferKind.OWN, TransferKind.INTRA, TransferKind.INTER)


# --- accounts ----------------------------------------------------------------------------------


def own_transfer_accounts(*, customer: Customer) -> list[SubAccount]:
    """Every open current sub-account on the customer's linked cards and current passbooks.

    关联账户互转 offers these as 转出账户 (any of them, note 3) and the 活期主账户s among them as
    转入账户; the service checks the notes again whatever was posted.
    """
    return list(
        SubAccount.objects.select_related("medium", "medium__link", "ledger_account")
        .filter(medium__link__customer=customer, kind__in=CURRENT_SUB_ACCOUNT_KINDS,
                medium__kind__in=CURRENT_MEDIUM_KINDS, status=SubAccountStatus.OPEN)
        .exclude(medium__status=MediumStatus.CLOSED)
        .order_by("medium__link__position", "seq")
    )


# What the transfer checks, labels, the confirmation, the posting and the receipts read of a
# payer (or own-transfer payee) account: not the medium's PIN hash, nor the wide rest.
_LINKED_ACCOUNT_FIELDS = (
    "medium_id", "seq", "kind", "ledger_account_id", "status",
    "medium__number", "medium__kind", "medium__customer_id", "medium__branch_id",
    "medium__status", "medium__pin_failures", "medium__pin_locked_on",
    "medium__link__alias", "medium__branch__name",
    "ledger_account__balance", "ledger_account__held",
)


def linked_sub_account_get(*, customer: Customer, sub_account_id: int) -> SubAccount | None:
    """Any sub-account on one of the customer's linked media (None when it is not theirs).

    With its medium, link, branch and ledger account (balance and holds), in one query.
    """
    try:
        pk = int(sub_account_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    using = router.db_for_read(SubAccount)
    if not raw_sql_usable(using):
        # One row at most: .get() (no ORDER BY for the planner to sort by, as .first() would add).
        try:
            return _linked_sub_account_queryset(pk, customer.pk).using(using).get()
        except SubAccount.DoesNotExist:
            return None
    row = fetch_one(_LINKED_SUB_ACCOUNT_SQL, [pk, customer.pk], using=using)
    if row is None:
        return None
    values = iter(row)
    sub = loaded(SubAccount, _take(values, _LINKED_SUB), using=using, names=_LINKED_SUB)
    medium = loaded(Medium, _take(values, _LINKED_MEDIUM), using=using, names=_LINKED_MEDIUM)
    medium.branch = loaded(Branch, _take(values, _LINKED_BRANCH), using=using,
                           names=_LINKED_BRANCH)
    # As the reverse one-to-one's select_related: both sides cached (and link.medium_id set).
    medium.link = loaded(LinkedMedium, _take(values, _LINKED_LINK), using=using,
                         names=_LINKED_LINK)
    sub.medium = medium
    sub.ledger_account = loaded(LedgerAccount, _take(values, _LINKED_LEDGER), using=using,
                                names=_LINKED_LEDGER)
    return sub


def _linked_sub_account_queryset(pk: int, customer_id: int) -> QuerySet:
    return (SubAccount.objects
            .select_related("medium", "medium__link", "medium__branch", "ledger_account")
            .only(*_LINKED_ACCOUNT_FIELDS)
            .filter(pk=pk, medium__link__customer_id=customer_id))


def _take(values, names: tuple) -> list:
    return [next(values) for _ in names]


# Explicit SQL (ebank.core.sql): every transfer's form POST and 确认 read the payer's account
# this way (bench web_load, 行内转账 row: the ORM compiling this five-table select_related cost
# more than PostgreSQL answering it). It mirrors ``_linked_sub_account_queryset``: the columns
# of _LINKED_ACCOUNT_FIELDS (with each table's id) of the sub-account, its medium, the medium's
# branch and link, and its ledger account; the link must be the customer's.
_LINKED_SUB = ("id", "medium_id", "seq", "kind", "ledger_account_id", "status")
_LINKED_MEDIUM = ("id", "number", "kind", "customer_id", "branch_id", "status", "pin_failures",
                  "pin_locked_on")
_LINKED_BRANCH = ("id", "name")
_LINKED_LINK = ("id", "alias")
_LINKED_LEDGER = ("id", "balance", "held")
_LINKED_SUB_ACCOUNT_SQL = (
    f"SELECT {columns(SubAccount, 's', _LINKED_SUB)}, {columns(Medium, 'm', _LINKED_MEDIUM)},"
    f" {columns(Branch, 'b', _LINKED_BRANCH)}, {columns(LinkedMedium, 'l', _LINKED_LINK)},"
    f" {columns(LedgerAccount, 'la', _LINKED_LEDGER)}"
    ' FROM "accounts_subaccount" s'
    ' INNER JOIN "accounts_medium" m ON (s."medium_id" = m."id")'
    ' INNER JOIN "accounts_linkedmedium" l ON (m."id" = l."medium_id")'
    ' INNER JOIN "accounts_branch" b ON (m."branch_id" = b."id")'
    ' INNER JOIN "ledger_ledgeraccount" la ON (s."ledger_account_id" = la."id")'
    ' WHERE s."id" = %s AND l."customer_id" = %s'
)


def available_balance(sub_account: SubAccount) -> Decimal:
    """可用余额 = ledger balance − holds, read now (a form's early warning, not a promise)."""
    balance, held = LedgerAccount.objects.filter(pk=sub_account.ledger_account_id).values_list(
        "balance", "held").get()
    return balance - held


# --- transfers ---------------------------------------------------------------------------------


def transfer_get_for_customer(*, customer: Customer, number: str) -> Transfer:
    try:
        return (Transfer.objects.select_related("from_sub_account__medium",
                                                "to_sub_account__medium")
                .get(customer=customer, number=number))
    except Transfer.DoesNotExist as exc:
        raise Http404("转账记录不存在") from exc


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI)


def transfers_for_customer(*, customer: Customer, date_from: date | None = None,
                           date_to: date | None = None, status: str = "",
                           kind: str = "") -> QuerySet[Transfer]:
    """网银转账查询: the customer's outgoing transfers, newest first, by submission date."""
    rows = (Transfer.objects.filter(customer=customer)
            .select_related("from_sub_account__medium"))
    if date_from is not None:
        rows = rows.filter(submitted_at__gte=_local_start(date_from))
    if date_to is not None:
        rows = rows.filter(submitted_at__lt=_local_start(date_to + timedelta(days=1)))
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-submitted_at", "-id")


def scheduled_transfers_for_customer(*, customer: Customer) -> QuerySet[Transfer]:
    """定时转账维护: 普通到账/次日到账 transfers still waiting to run, the soonest first."""
    return (Transfer.objects.filter(customer=customer, status=TransferStatus.SCHEDULED,
                                    kind__in=SCHEDULED_KINDS)
            .select_related("from_sub_account__medium").order_by("execute_at", "id"))


def transfer_receipt_url(*, transfer: Transfer) -> str:
    """The payer's e-receipt page of a posted transfer, or "" (none yet, or no receipt pages)."""
    if transfer.entry_id is None:
        return ""
    receipt = (Receipt.objects.filter(entry_id=transfer.entry_id,
                                      sub_account_id=transfer.from_sub_account_id)
               .only("pk", "number").first())
    return receipt_url(receipt)


# --- payees ------------------------------------------------------------------------------------


def payees_for_customer(*, customer: Customer, query: str = "",
                        kind: str = "") -> QuerySet[Payee]:
    """收款人登记簿, fuzzy: every word of ``query`` must be in the name or the account number."""
    rows = Payee.objects.filter(customer=customer)
    for word in (query or "").split():
        rows = rows.filter(Q(name__icontains=word) | Q(account_number__icontains=word))
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("name", "id")


PAYEE_BOOK_SIZE = 50


def payee_book(*, customer: Customer, kind: str) -> list[tuple[Payee, str]]:
    """The 收款人登记簿 picker of a transfer form: payees of the kind, with masked numbers."""
    return [(p, mask_account_number(p.account_number))
            for p in payees_for_customer(customer=customer, kind=kind)[:PAYEE_BOOK_SIZE]]


def payee_get_for_customer(*, customer: Customer, pk: int) -> Payee:
    try:
        return Payee.objects.get(customer=customer, pk=pk)
    except (Payee.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("收款人不存在") from exc


def limit_refusal_context(exc) -> dict:
    """A limit refusal as the transfer forms show it (行内转账 notes 3–4): a customer-set limit
    links to 限额管理; a bank limit only asks for less."""
    return {"message": exc.message,
            "customer_set": getattr(exc, "level", None) == LimitLevel.CUSTOMER}
