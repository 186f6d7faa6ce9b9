"""Reads of the 账户管理 pages, every one scoped to the logged-in customer.

Anything a URL or a form names (a LinkedMedium pk, a SubAccount pk) is looked up through the
customer: another customer's id is a 404, never their data. Balances are the ledger's cached
``balance`` and ``held`` (available = balance − held); a page reads each table once, never
once per row.

The reads behind 账户总览 (also 账户详情 and 账户挂失) and 交易明细 are the busiest of the site
and run as SQL written here, one statement each, selecting only what the pages show: building
and compiling the equivalent ORM queries cost three to four times the round trip itself
(in-process on the bench machine: the 账户总览 read 2.4 → 0.5 ms, 交易明细's accounts 2.1 →
0.4 ms and its page 2.3 → 0.65 ms). :func:`_sql_rows` runs them on either backend; everything
else here is ORM.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.http import Http404
from django.utils import timezone

from ebank.core.clock import SHANGHAI
from ebank.core.masking import mask_account_number
from ebank.core.money import CENT, format_amount
from ebank.core.web import url_or_none
from ebank.ledger.business_types import business_type_label

from ..models import (
    Customer,
    LinkedMedium,
    Medium,
    MediumKind,
    MediumStatus,
    ReceiptDirection,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)

PAGE_SIZE = 20
CURRENT_KINDS = frozenset({SubAccountKind.CURRENT_MAIN, SubAccountKind.CURRENT})
# The audit action of an online oral loss report (网银日志查询 shows it as 账户挂失).
LOSS_REPORT_ACTION = "account_loss_report"
# Labels as get_FOO_display() gives them, for rows read in SQL (no model instance).
# Labels by value, as get_FOO_display() gives them (which rebuilds its dict on every call: the
# account lists call it for every row).
MEDIUM_KIND_LABELS = dict(MediumKind.choices)
MEDIUM_STATUS_LABELS = dict(MediumStatus.choices)
SUB_ACCOUNT_KIND_LABELS = dict(SubAccountKind.choices)
SUB_ACCOUNT_KIND_LABELS = dict(SubAccountKind.choices)


def account_name(link: LinkedMedium) -> str:
    """The name every account list shows: the alias once set, else 户名 + 介质类型 (notes 7–8)."""
    return _account_name(alias=link.alias, holder_name=link.customer.name,
                         medium_kind=link.medium.kind)


def _account_name(*, alias: str, holder_name: str, medium_kind: str) -> str:
    return alias or f"{holder_name} {MEDIUM_KIND_LABELS.get(medium_kind, medium_kind)}"


def medium_ref(medium: Medium | int) -> str:
    """``object_ref`` of audit rows about a medium: by id, since masked numbers repeat."""
    return f"medium:{medium if isinstance(medium, int) else medium.pk}"


# --- SQL of the busiest reads ------------------------------------------------------------------

_MAX_ID = 2**63 - 1  # an id beyond bigint names nothing (and SQLite refuses to bind it)


def _first_or_404(raw_pk, fetch):
    """``fetch(pk)``'s first result for an id a URL or form named; anything else → 404."""
    try:
        pk = int(raw_pk)
    except (ValueError, TypeError) as exc:
        raise Http404("账户不存在") from exc
    found = fetch(pk) if 0 < pk <= _MAX_ID else []
    if not found:
        raise Http404("账户不存在")
    return found[0]


