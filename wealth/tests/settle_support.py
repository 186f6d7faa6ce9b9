"""What the settle tests share: placing orders as 张伟, running the nightly step as the batch
does (00:10 the morning after), and the balances of both books."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import time_machine

from ebank.duework.services import batch_step_run
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import LedgerAccount
from wealth.book import issuance_account, share_account_for, share_post
from wealth.models import WealthBook
from wealth.placing import order_place
from wealth.settle.nightly import wealth_orders_confirm_step

from .conftest import shanghai

STEP = "wealth_orders_confirm"


def place(world, product, kind, *, at: datetime, amount=None, shares=None, customer=None,
          medium=None):
    customer = customer or world.zhang_customer
    payer = world.main(medium or world.zhang_card)
    with time_machine.travel(at, tick=False):
        return order_place(customer=customer, payer=payer, product=product, kind=kind,
                           amount=Decimal(amount) if amount is not None else None,
                           shares=Decimal(shares) if shares is not None else None, at=at)


def night(day: date, *, at: datetime | None = None) -> bool:
    """The step for business date ``day``, run at 00:10 the next morning (or ``at``)."""
    when = at or shanghai(day + timedelta(days=1), 0, 10)
    with time_machine.travel(when, tick=False):
        return batch_step_run(step=STEP, business_date=day, fn=wealth_orders_confirm_step)


def ledger_balance(ledger_account_id: int) -> Decimal:
    return LedgerAccount.objects.get(pk=ledger_account_id).balance


def available(sub_account) -> Decimal:
    account = LedgerAccount.objects.get(pk=sub_account.ledger_account_id)
    return account.balance - account.held


def fee_income() -> Decimal:
    return ledger_balance(bank_book_id(WealthBook.FEE_INCOME))


def shares_give(product, customer, shares: str, key: str = "seed"):
    """Shares a customer already holds (as a confirmed earlier purchase would have left)."""
    account = share_account_for(product=product, customer=customer)
    share_post(idempotency_key=f"test:{key}", business_type="test", reference=key,
               moves=[(issuance_account(product), -Decimal(shares)),
                      (account, Decimal(shares))])
    return account
