"""The access matrix's factories for wealth's URLs (tests/test_access_matrix.py).

Each makes the object for ``owner`` (a User) and returns the URL's kwargs.
"""


# --- settle: 理财交易撤单, 交易明细查询 ---
def _settle_order(owner):
    """A 待确认 申购 of the owner's (a product of its own, no hold needed to be looked up)."""
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from wealth.models import Order, OrderKind, ProductKind, RiskLevel
    from wealth.products import product_create

    code = f"MX{owner.pk:06d}"
    product = product_create(code=code, name=f"矩阵理财{code}", issuer="安徽农金资管",
                             kind=ProductKind.OPEN, risk_level=RiskLevel.R2,
                             start_date=date(2026, 1, 5), min_amount=Decimal("1000.00"),
                             step_amount=Decimal("100.00"))
    medium = owner.customer.media.order_by("id").first()
    order = Order.objects.create(
        number=f"LC20260608{owner.pk:012d}", customer=owner.customer, medium=medium,
        product=product, kind=OrderKind.PURCHASE, amount=Decimal("1000.00"),
        placed_at=datetime(2026, 6, 8, 2, 0, tzinfo=UTC), trade_date=date(2026, 6, 8),
        cancel_until=datetime(2099, 1, 1, tzinfo=UTC))
    return {"number": order.number}


OBJECT_URLS = {
    "wealth:cancel": _settle_order,
    "wealth:order": _settle_order,
}
