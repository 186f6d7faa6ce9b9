"""Test-only operation kinds and fixtures for the confirmation tests, plus the registry's own tests.

The kinds registered here exist only in test runs: ``test_move`` moves money between two ledger
accounts with ``funds_move`` under the operation's idempotency key (like every real transfer
will), ``test_tool_only`` needs a USBKey or token.
"""

import base64
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.demo import DEMO_PIN, seed_demo_bank  # noqa: F401 — re-exported to the tests
from accounts.models import MediumKind, SubAccountKind
from accounts.services import funds_move
from ebank.ledger.models import Entry, LedgerAccount
from security.confirm.registry import operation_kind, operation_kind_get
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from security.tools import services as tool_services
from transfers.models import TransferBusinessType

NOON = datetime.datetime(2026, 11, 24, 4, 0, 0, tzinfo=datetime.UTC)  # 12:00 in Shanghai
CERT_PASSWORD = "Usb2026key"
executed_tool_only: list[str] = []


@operation_kind("test_move", title="测试转账", requires_pin=True, requires_tool=False)
def move_for_tests(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    posted = funds_move(debit_ledger_id=payload["from_ledger"], credit_ledger_id=payload["to_ledger"],
                        amount=Decimal(payload["amount"]),
                        business_type=TransferBusinessType.INTRA_TRANSFER,
                        idempotency_key=operation.idempotency_key,
                        reference=operation.public_id, memo="测试转账")
    return {"message": "转账成功", "receipt_url": f"/receipts/{posted.entry_id}",
            "lines": [["交易流水号", str(posted.entry_id)]]}


@operation_kind("test_tool_only", title="理财购买（测试）", requires_pin=False, requires_tool=True)
def tool_only_for_tests(*, operation: PendingOperation) -> dict:
    executed_tool_only.append(operation.public_id)
    return {"message": "购买成功"}


# --- fixtures ----------------------------------------------------------------------------------


class Bank:
    """The demo bank as the tests use it: two customers with e-banking users and their cards."""

    def __init__(self):
        customers = seed_demo_bank()
        self.zhang_customer, self.li_customer, self.wang_customer = customers[:3]
        self.zhang = User.objects.create_user(username="zhangwei", password="Login-pass-1",
                                              customer=self.zhang_customer)
        self.li = User.objects.create_user(username="lina", password="Login-pass-2",
                                           customer=self.li_customer)
        self.zhang_card = self.zhang_customer.media.get(kind=MediumKind.DEBIT_CARD)
        self.li_card = self.li_customer.media.get(kind=MediumKind.DEBIT_CARD)
        self.wang_card = self.wang_customer.media.get(kind=MediumKind.DEBIT_CARD)

    @staticmethod
    def ledger_of(medium) -> LedgerAccount:
        return medium.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN).ledger_account

    def start_move(self, *, amount="100.00", payee=None, user=None, medium=None):
        user = user or self.zhang
        medium = medium or self.zhang_card
        payee = payee or self.li_card
        payload = {"from_ledger": self.ledger_of(medium).pk, "to_ledger": self.ledger_of(payee).pk,
                   "amount": amount, "payee_account": payee.number,
                   "payee_name": payee.customer.name}
        summary = [("付款账户", medium.masked_number), ("收款账号", payee.masked_number),
                   ("收款人", payee.customer.name)]
        return operation_start(user=user, kind="test_move", payload=payload, summary=summary,
                               medium=medium, back_url="/transfers/intra")


def balance(account: LedgerAccount) -> Decimal:
    account.refresh_from_db()
    return account.balance


def entry_count() -> int:
    return Entry.objects.count()


def token_code(tool, operation=None) -> str:
    """The token's answer to the 挑战码 of ``operation`` (default: the holder's newest one)."""
    from security.confirm.services import operation_token_challenge

    if operation is None:
        operation = PendingOperation.objects.filter(user_id=tool.user_id).latest("pk")
    key = base64.b32decode(tool_services.token_secret_base32(tool=tool))
    return tool_services.token_answer(key=key,
                                      challenge=operation_token_challenge(operation))


@pytest.fixture
def bank_ca(settings, tmp_path):
    settings.BANK_CA_DIR = tmp_path / "bank-ca"
    settings.BANK_CA_PASSPHRASE = "test-only-ca-passphrase"
    return tool_services.bank_ca_ensure()


@pytest.fixture
def bank(db):
    return Bank()


@pytest.fixture
def token(bank):
    return tool_services.token_issue(user=bank.zhang, branch=bank.zhang_customer.branch)


@pytest.fixture
def usbkey(bank, bank_ca):
    return tool_services.usbkey_issue(user=bank.zhang, branch=bank.zhang_customer.branch,
                                      cert_password=CERT_PASSWORD)


# --- the registry ------------------------------------------------------------------------------


def test_registered_kinds_carry_their_flags():
    spec = operation_kind_get("test_move")
    assert spec.title == "测试转账" and spec.requires_pin and not spec.requires_tool
    assert spec.sms_allowed
    tool_only = operation_kind_get("test_tool_only")
    assert tool_only.requires_tool and not tool_only.sms_allowed  # a tool kind never takes SMS


def test_a_second_executor_under_the_same_name_is_refused():
    with pytest.raises(ImproperlyConfigured):
        operation_kind("test_move", title="x", requires_pin=False, requires_tool=False)(
            lambda *, operation: {})


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ImproperlyConfigured, match="未注册"):
        operation_kind_get("never_registered")


def test_kind_names_fit_the_sms_purpose_column():
    with pytest.raises(ImproperlyConfigured):
        operation_kind("x" * 33, title="x", requires_pin=False, requires_tool=False)
