"""Every service that locks a customer's points lots locks them in one order (primary key), so two
at once on one customer (a redemption, its 撤销, a refund's take-back, the expiry) never
deadlock: each then works in its own order (DOMAIN-RULES §3 Points)."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from creditcard.engine import credit_post
from creditcard.models import CardBook, CardBusinessType, CreditKind, PointsLot, PointsSource
from creditcard.points import book
from ebank.ledger.bank_books import bank_book_id

from .conftest import charge

pytestmark = pytest.mark.django_db

LOT_TABLE = PointsLot._meta.db_table


def lot_locks(queries) -> list[str]:
    return [q["sql"] for q in queries
            if "FOR UPDATE" in q["sql"] and f'FROM "{LOT_TABLE}"' in q["sql"]]


def assert_locked_by_id(queries):
    locks = lot_locks(queries)
    assert locks, "no lot was locked"
    for sql in locks:
        order = re.search(r"ORDER BY (.*?) FOR UPDATE", sql)
        assert order is not None, sql
        assert order.group(1) == f'"{LOT_TABLE}"."id" ASC', sql


def earn(customer, points, on, ref):
    return book.points_earn(customer=customer, points=points, source=PointsSource.EBANK,
                            earned_on=on, reference=ref, description=f"测试积分{ref}")


def test_redemption_give_back_refund_and_expiry_lock_lots_in_id_order(card):
    customer = card.customer
    late = earn(customer, 500, date(2026, 3, 10), "L")
    early = earn(customer, 300, date(2026, 1, 10), "E")
    purchase = charge(card, "200.00", date(2026, 1, 20))          # its own lot: 200 points
    # The redemption (soonest-expiring first, under locks taken in id order).
    with CaptureQueriesContext(connection) as spend, transaction.atomic():
        taken = book.points_spend(customer=customer, points=400, on=date(2026, 6, 1),
                                  reference="R1", description="兑换")
    assert_locked_by_id(spend.captured_queries)
    own = PointsLot.objects.get(item=purchase)                  # expires 2028-01-31 too
    assert taken == {str(early.pk): 300, str(own.pk): 100}      # its own order kept
    assert late.pk < early.pk < own.pk
    # Its 撤销.
    with CaptureQueriesContext(connection) as back, transaction.atomic():
        book.points_give_back(customer=customer, taken=taken, on=date(2026, 6, 2),
                              reference="C1", description="撤销")
    assert_locked_by_id(back.captured_queries)
    # A refund's take-back (its own lot first, then the oldest).
    with CaptureQueriesContext(connection) as refund, transaction.atomic():
        credit_post(card=card, kind=CreditKind.REFUND, amount=D("200.00"),
                    business_type=CardBusinessType.REFUND,
                    debit_ledger_id=bank_book_id(CardBook.ACQUIRER), txn_date=date(2026, 1, 25),
                    posted_on=date(2026, 1, 25), reference="RF1", description="退货",
                    refund_of=purchase)
    assert_locked_by_id(refund.captured_queries)
    assert PointsLot.objects.get(item=purchase).remaining == 0
    # The expiry.
    with CaptureQueriesContext(connection) as expiry, transaction.atomic():
        assert book.points_expire(date(2028, 3, 31)) == 2
    assert_locked_by_id(expiry.captured_queries)
