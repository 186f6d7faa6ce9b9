"""Reads of the 账户管理 pages, every one scoped to the logged-in customer.

Anything a URL or a form names (a LinkedMedium pk, a SubAccount pk) is looked up through the
customer: another customer's id is a 404, never their data. Balances are the ledger's cached
``balance`` and ``held`` (available = balance − held); a page reads each table once, never
once per row.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Max, Prefetch, QuerySet
from django.http import Http404

from ebank.core.masking import mask_account_number
from ebank.core.models import AuditEvent, AuditOutcome
from ebank.ledger.models import Posting
from ebank.limits.engine import SHANGHAI

from ..models import (
    Customer,
    LinkedMedium,
    Medium,
    MediumStatus,
    Receipt,
    ReceiptDirection,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)

PAGE_SIZE = 20
CURRENT_KINDS = frozenset({SubAccountKind.CURRENT_MAIN, SubAccountKind.CURRENT})
# The audit action of an online oral loss report; its time is when the report was made (the
# nightly release counts five days from it, so the Medium model needs no extra field).
LOSS_REPORT_ACTION = "account_loss_report"


def account_name(link: LinkedMedium) -> str:
    """The name every account list shows: the alias once set, else 户名 + 介质类型 (notes 7–8)."""
    return link.alias or f"{link.customer.name} {link.medium.get_kind_display()}"


def medium_ref(medium: Medium | int) -> str:
    """``object_ref`` of audit rows about a medium: by id, since masked numbers repeat."""
    return f"medium:{medium if isinstance(medium, int) else medium.pk}"


# --- 账户总览 ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubAccountRow:
    sub_account: SubAccount
    balance: Decimal
    available: Decimal

    @property
    def pk(self) -> int:
        return self.sub_account.pk

    @property
    def seq_label(self) -> str:
        return f"{self.sub_account.seq:04d}"

    @property
    def kind_label(self) -> str:
        return self.sub_account.get_kind_display()

    @property
    def is_current(self) -> bool:
        return self.sub_account.kind in CURRENT_KINDS

    @property
    def is_open(self) -> bool:
        return self.sub_account.status == SubAccountStatus.OPEN


@dataclass(frozen=True)
class LinkedAccountRow:
    link: LinkedMedium
    name: str
    sub_accounts: tuple[SubAccountRow, ...]

    @property
    def pk(self) -> int:
        return self.link.pk

    @property
    def medium(self) -> Medium:
        return self.link.medium

    @property
    def kind_label(self) -> str:
        return self.link.medium.get_kind_display()

    @property
    def masked_number(self) -> str:
        return self.link.medium.masked_number

    @property
    def status_label(self) -> str:
        return self.link.medium.get_status_display()

    @property
    def is_normal(self) -> bool:
        return self.link.medium.status == MediumStatus.NORMAL

    @property
    def has_current(self) -> bool:
        return any(row.is_current for row in self.sub_accounts)

    @property
    def balance(self) -> Decimal:
        """账面余额: every open sub-account (活期 and 定期) on the medium."""
        return sum((row.balance for row in self.sub_accounts if row.is_open), Decimal("0.00"))

    @property
    def available(self) -> Decimal:
        """可用余额: open 活期 money less holds; 定期 money is not payable until it is drawn."""
        return sum((row.available for row in self.sub_accounts if row.is_open and row.is_current),
                   Decimal("0.00"))

    @property
    def history_sub_account_id(self) -> int | None:
        """The sub-account 明细 opens: the 活期主账户, else the first one."""
        for row in self.sub_accounts:
            if row.sub_account.kind == SubAccountKind.CURRENT_MAIN:
                return row.pk
        return self.sub_accounts[0].pk if self.sub_accounts else None


def _links(customer: Customer) -> QuerySet[LinkedMedium]:
    sub_accounts = SubAccount.objects.select_related("ledger_account").order_by("seq")
    return (LinkedMedium.objects
            # The medium's own customer too: a link row pointing at someone else's medium
            # (a data error) must not show that medium's money.
            .filter(customer=customer, medium__customer=customer)
            .select_related("medium", "customer")
            .prefetch_related(Prefetch("medium__sub_accounts", queryset=sub_accounts))
            .order_by("position", "id"))


def _row(link: LinkedMedium) -> LinkedAccountRow:
    subs = tuple(
        SubAccountRow(sub_account=sub, balance=sub.ledger_account.balance,
                      available=sub.ledger_account.balance - sub.ledger_account.held)
        for sub in link.medium.sub_accounts.all()
        if sub.kind != SubAccountKind.CREDIT
    )
    return LinkedAccountRow(link=link, name=account_name(link), sub_accounts=subs)


def linked_accounts(*, customer: Customer) -> list[LinkedAccountRow]:
    """The customer's 网银关联账户 in their order, with sub-accounts and balances: two queries."""
    return [_row(link) for link in _links(customer)]


