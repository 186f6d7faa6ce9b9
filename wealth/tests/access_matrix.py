"""The access matrix's factories for wealth's URLs (tests/test_access_matrix.py)."""


# --- orders (理财产品认购, 我的理财产品) ---
def _holding(owner):
    """赎回: an open product the owner holds shares of (another customer → 404)."""
    from datetime import date
    from decimal import Decimal

    from wealth.models import ProductKind, RiskLevel
    from wealth.products import product_create
    from wealth.tests.orders_support import hold_shares

    product = product_create(code=f"MX{owner.pk:06d}", name="矩阵测试开放理财",
                             issuer="安徽农金资管", kind=ProductKind.OPEN,
                             risk_level=RiskLevel.R2, start_date=date(2026, 1, 5),
                             min_amount=Decimal("1000.00"), step_amount=Decimal("100.00"))
    hold_shares(product, owner.customer, "1000")
    return {"pk": product.pk}


OBJECT_URLS = {
    "wealth:redeem": _holding,
}

# 理财产品认购's product pages name a public product (any customer may read and buy it), so
# they are not another owner's object: walked as the plain URLs. A product that does not exist
# (this pk) sends the customer back to the list (302), writing nothing.
PARAM_URLS = {
    "wealth:product": {"pk": 2147483646},
    "wealth:buy": {"pk": 2147483646},
}
