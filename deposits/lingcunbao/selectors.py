"""零存宝 reads, scoped to the logged-in customer: the open accounts (on linked media) and the
转出账户 (the linked debit cards' 活期主账号)."""

from datetime import date

from accounts.models import MediumKind

from ..models import Product
from ..selectors import DepositRow, deposits_for_customer, open_sources


def lcb_rows(*, customer, on: date) -> list[DepositRow]:
    return deposits_for_customer(customer=customer, on=on, open_only=True,
                                 products=(Product.LINGCUNBAO,))


def card_sources(*, customer) -> list:
    return [sub for sub in open_sources(customer=customer)
            if sub.medium.kind == MediumKind.DEBIT_CARD]
