"""The statement run (DOMAIN-RULES §3; docs/creditcard.md "The statement", "Interest methods").

``statement_run(business_date)`` makes the statement of every ACTIVE or FROZEN card whose 账单日
is that day, issued before it, that has none for the day yet. Cards go in chunks (``CHUNK``),
each chunk in one transaction: the card rows locked first (``SELECT … FOR UPDATE`` in primary
key order — the engine's lock order, card before ledger), then, per chunk, one query each for
the previous statements, the open items, the period's credits, the recent allocations, the
active instalment plans and the customers' points; the figures are computed in Python, the
statements bulk-created and the lines' statement FK set by one UPDATE each for items and
credits. Only a card that owes interest, 违约金 or an instalment period posts (through the
engine, keyed by card and date, so a replay posts nothing twice).

Before its statement, for each card and day:

(a) interest — billed as one INTEREST item, rounded half-up once — accrued up to the day
    (exclusive): cash from its posting day always; purchases, instalment principal and billed
    interest of the previous statement from their posting day when that statement was not paid in
    full (容差) by its due date + 容时 (their ``interest_from`` is set then); ``interest_through``
    marks what has been billed; fees and 违约金 never earn interest;
(b) 违约金 when less than the previous minimum (容差) was paid by due date + 容时;
(c) each active instalment plan bills its next period (principal with no ledger entry, the fee
    posted), from the first statement after the plan was applied for.

Resumable: a card whose statement for the day exists (unique per card and day) or whose
``last_statement_on`` is the day is skipped; a crash rolls back its chunk whole.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ebank.ledger.bank_books import bank_book_id

from ..engine import charge_post, item_add
from ..models import (
    Allocation,
    Card,
    CardBook,
    CardBusinessType,
    CardCredit,
    CardItem,
    CardStatus,
    CreditKind,
    InstalmentPlan,
    InstalmentStatus,
    InterestMethod,
    ItemKind,
    PointsMove,
    Statement,
)
from ..selectors import minimum_relief, unpaid_from
from ..settings import card_setting_on
from .rules import (
    ZERO,
    interest_full_balance,
    interest_unpaid_part,
    late_fee,
    minimum_payment,
    money,
)

CHUNK = 500
# Items that earn interest once their statement is late (cash: always, from its posting day).
ACCRUING_KINDS = (ItemKind.PURCHASE, ItemKind.INSTALMENT, ItemKind.INTEREST)
INTEREST_KINDS = frozenset((*ACCRUING_KINDS, ItemKind.CASH))
PAYMENT_KINDS = (CreditKind.REPAYMENT, CreditKind.AUTO_REPAYMENT, CreditKind.REFUND)
STATEMENT_STATUSES = (CardStatus.ACTIVE, CardStatus.FROZEN)


@dataclass
class _Item:
    pk: int
    kind: str
    amount: Decimal
    outstanding: Decimal
    posted_on: date
    statement_date: date | None      # the statement it is billed on (None: unbilled)
    interest_from: date | None
    interest_through: date | None
    allocations: list = field(default_factory=list)  # (applied_on, amount, credit_posted_on)


@dataclass
class _Alloc:
    item_id: int
    card_id: int
    statement_date: date | None
    amount: Decimal
    applied_on: date
    credit_posted_on: date
    credit_kind: str


def statement_due_cards(business_date: date):
    """The cards that need a statement for ``business_date`` (not yet made)."""
    made = Statement.objects.filter(card_id=OuterRef("pk"), statement_date=business_date)
    return (Card.objects.filter(statement_day=business_date.day, status__in=STATEMENT_STATUSES,
                                issued_on__lt=business_date)
            .filter(Q(last_statement_on__isnull=True) | Q(last_statement_on__lt=business_date))
            .filter(~Exists(made)))


def statement_run(business_date: date, *, chunk_done: Callable[[int], None] | None = None,
                  chunk_size: int = CHUNK) -> int:
    """Make the statements of ``business_date``; returns how many were made. ``chunk_done`` is
    called after each chunk commits with the number made so far (progress for the batch)."""
    ids = list(statement_due_cards(business_date).order_by("pk").values_list("pk", flat=True))
    made = 0
    for start in range(0, len(ids), chunk_size):
        with transaction.atomic():
            made += _chunk_run(ids[start:start + chunk_size], business_date)
        if chunk_done is not None:
            chunk_done(made)
    return made


# --- one chunk -----------------------------------------------------------------------------------


def _chunk_run(card_ids: list[int], day: date) -> int:
    setting = card_setting_on(day)
    # Lock first (card rows, primary-key order), then re-check under the lock: another run may
    # have made some of these statements since the ids were read.
    cards = list(statement_due_cards(day).filter(pk__in=_ids(card_ids))
                 .select_for_update(of=("self",))
                 .order_by("pk").only("pk", "customer_id", "credit_limit", "issued_on",
                                      "last_statement_on", "sub_account_id"))
    if not cards:
        return 0
    ids = [card.pk for card in cards]
    chunk = _ids(ids)
    previous = {s.card_id: s for s in Statement.objects.filter(
        card_id__in=chunk, card__last_statement_on=F("statement_date"))}
    previous_ids = [s.pk for s in previous.values()]
    oldest_previous = min((s.statement_date for s in previous.values()), default=None)

    # The period's lines, summed by kind in the database (the plain path reads no item row).
    lines_by_card: dict[int, dict[str, tuple[Decimal, int]]] = defaultdict(dict)
    for card_id, kind, amount, points in (
            CardItem.objects.filter(card_id__in=chunk, statement__isnull=True, posted_on__lte=day)
            .values("card_id", "kind").annotate(a=Sum("amount"), p=Sum("points"))
            .values_list("card_id", "kind", "a", "p")):
        lines_by_card[card_id][kind] = (amount, points or 0)
    credits_by_card: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for card_id, kind, amount in (
            CardCredit.objects.filter(card_id__in=chunk, statement__isnull=True, posted_on__lte=day)
            .values("card_id", "kind").annotate(a=Sum("amount"))
            .values_list("card_id", "kind", "a")):
        credits_by_card[card_id][kind] = amount
    # What the period's 转分期 conversions took from the period's own purchases (a 灵活分期 of a
    # purchase billed now): only that comes off the 10% base. A conversion of an older
    # statement's items lowers what is carried instead (read from what items still owe). One
    # query, and only when a card of the chunk has a conversion in the period.
    # What comes off each card's 10% base (conversions, then refunds of the period's purchases).
    converted_now: dict[int, Decimal] = {}
    if any(CreditKind.CONVERSION in kinds for kinds in credits_by_card.values()):
        converted_now = dict(
            Allocation.objects.filter(
                credit__card_id__in=chunk, credit__kind=CreditKind.CONVERSION,
                credit__statement__isnull=True, credit__posted_on__lte=day,
                item__statement__isnull=True, item__posted_on__lte=day,
                item__kind=ItemKind.PURCHASE)
            .values("credit__card_id").annotate(s=Sum("amount"))
            .values_list("credit__card_id", "s"))
    # The same for 退货: only a refund of a purchase billed now (or of no known purchase) comes
    # off the 10% base; a refund of an older statement's purchase lowers what is carried.
    if any(CreditKind.REFUND in kinds for kinds in credits_by_card.values()):
        for card_id, amount in (
                CardCredit.objects.filter(card_id__in=chunk, kind=CreditKind.REFUND,
                                          statement__isnull=True, posted_on__lte=day,
                                          refund_of__statement__isnull=True)
                .values("card_id").annotate(s=Sum("amount")).values_list("card_id", "s")):
            converted_now[card_id] = converted_now.get(card_id, ZERO) + amount

    # The items interest and the previous statement need, one by one: cash of the period, what
    # billed items still owe, the previous statement's lines, and the interest-bearing ones
    # billed last time (``interest_through`` = that day) or never.
    wanted = (Q(statement__isnull=True, posted_on__lte=day, kind=ItemKind.CASH)
              | Q(statement__isnull=False, outstanding__gt=0)
              | Q(interest_from__isnull=False, interest_through__isnull=True, posted_on__lte=day))
    if previous_ids:
        wanted |= Q(statement_id__in=previous_ids)
    if oldest_previous is not None:
        wanted |= Q(interest_from__isnull=False, interest_through__gte=oldest_previous)
    items_by_card: dict[int, list[_Item]] = defaultdict(list)
    for row in (CardItem.objects.filter(card_id__in=chunk).filter(wanted)
                .values_list("pk", "card_id", "kind", "amount", "outstanding", "posted_on",
                             "statement__statement_date", "interest_from", "interest_through")):
        items_by_card[row[1]].append(_Item(row[0], row[2], row[3], row[4], row[5], row[6],
                                           row[7], row[8]))

    # Allocations: every one since the earliest day this run needs (the previous period, the
    # interest already running), and all of the few billed items that may start earning now.
    cutoffs = [s.statement_date + timedelta(days=1) for s in previous.values()]
    may_start = []
    for card_items in items_by_card.values():
        for item in card_items:
            start = _interest_start(item)
            if start is not None:
                cutoffs.append(start)
            elif item.kind == ItemKind.CASH:
                cutoffs.append(item.posted_on)
            elif item.statement_date is not None and item.kind in ACCRUING_KINDS:
                may_start.append(item)
    allocations_by_card: dict[int, list[_Alloc]] = defaultdict(list)
    if cutoffs or may_start:
        recent = min(cutoffs, default=day)
        old = [item.pk for item in may_start if item.posted_on < recent]
        wanted_allocations = Q(applied_on__gte=recent)
        if old:
            wanted_allocations |= Q(item_id__in=_ids(old))
        item_index = {item.pk: item for card_items in items_by_card.values()
                      for item in card_items}
        for row in (Allocation.objects.filter(item__card_id__in=chunk).filter(wanted_allocations)
                    .values_list("item_id", "item__card_id", "item__statement__statement_date",
                                 "amount", "applied_on", "credit__posted_on", "credit__kind")):
            alloc = _Alloc(*row)
            allocations_by_card[alloc.card_id].append(alloc)
            item = item_index.get(alloc.item_id)
            if item is not None:
                item.allocations.append((alloc.applied_on, alloc.amount, alloc.credit_posted_on))

    plans_by_card: dict[int, list[InstalmentPlan]] = defaultdict(list)
    for plan in InstalmentPlan.objects.filter(card_id__in=chunk, status=InstalmentStatus.ACTIVE,
                                              applied_on__lt=day).order_by("applied_on", "pk"):
        plans_by_card[plan.card_id].append(plan)

    points = dict(PointsMove.objects.filter(customer_id__in=_ids({c.customer_id for c in cards}))
                  .values("customer_id").annotate(s=Sum("points")).values_list("customer_id", "s"))

    statements = []
    accrual_marks: dict[date, list[int]] = defaultdict(list)   # interest_through → item ids
    accruing_from: dict[date, list[int]] = defaultdict(list)    # interest_from → item ids
    for card in cards:
        statements.append(_card_statement(
            card, day, setting, previous.get(card.pk), items_by_card.get(card.pk, []),
            lines_by_card.get(card.pk, {}), credits_by_card.get(card.pk, {}),
            converted_now.get(card.pk, ZERO),
            allocations_by_card.get(card.pk, []),
            plans_by_card.get(card.pk, []), points.get(card.customer_id) or 0,
            accrual_marks, accruing_from))

    for since, item_ids in accruing_from.items():
        CardItem.objects.filter(pk__in=item_ids).update(interest_from=since)
    for through, item_ids in accrual_marks.items():
        CardItem.objects.filter(pk__in=item_ids).update(interest_through=through)
    _statements_insert(statements)
    _lines_link(CardItem, ids, day)
    _lines_link(CardCredit, ids, day)
    Card.objects.filter(pk__in=chunk).update(last_statement_on=day)
    return len(statements)


def _ids(ids):
    """``…__in`` of many ids: on PostgreSQL one array parameter (``= ANY``-like semi-join)
    instead of hundreds of placeholders each prepared by the ORM."""
    if connection.vendor != "postgresql":
        return list(ids)
    return RawSQL("SELECT UNNEST(%s::bigint[])", (list(ids),))


def _statements_insert(statements: list[Statement]) -> None:
    """``bulk_create``; on PostgreSQL one ``INSERT … SELECT FROM unnest(arrays)`` (a column an
    array: no per-row parameter preparation, the figure the bench measures)."""
    if connection.vendor != "postgresql":
        Statement.objects.bulk_create(statements)
        return
    now = timezone.now()
    fields = [f for f in Statement._meta.concrete_fields if not f.primary_key]
    columns, arrays, casts = [], [], []
    for f in fields:
        columns.append(connection.ops.quote_name(f.column))
        if f.attname == "created_at":
            arrays.append(now)
            casts.append("%s")
            continue
        arrays.append([getattr(s, f.attname) for s in statements])
        casts.append(f"UNNEST(%s::{f.db_type(connection)}[])")
    sql = (f"INSERT INTO {Statement._meta.db_table} ({', '.join(columns)}) "
           f"SELECT {', '.join(casts)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)


def _lines_link(model, card_ids: list[int], day: date) -> None:
    """Put every unbilled line posted by ``day`` of these (locked) cards on the card's statement
    of ``day``: one UPDATE for the chunk."""
    lines = model.objects.filter(card_id__in=card_ids, statement__isnull=True, posted_on__lte=day)
    if connection.vendor != "postgresql":
        lines.update(statement_id=Subquery(Statement.objects.filter(
            card_id=OuterRef("card_id"), statement_date=day).values("pk")[:1]))
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS line SET statement_id = s.id FROM creditcard_statement AS s "
            f"WHERE s.card_id = line.card_id AND s.statement_date = %s "
            f"AND line.card_id = ANY(%s) AND line.statement_id IS NULL AND line.posted_on <= %s",
            [day, card_ids, day])


def _interest_start(item: _Item) -> date | None:
    """The first day not yet billed of an item already earning interest (None: it does not)."""
    if item.interest_from is None:
        return None
    return max(item.interest_from, item.interest_through or item.interest_from)


# --- one card ------------------------------------------------------------------------------------


def _card_statement(card: Card, day: date, setting, previous: Statement | None,
                    items: list[_Item], lines: dict[str, tuple[Decimal, int]],
                    credits: dict[str, Decimal], taken_off_now: Decimal,
                    allocations: list[_Alloc], plans: list[InstalmentPlan], points_balance: int,
                    accrual_marks: dict, accruing_from: dict) -> Statement:
    rate = setting.daily_rate
    tolerance = setting.tolerance
    method = previous.interest_method if previous is not None else setting.interest_method

    # The previous statement at its due date + 容时, and now.
    paid_in_full = True
    minimum_short_at_due = ZERO
    previous_minimum_unpaid = ZERO
    carried = ZERO
    as_of = None
    if previous is not None:
        as_of = previous.due_date + timedelta(days=setting.grace_days)
        if as_of < day:
            unpaid_at_due = _unpaid(previous, items, allocations, as_of)
            paid_in_full = unpaid_at_due <= tolerance
            minimum_short_at_due = _minimum_unpaid(previous, items, allocations, as_of)
        unpaid_now = _unpaid(previous, items, allocations, day)
        previous_minimum_unpaid = _minimum_unpaid(previous, items, allocations, day)
        carried = unpaid_now - previous_minimum_unpaid

    # (a) interest.
    interest = Decimal(0)
    for item in items:
        if item.posted_on >= day or item.kind not in INTEREST_KINDS:
            continue
        newly = carried_in = False
        if item.interest_from is None:
            late = (not paid_in_full and item.statement_date is not None
                    and item.kind in ACCRUING_KINDS)
            if item.kind != ItemKind.CASH and not late:
                continue
            item.interest_from = item.posted_on
            if late and item.statement_date < previous.statement_date:
                # Carried from an older statement (counted paid by 容差): only what is still
                # owed earns, from the day it was carried into the unpaid statement's period.
                item.interest_from = max(item.posted_on, previous.period_start)
                carried_in = True
            accruing_from[item.interest_from].append(item.pk)
            newly = item.kind != ItemKind.CASH
        start = _interest_start(item)
        if start >= day:
            continue
        if carried_in or (newly and method == InterestMethod.UNPAID_PART):
            later = [(applied, amount) for applied, amount, posted in item.allocations
                     if posted > as_of]
            unpaid = item.outstanding + sum((amount for _, amount in later), ZERO)
            interest += interest_unpaid_part(unpaid, start, day, later, rate)
        else:
            payments = [(applied, amount) for applied, amount, _ in item.allocations
                        if applied >= start]
            owed_at_start = item.outstanding + sum((amount for _, amount in payments), ZERO)
            interest += interest_full_balance(owed_at_start, start, day, payments, rate)
        if item.outstanding == 0:
            paid_off = max((applied for applied, _, _ in item.allocations), default=start)
            accrual_marks[min(day, max(paid_off, start))].append(item.pk)
        else:
            accrual_marks[day].append(item.pk)
    interest = money(interest)

    # (b) 违约金.
    penalty = late_fee(minimum_short_at_due, rate=setting.late_fee_rate,
                       floor=setting.late_fee_minimum, tolerance=tolerance)

    posted: list[CardItem] = []
    if interest > 0:
        posted.append(charge_post(
            card=card, kind=ItemKind.INTEREST, amount=interest,
            business_type=CardBusinessType.INTEREST,
            credit_ledger_id=bank_book_id(CardBook.INTEREST_INCOME), txn_date=day,
            posted_on=day, reference=f"stmt:{day:%Y%m%d}:interest", description="利息"))
    if penalty > 0:
        posted.append(charge_post(
            card=card, kind=ItemKind.LATE_FEE, amount=penalty,
            business_type=CardBusinessType.LATE_FEE,
            credit_ledger_id=bank_book_id(CardBook.PENALTY_INCOME), txn_date=day,
            posted_on=day, reference=f"stmt:{day:%Y%m%d}:late_fee", description="违约金"))
    # (c) instalments.
    for plan in plans:
        posted.extend(_instalment_bill(card, plan, day))

    # The lines: what is unbilled and posted on or before the day (the run's own included).
    totals = defaultdict(lambda: ZERO)
    for kind, (amount, _points) in lines.items():
        totals[kind] += amount
    for item in posted:
        totals[item.kind] += item.amount
    new_debits = sum(totals.values(), ZERO)
    new_credits = sum(credits.values(), ZERO)
    # The 10% base: this period's purchases net of the refunds and instalment conversions of its
    # own purchases (not of an older statement's items: those lower ``carried``).
    taken_off = taken_off_now
    previous_balance = previous.balance if previous is not None else ZERO
    balance = previous_balance + new_debits - new_credits
    purchases = totals[ItemKind.PURCHASE]
    instalments = totals[ItemKind.INSTALMENT] + totals[ItemKind.INSTALMENT_FEE]
    minimum = minimum_payment(
        balance=balance, purchases=purchases - taken_off, cash=totals[ItemKind.CASH],
        fees=totals[ItemKind.CASH_FEE], interest=totals[ItemKind.INTEREST],
        late_fee=totals[ItemKind.LATE_FEE], instalments=instalments,
        previous_minimum_unpaid=previous_minimum_unpaid, carried=carried,
        purchase_rate=setting.purchase_minimum_rate, cash_rate=setting.cash_minimum_rate)
    earned = lines.get(ItemKind.PURCHASE, (ZERO, 0))[1]
    return Statement(
        card_id=card.pk, statement_date=day,
        period_start=(card.last_statement_on + timedelta(days=1) if card.last_statement_on
                      else card.issued_on),
        due_date=day + timedelta(days=setting.due_days), previous_balance=previous_balance,
        new_debits=new_debits, new_credits=new_credits, balance=balance, minimum_payment=minimum,
        purchases=purchases, cash=totals[ItemKind.CASH], fees=totals[ItemKind.CASH_FEE],
        interest=totals[ItemKind.INTEREST], late_fee=totals[ItemKind.LATE_FEE],
        instalments=instalments, previous_minimum_unpaid=previous_minimum_unpaid,
        credit_limit=card.credit_limit, points_earned=earned, points_balance=points_balance,
        interest_method=setting.interest_method)


def _billed_on_or_before(statement: Statement, item_statement_date: date | None) -> bool:
    return item_statement_date is not None and item_statement_date <= statement.statement_date


def _unpaid(statement: Statement, items: list[_Item], allocations: list[_Alloc],
            as_of: date) -> Decimal:
    """``selectors.statement_unpaid(statement, as_of=…)`` from the chunk's rows (the rule is
    ``selectors.unpaid_from``)."""
    paid_after = sum((a.amount for a in allocations
                      if a.credit_posted_on > as_of
                      and _billed_on_or_before(statement, a.statement_date)), ZERO)
    return unpaid_from(statement.statement_date,
                       ((item.statement_date, item.outstanding) for item in items),
                       paid_after=paid_after)


def _minimum_unpaid(statement: Statement, items: list[_Item], allocations: list[_Alloc],
                    as_of: date) -> Decimal:
    """``selectors.minimum_unpaid(statement, as_of=…)`` from the chunk's rows."""
    paid = converted = ZERO
    for a in allocations:
        if (statement.statement_date < a.credit_posted_on <= as_of
                and _billed_on_or_before(statement, a.statement_date)):
            if a.credit_kind in PAYMENT_KINDS:
                paid += a.amount
            elif a.credit_kind == CreditKind.CONVERSION:
                converted += a.amount
    relief = minimum_relief(statement, converted)
    return max(ZERO, min(statement.minimum_payment - paid - relief,
                         _unpaid(statement, items, allocations, as_of)))


