"""活期 积数 and the quarterly 活期 settlement (结息), as the nightly batch runs them.

DOMAIN-RULES §2 "活期 settlement": interest = Σ daily closing balances (积数) × rate / 360, settled
on the 20th of Mar/Jun/Sep/Dec (dated the 20th, credited the 21st); a quarter's 积数 runs from
the 21st after the last 结息日 through the 20th inclusive.

积数 (``accrual_run``): for business date D every open 活期 sub-account (活期主账户 and 活期) gets
its :class:`~deposits.models.CurrentAccrual` row (created when missing, its period starting the
day after the last 结息日, or on the opening day when later) and ``accrued += closing balance of
D``, once: rows with ``accrued_through >= D`` are left alone and ``accrued_through`` becomes D.
The closing balance of day X is the ledger account's cached balance minus the postings posted
after the end of X (Asia/Shanghai midnight): the batch runs after midnight while customers keep
moving money. A gap (the batch missed days, or a row created mid-period) is filled in the same
statement: every missed day's closing balance is added, each computed the same way from the
postings. A gap may not cross a 结息日 that was not settled: that date's batch must run first.

Settlement (``settlement_run``): only when D is a 结息日. Per account, interest =
``interest_by_accrual(accrued, 活期 rate in force on D)``; a non-zero one is one ledger entry
(利息支出 → the account, business type 活期结息, idempotency key
``current_interest:<sub-account id>:<D>``) with its 电子回单. Every settled row then starts its
next period on D+1 with 积数 0 (the interest counts in the balance from the 21st).

Both steps are set-based on PostgreSQL (a few statements per step, or per chunk of accounts for
the settlement); on SQLite (the embedded dev site) they are plain ORM and ``entry_post`` loops.
The two paths give the same rows: deposits/tests/test_current.py compares them on PostgreSQL.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import ReceiptDirection, SubAccount, SubAccountKind, SubAccountStatus
from accounts.receipts.services import (
    ReceiptElements,
    normalize_account,
    receipt_issue,
    receipt_number_new,
    receipt_text,
)
from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import Entry, Posting
from ebank.ledger.services import Leg, entry_fingerprint, entry_post

from .business_types import DepositBusinessType
from .interest import interest_by_accrual
from .models import CurrentAccrual, Product
from .rates import rate_on

CURRENT_KINDS = (SubAccountKind.CURRENT_MAIN, SubAccountKind.CURRENT)
SETTLEMENT_MONTHS = (3, 6, 9, 12)
SETTLEMENT_DAY = 20
INTEREST_PAYER = "本行利息支出"
RECEIPT_BUSINESS = "活期结息"
RECEIPT_CHANNEL = "日终批量"
# Accounts per chunk of the set-based settlement: the arrays sent in one statement.
SETTLEMENT_CHUNK = 10_000
# New 积数 rows above which the step refreshes the table's planner statistics.
ANALYZE_AFTER = 1_000


class AccrualGapError(BusinessError):
    code = "accrual_gap"
    default_message = "活期积数跨越未结息的结息日"


class RateMissing(BusinessError):
    code = "current_rate_missing"
    default_message = "未设置活期利率"


# --- dates ------------------------------------------------------------------------------------


def is_settlement_date(day: date) -> bool:
    """结息日: the 20th of March, June, September and December."""
    return day.month in SETTLEMENT_MONTHS and day.day == SETTLEMENT_DAY


def last_settlement_before(day: date) -> date:
    """The latest 结息日 strictly before ``day``."""
    year, month = day.year, day.month
    while True:
        if month in SETTLEMENT_MONTHS:
            candidate = date(year, month, SETTLEMENT_DAY)
            if candidate < day:
                return candidate
        month -= 1
        if month == 0:
            year, month = year - 1, 12


def day_end(day: date) -> datetime:
    """The end of business day ``day``: the next Asia/Shanghai midnight, as an aware time."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def current_rate_on(day: date) -> Decimal:
    """The 活期 annual rate (percent) in force on ``day`` (``rates.rate_on``); none stops the
    batch at this step."""
    try:
        return rate_on(product=Product.CURRENT, term_months=0, day=day).annual_rate
    except BusinessError:
        raise RateMissing(f"{day:%Y-%m-%d} 无生效的活期利率，不能结息") from None


