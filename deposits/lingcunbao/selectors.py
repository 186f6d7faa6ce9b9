"""零存宝 reads, scoped to the logged-in customer: the open accounts (on linked media) and the
转出账户 (the linked debit cards' 活期主账号)."""

from datetime import date

from accounts.models import LinkedMedium, MediumKind

from ..models import Deposit, DepositStatus, Product
from ..product_facts import interest_today
from ..selectors import DepositRow, open_sources


def lcb_rows(*, customer, on: date) -> list[DepositRow]:
    linked = LinkedMedium.objects.filter(customer=customer).values("medium_id")
    query = (Deposit.objects.filter(product=Product.LINGCUNBAO, status=DepositStatus.OPEN,
                                    sub_account__medium__customer=customer,
                                    sub_account__medium_id__in=linked)
             .select_related("sub_account__medium", "sub_account__ledger_account",
                             "interest_account__medium")
             .order_by("opened_on", "pk"))
    rows = []
    for deposit in query:
        balance = deposit.sub_account.ledger_account.balance
        rows.append(DepositRow(deposit, balance,
                               interest_today(deposit=deposit, balance=balance, on=on)))
    return rows


def card_sources(*, customer) -> list:
    return [sub for sub in open_sources(customer=customer)
            if sub.medium.kind == MediumKind.DEBIT_CARD]
