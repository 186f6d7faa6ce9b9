"""A refund takes its purchase's points back (DOMAIN-RULES §3 Points)."""

from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db.models import Sum

from ..models import CardItem, PointsLot, PointsMove, PointsMoveKind
from .book import lots_lock


def _share(item: CardItem, refunded: Decimal) -> int:
    """The points of ``refunded`` of ``item`` (whole points, in proportion, rounded down)."""
    return int((Decimal(item.points) * min(refunded, item.amount) / item.amount)
               .to_integral_value(ROUND_DOWN))


def _reversed(item: CardItem) -> int:
    """The points already taken back for ``item``'s refunds."""
    return -(PointsMove.objects.filter(reference__startswith=f"reverse:{item.pk}:")
             .aggregate(s=Sum("points"))["s"] or 0)


def points_owed_back(item: CardItem) -> int:
    """Points ``item``'s refunds should have taken back but could not (they were spent, e.g.
    in a redemption): taken when they come back (a 撤销, ``book.points_give_back``)."""
    if item.points <= 0 or item.refunded <= 0:
        return 0
    return max(0, _share(item, item.refunded) - _reversed(item))


def refund_points(*, item: CardItem, amount: Decimal, on: date, reference: str) -> int:
    """Take back the points of ``amount`` refunded on ``item`` (whole points, in proportion to
    the purchase, never more than it earned); from its own lot first, then the customer's other
    lots oldest first. Points already spent are not taken below zero: what could not be taken is
    said in the move's description. Returns the points taken. The caller holds the card lock."""
    if item.points <= 0:
        return 0
    move_reference = f"reverse:{item.pk}:{reference}"
    if PointsMove.objects.filter(reference=move_reference).exists():
        return 0
    # Cumulative, so partial refunds summing to the purchase take all its points back:
    # the points of everything refunded so far less those of what was refunded before.
    # ``item.refunded`` is what was refunded before this refund (read before its update).
    wanted = _share(item, item.refunded + amount) - _share(item, item.refunded)
    already = _reversed(item)
    wanted = max(0, min(wanted, item.points - already))
    if wanted == 0:
        return 0
    customer_id = item.card.customer_id
    lots = lots_lock(PointsLot.objects.filter(customer_id=customer_id, remaining__gt=0))
    lots.sort(key=lambda lot: (lot.item_id != item.pk, lot.earned_on, lot.pk))
    taken = 0
    for lot in lots:
        take = min(lot.remaining, wanted - taken)
        if take <= 0:
            break
        PointsLot.objects.filter(pk=lot.pk).update(remaining=lot.remaining - take)
        taken += take
    short = wanted - taken
    note = f"（{short}分已使用，未扣减）" if short else ""
    if taken:
        PointsMove.objects.create(customer_id=customer_id, kind=PointsMoveKind.REVERSE,
                                  points=-taken, moved_on=on,
                                  description=f"退货扣减 {item.merchant or item.description}{note}"[:80],
                                  reference=move_reference)
    return taken