# --- 积数 -------------------------------------------------------------------------------------


def _open_current_accounts():
    return SubAccount.objects.filter(kind__in=CURRENT_KINDS, status=SubAccountStatus.OPEN)


def _check_no_unsettled_period(day: date) -> None:
    """A row still in a period that ended on a 结息日 before ``day`` was not settled: refuse to
    carry its 积数 into the next quarter (the operator runs that 结息日's batch first)."""
    previous = last_settlement_before(day)
    stale = (CurrentAccrual.objects
             .filter(period_start__lte=previous, sub_account__kind__in=CURRENT_KINDS,
                     sub_account__status=SubAccountStatus.OPEN)
             .filter(Q(accrued_through__isnull=True) | Q(accrued_through__lt=day)))
    if stale.exists():
        raise AccrualGapError(
            f"活期积数尚未在结息日 {previous:%Y-%m-%d} 结息：请先运行该日的日终批处理"
            f"（run_nightly_batch --date {previous:%Y-%m-%d}）")


def accrual_run(day: date) -> int:
    """Add the closing balance of ``day`` (and of any missed day) to every open 活期
    sub-account's 积数, once; returns the number of rows added to."""
    _check_no_unsettled_period(day)
    period_start = last_settlement_before(day) + timedelta(days=1)
    if connection.vendor == "postgresql":
        return _accrual_pg(day, period_start)
    return _accrual_python(day, period_start)


# The accounts without a row, by EXCEPT: a set operation reads both sides whole before it
# yields, so it never rescans the pages this INSERT is filling (a NOT EXISTS on a table the
# planner believes empty did, per account: 44 s for the first 100,000), and it costs a scan
# where ON CONFLICT alone would probe the index for every account every night.
_ACCRUAL_CREATE_SQL = """
INSERT INTO deposits_currentaccrual (sub_account_id, period_start, accrued_through, accrued)
SELECT s.id, GREATEST(%(period_start)s::date, s.opened_on), NULL, 0
  FROM accounts_subaccount s
  JOIN (SELECT id FROM accounts_subaccount
         WHERE kind = ANY(%(kinds)s::text[]) AND status = %(open)s AND opened_on <= %(day)s
        EXCEPT
        SELECT sub_account_id FROM deposits_currentaccrual) missing ON missing.id = s.id
 ORDER BY s.id
ON CONFLICT (sub_account_id) DO NOTHING
"""

# One statement, one snapshot: the cached balances and the postings after each day are read
# together. For a row whose first missing day is ``start`` (``n`` days through D):
#   Σ_{X=start..D} closing(X) = n × balance − Σ_{postings p after the end of start}
#                                 signed(p) × (min(business day of p, D + 1) − start)
# (a posting of business day d is "after the end of X" for every X < d). With no gap n = 1 and
# only the postings after the end of D count, each once.
_ACCRUAL_ADD_SQL = """
WITH due AS NOT MATERIALIZED (
    -- Inlined, not materialised: the planner then knows its size and its accounts' from the
    -- tables' statistics (a materialised CTE hides them, and a bad guess joins row by row).
    SELECT c.id, s.ledger_account_id AS account_id,
           GREATEST(COALESCE(c.accrued_through + 1, c.period_start), c.period_start) AS start
      FROM deposits_currentaccrual c
      JOIN accounts_subaccount s ON s.id = c.sub_account_id
     WHERE s.kind = ANY(%(kinds)s::text[]) AND s.status = %(open)s
       AND (c.accrued_through IS NULL OR c.accrued_through < %(day)s)
       AND c.period_start <= %(day)s
), later AS (
    SELECT d.id,
           SUM(CASE WHEN p.side = a.normal_side THEN p.amount ELSE -p.amount END
               * (LEAST((p.posted_at AT TIME ZONE 'Asia/Shanghai')::date, %(day)s::date + 1)
                  - d.start)) AS back
      FROM ledger_posting p
      JOIN due d ON d.account_id = p.account_id
      JOIN ledger_ledgeraccount a ON a.id = p.account_id
     WHERE p.posted_at >= %(cutoff)s
       AND p.posted_at >= ((d.start + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
     GROUP BY d.id
)
UPDATE deposits_currentaccrual c
   SET accrued = c.accrued + (%(day)s::date - d.start + 1) * a.balance - COALESCE(l.back, 0),
       accrued_through = %(day)s
  FROM due d
  JOIN ledger_ledgeraccount a ON a.id = d.account_id
  LEFT JOIN later l ON l.id = d.id
 WHERE c.id = d.id
"""


