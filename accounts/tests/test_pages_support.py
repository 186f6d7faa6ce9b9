"""Shared fixtures and helpers of the 账户管理 page tests (test_pages_*.py); holds no tests.

alice is 张伟 (借记卡, 活期存折, 定期一本通 — all linked, the newest link first), bob is 李娜.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.demo import DEMO_PIN
from accounts.models import LinkedMedium, Medium, MediumKind, SubAccount, SubAccountKind
from ebank.core.models import AuditEvent
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType
from ebank.ledger.services import Leg, entry_post
from security.center.testing import personas
from security.models import User

PIN = DEMO_PIN
WRONG_PIN = "999999" if DEMO_PIN != "999999" else "111111"


@dataclass
class Bank:
    alice: User
    bob: User

    def medium(self, user: User, kind: str) -> Medium:
        return user.customer.media.get(kind=kind)

    def link(self, user: User, kind: str) -> LinkedMedium:
        return LinkedMedium.objects.get(customer=user.customer, medium__kind=kind)

    def main(self, user: User, kind: str = MediumKind.DEBIT_CARD) -> SubAccount:
        return SubAccount.objects.select_related("ledger_account").get(
            medium__customer=user.customer, medium__kind=kind, kind=SubAccountKind.CURRENT_MAIN)


@pytest.fixture
def bank(db) -> Bank:
    people = personas()
    return Bank(alice=people["alice"], bob=people["bob"])


@pytest.fixture
def alice_client(client, bank):
    client.force_login(bank.alice)
    return client


def deposit(sub_account: SubAccount, amount: str = "10.00", *, key: str, memo: str = "") -> int:
    """A cash deposit onto a sub-account through the ledger; returns the entry id."""
    return entry_post(
        idempotency_key=key, business_type=BusinessType.CASH_DEPOSIT, reference=key, memo=memo,
        legs=[Leg.debit(bank_book_id(BankBook.CASH), Decimal(amount)),
              Leg.credit(sub_account.ledger_account_id, Decimal(amount))],
    ).entry_id


def withdraw(sub_account: SubAccount, amount: str = "10.00", *, key: str) -> int:
    return entry_post(
        idempotency_key=key, business_type=BusinessType.CASH_WITHDRAWAL, reference=key,
        legs=[Leg.debit(sub_account.ledger_account_id, Decimal(amount)),
              Leg.credit(bank_book_id(BankBook.CASH), Decimal(amount))],
    ).entry_id


def audit_actions(customer) -> list[str]:
    return list(AuditEvent.objects.filter(customer_id=customer.pk).order_by("id")
                .values_list("action", flat=True))


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)
