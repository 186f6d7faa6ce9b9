"""The customers' world every menu app's tests share: the demo bank with e-banking users, the
test CA and 张伟's USBKey, and the confirm helper (transfers, deposits; the next apps too).

Personas (accounts.demo): 张伟 (借记卡 ¥80,000.00, 活期存折 ¥12,345.67, 定期一本通 with a
整存整取), 李娜 (借记卡 ¥20,000.00, 活期一本通 ¥5,000.00), 王芳 (借记卡), 刘洋 (借记卡,
活期存折 that is *not* a 结算户). 张伟 holds a USBKey unless a test takes it away; 李娜 has
no tool (SMS codes, the tool-less cap).
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.demo import DEMO_PIN, seed_demo_bank
from accounts.models import LinkedMedium, Medium, MediumKind, SubAccount, SubAccountKind
from ebank.ledger.models import Entry, LedgerAccount
from security.confirm.services import operation_confirm, operation_sms_send
from security.models import PendingOperation, ToolKind, User
from security.tools import services as tool_services

CERT_PASSWORD = "Usb2026key"  # noqa: S105 - test USBKey only
LOGIN_PASSWORD = "Login-pass-9"  # noqa: S105 - test users only
ISSUED_AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)

__all__ = ["DEMO_PIN", "World", "balance", "confirm", "entries", "world", "world_build"]


def link_all(customer) -> None:
    media = list(customer.media.order_by("id"))
    for position, medium in enumerate(reversed(media), start=1):
        LinkedMedium.objects.get_or_create(medium=medium, defaults={"customer": customer,
                                                                    "position": position})


class World:
    def __init__(self):
        customers = {c.cif_no: c for c in seed_demo_bank()}
        self.zhang_customer = customers["3401010001"]
        self.li_customer = customers["3401010002"]
        self.wang_customer = customers["3402010001"]
        self.liu_customer = customers["3400000001"]
        self.zhang = User.objects.create_user(username="zw_transfer", password=LOGIN_PASSWORD,
                                              customer=self.zhang_customer)
        self.li = User.objects.create_user(username="ln_transfer", password=LOGIN_PASSWORD,
                                           customer=self.li_customer)
        link_all(self.zhang_customer)
        link_all(self.li_customer)
        self.zhang_card = self.zhang_customer.media.get(kind=MediumKind.DEBIT_CARD)
        self.zhang_passbook = self.zhang_customer.media.get(kind=MediumKind.CURRENT_PASSBOOK)
        self.zhang_fixed_book = self.zhang_customer.media.get(kind=MediumKind.FIXED_ONEBOOK)
        self.li_card = self.li_customer.media.get(kind=MediumKind.DEBIT_CARD)
        self.li_onebook = self.li_customer.media.get(kind=MediumKind.CURRENT_ONEBOOK)
        self.wang_card = self.wang_customer.media.get(kind=MediumKind.DEBIT_CARD)
        self.liu_passbook = self.liu_customer.media.get(kind=MediumKind.CURRENT_PASSBOOK)

    @staticmethod
    def main(medium: Medium) -> SubAccount:
        return medium.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)

    def usbkey_give(self, user: User):
        return tool_services.usbkey_issue(user=user, branch=user.customer.branch,
                                          cert_password=CERT_PASSWORD)


def world_build(settings, tmp_path) -> World:
    """The world with the test CA and 张伟's USBKey (the ``world`` fixture; an app's own fixture
    calls it and adds what it needs, e.g. deposits' rate table)."""
    settings.BANK_CA_DIR = tmp_path / "bank-ca"
    settings.BANK_CA_PASSPHRASE = "test-only-ca-passphrase"
    # The CA and the certificate date from the start of 2026, so that the fixed business days
    # the tests travel to (2026-06, 2026-11) lie inside their validity.
    with time_machine.travel(ISSUED_AT, tick=False):
        tool_services.bank_ca_ensure()
        bank = World()
        bank.usbkey_give(bank.zhang)
    return bank


@pytest.fixture
def world(db, settings, tmp_path):
    return world_build(settings, tmp_path)


def confirm(operation: PendingOperation, *, user: User, pin: str = DEMO_PIN) -> PendingOperation:
    """Confirm as the customer would: the USBKey's 证书密码 if they hold one, else an SMS code."""
    if tool_services.tool_for(user=user, kind=ToolKind.USBKEY) is not None:
        method, credential = "usbkey", CERT_PASSWORD
    else:
        operation_sms_send(user=user, operation=operation)
        method = "sms"
        credential = tool_services.sms_outbox_latest_code(phone=user.customer.phone)
    return operation_confirm(user=user, public_id=operation.public_id, pin=pin, method=method,
                             credential=credential)


def balance(sub_account_or_medium) -> Decimal:
    if isinstance(sub_account_or_medium, Medium):
        sub_account_or_medium = World.main(sub_account_or_medium)
    return LedgerAccount.objects.get(pk=sub_account_or_medium.ledger_account_id).balance


def entries() -> int:
    return Entry.objects.count()