def _accrual_params(day: date, period_start: date) -> dict:
    return {"day": day, "period_start": period_start, "open": SubAccountStatus.OPEN,
            "kinds": [str(kind) for kind in CURRENT_KINDS]}


def _accrual_pg(day: date, period_start: date) -> int:
    params = _accrual_params(day, period_start)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_ACCRUAL_CREATE_SQL, params)
        if cursor.rowcount > ANALYZE_AFTER:
            # Many new rows (the first run, a wave of openings): without statistics the planner
            # takes the table for empty and joins it row by row.
            cursor.execute("ANALYZE deposits_currentaccrual")
        # The earliest first-missing day bounds the postings read (with no gap: the end of D).
        cursor.execute(
            "SELECT MIN(GREATEST(COALESCE(c.accrued_through + 1, c.period_start), c.period_start))"
            "  FROM deposits_currentaccrual c JOIN accounts_subaccount s ON s.id = c.sub_account_id"
            " WHERE s.kind = ANY(%(kinds)s::text[]) AND s.status = %(open)s"
            "   AND (c.accrued_through IS NULL OR c.accrued_through < %(day)s)"
            "   AND c.period_start <= %(day)s", params)
        (earliest,) = cursor.fetchone()
        if earliest is None:
            return 0
        cursor.execute(_ACCRUAL_ADD_SQL, {**params, "cutoff": day_end(earliest)})
        return cursor.rowcount


def closing_balance(*, ledger_account_id: int, balance: Decimal, normal_side: str,
                    day: date) -> Decimal:
    """The account's balance at the end of ``day``: ``balance`` less what was posted after."""
    later = Posting.objects.filter(account_id=ledger_account_id, posted_at__gte=day_end(day))
    credits = later.filter(side="C").aggregate(t=Sum("amount"))["t"] or Decimal("0")
    debits = later.filter(side="D").aggregate(t=Sum("amount"))["t"] or Decimal("0")
    signed = credits - debits if normal_side == "C" else debits - credits
    return balance - signed


def _accrual_python(day: date, period_start: date) -> int:
    """The portable path (SQLite): the same rows as the SQL, one account at a time."""
    added = 0
    with transaction.atomic(savepoint=False):
        accounts = (_open_current_accounts().filter(opened_on__lte=day)
                    .select_related("ledger_account").order_by("pk"))
        existing = set(CurrentAccrual.objects.filter(sub_account__in=accounts)
                       .values_list("sub_account_id", flat=True))
        CurrentAccrual.objects.bulk_create([
            CurrentAccrual(sub_account=account, period_start=max(period_start, account.opened_on),
                           accrued=Decimal("0.00"))
            for account in accounts if account.pk not in existing])
        rows = (CurrentAccrual.objects.select_for_update()
                .filter(sub_account__in=accounts, period_start__lte=day)
                .filter(Q(accrued_through__isnull=True) | Q(accrued_through__lt=day))
                .select_related("sub_account__ledger_account").order_by("pk"))
        for row in rows:
            ledger = row.sub_account.ledger_account
            start = row.period_start
            if row.accrued_through is not None:
                start = max(start, row.accrued_through + timedelta(days=1))
            step = start
            while step <= day:
                row.accrued += closing_balance(ledger_account_id=ledger.pk, balance=ledger.balance,
                                               normal_side=ledger.normal_side, day=step)
                step += timedelta(days=1)
            row.accrued_through = day
            row.save(update_fields=["accrued", "accrued_through"])
            added += 1
    return added


