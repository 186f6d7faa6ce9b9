"""order_place: the shared core of 认购/申购/赎回 (holds and freezes, nothing moves)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from ebank.ledger.models import Hold, HoldStatus, LedgerAccount
from wealth.book import issuance_account, share_account_for, share_post
from wealth.models import OrderKind, OrderStatus
from wealth.placing import OrderRefused, order_place
from wealth.suitability import SuitabilityRefused

from .conftest import MONDAY, assess, shanghai

pytestmark = pytest.mark.django_db


def _available(sub_account):
    account = LedgerAccount.objects.get(pk=sub_account.ledger_account_id)
    return account.balance - account.held


def test_purchase_holds_the_money_and_trades_on_the_cut_off_day(world, shelf):
    assess(world.zhang_customer, "C3")
    payer = world.main(world.zhang_card)
    before = _available(payer)
    order = order_place(customer=world.zhang_customer, payer=payer, product=shelf.open_r2,
                        kind=OrderKind.PURCHASE, amount=Decimal("5000.00"),
                        at=shanghai(MONDAY, 14, 59))
    assert order.status == OrderStatus.PENDING and order.trade_date == MONDAY
    assert order.cancel_until == shanghai(MONDAY, 15)
    assert order.hold.status == HoldStatus.ACTIVE and order.hold.amount == Decimal("5000.00")
    assert _available(payer) == before - Decimal("5000.00")
    late = order_place(customer=world.zhang_customer, payer=payer, product=shelf.open_r2,
                       kind=OrderKind.PURCHASE, amount=Decimal("1000.00"),
                       at=shanghai(MONDAY, 15))
    assert late.trade_date == date(2026, 6, 9)


def test_refusals_write_nothing(world, shelf):
    payer = world.main(world.zhang_card)
    holds = Hold.objects.count()
    with pytest.raises(SuitabilityRefused), transaction.atomic():
        order_place(customer=world.zhang_customer, payer=payer, product=shelf.open_r2,
                    kind=OrderKind.PURCHASE, amount=Decimal("5000.00"), at=shanghai(MONDAY, 10))
    assess(world.zhang_customer, "C2")
    with pytest.raises(SuitabilityRefused), transaction.atomic():
        order_place(customer=world.zhang_customer, payer=payer, product=shelf.open_r3,
                    kind=OrderKind.PURCHASE, amount=Decimal("5000.00"), at=shanghai(MONDAY, 10))
    with pytest.raises(OrderRefused, match="整数倍"), transaction.atomic():
        order_place(customer=world.zhang_customer, payer=payer, product=shelf.open_r2,
                    kind=OrderKind.PURCHASE, amount=Decimal("1050.00"), at=shanghai(MONDAY, 10))
    with pytest.raises(OrderRefused, match="关联账户"), transaction.atomic():
        order_place(customer=world.zhang_customer, payer=world.main(world.li_card),
                    product=shelf.open_r2, kind=OrderKind.PURCHASE, amount=Decimal("5000.00"),
                    at=shanghai(MONDAY, 10))
    assert Hold.objects.count() == holds


def test_subscription_until_the_raise_end_and_private_cooling(world, shelf):
    assess(world.zhang_customer, "C3")
    payer = world.main(world.zhang_card)
    order = order_place(customer=world.zhang_customer, payer=payer, product=shelf.closed,
                        kind=OrderKind.SUBSCRIBE, amount=Decimal("11000.00"),
                        at=shanghai(MONDAY, 16))
    assert order.trade_date == date(2026, 6, 12)
    assert order.cancel_until == shanghai(date(2026, 6, 12), 15)
    with pytest.raises(OrderRefused, match="募集期已结束"), transaction.atomic():
        order_place(customer=world.zhang_customer, payer=payer, product=shelf.closed,
                    kind=OrderKind.SUBSCRIBE, amount=Decimal("10000.00"),
                    at=shanghai(date(2026, 6, 12), 15))
    private = order_place(customer=world.zhang_customer, payer=payer, product=shelf.private,
                          kind=OrderKind.PURCHASE, amount=Decimal("1000.00"),
                          at=shanghai(MONDAY, 10))
    assert private.cancel_until == shanghai(date(2026, 6, 9), 10)


def test_redemption_freezes_shares(world, shelf):
    account = share_account_for(product=shelf.open_r2, customer=world.zhang_customer)
    share_post(idempotency_key="seed", business_type="test", reference="seed",
               moves=[(issuance_account(shelf.open_r2), Decimal("-1000")),
                      (account, Decimal("1000"))])
    payer = world.main(world.zhang_card)
    with pytest.raises(OrderRefused, match="可用份额"), transaction.atomic():
        order_place(customer=world.zhang_customer, payer=payer, product=shelf.open_r2,
                    kind=OrderKind.REDEEM, shares=Decimal("1000.0001"), at=shanghai(MONDAY, 10))
    with pytest.raises(OrderRefused, match="最低赎回份额"), transaction.atomic():
        order_place(customer=world.zhang_customer, payer=payer, product=shelf.open_r2,
                    kind=OrderKind.REDEEM, shares=Decimal("99"), at=shanghai(MONDAY, 10))
    order = order_place(customer=world.zhang_customer, payer=payer, product=shelf.open_r2,
                        kind=OrderKind.REDEEM, shares=Decimal("400"), at=shanghai(MONDAY, 10))
    account.refresh_from_db()
    assert order.shares == Decimal("400.0000") and account.frozen == Decimal("400.0000")


def test_no_order_trades_on_or_after_the_products_end_date(world, shelf):
    """An open product ending Tuesday: Monday 14:59 trades Monday and is taken; Monday 15:00
    would trade Tuesday, its 到期日, when it no longer trades (its money held with no 净值 to
    confirm it) — refused, and nothing is held."""
    from datetime import timedelta

    product = shelf.open_r2
    product.end_date = MONDAY + timedelta(days=1)
    product.save(update_fields=["end_date"])
    assess(world.zhang_customer, "C3")
    payer = world.main(world.zhang_card)
    before = _available(payer)
    with pytest.raises(OrderRefused, match="已到期"), transaction.atomic():
        order_place(customer=world.zhang_customer, payer=payer, product=product,
                    kind=OrderKind.PURCHASE, amount=Decimal("1000.00"),
                    at=shanghai(MONDAY, 15))
    assert _available(payer) == before
    order = order_place(customer=world.zhang_customer, payer=payer, product=product,
                        kind=OrderKind.PURCHASE, amount=Decimal("1000.00"),
                        at=shanghai(MONDAY, 14, 59))
    assert order.trade_date == MONDAY
