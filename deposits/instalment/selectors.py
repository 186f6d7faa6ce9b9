"""Reads of the 零存整取 pages, scoped to the logged-in customer (linked media only)."""

from dataclasses import dataclass
from datetime import date

from accounts.models import LinkedMedium, MediumKind, SubAccount

from ..models import Deposit, DepositStatus, Product
from ..selectors import DepositRow, open_sources
from .services import PASSBOOK_KINDS, interest_to_date, is_defaulted


@dataclass(frozen=True)
class InstalmentRow(DepositRow):
    """A 零存整取 as its pages list it: 违约 as of today (the nightly may not have marked it)."""

    defaulted: bool = False

    @property
    def label(self) -> str:
        d = self.deposit
        return (f"{self.medium_label} {self.number} 每月¥{d.monthly_amount:,.2f} "
                f"已存{d.instalments_made}/{d.term_months}期（{d.matures_on:%Y-%m-%d}到期）")


def instalments_for_customer(*, customer, on: date, passbook: bool | None = None
                             ) -> list[InstalmentRow]:
    """The customer's open 零存整取 on linked media: on cards (``passbook=False``), on
    passbooks (``True``) or all (``None``)."""
    linked = LinkedMedium.objects.filter(customer=customer).values("medium_id")
    query = (Deposit.objects.filter(sub_account__medium__customer=customer,
                                    sub_account__medium_id__in=linked,
                                    product=Product.INSTALMENT, status=DepositStatus.OPEN)
             .select_related("sub_account__medium", "sub_account__ledger_account",
                             "interest_account__medium")
             .prefetch_related("instalments")  # each row's months and interest: one query
             .order_by("opened_on", "pk"))
    if passbook is True:
        query = query.filter(sub_account__medium__kind__in=PASSBOOK_KINDS)
    elif passbook is False:
        query = query.filter(sub_account__medium__kind=MediumKind.DEBIT_CARD)
    rows = []
    for deposit in query:
        balance = deposit.sub_account.ledger_account.balance
        rows.append(InstalmentRow(deposit, balance,
                                  interest_to_date(deposit=deposit, balance=balance, on=on),
                                  is_defaulted(deposit, on)))
    return rows


def card_sources(*, customer) -> list[SubAccount]:
    """卡内活期转定期's 转出账号: the 活期主账号 of each linked debit card in 正常 state."""
    return [sub for sub in open_sources(customer=customer)
            if sub.medium.kind == MediumKind.DEBIT_CARD]