# --- settlement -------------------------------------------------------------------------------


def interest_key(sub_account_id: int, day: date) -> str:
    return f"current_interest:{sub_account_id}:{day:%Y%m%d}"


def interest_reference(sub_account_id: int, day: date) -> str:
    return f"current_interest:{sub_account_id}:{day:%Y-%m-%d}"


def interest_memo(day: date) -> str:
    # NFKC-stable (ASCII space, no full-width brackets): the receipt stores 用途 normalised.
    return f"活期结息 结息日{day:%Y-%m-%d}"


@dataclass(frozen=True)
class _Due:
    accrual_id: int
    sub_account_id: int
    ledger_account_id: int
    customer_id: int
    customer_name: str
    medium_number: str
    branch_name: str
    interest: Decimal


def _due_rows(day: date, rate: Decimal, after_id: int, limit: int | None) -> list[_Due]:
    """The accrual rows settled on ``day`` (their 积数 runs through it), by id, with what the
    entry and the receipt need; the interest is computed here, by the one formula."""
    rows = (CurrentAccrual.objects
            .filter(accrued_through=day, period_start__lte=day, id__gt=after_id,
                    sub_account__kind__in=CURRENT_KINDS,
                    sub_account__status=SubAccountStatus.OPEN)
            .order_by("id")
            .values_list("id", "sub_account_id", "sub_account__ledger_account_id",
                         "sub_account__medium__customer_id", "sub_account__medium__customer__name",
                         "sub_account__medium__number", "sub_account__medium__branch__name",
                         "accrued"))
    if limit is not None:
        rows = rows[:limit]
    return [_Due(*row[:7], interest=interest_by_accrual(row[7], rate)) for row in rows]


def settlement_run(day: date, *, chunk_done: Callable[[int], None] | None = None) -> int:
    """Settle 活期 interest for 结息日 ``day``; returns the number of interest entries posted.

    Nothing happens on other days. Runs inside the nightly step's transaction: a crash rolls
    it back whole, and the idempotency key per (sub-account, 结息日) makes any rerun post
    nothing twice. ``chunk_done(posted so far)`` is called after each chunk (tests, bench).
    """
    if not is_settlement_date(day):
        return 0
    rate = current_rate_on(day)
    book_id = bank_book_id(BankBook.INTEREST_EXPENSE)
    posted = 0
    after_id = 0
    with transaction.atomic(savepoint=False):
        while True:
            chunk = _due_rows(day, rate, after_id, SETTLEMENT_CHUNK)
            if not chunk:
                break
            after_id = chunk[-1].accrual_id
            paying = [due for due in chunk if due.interest > 0]
            if paying:
                post = _settle_pg if connection.vendor == "postgresql" else _settle_python
                posted += post(day, paying, book_id)
            # The next period starts on D+1 with 积数 0 (zero-interest rows too).
            CurrentAccrual.objects.filter(id__in=[due.accrual_id for due in chunk]).update(
                period_start=day + timedelta(days=1), accrued=Decimal("0.00"))
            if chunk_done is not None:
                chunk_done(posted)
    return posted


def _legs(book_id: int, due: _Due) -> list[Leg]:
    return [Leg.debit(book_id, due.interest), Leg.credit(due.ledger_account_id, due.interest)]


def _receipt_kwargs(due: _Due, day: date) -> dict:
    return {"direction": ReceiptDirection.CREDIT, "amount": due.interest,
            "payer_name": INTEREST_PAYER, "payer_account": "", "payer_bank": due.branch_name,
            "payee_name": due.customer_name, "payee_account": due.medium_number,
            "payee_bank": due.branch_name, "purpose": interest_memo(day),
            "business": RECEIPT_BUSINESS, "channel": RECEIPT_CHANNEL}


