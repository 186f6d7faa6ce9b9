"""Personas for the deposits tests (the demo bank, accounts.demo): 张伟 (借记卡 ¥80,000.00,
活期存折 ¥12,345.67, 定期一本通) with a USBKey, 李娜 (借记卡 ¥20,000.00) without a tool; the
rate table seeded as of 2026-01-01 (整存整取 一年 1.20%, 活期 0.10% — DOMAIN-RULES §2)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.demo import DEMO_PIN, seed_demo_bank
from accounts.models import LinkedMedium, MediumKind, SubAccountKind
from deposits.models import DepositRate, Product
from ebank.ledger.models import LedgerAccount
from security.confirm.services import operation_confirm
from security.models import User
from security.tools import services as tool_services

CERT_PASSWORD = "Usb2026key"  # noqa: S105 - test USBKey only
LOGIN_PASSWORD = "Login-pass-9"  # noqa: S105 - test users only
ISSUED_AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
RATES_FROM = date(2026, 1, 1)
FIXED_RATES = {3: "1.05", 6: "1.15", 12: "1.20", 24: "1.30", 36: "1.55", 60: "1.60"}


def rates_seed(on: date = RATES_FROM, fixed=None, current="0.10") -> None:
    for months, rate in (fixed or FIXED_RATES).items():
        DepositRate.objects.get_or_create(product=Product.FIXED, term_months=months,
                                          effective_from=on,
                                          defaults={"annual_rate": Decimal(rate)})
    if current is not None:
        DepositRate.objects.get_or_create(product=Product.CURRENT, term_months=0,
                                          effective_from=on,
                                          defaults={"annual_rate": Decimal(current)})


def link_all(customer) -> None:
    for position, medium in enumerate(customer.media.order_by("id"), start=1):
        LinkedMedium.objects.get_or_create(medium=medium, defaults={"customer": customer,
                                                                    "position": position})


class World:
    def __init__(self):
        customers = {c.cif_no: c for c in seed_demo_bank()}
        self.zhang_customer = customers["3401010001"]
        self.li_customer = customers["3401010002"]
        self.zhang = User.objects.create_user(username="zw_deposit", password=LOGIN_PASSWORD,
                                              customer=self.zhang_customer)
        self.li = User.objects.create_user(username="ln_deposit", password=LOGIN_PASSWORD,
                                           customer=self.li_customer)
        link_all(self.zhang_customer)
        link_all(self.li_customer)
        self.zhang_card = self.zhang_customer.media.get(kind=MediumKind.DEBIT_CARD)
        self.zhang_passbook = self.zhang_customer.media.get(kind=MediumKind.CURRENT_PASSBOOK)
        self.zhang_book = self.zhang_customer.media.get(kind=MediumKind.FIXED_ONEBOOK)
        self.li_card = self.li_customer.media.get(kind=MediumKind.DEBIT_CARD)
        rates_seed()

    @staticmethod
    def main(medium):
        return medium.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.BANK_CA_DIR = tmp_path / "bank-ca"
    settings.BANK_CA_PASSPHRASE = "test-only-ca-passphrase"
    with time_machine.travel(ISSUED_AT, tick=False):
        tool_services.bank_ca_ensure()
        bank = World()
        tool_services.usbkey_issue(user=bank.zhang, branch=bank.zhang_customer.branch,
                                   cert_password=CERT_PASSWORD)
    return bank


def confirm(operation, *, user, pin: str = DEMO_PIN):
    return operation_confirm(user=user, public_id=operation.public_id, pin=pin, method="usbkey",
                             credential=CERT_PASSWORD)


def balance(sub_account) -> Decimal:
    return LedgerAccount.objects.get(pk=sub_account.ledger_account_id).balance
