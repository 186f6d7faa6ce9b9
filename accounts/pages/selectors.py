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

from django.db.models import Max, QuerySet
from django.http import Http404

from ebank.core.masking import mask_account_number
from ebank.core.models import AuditEvent, AuditOutcome
from ebank.ledger.models import BusinessType, Posting
from ebank.limits.engine import SHANGHAI

from ..models import (
    Customer,
    LinkedMedium,
    Medium,
    MediumKind,
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
# Labels as get_FOO_display() gives them, for rows read with values_list (no model instance).
MEDIUM_KIND_LABELS = dict(MediumKind.choices)
SUB_ACCOUNT_KIND_LABELS = dict(SubAccountKind.choices)
BUSINESS_TYPE_LABELS = dict(BusinessType.choices)


def account_name(link: LinkedMedium) -> str:
    """The name every account list shows: the alias once set, else 户名 + 介质类型 (notes 7–8)."""
    return _account_name(alias=link.alias, holder_name=link.customer.name,
                         medium_kind=link.medium.kind)


def _account_name(*, alias: str, holder_name: str, medium_kind: str) -> str:
    return alias or f"{holder_name} {MEDIUM_KIND_LABELS.get(medium_kind, medium_kind)}"


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


# What 账户总览, 账户详情 and 账户挂失 show, in one query: one row per sub-account of each linked
# medium (LEFT JOINs, so a link whose medium has no sub-account still has its row).
_LINK_COLUMNS = ("id", "alias", "medium_id", "medium__number", "medium__kind", "medium__status",
                 "medium__opened_on", "medium__sub_accounts__id", "medium__sub_accounts__seq",
                 "medium__sub_accounts__kind", "medium__sub_accounts__status",
                 "medium__sub_accounts__opened_on", "medium__sub_accounts__ledger_account_id",
                 "medium__sub_accounts__ledger_account__balance",
                 "medium__sub_accounts__ledger_account__held")


def _loaded(model, db: str, **values):
    """A model instance from columns read with ``values_list``; the columns not read stay
    deferred (reading one costs a query, as after ``.only()``)."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, fields, [values[name] for name in fields])


def _linked_rows(customer: Customer, pk: int | None = None) -> list[LinkedAccountRow]:
    links = (LinkedMedium.objects
             # The medium's own customer too: a link row pointing at someone else's medium
             # (a data error) must not show that medium's money.
             .filter(customer=customer, medium__customer=customer))
    if pk is not None:
        links = links.filter(pk=pk)
    links = links.order_by("position", "id", "medium__sub_accounts__seq").values_list(*_LINK_COLUMNS)
    rows: list[LinkedAccountRow] = []
    link = None
    subs: list[SubAccountRow] = []
    for (link_id, alias, medium_id, number, medium_kind, medium_status, medium_opened_on,
         sub_id, seq, kind, status, opened_on, ledger_account_id, balance, held) in links:
        if link is None or link.pk != link_id:
            if link is not None:
                rows.append(LinkedAccountRow(link=link, name=account_name(link),
                                             sub_accounts=tuple(subs)))
            medium = _loaded(Medium, links.db, id=medium_id, number=number, kind=medium_kind,
                             customer_id=customer.pk, status=medium_status,
                             opened_on=medium_opened_on)
            medium.customer = customer
            link = _loaded(LinkedMedium, links.db, id=link_id, customer_id=customer.pk,
                           medium_id=medium_id, alias=alias)
            link.customer, link.medium = customer, medium
            subs = []
        # Credit-card accounts have their own statements (信用卡业务).
        if sub_id is not None and kind != SubAccountKind.CREDIT:
            sub = _loaded(SubAccount, links.db, id=sub_id, medium_id=medium_id, seq=seq,
                          kind=kind, ledger_account_id=ledger_account_id, status=status,
                          opened_on=opened_on)
            sub.medium = link.medium
            subs.append(SubAccountRow(sub_account=sub, balance=balance, available=balance - held))
    if link is not None:
        rows.append(LinkedAccountRow(link=link, name=account_name(link), sub_accounts=tuple(subs)))
    return rows


def linked_accounts(*, customer: Customer) -> list[LinkedAccountRow]:
    """The customer's 网银关联账户 in their order, with sub-accounts and balances: one query."""
    return _linked_rows(customer)


def linked_account_get(*, customer: Customer, pk) -> LinkedAccountRow:
    """One linked account of the customer's by LinkedMedium pk; anything else → 404."""
    try:
        rows = _linked_rows(customer, pk=int(pk))
    except (ValueError, TypeError) as exc:
        raise Http404("账户不存在") from exc
    if not rows:
        raise Http404("账户不存在")
    return rows[0]


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
    """A sub-account 交易明细查询 may choose, with what the page and the export print about it.

    Plain values read in one query; the medium's number is kept only masked and as its last
    four digits, which is all any page or file name shows.
    """

    pk: int  # SubAccount
    seq: int
    kind: str
    ledger_account_id: int
    normal_side: str  # postings on this side are 收入, the others 支出
    holder_name: str  # 户名
    name: str  # account_name(): the alias, else 户名 + 介质类型
    masked_number: str
    number_tail: str

    @property
    def kind_label(self) -> str:
        return SUB_ACCOUNT_KIND_LABELS.get(self.kind, self.kind)

    @property
    def label(self) -> str:
        """``工资卡（尾号0013）活期主账户``: short enough for a select; other sub-accounts add
        their sequence number, since one medium may hold several of a kind."""
        kind = self.kind_label
        if self.kind != SubAccountKind.CURRENT_MAIN:
            kind = f"{kind}-{self.seq:04d}"
        return f"{self.name}（尾号{self.number_tail}）{kind}"


def _history_accounts(customer: Customer) -> QuerySet:
    # The customer is known: their name comes from the object, not from a join.
    return (SubAccount.objects
            .filter(medium__link__customer=customer, medium__customer=customer)
            # Credit-card accounts have their own statements (信用卡业务).
            .exclude(kind=SubAccountKind.CREDIT)
            .order_by("medium__link__position", "medium_id", "seq")
            .values_list("id", "seq", "kind", "ledger_account_id", "ledger_account__normal_side",
                         "medium__number", "medium__kind", "medium__link__alias"))


def _history_account(customer: Customer, row: tuple) -> HistoryAccount:
    pk, seq, kind, ledger_account_id, normal_side, number, medium_kind, alias = row
    return HistoryAccount(
        pk=pk, seq=seq, kind=kind, ledger_account_id=ledger_account_id, normal_side=normal_side,
        holder_name=customer.name,
        name=_account_name(alias=alias, holder_name=customer.name, medium_kind=medium_kind),
        masked_number=mask_account_number(number), number_tail=number[-4:])


def history_accounts(*, customer: Customer) -> list[HistoryAccount]:
    """Sub-accounts of the customer's linked media that 交易明细查询 may choose (one query)."""
    return [_history_account(customer, row) for row in _history_accounts(customer)]


def history_account_get(*, customer: Customer, sub_account_id) -> HistoryAccount:
    try:
        row = _history_accounts(customer).filter(pk=int(sub_account_id)).first()
    except (ValueError, TypeError) as exc:
        raise Http404("账户不存在") from exc
    if row is None:
        raise Http404("账户不存在")
    return _history_account(customer, row)


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


def _summary(business_type: str, memo: str) -> str:
    label = BUSINESS_TYPE_LABELS.get(business_type, business_type)
    memo = (memo or "").strip()
    return f"{label}（{memo}）" if memo and memo != label else label


# What a 交易明细 row shows, and the receipt columns that name the other party.
_POSTING_COLUMNS = ("id", "entry_id", "side", "amount", "balance_after", "posted_at",
                    "entry__business_type", "entry__memo")
_RECEIPT_COLUMNS = ("entry_id", "direction", "payer_name", "payer_account", "payee_name",
                    "payee_account")


def _history_rows(account: HistoryAccount, postings: list[tuple]) -> list[HistoryRow]:
    receipts = {}
    if postings:
        receipts = {row[0]: row for row in Receipt.objects
                    .filter(sub_account_id=account.pk, entry_id__in=[p[1] for p in postings])
                    .order_by().values_list(*_RECEIPT_COLUMNS)}
    rows = []
    for posting_id, entry_id, side, amount, balance_after, posted_at, business_type, memo in postings:
        receipt = receipts.get(entry_id)
        name = number = ""
        if receipt is not None:
            _entry_id, direction, payer_name, payer_account, payee_name, payee_account = receipt
            if direction == ReceiptDirection.DEBIT:
                name, number = payee_name, payee_account
            else:
                name, number = payer_name, payer_account
            # Someone else's full account number is not ours to print in a list.
            number = mask_account_number(number) if number else ""
        incoming = side == account.normal_side
        rows.append(HistoryRow(
            posting_id=posting_id, posted_at=posted_at, summary=_summary(business_type, memo),
            income=amount if incoming else None, expense=None if incoming else amount,
            balance_after=balance_after, counterparty_name=name, counterparty_account=number,
        ))
    return rows


def history_page(*, account: HistoryAccount, start: date, end: date, before: int | None = None,
                 size: int = PAGE_SIZE) -> HistoryPage:
    """One page of 交易明细 (two queries: postings with their entries, then receipts)."""
    postings = list(postings_for_period(ledger_account_id=account.ledger_account_id,
                                        start=start, end=end, before=before)
                    .values_list(*_POSTING_COLUMNS)[: size + 1])
    more = len(postings) > size
    postings = postings[:size]
    return HistoryPage(rows=_history_rows(account, postings),
                       next_before=postings[-1][0] if more and postings else None)


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
