"""薪加利's daily income (收益分配), posted by the nightly step ``xjl_income``.

For a date D with the fund's 万份收益 published (``Nav.income_per_10k``), each customer earns

    income = base × 万份收益 / 10,000, rounded half-up to the fen (once, here)

where **base** = the shares held at the end of D (Asia/Shanghai) less the shares bought (转入)
on D. Shares 转出 on D (实时 or 普通) are gone by the end of D, so neither earns that day
(转出当日无收益); shares bought on D earn from D+1. The base is read from the share book, not
the current balance (the batch runs after midnight while customers go on): the postings up to
the end of D, without the income postings, plus the income of the dates before D (``Income``
rows) — income shares count from the day after the date they were earned for, whenever the
batch posted them.

The income is paid as new shares (issuance → customer, key
``xjl:income:<product>:<customer>:<date>``) with one ``Income`` row; the money of the date's
whole income comes in once (``WealthBook.XJL_EARNINGS`` → the product's cash book, key
``xjl:income:<product>:<date>``). Zero income: no row, no posting.

**Catch-up.** Dates are paid in order: the step for business date D pays, for each product,
every date from the day after its last paid date (its latest ``Income`` date) through D, one
after another, and stops at the first date whose 万份收益 is not published yet: the dates after
it wait (their base depends on its income) and are paid, in order, by the first nightly run
after it appears. Paying a date again posts nothing (the keys, and ``Income``'s uniqueness).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from ebank.core.clock import SHANGHAI, business_day
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.services import Leg, entry_post

from ..book import issuance_account, money_round, share_post
from ..models import (
    Income,
    Nav,
    Product,
    ProductKind,
    ShareAccount,
    SharePosting,
    WealthBook,
    WealthBusinessType,
)

TEN_THOUSAND = Decimal("10000")


def income_of(base: Decimal, income_per_10k: Decimal) -> Decimal:
    """One day's income of ``base`` shares: base × 万份收益 / 10,000, half-up to the fen."""
    return money_round(base * income_per_10k / TEN_THOUSAND)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)


def income_bases(product: Product, day: date) -> dict[int, tuple[int, Decimal]]:
    """{customer id: (share account id, base)} of ``day``: see the module doc. Two queries."""
    start, end = day_start(day), day_start(day + timedelta(days=1))
    rows = (SharePosting.objects
            .filter(account__product=product, account__customer__isnull=False, posted_at__lt=end)
            .values("account_id", "account__customer_id")
            .annotate(held=Sum("shares", filter=~Q(entry__business_type=WealthBusinessType.XJL_INCOME)),
                      bought=Sum("shares", filter=Q(entry__business_type=WealthBusinessType.XJL_IN,
                                                    posted_at__gte=start))))
    earned = dict(Income.objects.filter(product=product, date__lt=day)
                  .values_list("customer_id").annotate(total=Sum("amount")))
    bases = {}
    for row in rows:
        customer_id = row["account__customer_id"]
        base = ((row["held"] or Decimal(0)) - (row["bought"] or Decimal(0))
                + earned.get(customer_id, Decimal(0)))
        if base > 0:
            bases[customer_id] = (row["account_id"], base)
    return bases


def income_pay_day(product: Product, nav: Nav) -> int:
    """Pay the income of ``nav.date`` (inside the caller's transaction); how many customers."""
    per_10k = nav.income_per_10k or Decimal(0)
    if per_10k <= 0:
        return 0
    day = nav.date
    paid = set(Income.objects.filter(product=product, date=day).values_list("customer_id",
                                                                             flat=True))
    due = []
    for customer_id, (account_id, base) in sorted(income_bases(product, day).items()):
        amount = income_of(base, per_10k)
        if amount > 0 and customer_id not in paid:
            due.append((customer_id, account_id, base, amount))
    if not due:
        return 0
    total = sum(amount for *_, amount in due)
    posted = entry_post(
        idempotency_key=f"xjl:income:{product.code}:{day:%Y%m%d}",
        business_type=WealthBusinessType.XJL_INCOME, reference=f"{product.code}:{day:%Y%m%d}",
        memo=f"薪加利收益 {product.code} {day:%Y-%m-%d}",
        legs=[Leg.debit(bank_book_id(WealthBook.XJL_EARNINGS), total),
              Leg.credit(product.ledger_account_id, total)])
    issuance = issuance_account(product)
    holdings = ShareAccount.objects.in_bulk([account_id for _, account_id, _, _ in due])
    incomes = []
    for customer_id, account_id, base, amount in due:
        key = f"xjl:income:{product.code}:{customer_id}:{day:%Y%m%d}"
        entry = share_post(idempotency_key=key, business_type=WealthBusinessType.XJL_INCOME,
                           reference=key, moves=[(issuance, -amount), (holdings[account_id], amount)],
                           ledger_entry_id=posted.entry_id)
        incomes.append(Income(product=product, customer_id=customer_id, date=day,
                              shares_base=base, income_per_10k=per_10k, amount=amount,
                              share_entry=entry))
    Income.objects.bulk_create(incomes)
    return len(incomes)


def last_paid_date(product: Product) -> date | None:
    return (Income.objects.filter(product=product).order_by("-date")
            .values_list("date", flat=True).first())


def first_holding_date(product: Product) -> date | None:
    first = (SharePosting.objects.filter(account__product=product,
                                         account__customer__isnull=False)
             .order_by("posted_at").values_list("posted_at", flat=True).first())
    return first.astimezone(SHANGHAI).date() if first else None


@transaction.atomic
def income_distribute(business_date: date) -> int:
    """Pay every 薪加利 product's income through ``business_date`` (the catch-up rule above).

    Only dates already over (Asia/Shanghai) are paid: a batch started by hand during the day
    for that day leaves it to the run after midnight, as its base (转出 later that day earn
    nothing) is not final yet."""
    business_date = min(business_date, business_day() - timedelta(days=1))
    count = 0
    for product in Product.objects.filter(kind=ProductKind.XJL).order_by("code"):
        last = last_paid_date(product)
        day = last + timedelta(days=1) if last else first_holding_date(product)
        if day is None:
            continue
        # Locked (primary-key order) until the night commits: head office's correction of a
        # 万份收益 (catalog.services.nav_save) lands before and is paid, or waits and is refused.
        navs = {nav.date: nav for nav in Nav.objects.select_for_update()
                .filter(product=product, date__gte=day, date__lte=business_date).order_by("pk")}
        while day <= business_date:
            nav = navs.get(day)
            if nav is None or nav.income_per_10k is None:
                break  # later dates wait for this one's 万份收益
            count += income_pay_day(product, nav)
            day += timedelta(days=1)
    return count
