"""The points book (one balance per customer, DOMAIN-RULES §3 Points): lots earned and every
move. The balance is Σ PointsMove.points = Σ PointsLot.remaining (``points_verify``)."""

import calendar
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum

from accounts.models import Customer

from ..models import PointsLot, PointsMove, PointsMoveKind


def points_expiry(earned_on: date, months: int = 24) -> date:
    """The last day points earned on ``earned_on`` count: the end of the ``months``-th month
    after the month of earning (earned 15 Jan 2026 → 31 Jan 2028)."""
    index = earned_on.year * 12 + earned_on.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def points_earn(*, customer: Customer, points: int, source: str, earned_on: date,
                reference: str, description: str, item=None, valid_months: int = 24
                ) -> PointsLot | None:
    """Add a lot of ``points`` (nothing for 0), once per ``reference``; joins the caller's
    transaction (the caller holds the row that makes the points, e.g. the card)."""
    if points <= 0:
        return None
    existing = PointsLot.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            lot = PointsLot.objects.create(
                customer=customer, source=source, points=points, remaining=points,
                earned_on=earned_on, expires_on=points_expiry(earned_on, valid_months), item=item,
                reference=reference)
            PointsMove.objects.create(customer=customer, kind=PointsMoveKind.EARN, points=points,
                                      moved_on=earned_on, description=description,
                                      reference=f"earn:{reference}")
    except IntegrityError:
        return PointsLot.objects.get(reference=reference)
    return lot


def points_balance(customer: Customer) -> int:
    return PointsMove.objects.filter(customer=customer).aggregate(s=Sum("points"))["s"] or 0


def points_verify(customer: Customer) -> bool:
    lots = PointsLot.objects.filter(customer=customer).aggregate(s=Sum("remaining"))["s"] or 0
    return lots == points_balance(customer)


# --- CC-POINTS: spending, giving back, expiring ----------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months; a day the target month lacks is its last
    (31 Aug − 6 months → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def points_expiring(customer: Customer, *, today: date, by: date) -> int:
    """Points still in lots that expire from ``today`` to ``by`` (both included)."""
    return (PointsLot.objects.filter(customer=customer, remaining__gt=0,
                                     expires_on__gte=today, expires_on__lte=by)
            .aggregate(s=Sum("remaining"))["s"] or 0)


class PointsShort(Exception):
    """Fewer usable points than asked (the caller turns it into the customer's message)."""

    def __init__(self, available: int):
        super().__init__(available)
        self.available = available


def lots_lock(lots) -> list[PointsLot]:
    """The one lock order of points lots for every service (redemption, its 撤销, a refund's
    take-back, the expiry): ``SELECT … FOR UPDATE ORDER BY id`` of the lots it will touch, so
    two services at once on one customer cannot deadlock; each then works in its own order."""
    return list(lots.select_for_update(of=("self",)).order_by("pk"))


def points_spend(*, customer: Customer, points: int, on: date, reference: str,
                 description: str, kind: str = PointsMoveKind.REDEEM) -> dict[str, int]:
    """Take ``points`` from the customer's lots still valid on ``on``, the soonest-expiring first
    (then the oldest earned), under the lots' row locks; one negative move. Returns
    {lot id: points taken}. Raises :class:`PointsShort` (nothing written) when the valid lots
    hold fewer. Joins the caller's transaction, which must be atomic (the locks live in it)."""
    if points <= 0:
        raise ValueError("points must be positive")
    lots = lots_lock(PointsLot.objects.filter(customer=customer, remaining__gt=0,
                                              expires_on__gte=on))
    lots.sort(key=lambda lot: (lot.expires_on, lot.earned_on, lot.pk))
    available = sum(lot.remaining for lot in lots)
    if available < points:
        raise PointsShort(available)
    taken: dict[str, int] = {}
    left = points
    for lot in lots:
        take = min(lot.remaining, left)
        if take <= 0:
            break
        PointsLot.objects.filter(pk=lot.pk).update(remaining=lot.remaining - take)
        taken[str(lot.pk)] = take
        left -= take
    PointsMove.objects.create(customer=customer, kind=kind, points=-points, moved_on=on,
                              description=description[:80], reference=reference)
    return taken


def points_give_back(*, customer: Customer, taken: dict[str, int], on: date, reference: str,
                     description: str) -> tuple[int, int]:
    """Put the points of ``taken`` ({lot id: points}, as :func:`points_spend` returned) back
    into the same lots — each with its own expiry, so a 撤销 never extends validity. A lot
    already past its expiry on ``on`` gets nothing back (those points would have expired had
    they not been spent). One positive RESTORE move. A purchase's lot whose refund could not
    take its points back (they were out in this redemption) keeps them taken: a REVERSE move
    (``refund.points_owed_back``). Returns (given back net of those, lapsed)."""
    from .refund import points_owed_back

    lots = {str(lot.pk): lot for lot in lots_lock(
        PointsLot.objects.filter(customer=customer, pk__in=[int(pk) for pk in taken])
        .select_related("item"))}
    given = lapsed = 0
    withheld: list[tuple[PointsLot, int]] = []
    for pk, points in taken.items():
        lot = lots.get(pk)
        if lot is None or lot.expires_on < on:
            lapsed += points
            continue
        back = min(points, lot.points - lot.remaining)
        # A purchase refunded while its points were out: what its refund could not take back
        # is taken now, not given back (REVERSE move, so the refund's count knows it).
        owed = min(back, points_owed_back(lot.item)) if lot.item_id else 0
        PointsLot.objects.filter(pk=lot.pk).update(remaining=lot.remaining + back - owed)
        given += back
        lapsed += points - back
        if owed:
            withheld.append((lot, owed))
    if given:
        note = f"（{lapsed}分已过有效期，不予退回）" if lapsed else ""
        PointsMove.objects.create(customer=customer, kind=PointsMoveKind.RESTORE, points=given,
                                  moved_on=on, description=f"{description}{note}"[:80],
                                  reference=reference)
    for lot, owed in withheld:
        item = lot.item
        PointsMove.objects.create(
            customer=customer, kind=PointsMoveKind.REVERSE, points=-owed, moved_on=on,
            description=f"退货扣减 {item.merchant or item.description}（兑换撤销时扣回）"[:80],
            reference=f"reverse:{item.pk}:{reference}")
        given -= owed
    return given, lapsed


def points_expire(business_date: date) -> int:
    """积分到期 for ``business_date``: every lot whose last valid day is on or before it and
    that still holds points → an EXPIRE move (one per lot, reference ``expire:<lot>:<date>``),
    the lot emptied. A rerun finds nothing left. Returns the lots expired."""
    count = 0
    lots = lots_lock(PointsLot.objects.filter(expires_on__lt=business_date + timedelta(days=1),
                                              remaining__gt=0))
    for lot in lots:
        PointsMove.objects.create(customer_id=lot.customer_id, kind=PointsMoveKind.EXPIRE,
                                  points=-lot.remaining, moved_on=business_date,
                                  description=f"积分到期（{lot.earned_on:%Y-%m-%d}获得）",
                                  reference=f"expire:{lot.pk}:{business_date:%Y%m%d}")
        PointsLot.objects.filter(pk=lot.pk).update(remaining=0)
        count += 1
    return count
