"""The points book (one balance per customer, DOMAIN-RULES §3 Points): lots earned and every
move. The balance is Σ PointsMove.points = Σ PointsLot.remaining (``points_verify``)."""

import calendar
from datetime import date

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
