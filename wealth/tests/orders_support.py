"""Helpers of the 理财产品认购 / 我的理财产品 tests: shares held and confirmed orders."""

from decimal import Decimal

from wealth.book import issuance_account, share_account_for, share_post
from wealth.models import Order, OrderKind, OrderStatus
from wealth.products import order_number_new


def hold_shares(product, customer, shares: str, key: str = "seed"):
    account = share_account_for(product=product, customer=customer)
    share_post(idempotency_key=f"{key}:{product.code}:{customer.pk}", business_type="test",
               reference=key, moves=[(issuance_account(product), -Decimal(shares)),
                                     (account, Decimal(shares))])
    return account


def confirmed_order(*, customer, medium, product, kind, at, amount=None, shares=None,
                    confirmed_amount=None, confirmed_shares=None, nav="1.0000"):
    return Order.objects.create(
        number=order_number_new(at), customer=customer, medium=medium, product=product,
        kind=kind, status=OrderStatus.CONFIRMED,
        amount=Decimal(amount) if amount else None, shares=Decimal(shares) if shares else None,
        placed_at=at, trade_date=at.date(), confirmed_on=at.date(), nav=Decimal(nav),
        confirmed_amount=Decimal(confirmed_amount) if confirmed_amount else None,
        confirmed_shares=Decimal(confirmed_shares) if confirmed_shares else None)


BUY, REDEEM = OrderKind.PURCHASE, OrderKind.REDEEM
