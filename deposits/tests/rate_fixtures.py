"""Shared by test_rates and test_admin_rates: a deposit kept at a rate row (the row then counts
as used)."""

from datetime import date
from decimal import Decimal

from accounts.models import Customer, SubAccount
from deposits.models import Deposit, DepositRate, Product


def deposit_at(row: DepositRate, *, cif_no: str = "3401010001",
               opened_on: date | None = None) -> Deposit:
    """A 整存整取 of 10,000 on one of the customer's sub-accounts, kept at ``row``."""
    customer = Customer.objects.get(cif_no=cif_no)
    sub_account = (SubAccount.objects.filter(medium__customer=customer, deposit__isnull=True)
                   .order_by("pk").first())
    day = opened_on or row.effective_from
    return Deposit.objects.create(
        sub_account=sub_account, product=row.product or Product.FIXED,
        term_months=row.term_months, principal=Decimal("10000.00"),
        annual_rate=row.annual_rate, rate_row=row, opened_on=day, value_date=day)
