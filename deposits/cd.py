"""大额存单 额度 (DEP-CD): an issue's quota taken and given back, race-safe.

``cd_quota_take`` is one conditional ``UPDATE … SET sold = sold + amount WHERE sold + amount <=
quota``: on PostgreSQL the second of two racing transactions waits on the row, re-reads it and
updates nothing when the first took the last 额度 — no read-then-write window, no lock order to
keep. Call it inside the transaction that opens the deposit, so a refused or failed opening gives
the 额度 back with its rollback. A sold 额度 stays sold when the deposit is later withdrawn (the
issue's size is what was raised); ``cd_quota_return`` only undoes a take whose opening did not
complete outside one transaction.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, QuerySet

from ebank.core.errors import BusinessError
from ebank.core.money import format_cny

from .models import LargeCDProduct

QUOTA_SHORT = "该期大额存单剩余额度不足，剩余{remaining}"
NOT_ON_SALE = "该期大额存单不在发售期内"


def cd_products_on_sale(*, day: date) -> QuerySet[LargeCDProduct]:
    """The issues a customer may buy on ``day`` (the list shows each one's remaining 额度)."""
    return LargeCDProduct.objects.filter(sale_from__lte=day, sale_to__gte=day).order_by(
        "term_months", "code")


def cd_quota_take(*, product_id: int, amount: Decimal, day: date) -> LargeCDProduct:
    """Take ``amount`` of the issue's 额度 in the caller's transaction, or refuse (nothing taken)."""
    if not isinstance(amount, Decimal) or amount <= 0:
        raise BusinessError("金额无效")
    with transaction.atomic():
        taken = (LargeCDProduct.objects
                 .filter(pk=product_id, sale_from__lte=day, sale_to__gte=day,
                         sold__lte=F("quota") - amount)
                 .update(sold=F("sold") + amount))
        product = LargeCDProduct.objects.get(pk=product_id)
        if not taken:
            if not product.sale_from <= day <= product.sale_to:
                raise BusinessError(NOT_ON_SALE)
            raise BusinessError(QUOTA_SHORT.format(remaining=format_cny(product.remaining)))
        return product


def cd_quota_return(*, product_id: int, amount: Decimal) -> None:
    """Give back 额度 taken by an opening that did not complete (in its own flow)."""
    with transaction.atomic():
        LargeCDProduct.objects.filter(pk=product_id, sold__gte=amount).update(
            sold=F("sold") - amount)
