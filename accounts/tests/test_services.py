from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.http import Http404

from accounts.demo import DEMO_PIN, resident_id_number, seed_demo_bank
from accounts.models import Customer, IdType, Medium, MediumKind, SubAccount, SubAccountKind
from accounts.selectors import current_main_account, sub_account_get_for_customer
from accounts.services import (
    customer_find_by_id_number,
    customer_open,
    luhn_check_digit,
    medium_open,
    pin_make_hash,
    pin_matches,
)
from ebank.core.crypto import decrypt_text
from ebank.core.errors import BusinessError
from ebank.ledger.models import Entry
from ebank.ledger.selectors import ledger_violations

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    return seed_demo_bank()


def test_id_number_is_stored_encrypted_and_shown_masked(bank):
    branch = bank[0].branch
    number = resident_id_number("11010519491231002")
    customer = customer_open(cif_no="9999999999", name="测试", branch=branch,
                             id_type=IdType.RESIDENT_ID, id_number=number, phone="13800000000")
    row = Customer.objects.get(pk=customer.pk)
    assert number not in row.id_number_encrypted
    assert decrypt_text(row.id_number_encrypted) == number
    assert row.id_number_masked == number[:3] + "*" * 11 + number[-4:]
    assert customer_find_by_id_number(id_type=IdType.RESIDENT_ID, id_number=number) == customer
    assert customer_find_by_id_number(id_type=IdType.PASSPORT, id_number=number) is None


def test_pin_is_hashed_and_checked(bank):
    medium = Medium.objects.filter(customer=bank[0]).first()
    assert DEMO_PIN not in medium.pin_hash
    assert pin_matches(medium=medium, pin=DEMO_PIN)
    assert not pin_matches(medium=medium, pin="000000")
    assert not pin_matches(medium=medium, pin="13524")
    for bad in ["12345", "1234567", "12345a", "１２３４５６"]:
        with pytest.raises(BusinessError):
            pin_make_hash(bad)


def test_every_current_medium_has_one_main_account_backed_by_the_ledger(bank):
    card = Medium.objects.get(number="6226790101000000013")
    main = current_main_account(medium_number=card.number)
    assert main.kind == SubAccountKind.CURRENT_MAIN
    assert main.ledger_account.balance == Decimal("80000.00")
    assert card.masked_number == "6226 **** **** 0013"
    fixed = SubAccount.objects.get(medium__number="6226790101000000039")
    assert fixed.kind == SubAccountKind.FIXED_LUMP_SUM
    assert fixed.ledger_account.balance == Decimal("50000.00")


def test_a_sub_account_is_found_only_through_its_customer(bank):
    zhang, li = bank[0], bank[1]
    number = "6226790101000000013-0001"
    assert sub_account_get_for_customer(customer=zhang, number=number).medium.customer == zhang
    with pytest.raises(Http404):
        sub_account_get_for_customer(customer=li, number=number)
    with pytest.raises(Http404):
        sub_account_get_for_customer(customer=zhang, number="garbage")


def test_seed_is_idempotent_and_the_books_balance(bank):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    entries = Entry.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    seed_demo_bank()
    assert Entry.objects.count() == entries
    assert Customer.objects.count() == 4
    assert ledger_violations() == []


def test_card_numbers_carry_a_luhn_check_digit():
    assert luhn_check_digit("7992739871") == "3"
    for medium_number in ["6226790101000000013", "6226790201000000060"]:
        assert luhn_check_digit(medium_number[:-1]) == medium_number[-1]


def test_credit_card_gets_a_debit_normal_account(bank):
    medium = medium_open(customer=bank[0], number="6259000000000001", kind=MediumKind.CREDIT_CARD,
                         pin=DEMO_PIN, opened_on=date(2026, 1, 1))
    sub = medium.sub_accounts.get()
    assert sub.kind == SubAccountKind.CREDIT
    assert sub.ledger_account.normal_side == "D" and sub.ledger_account.allow_negative
