"""The access matrix's factories for wealth's URLs (tests/test_access_matrix.py)."""

from collections.abc import Iterator, Mapping


def _xjl_product():
    from datetime import date
    from decimal import Decimal

    from wealth.models import Product, ProductKind, RiskLevel
    from wealth.products import product_create

    product = Product.objects.filter(code="XJLMATRIX").first()
    return product or product_create(
        code="XJLMATRIX", name="薪加利", issuer="安农基金管理有限公司", kind=ProductKind.XJL,
        risk_level=RiskLevel.R1, start_date=date(2026, 1, 5), min_amount=Decimal("1.00"),
        step_amount=Decimal("0.01"))


def _xjl_holding(owner):
    """我的薪加利 › 转出: the owner's 薪加利 holding (another customer holds none: 404)."""
    from decimal import Decimal

    from wealth.book import issuance_account, share_account_for, share_post

    product = _xjl_product()
    holding = share_account_for(product=product, customer=owner.customer)
    key = f"matrix:xjl:{owner.pk}"
    share_post(idempotency_key=key, business_type="xjl_in", reference=key,
               moves=[(issuance_account(product), Decimal("-100")), (holding, Decimal("100"))])
    return {"pk": product.pk}


class _PublicXjlProduct(Mapping):
    """The kwargs of a page of a 薪加利 product (收益详情, 转入): a product every customer may
    see, so no owner; made when the test first reads the kwargs (the database exists then)."""

    def __getitem__(self, key):
        if key != "pk":
            raise KeyError(key)
        return _xjl_product().pk

    def __iter__(self) -> Iterator[str]:
        return iter(["pk"])

    def __len__(self) -> int:
        return 1


OBJECT_URLS = {
    # 薪加利 (FND-XJL)
    "wealth:xjl_out": _xjl_holding,
}

PARAM_URLS = {
    # 薪加利 (FND-XJL): pages of a product, not of a customer's object
    "wealth:xjl_product": _PublicXjlProduct(),
    "wealth:xjl_in": _PublicXjlProduct(),
}