def _sql_rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _db_datetime(value: datetime):
    """An aware datetime as the database compares it (SQLite stores naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def _aware(value: datetime) -> datetime:
    # PostgreSQL hands back aware datetimes; SQLite naive UTC ones (as the ORM would convert).
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def _money(value) -> Decimal:
    # PostgreSQL hands back Decimal; SQLite int or float for NUMERIC columns.
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(CENT)


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
        kind = self.sub_account.kind
        return SUB_ACCOUNT_KIND_LABELS.get(kind, kind)

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
        kind = self.link.medium.kind
        return MEDIUM_KIND_LABELS.get(kind, kind)

    @property
    def masked_number(self) -> str:
        return self.link.medium.masked_number

    @property
    def status_label(self) -> str:
        status = self.link.medium.status
        return MEDIUM_STATUS_LABELS.get(status, status)

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


# What 账户总览, 账户详情 and 账户挂失 show: one row per sub-account of each linked medium, LEFT
# JOINed so that a medium without one (a credit card: its account has its own statements in
# 信用卡业务) still has its row. The medium's own customer is checked too: a link row pointing at
# someone else's medium (a data error) must not show that medium's money.
_LINKED_SQL = """
    SELECT l.id, l.alias, m.id, m.number, m.kind, m.status, m.opened_on,
           s.id, s.seq, s.kind, s.status, s.opened_on, s.ledger_account_id, a.balance, a.held
    FROM accounts_linkedmedium l
    JOIN accounts_medium m ON m.id = l.medium_id
    LEFT JOIN accounts_subaccount s ON s.medium_id = m.id AND s.kind <> %s
    LEFT JOIN ledger_ledgeraccount a ON a.id = s.ledger_account_id
    WHERE l.customer_id = %s AND m.customer_id = %s {and_link}
    ORDER BY l.position, l.id, s.seq
"""


def _loaded(model, **values):
    """A model instance from columns read in SQL; the columns not read stay deferred (reading
    one costs a query, as after ``.only()``)."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, fields, [values[name] for name in fields])


def _linked_rows(customer: Customer, pk: int | None = None) -> list[LinkedAccountRow]:
    params = [SubAccountKind.CREDIT, customer.pk, customer.pk]
    if pk is not None:
        params.append(pk)
    found = _sql_rows(_LINKED_SQL.format(and_link="AND l.id = %s" if pk is not None else ""),
                      params)
    rows: list[LinkedAccountRow] = []
    link = None
    subs: list[SubAccountRow] = []
    for (link_id, alias, medium_id, number, medium_kind, medium_status, medium_opened_on,
         sub_id, seq, kind, status, opened_on, ledger_account_id, balance, held) in found:
        if link is None or link.pk != link_id:
            if link is not None:
                rows.append(LinkedAccountRow(link=link, name=account_name(link),
                                             sub_accounts=tuple(subs)))
            medium = _loaded(Medium, id=medium_id, number=number, kind=medium_kind,
                             customer_id=customer.pk, status=medium_status,
                             opened_on=medium_opened_on)
            medium.customer = customer
            link = _loaded(LinkedMedium, id=link_id, customer_id=customer.pk,
                           medium_id=medium_id, alias=alias)
            link.customer, link.medium = customer, medium
            subs = []
        if sub_id is not None:
            sub = _loaded(SubAccount, id=sub_id, medium_id=medium_id, seq=seq, kind=kind,
                          ledger_account_id=ledger_account_id, status=status, opened_on=opened_on)
            sub.medium = link.medium
            balance, held = _money(balance), _money(held)
            subs.append(SubAccountRow(sub_account=sub, balance=balance, available=balance - held))
    if link is not None:
        rows.append(LinkedAccountRow(link=link, name=account_name(link), sub_accounts=tuple(subs)))
    return rows


def linked_accounts(*, customer: Customer) -> list[LinkedAccountRow]:
    """The customer's 网银关联账户 in their order, with sub-accounts and balances: one query."""
    return _linked_rows(customer)


def linked_account_get(*, customer: Customer, pk) -> LinkedAccountRow:
    """One linked account of the customer's by LinkedMedium pk; anything else → 404."""
    return _first_or_404(pk, lambda pk: _linked_rows(customer, pk=pk))


