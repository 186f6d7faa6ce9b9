"""Reads of the 大额存单 / 存本取息 pages, scoped to the logged-in customer."""

from datetime import date

from accounts.models import LinkedMedium

from ..models import Deposit
from ..selectors import DepositRow, deposit_rows, linked_cards


def product_rows(*, customer, product: str, on: date, card=None) -> list[DepositRow]:
    """The customer's deposits of ``product`` on linked media (one card's when given), open
    first."""
    linked = LinkedMedium.objects.filter(customer=customer).values("medium_id")
    query = (Deposit.objects.filter(product=product, sub_account__medium__customer=customer,
                                    sub_account__medium_id__in=linked)
             .select_related("sub_account__medium", "sub_account__ledger_account",
                             "interest_account__medium", "cd_product")
             .order_by("status", "-opened_on", "-pk"))
    if card is not None:
        query = query.filter(sub_account__medium=card)
    return deposit_rows(query, on)


def card_picked(*, cards, value):
    """The card chosen by ``?card=`` among the customer's (anything else → None); the first
    card when none is asked for."""
    if value in (None, ""):
        return cards[0] if cards else None
    found = next((c for c in cards if str(c.pk) == str(value)), None)
    return found if found is not None else False




def card_with_rows(*, customer, product: str, value, on: date):
    """选择卡号 and the card's deposits of ``product``: (cards, the card, rows); a card that is
    not one of the customer's linked cards → 404."""
    from django.http import Http404

    cards = linked_cards(customer=customer)
    card = card_picked(cards=cards, value=value)
    if card is False:
        raise Http404("卡号不存在")
    rows = product_rows(customer=customer, product=product, on=on, card=card) if card else []
    return cards, card, rows
