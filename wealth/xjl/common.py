"""What 薪加利's pages and services share: the product, the customer's accounts, the amount typed
and the 电子回单 of a movement between a 活期 account and the product's cash book."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404

from accounts.models import ReceiptDirection, SubAccount
from accounts.payers import payer_account_usable
from accounts.receipts.services import ReceiptChannel, receipt_issue
from ebank.core.errors import BusinessError

from ..models import Product, ProductKind

PRODUCT_UNKNOWN = "没有这个薪加利产品"


def xjl_products():
    return Product.objects.filter(kind=ProductKind.XJL).order_by("code")


def xjl_product_get(pk) -> Product:
    """A 薪加利 product by id (a page's 404 for anything else)."""
    try:
        return xjl_products().get(pk=int(pk))
    except (Product.DoesNotExist, TypeError, ValueError):
        raise Http404(PRODUCT_UNKNOWN) from None


def xjl_product_of(pk) -> Product:
    """:func:`xjl_product_get` as a refusal inside a service."""
    try:
        return xjl_product_get(pk)
    except Http404:
        raise BusinessError(PRODUCT_UNKNOWN, code="product") from None


def own_account(customer, sub_account_id, *, role: str) -> SubAccount:
    """One of the customer's linked 活期主账户s, usable now (``accounts.payers``)."""
    return payer_account_usable(customer=customer, sub_account_id=sub_account_id, role=role)


def xjl_receipt(*, entry_id: int, amount: Decimal, account: SubAccount, product: Product,
                direction: str, business: str, posted_at: datetime):
    """The customer's 电子回单 of one 转入 (付款, ``ReceiptDirection.DEBIT``) or 转出 (收款)."""
    medium = account.medium
    own = {"name": medium.customer.name, "account": medium.number, "bank": medium.branch.name}
    fund = {"name": f"{product.name}（{product.issuer}）", "account": product.code, "bank": ""}
    payer, payee = (own, fund) if direction == ReceiptDirection.DEBIT else (fund, own)
    return receipt_issue(
        entry_id=entry_id, sub_account=account, direction=direction, amount=amount,
        payer_name=payer["name"], payer_account=payer["account"], payer_bank=payer["bank"],
        payee_name=payee["name"], payee_account=payee["account"], payee_bank=payee["bank"],
        purpose=business, business=business, channel=ReceiptChannel.WEB, posted_at=posted_at)