def linked_medium_get(*, customer: Customer, pk) -> LinkedMedium:
    """The bare link row (no balances) for the management pages; another customer's → 404."""
    try:
        link = (LinkedMedium.objects.select_related("medium")
                .get(pk=int(pk), customer=customer, medium__customer=customer))
    except (LinkedMedium.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("账户不存在") from exc
    link.customer = customer  # the filter's own: no join for what is known
    return link


def linked_media(*, customer: Customer) -> list[LinkedMedium]:
    links = list(LinkedMedium.objects.filter(customer=customer, medium__customer=customer)
                 .select_related("medium").order_by("position", "id"))
    for link in links:
        link.customer = customer  # the filter's own: no join for what is known
    return links


def account_actions(row: LinkedAccountRow) -> dict[str, str | None]:
    """转账 / 缴费 / 明细 of one account, each naming it (转账中转页 and 交易明细查询 open with it
    chosen); a page not built yet (or a lost medium) has no link. A 信用卡 has 额度 and 还款
    (信用卡业务's pages) instead."""
    if row.link.medium.kind == MediumKind.CREDIT_CARD:
        # A 信用卡's money is in 信用卡业务 (its 额度, bills and 还款), not in a 活期 balance.
        return {"credit_limit": url_or_none("creditcard:limit"),
                "credit_repay": url_or_none("creditcard:repay")}
    history = None
    if row.history_sub_account_id is not None:
        history = f"{url_or_none('accounts:history')}?account={row.history_sub_account_id}"
    usable = row.is_normal and row.has_current
    hub = url_or_none("transfers:hub") if usable else None
    payments_hub = url_or_none("payments:index") if usable else None
    return {
        # 转账中转页 with the account as the 转出账户 (its 活期主账户) of whichever transfer follows.
        "transfer": f"{hub}?account={row.history_sub_account_id}" if hub else None,
        # 缴费中转页 with the account as the 缴费账户 of whichever payment follows.
        "payment": (f"{payments_hub}?account={row.history_sub_account_id}" if payments_hub
                    else None),
        "history": history,
    }


# --- 首页 ---------------------------------------------------------------------------------------

# 常用功能 on 首页: (label, URL name); a page not built yet is left out.
SHORTCUTS = (
    ("账户总览", "accounts:overview"),
    ("交易明细查询", "accounts:history"),
    ("关联账户互转", "transfers:own"),
    ("行内转账", "transfers:intra"),
    ("跨行转账", "transfers:inter"),
    ("收款人管理", "transfers:payees"),
    ("网银转账查询", "transfers:history"),
    ("电子回单查询", "accounts:receipts"),
)


def home_panel(*, customer) -> dict:
    """What 首页 shows of the customer's money: the linked accounts with their balances and
    转账/明细 links (as 账户总览), and the 常用功能 shortcuts. Called by ``security``'s home view
    (``security/identity/views.py``)."""
    rows = linked_accounts(customer=customer)
    shortcuts = [(label, url_or_none(name)) for label, name in SHORTCUTS]
    return {
        "account_rows": [(row, format_amount(row.balance), format_amount(row.available),
                          account_actions(row)) for row in rows],
        "shortcuts": [(label, url) for label, url in shortcuts if url],
    }


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


# The sub-accounts 交易明细查询 may choose, in the order of 账户总览. The customer is known:
# their name comes from the object, not from a join.
_HISTORY_ACCOUNTS_SQL = """
    SELECT s.id, s.seq, s.kind, s.ledger_account_id, a.normal_side, m.number, m.kind, l.alias
    FROM accounts_subaccount s
    JOIN accounts_medium m ON m.id = s.medium_id
    JOIN accounts_linkedmedium l ON l.medium_id = m.id
    JOIN ledger_ledgeraccount a ON a.id = s.ledger_account_id
    WHERE l.customer_id = %s AND m.customer_id = %s AND s.kind <> %s {and_sub_account}
    ORDER BY l.position, s.medium_id, s.seq
"""


def _history_accounts(customer: Customer, sub_account_id: int | None = None) -> list[HistoryAccount]:
    # Credit-card accounts have their own statements (信用卡业务).
    params = [customer.pk, customer.pk, SubAccountKind.CREDIT]
    if sub_account_id is not None:
        params.append(sub_account_id)
    sql = _HISTORY_ACCOUNTS_SQL.format(
        and_sub_account="AND s.id = %s" if sub_account_id is not None else "")
    return [
        HistoryAccount(
            pk=pk, seq=seq, kind=kind, ledger_account_id=ledger_account_id,
            normal_side=normal_side, holder_name=customer.name,
            name=_account_name(alias=alias, holder_name=customer.name, medium_kind=medium_kind),
            masked_number=mask_account_number(number), number_tail=number[-4:])
        for pk, seq, kind, ledger_account_id, normal_side, number, medium_kind, alias
        in _sql_rows(sql, params)
    ]


def history_accounts(*, customer: Customer) -> list[HistoryAccount]:
    """Sub-accounts of the customer's linked media that 交易明细查询 may choose (one query)."""
    return _history_accounts(customer)


def history_account_get(*, customer: Customer, sub_account_id) -> HistoryAccount:
    return _first_or_404(sub_account_id,
                         lambda pk: _history_accounts(customer, sub_account_id=pk))


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, day after end 00:00) in Asia/Shanghai, the bank's calendar."""
    return (datetime.combine(start, time.min, tzinfo=SHANGHAI),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI))


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
    label = business_type_label(business_type)
    memo = (memo or "").strip()
    return f"{label}（{memo}）" if memo and memo != label else label