def _instalment_bill(card: Card, plan: InstalmentPlan, day: date) -> list[CardItem]:
    """Bill the plan's next period: its principal (no ledger entry) and its fee."""
    period = plan.periods_billed + 1
    last = period >= plan.periods or plan.unbilled_principal <= plan.period_principal
    principal = plan.unbilled_principal if last else plan.period_principal
    label = f"第{period}/{plan.periods}期"
    made = []
    if principal > 0:
        made.append(item_add(
            card=card, kind=ItemKind.INSTALMENT, amount=principal, txn_date=day, posted_on=day,
            reference=f"instal:{plan.pk}:{period}:principal",
            description=f"{plan.get_kind_display()}本金 {label}", instalment=plan, period=period))
    if plan.period_fee > 0:
        made.append(charge_post(
            card=card, kind=ItemKind.INSTALMENT_FEE, amount=plan.period_fee,
            business_type=CardBusinessType.INSTALMENT_FEE,
            credit_ledger_id=bank_book_id(CardBook.FEE_INCOME), txn_date=day, posted_on=day,
            reference=f"instal:{plan.pk}:{period}:fee",
            description=f"{plan.get_kind_display()}手续费 {label}", instalment=plan,
            period=period))
    InstalmentPlan.objects.filter(pk=plan.pk).update(
        unbilled_principal=F("unbilled_principal") - principal,
        periods_billed=period,
        status=InstalmentStatus.COMPLETED if last else InstalmentStatus.ACTIVE)
    return made