def _settle_python(day: date, paying: list[_Due], book_id: int) -> int:
    """The portable path: ``entry_post`` and ``receipt_issue`` per account."""
    posted = 0
    for due in paying:
        result = entry_post(idempotency_key=interest_key(due.sub_account_id, day),
                            business_type=DepositBusinessType.CURRENT_INTEREST,
                            reference=interest_reference(due.sub_account_id, day),
                            memo=interest_memo(day), legs=_legs(book_id, due))
        if result.replayed:
            continue
        posted_at = Entry.objects.values_list("posted_at", flat=True).get(pk=result.entry_id)
        receipt_issue(entry_id=result.entry_id,
                      sub_account=SubAccount.objects.select_related("medium").get(
                          pk=due.sub_account_id),
                      posted_at=posted_at, **_receipt_kwargs(due, day))
        posted += 1
    return posted


_CLAIM_SQL = """
INSERT INTO ledger_entry (idempotency_key, fingerprint, business_type, reference, memo, posted_at)
SELECT k, f, %(business_type)s, r, %(memo)s, %(now)s
  FROM unnest(%(keys)s::text[], %(fingerprints)s::text[], %(references)s::text[]) AS t(k, f, r)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id, idempotency_key
"""

_LOCK_SQL = """
SELECT count(*) FROM (
    SELECT id FROM ledger_ledgeraccount WHERE id = ANY(%(ids)s::bigint[]) ORDER BY id FOR UPDATE
) locked
"""

# After the lock (a new statement, so a new snapshot: the balances read are the latest). Posting
# ids are drawn in entry order, each entry's debit (利息支出) before its credit, so the bank book's
# running balance_after follows the id order verify_ledger reads it in.
_POST_SQL = """
WITH src AS (
    SELECT e, acc, amt FROM unnest(%(entries)s::bigint[], %(accounts)s::bigint[],
                                   %(amounts)s::numeric[]) AS t(e, acc, amt)
), book AS (
    SELECT id, normal_side, balance FROM ledger_ledgeraccount WHERE id = %(book)s
), legs AS (
    SELECT s.e, 0 AS leg, b.id AS acc, 'D' AS side, s.amt,
           b.balance + (CASE WHEN b.normal_side = 'D' THEN 1 ELSE -1 END)
                       * SUM(s.amt) OVER (ORDER BY s.e) AS after
      FROM src s CROSS JOIN book b
    UNION ALL
    SELECT s.e, 1, a.id, 'C', s.amt,
           a.balance + CASE WHEN a.normal_side = 'C' THEN s.amt ELSE -s.amt END
      FROM src s JOIN ledger_ledgeraccount a ON a.id = s.acc
), inserted AS (
    INSERT INTO ledger_posting (id, entry_id, account_id, side, amount, balance_after, posted_at)
    SELECT nextval(pg_get_serial_sequence('ledger_posting', 'id')), e, acc, side, amt, after,
           %(now)s
      FROM (SELECT * FROM legs ORDER BY e, leg) ordered
    RETURNING 1
)
UPDATE ledger_ledgeraccount a
   SET balance = a.balance + x.delta
  FROM (SELECT acc, SUM(CASE WHEN side = normal_side THEN amt ELSE -amt END) AS delta
          FROM (SELECT l.acc, l.side, l.amt, la.normal_side
                  FROM legs l JOIN ledger_ledgeraccount la ON la.id = l.acc) signed
         GROUP BY acc) x
 WHERE a.id = x.acc
"""