# One page of 交易明细: the postings of one ledger account in a period, newest first, keyset-paged
# by id, with their entry and the account's receipt of that entry (at most one: unique per entry
# and sub-account), which names the other party.
#
# ``ORDER BY id DESC`` with ``account_id = …`` (and ``id < before`` for later pages) walks the
# ``ledger_post_acct_id_desc`` index from where the last page stopped and stops after one page:
# the cost does not grow with the account's history. Ids grow with time (one sequence), so
# newest-first by id is newest-first by posting time; postings that arrive while the customer
# pages have larger ids and cannot shift the pages after the first.
_HISTORY_PAGE_SQL = """
    SELECT p.id, p.side, p.amount, p.balance_after, p.posted_at, e.business_type, e.memo,
           r.direction, r.payer_name, r.payer_account, r.payee_name, r.payee_account
    FROM ledger_posting p
    JOIN ledger_entry e ON e.id = p.entry_id
    LEFT JOIN accounts_receipt r ON r.entry_id = p.entry_id AND r.sub_account_id = %s
    WHERE p.account_id = %s AND p.posted_at >= %s AND p.posted_at < %s {and_before}
    ORDER BY p.id DESC
    LIMIT %s
"""


def history_page_statement(*, account: HistoryAccount, start: date, end: date,
                           before: int | None, limit: int) -> tuple[str, list]:
    """The SQL and parameters of :func:`history_page` (the index test explains it)."""
    start_at, end_at = day_bounds(start, end)
    params = [account.pk, account.ledger_account_id, _db_datetime(start_at), _db_datetime(end_at)]
    if before is not None:
        params.append(before)
    params.append(limit)
    return _HISTORY_PAGE_SQL.format(and_before="AND p.id < %s" if before is not None else ""), params


def _history_row(account: HistoryAccount, row: tuple) -> HistoryRow:
    (posting_id, side, amount, balance_after, posted_at, business_type, memo,
     direction, payer_name, payer_account, payee_name, payee_account) = row
    name = number = ""
    if direction is not None:
        if direction == ReceiptDirection.DEBIT:
            name, number = payee_name, payee_account
        else:
            name, number = payer_name, payer_account
        # Someone else's full account number is not ours to print in a list.
        number = mask_account_number(number) if number else ""
    amount = _money(amount)
    incoming = side == account.normal_side
    return HistoryRow(
        posting_id=posting_id, posted_at=_aware(posted_at), summary=_summary(business_type, memo),
        income=amount if incoming else None, expense=None if incoming else amount,
        balance_after=_money(balance_after), counterparty_name=name, counterparty_account=number,
    )


def history_page(*, account: HistoryAccount, start: date, end: date, before: int | None = None,
                 size: int = PAGE_SIZE) -> HistoryPage:
    """One page of 交易明细, newest first: one statement."""
    found = _sql_rows(*history_page_statement(account=account, start=start, end=end,
                                              before=before, limit=size + 1))
    rows = [_history_row(account, row) for row in found[:size]]
    return HistoryPage(rows=rows,
                       next_before=rows[-1].posting_id if len(found) > size and rows else None)


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
