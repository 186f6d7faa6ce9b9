"""Small builders for the 活期 积数 and settlement tests: a branch, customers with a debit card
(its 活期主账户), money moved at a chosen Asia/Shanghai time, and the nightly steps run as the
batch runs them."""

from datetime import date, datetime
from decimal import Decimal

import time_machine

from accounts.models import Bank, Branch, IdType, MediumKind, SubAccount
from accounts.services import customer_open, luhn_check_digit, medium_open
from deposits.models import DepositRate, Product
from ebank.core.clock import SHANGHAI
from ebank.duework.services import batch_step_run
from ebank.ledger.bank_books import BankBook, bank_book_id, bank_books_open
from ebank.ledger.models import BusinessType, LedgerAccount
from ebank.ledger.services import Leg, entry_post

_counter = {"n": 0}


def branch() -> Branch:
    bank_books_open()
    bank, _ = Bank.objects.get_or_create(code="ACCR", defaults={"name": "测试银行"})
    found, _ = Branch.objects.get_or_create(code="340199",
                                            defaults={"bank": bank, "name": "测试支行"})
    return found


def current_account(*, name: str = "张伟", opened_on: date = date(2026, 1, 5)) -> SubAccount:
    """A customer with a debit card; its 活期主账户."""
    _counter["n"] += 1
    n = _counter["n"]
    customer = customer_open(cif_no=f"88{n:08d}", name=name, branch=branch(),
                             id_type=IdType.PASSPORT, id_number=f"E{n:08d}",
                             phone=f"138{n:08d}")
    body = f"622679019{n:09d}"
    medium = medium_open(customer=customer, number=body + luhn_check_digit(body),
                         kind=MediumKind.DEBIT_CARD, pin="147258", opened_on=opened_on)
    return medium.sub_accounts.get()


def move(account: SubAccount, amount: str, at: datetime) -> None:
    """Cash in (positive) or out (negative) of ``account`` at Shanghai time ``at``."""
    value = Decimal(amount)
    cash = bank_book_id(BankBook.CASH)
    legs = ([Leg.debit(cash, value), Leg.credit(account.ledger_account_id, value)] if value > 0
            else [Leg.debit(account.ledger_account_id, -value), Leg.credit(cash, -value)])
    _counter["n"] += 1
    with time_machine.travel(at, tick=False):
        entry_post(idempotency_key=f"test-move:{_counter['n']}",
                   business_type=BusinessType.CASH_DEPOSIT if value > 0
                   else BusinessType.CASH_WITHDRAWAL,
                   reference="test", legs=legs)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def rate(annual: str, effective_from: date = date(2020, 1, 1)) -> DepositRate:
    return DepositRate.objects.create(product=Product.CURRENT, term_months=0,
                                      annual_rate=Decimal(annual), effective_from=effective_from)


def run_step(step: str, day: date, *, clock: datetime | None = None) -> bool:
    """Run a deposits nightly step for ``day`` as the batch does, at ``clock`` (default 00:10
    the morning after)."""
    from deposits import nightly

    fn = {"current_accrual": nightly.current_accrual_step,
          "current_settlement": nightly.current_settlement_step}[step]
    when = clock or datetime(day.year, day.month, day.day, 0, 10, tzinfo=SHANGHAI)
    if clock is None:
        from datetime import timedelta
        when += timedelta(days=1)
    with time_machine.travel(when, tick=False):
        return batch_step_run(step=step, business_date=day, fn=fn)


def balance(account: SubAccount) -> Decimal:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance
