"""Per-product parts of what a deposit shows on 我的定期存款, 账户总览 and 账户详情.

Each product's module registers, at import, how its 利息（至今日） is reckoned and any lines of its
own (每月存额 of 零存整取, 已付息 of 存本取息 …)::

    deposit_product_facts(Product.FIXED, interest=interest_to_date)

A product without an entry shows the 整存整取 reckoning (the kept rate by days from the 起息日,
capped at the full term; past maturity the overdue days at 活期) and no lines of its own.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

Interest = Callable[..., Decimal]  # fn(*, deposit, balance, on) -> Decimal
Lines = Callable[..., list[tuple[str, str]]]  # fn(deposit) -> [(label, value)]

_interest: dict[str, Interest] = {}
_lines: dict[str, Lines] = {}
_withdraw: dict[str, tuple[str, bool]] = {}
_prefetch: dict[str, str] = {}


def deposit_product_facts(product: str, *, interest: Interest | None = None,
                          lines: Lines | None = None, withdraw_url: str | None = None,
                          withdraw_by_pk: bool = False, prefetch: str | None = None) -> None:
    """``withdraw_url``: the URL name of the product's 支取 page (整存整取's 定期支取 by
    default), where a deposit's 支取 button on 我的定期存款 leads — with the deposit as
    ``?deposit=<id>``, or as the URL's argument when ``withdraw_by_pk``. ``prefetch``: the
    related rows its reckoning reads (零存整取's instalments), fetched once for a whole page by
    :func:`product_prefetch`."""
    if interest is not None:
        _interest[product] = interest
    if lines is not None:
        _lines[product] = lines
    if withdraw_url is not None:
        _withdraw[product] = (withdraw_url, withdraw_by_pk)
    if prefetch is not None:
        _prefetch[product] = prefetch


def product_prefetch(deposits: list) -> None:
    """One query per product on the page that needs its related rows (none for the others),
    instead of one per deposit."""
    from django.db.models import prefetch_related_objects

    by_lookup: dict[str, list] = {}
    for deposit in deposits:
        lookup = _prefetch.get(deposit.product)
        if lookup:
            by_lookup.setdefault(lookup, []).append(deposit)
    for lookup, some in by_lookup.items():
        prefetch_related_objects(some, lookup)


def withdraw_href(product: str, pk: int) -> str:
    from django.urls import reverse

    name, by_pk = _withdraw.get(product, ("deposits:fixed_withdraw", False))
    return reverse(name, args=[pk]) if by_pk else f"{reverse(name)}?deposit={pk}"


def interest_today(*, deposit, balance: Decimal, on: date) -> Decimal:
    reckon = _interest.get(deposit.product)
    if reckon is None:
        from .fixed import interest_to_date as reckon
    return reckon(deposit=deposit, balance=balance, on=on)


def product_lines(deposit) -> list[tuple[str, str]]:
    lines = _lines.get(deposit.product)
    return lines(deposit) if lines else []
