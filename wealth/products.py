"""Products, their cash books and their 净值 (the shared core every area of wealth uses)."""

import secrets
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ebank.core.clock import SHANGHAI
from ebank.ledger.models import AccountOwner, Side
from ebank.ledger.services import ledger_account_open

from .models import Nav, Product, ProductKind

ORDER_PREFIX = "LC"


def product_ledger_code(code: str) -> str:
    return f"WLT:{code}"


@transaction.atomic
def product_create(*, code: str, name: str, issuer: str, kind: str, risk_level: str,
                   start_date: date, min_amount: Decimal, step_amount: Decimal,
                   **fields) -> Product:
    """A product with its cash book (``WLT:<code>``, a bank account that may go negative: it is
    settled with the issuer). ``fields``: the other model fields (募集期, fees, 冷静期 …)."""
    account = ledger_account_open(code=product_ledger_code(code), name=f"理财产品资金 {name}",
                                  owner=AccountOwner.BANK, normal_side=Side.CREDIT,
                                  allow_negative=True)
    product = Product(code=code, name=name, issuer=issuer, kind=kind, risk_level=risk_level,
                      start_date=start_date, min_amount=min_amount, step_amount=step_amount,
                      ledger_account=account, **fields)
    product.full_clean(exclude=["ledger_account"])
    product.save()
    if kind == ProductKind.XJL:
        from .book import issuance_account
        issuance_account(product)
    return product


def nav_on(product: Product, day: date, *, lock: bool = False) -> Nav | None:
    """The 净值 published for ``day`` (None until head office publishes it).

    ``lock``: a settlement about to use it (the nightly confirmation, 到期兑付) locks the row
    until its transaction ends, so head office's correction (``catalog.services.nav_save``, which
    locks the same row before asking whether it was used) either lands before and is the one
    used, or waits and is refused as history: never both."""
    navs = Nav.objects.filter(product=product, date=day)
    if lock:
        navs = navs.select_for_update(of=("self",))
    return navs.first()


def nav_latest(product: Product, on_or_before: date | None = None) -> Nav | None:
    navs = Nav.objects.filter(product=product)
    if on_or_before is not None:
        navs = navs.filter(date__lte=on_or_before)
    return navs.order_by("-date").first()


def order_number_new(at: datetime | None = None) -> str:
    """``LC`` + date (Asia/Shanghai) + 12 random digits: no sequence to lock, nothing to count."""
    day = timezone.localtime(at or timezone.now(), SHANGHAI)
    return f"{ORDER_PREFIX}{day:%Y%m%d}{secrets.randbelow(10**12):012d}"
