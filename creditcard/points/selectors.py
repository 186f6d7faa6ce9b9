"""积分管理's reads: the windows of the queries, the customer's moves and redemptions."""

from datetime import date, timedelta

from accounts.models import Customer

from ..models import PointsMove, Redemption
from .book import add_months

RECENT_MONTHS = 6  # 积分兑换查询: the last 6 months
HISTORY_MONTHS = 24  # 历史兑换查询: 7–24 months back
MOVES_MONTHS = 36  # 积分查询 reaches three years back (points live 24 months)
MOVES_DEFAULT_MONTHS = 3


def recent_window(today: date) -> tuple[date, date]:
    """积分兑换查询: the last 6 months, today included (5 Dec 2026 → 6 Jun 2026 – 5 Dec 2026)."""
    return add_months(today, -RECENT_MONTHS) + timedelta(days=1), today


def history_window(today: date) -> tuple[date, date]:
    """历史兑换查询: the 18 months before the recent window (5 Dec 2026 → 6 Dec 2024 –
    5 Jun 2026): the two windows meet without a gap or an overlap."""
    return (add_months(today, -HISTORY_MONTHS) + timedelta(days=1),
            add_months(today, -RECENT_MONTHS))


def moves_window(today: date) -> tuple[date, date, date]:
    """积分查询: (earliest, default start, today)."""
    return (add_months(today, -MOVES_MONTHS) + timedelta(days=1),
            add_months(today, -MOVES_DEFAULT_MONTHS) + timedelta(days=1), today)


def points_moves_of(*, customer: Customer, date_from: date, date_to: date):
    return (PointsMove.objects.filter(customer=customer, moved_on__gte=date_from,
                                      moved_on__lte=date_to).order_by("-moved_on", "-id"))


def redemptions_of(*, customer: Customer, date_from: date, date_to: date):
    return (Redemption.objects.filter(customer=customer, redeemed_on__gte=date_from,
                                      redeemed_on__lte=date_to)
            .select_related("gift").order_by("-redeemed_on", "-id"))
