"""The access matrix's factories for wealth's URLs (tests/test_access_matrix.py).

``OBJECT_URLS``: each makes the object for ``owner`` (a User) and returns the URL's kwargs;
another customer gets a 404. ``PARAM_URLS``: pages of a product, which is public (any customer
may read and buy it), not another owner's object: walked as plain URLs.
"""

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal


def _open_product(code: str):
    from wealth.models import ProductKind, RiskLevel
    from wealth.products import product_create

    return product_create(code=code, name=f"矩阵理财{code}", issuer="安徽农金资管",
                          kind=ProductKind.OPEN, risk_level=RiskLevel.R2,
                          start_date=date(2026, 1, 5), min_amount=Decimal("1000.00"),
                          step_amount=Decimal("100.00"))


def _risk_assessment(owner):
    """风险测评: a result of the owner's."""
    from wealth.models import RiskAssessment

    return {"pk": RiskAssessment.objects.create(
        customer=owner.customer, level="C3", score=56, answers={"maximum": 100, "items": []},
        taken_at=datetime(2026, 6, 1, 2, 0, tzinfo=UTC), valid_until=date(2027, 5, 31),
    ).pk}


def _holding(owner):
    """赎回: an open product the owner holds shares of."""
    from wealth.tests.orders_support import hold_shares

    product = _open_product(f"MR{owner.pk:06d}")
    hold_shares(product, owner.customer, "1000")
    return {"pk": product.pk}


def _order(owner):
    """撤单, 交易明细: a 待确认 申购 of the owner's."""
    from wealth.models import Order, OrderKind

    product = _open_product(f"MS{owner.pk:06d}")
    medium = owner.customer.media.order_by("id").first()
    order = Order.objects.create(
        number=f"LC20260608{owner.pk:012d}", customer=owner.customer, medium=medium,
        product=product, kind=OrderKind.PURCHASE, amount=Decimal("1000.00"),
        placed_at=datetime(2026, 6, 8, 2, 0, tzinfo=UTC), trade_date=date(2026, 6, 8),
        cancel_until=datetime(2099, 1, 1, tzinfo=UTC))
    return {"number": order.number}


def _xjl_product():
    from wealth.models import Product, ProductKind, RiskLevel
    from wealth.products import product_create

    product = Product.objects.filter(code="XJLMATRIX").first()
    return product or product_create(
        code="XJLMATRIX", name="薪加利", issuer="安农基金管理有限公司", kind=ProductKind.XJL,
        risk_level=RiskLevel.R1, start_date=date(2026, 1, 5), min_amount=Decimal("1.00"),
        step_amount=Decimal("0.01"))


def _xjl_holding(owner):
    """我的薪加利 › 转出: the owner's 薪加利 holding (another customer holds none)."""
    from wealth.book import issuance_account, share_account_for, share_post

    product = _xjl_product()
    holding = share_account_for(product=product, customer=owner.customer)
    key = f"matrix:xjl:{owner.pk}"
    share_post(idempotency_key=key, business_type="xjl_in", reference=key,
               moves=[(issuance_account(product), Decimal("-100")), (holding, Decimal("100"))])
    return {"pk": product.pk}


class _PublicXjlProduct(Mapping):
    """The kwargs of a page of the 薪加利 product (收益详情, 转入), made when the test first
    reads them (the database exists then)."""

    def __getitem__(self, key):
        if key != "pk":
            raise KeyError(key)
        return _xjl_product().pk

    def __iter__(self) -> Iterator[str]:
        return iter(["pk"])

    def __len__(self) -> int:
        return 1


OBJECT_URLS = {
    "wealth:risk_result": _risk_assessment,
    "wealth:redeem": _holding,
    "wealth:cancel": _order,
    "wealth:order": _order,
    "wealth:xjl_out": _xjl_holding,
}

# A product pk that does not exist sends the customer back to the list (302), writing nothing.
PARAM_URLS = {
    "wealth:product": {"pk": 2147483646},
    "wealth:buy": {"pk": 2147483646},
    "wealth:xjl_product": _PublicXjlProduct(),
    "wealth:xjl_in": _PublicXjlProduct(),
}
