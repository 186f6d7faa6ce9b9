"""Shared fixtures of the 电子回单 tests (imported by test_receipts_*; no tests of its own).

Personas from the demo bank: 张伟 (customer 0, three media) and 李娜 (customer 1); each gets an
e-banking user with every medium linked, as the access matrix does.
"""

import itertools
from datetime import datetime
from decimal import Decimal

import pytest

from accounts.demo import seed_demo_bank
from accounts.models import (
    Customer,
    LinkedMedium,
    Receipt,
    ReceiptDirection,
    SubAccount,
    SubAccountKind,
)
from accounts.receipts.services import ReceiptChannel, receipt_issue
from ebank.core.clock import SHANGHAI
from security.models import User

POSTED_AT = datetime(2026, 11, 20, 14, 5, 9, 123456, tzinfo=SHANGHAI)
_entries = itertools.count(900_000)


def make_user(customer: Customer, username: str) -> User:
    user = User.objects.create(username=username, customer=customer)
    user.set_password("Receipt@2026")
    user.save()
    for position, medium in enumerate(customer.media.order_by("number"), start=1):
        LinkedMedium.objects.get_or_create(medium=medium, defaults={
            "customer": customer, "position": position})
    return user


def main_account(customer: Customer, index: int = 0) -> SubAccount:
    medium = customer.media.order_by("number")[index]
    return medium.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)


def issue(sub_account: SubAccount, *, amount: str = "1234.56", direction=ReceiptDirection.DEBIT,
          posted_at: datetime = POSTED_AT, entry_id: int | None = None, **overrides) -> Receipt:
    """A receipt of a made-up transfer from (or to) ``sub_account``."""
    owner = sub_account.medium.customer
    ours = {"name": owner.name, "account": sub_account.medium.number,
            "bank": sub_account.medium.branch.name}
    theirs = {"name": "赵六", "account": "6217000010001234567", "bank": "中国建设银行合肥分行"}
    payer, payee = (ours, theirs) if direction == ReceiptDirection.DEBIT else (theirs, ours)
    fields = {
        "entry_id": entry_id if entry_id is not None else next(_entries),
        "sub_account": sub_account, "direction": direction, "amount": Decimal(amount),
        "payer_name": payer["name"], "payer_account": payer["account"],
        "payer_bank": payer["bank"], "payee_name": payee["name"],
        "payee_account": payee["account"], "payee_bank": payee["bank"], "purpose": "货款",
        "business": "跨行转账", "channel": ReceiptChannel.WEB, "posted_at": posted_at,
    }
    return receipt_issue(**{**fields, **overrides})


def elements_of(receipt: Receipt) -> dict:
    """What a reader types into 电子回单校验 from the printed receipt."""
    return {
        "number": receipt.number, "posted_at": receipt.posted_at,
        "payer_account": receipt.payer_account, "payer_name": receipt.payer_name,
        "payee_account": receipt.payee_account, "payee_name": receipt.payee_name,
        "amount": receipt.amount, "purpose": receipt.purpose,
        "verification_code": receipt.verification_code,
    }


@pytest.fixture
def people(db):
    customers = seed_demo_bank()
    return {"张伟": customers[0], "李娜": customers[1]}


@pytest.fixture
def users(people):
    return {"张伟": make_user(people["张伟"], "zhangwei_r"),
            "李娜": make_user(people["李娜"], "lina_r")}