def linked_account_get(*, customer: Customer, pk) -> LinkedAccountRow:
    """One linked account of the customer's by LinkedMedium pk; anything else → 404."""
    try:
        return _row(_links(customer).get(pk=int(pk)))
    except (LinkedMedium.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("账户不存在") from exc


def linked_medium_get(*, customer: Customer, pk) -> LinkedMedium:
    """The bare link row (no balances) for the management pages; another customer's → 404."""
    try:
        return (LinkedMedium.objects.select_related("medium", "customer")
                .get(pk=int(pk), customer=customer, medium__customer=customer))
    except (LinkedMedium.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("账户不存在") from exc


def linked_media(*, customer: Customer) -> list[LinkedMedium]:
    return list(LinkedMedium.objects.filter(customer=customer, medium__customer=customer)
                .select_related("medium", "customer").order_by("position", "id"))


# --- 交易明细查询 --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryAccount:
    sub_account: SubAccount
    name: str

    @property
    def pk(self) -> int:
        return self.sub_account.pk

    @property
    def masked_number(self) -> str:
        return self.sub_account.medium.masked_number

    @property
    def label(self) -> str:
        """``工资卡（尾号0013）活期主账户``: short enough for a select; other sub-accounts add
        their sequence number, since one medium may hold several of a kind."""
        sub = self.sub_account
        kind = sub.get_kind_display()
        if sub.kind != SubAccountKind.CURRENT_MAIN:
            kind = f"{kind}-{sub.seq:04d}"
        return f"{self.name}（尾号{sub.medium.number[-4:]}）{kind}"


def _history_accounts(customer: Customer) -> QuerySet[SubAccount]:
    return (SubAccount.objects
            .filter(medium__link__customer=customer, medium__customer=customer)
            # Credit-card accounts have their own statements (信用卡业务).
            .exclude(kind=SubAccountKind.CREDIT)
            .select_related("medium", "medium__link", "medium__customer", "ledger_account")
            .order_by("medium__link__position", "medium_id", "seq"))


def _history_account(sub: SubAccount) -> HistoryAccount:
    link = sub.medium.link
    link.customer = sub.medium.customer  # same customer (filtered above); saves a query
    return HistoryAccount(sub_account=sub, name=account_name(link))


def history_accounts(*, customer: Customer) -> list[HistoryAccount]:
    """Sub-accounts of the customer's linked media that 交易明细查询 may choose (one query)."""
    return [_history_account(sub) for sub in _history_accounts(customer)]


def history_account_get(*, customer: Customer, sub_account_id) -> HistoryAccount:
    try:
        return _history_account(_history_accounts(customer).get(pk=int(sub_account_id)))
    except (SubAccount.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("账户不存在") from exc


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, day after end 00:00) in Asia/Shanghai, the bank's calendar."""
    return (datetime.combine(start, time.min, tzinfo=SHANGHAI),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI))


def postings_for_period(*, ledger_account_id: int, start: date, end: date,
                        before: int | None = None) -> QuerySet[Posting]:
    """Postings of one ledger account in a period, newest first, keyset-paged by id.

    ``ORDER BY id DESC`` with ``account_id = …`` (and ``id < before`` for later pages) walks the
    ``ledger_post_acct_id_desc`` index from where the last page stopped and stops after one page:
    the cost does not grow with the account's history. Ids grow with time (one sequence), so
    newest-first by id is newest-first by posting time; postings that arrive while the customer
    pages have larger ids and cannot shift the pages after the first.
    """
    start_at, end_at = day_bounds(start, end)
    rows = Posting.objects.filter(account_id=ledger_account_id, posted_at__gte=start_at,
                                  posted_at__lt=end_at)
    if before is not None:
        rows = rows.filter(id__lt=before)
    return rows.order_by("-id")


@dataclass(frozen=True)
class HistoryRow:
    posting_id: int
    posted_at: datetime
    summary: str
    income: Decimal | None
    expense: Decimal | None
    balance_after: Decimal
    counterparty_name: str
    counterparty_account: str


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    next_before: int | None  # ?before=<this> opens the next page; None on the last one


def _summary(posting: Posting) -> str:
    entry = posting.entry
    label = entry.get_business_type_display()
    memo = (entry.memo or "").strip()
    return f"{label}（{memo}）" if memo and memo != label else label


def _history_rows(account: HistoryAccount, postings: list[Posting]) -> list[HistoryRow]:
    sub = account.sub_account
    receipts = {}
    if postings:
        receipts = {r.entry_id: r for r in Receipt.objects.filter(
            sub_account_id=sub.pk, entry_id__in=[p.entry_id for p in postings])}
    normal_side = sub.ledger_account.normal_side
    rows = []
    for posting in postings:
        receipt = receipts.get(posting.entry_id)
        name = number = ""
        if receipt is not None:
            if receipt.direction == ReceiptDirection.DEBIT:
                name, number = receipt.payee_name, receipt.payee_account
            else:
                name, number = receipt.payer_name, receipt.payer_account
            # Someone else's full account number is not ours to print in a list.
            number = mask_account_number(number) if number else ""
        incoming = posting.side == normal_side
        rows.append(HistoryRow(
            posting_id=posting.pk, posted_at=posting.posted_at, summary=_summary(posting),
            income=posting.amount if incoming else None,
            expense=None if incoming else posting.amount,
            balance_after=posting.balance_after, counterparty_name=name,
            counterparty_account=number,
        ))
    return rows


def history_page(*, account: HistoryAccount, start: date, end: date, before: int | None = None,
                 size: int = PAGE_SIZE) -> HistoryPage:
    """One page of 交易明细 (two queries: postings with their entries, then receipts)."""
    postings = list(postings_for_period(ledger_account_id=account.sub_account.ledger_account_id,
                                        start=start, end=end, before=before)
                    .select_related("entry")[: size + 1])
    more = len(postings) > size
    postings = postings[:size]
    return HistoryPage(rows=_history_rows(account, postings),
                       next_before=postings[-1].pk if more and postings else None)


def history_rows_iter(*, account: HistoryAccount, start: date, end: date,
                      chunk: int = 1000, limit: int | None = None) -> Iterator[HistoryRow]:
    """Every row of the period, newest first, read a chunk at a time along the same index."""
    before = None
    produced = 0
    while True:
        page = history_page(account=account, start=start, end=end, before=before, size=chunk)
        for row in page.rows:
            if limit is not None and produced >= limit:
                return
            produced += 1
            yield row
        if page.next_before is None:
            return
        before = page.next_before


# --- 账户挂失 ----------------------------------------------------------------------------------


def oral_loss_reported_at(*, medium_ids: list[int]) -> dict[int, datetime]:
    """When each medium's latest online oral loss report was made (from its audit row)."""
    refs = {medium_ref(pk): pk for pk in medium_ids}
    rows = (AuditEvent.objects
            .filter(action=LOSS_REPORT_ACTION, outcome=AuditOutcome.SUCCESS,
                    object_ref__in=list(refs))
            .values("object_ref").annotate(last=Max("occurred_at")))
    return {refs[row["object_ref"]]: row["last"] for row in rows}
