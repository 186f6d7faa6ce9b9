"""The card tests' world: tests/customer_world's personas and a 信用卡 for 张伟 (limit 50,000,
cash 25,000, 账单日 the 5th) issued on 2026-01-02, with the bank books open.

``charge``/``repay`` post through the engine as the acquirer and the repayment pages do."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from creditcard.cards import card_issue
from creditcard.engine import charge_post, credit_post
from creditcard.models import CardBook, CardBusinessType, CreditKind, ItemKind
from ebank.ledger.bank_books import bank_book_id
from tests.customer_world import DEMO_PIN, World, world_build

ISSUED = date(2026, 1, 2)
ISSUED_AT = datetime(2026, 1, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    return world_build(settings, tmp_path)


def card_for(customer, *, credit_limit="50000.00", statement_day=5, issued_on=ISSUED):
    with time_machine.travel(ISSUED_AT, tick=False):
        return card_issue(customer=customer, credit_limit=Decimal(credit_limit),
                          statement_day=statement_day, issued_on=issued_on, pin=DEMO_PIN)


@pytest.fixture
def card(world):
    return card_for(world.zhang_customer)


def charge(card, amount, on: date, *, kind=ItemKind.PURCHASE, reference=None, merchant="测试商户",
           mcc="5411", check_limit=True):
    """A purchase (or cash, with kind=CASH) posted on ``on`` as the acquirer feeds it."""
    business_type = {ItemKind.PURCHASE: CardBusinessType.PURCHASE,
                     ItemKind.CASH: CardBusinessType.CASH}.get(kind, CardBusinessType.PURCHASE)
    return charge_post(card=card, kind=kind, amount=Decimal(amount),
                       business_type=business_type,
                       credit_ledger_id=bank_book_id(CardBook.ACQUIRER), txn_date=on,
                       posted_on=on, reference=reference or f"T{on:%Y%m%d}-{amount}-{merchant}",
                       description=f"消费 {merchant}", merchant=merchant, mcc=mcc,
                       check_limit=check_limit,
                       interest_from=on if kind == ItemKind.CASH else None)


def repay(card, amount, on: date, *, reference=None, medium=None):
    """A repayment posted on ``on`` (from the bank's cash book unless ``medium``'s 活期)."""
    from accounts.models import SubAccountKind
    from ebank.ledger.bank_books import BankBook

    if medium is not None:
        source = medium.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN).ledger_account_id
    else:
        source = bank_book_id(BankBook.CASH)
    return credit_post(card=card, kind=CreditKind.REPAYMENT, amount=Decimal(amount),
                       business_type=CardBusinessType.REPAYMENT, debit_ledger_id=source,
                       txn_date=on, posted_on=on,
                       reference=reference or f"R{on:%Y%m%d}-{amount}",
                       description="信用卡还款", from_medium=medium)