def _settle_pg(day: date, paying: list[_Due], book_id: int) -> int:
    """The set-based path: claim every key in one INSERT, lock the accounts in id order, write
    the postings and balances in one statement, the receipts in one more."""
    now = timezone.now()
    business_type = str(DepositBusinessType.CURRENT_INTEREST)
    by_key = {interest_key(due.sub_account_id, day): due for due in paying}
    fingerprints = [
        entry_fingerprint(business_type, interest_reference(due.sub_account_id, day),
                          _legs(book_id, due)) for due in paying]
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, {
            "business_type": business_type, "memo": interest_memo(day), "now": now,
            "keys": list(by_key), "fingerprints": fingerprints,
            "references": [interest_reference(due.sub_account_id, day) for due in paying]})
        claimed = sorted((entry_id, by_key[key]) for entry_id, key in cursor.fetchall())
        if not claimed:
            return 0
        cursor.execute(_LOCK_SQL, {"ids": sorted({book_id} | {due.ledger_account_id
                                                              for _, due in claimed})})
        cursor.execute(_POST_SQL, {
            "entries": [entry_id for entry_id, _ in claimed],
            "accounts": [due.ledger_account_id for _, due in claimed],
            "amounts": [due.interest for _, due in claimed],
            "book": book_id, "now": now})
    _receipts_pg(day, claimed, now)
    return len(claimed)


_RECEIPT_SQL = """
INSERT INTO accounts_receipt (number, customer_id, sub_account_id, entry_id, direction, amount,
                              payer_name, payer_account, payer_bank, payee_name, payee_account,
                              payee_bank, purpose, business, channel, posted_at,
                              verification_code)
SELECT n, c, s, e, %(direction)s, amt, %(payer_name)s, '', pb, pn, pa, pb, %(purpose)s,
       %(business)s, %(channel)s, %(posted_at)s, v
  FROM unnest(%(numbers)s::text[], %(customers)s::bigint[], %(subs)s::bigint[],
              %(entries)s::bigint[], %(amounts)s::numeric[], %(banks)s::text[],
              %(names)s::text[], %(accounts)s::text[], %(codes)s::text[])
       AS t(n, c, s, e, amt, pb, pn, pa, v)
ON CONFLICT DO NOTHING
RETURNING entry_id
"""


def _receipts_pg(day: date, claimed: list[tuple[int, _Due]], now: datetime) -> None:
    """One receipt per new entry, signed here (Ed25519 is Python's) and inserted in one
    statement; a receipt whose random number was already taken goes through ``receipt_issue``,
    which draws again."""
    posted_at = now.replace(microsecond=0)
    columns: dict[str, list] = {name: [] for name in (
        "numbers", "customers", "subs", "entries", "amounts", "banks", "names", "accounts",
        "codes")}
    for entry_id, due in claimed:
        # Stored as receipt_issue stores them: normalised exactly as they are signed.
        name, account = receipt_text(due.customer_name), normalize_account(due.medium_number)
        number = receipt_number_new(posted_at=posted_at)
        elements = ReceiptElements(
            number=number, posted_at=posted_at, payer_account="", payer_name=INTEREST_PAYER,
            payee_account=account, payee_name=name, amount=due.interest,
            purpose=interest_memo(day))
        for column, value in (("numbers", number), ("customers", due.customer_id),
                              ("subs", due.sub_account_id), ("entries", entry_id),
                              ("amounts", due.interest),
                              ("banks", receipt_text(due.branch_name)[:128]),
                              ("names", name), ("accounts", account),
                              ("codes", elements.code())):
            columns[column].append(value)
    with connection.cursor() as cursor:
        cursor.execute(_RECEIPT_SQL, {
            **columns, "direction": str(ReceiptDirection.CREDIT), "payer_name": INTEREST_PAYER,
            "purpose": interest_memo(day), "business": RECEIPT_BUSINESS,
            "channel": RECEIPT_CHANNEL, "posted_at": posted_at})
        inserted = {row[0] for row in cursor.fetchall()}
    for entry_id, due in claimed:
        if entry_id not in inserted:
            receipt_issue(entry_id=entry_id,
                          sub_account=SubAccount.objects.select_related("medium").get(
                              pk=due.sub_account_id),
                          posted_at=now, **_receipt_kwargs(due, day))
