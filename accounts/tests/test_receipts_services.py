"""receipt_issue and receipt_verify: numbers, idempotency, and codes only the bank can make."""

import re
from dataclasses import replace
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Receipt, ReceiptDirection
from accounts.receipts import services
from accounts.receipts.services import ReceiptElements, receipt_verify
from ebank.core import signing
from ebank.core.clock import SHANGHAI
from ebank.core.errors import IdempotencyConflict

from . import test_receipts_support as support
from .test_receipts_support import POSTED_AT, elements_of, issue, main_account

people = support.people
pytestmark = pytest.mark.django_db


def _one_digit_changed(text: str) -> str:
    """The same text with its last digit changed (9 → 0, else +1)."""
    for index in range(len(text) - 1, -1, -1):
        if text[index].isdigit():
            digit = "0" if text[index] == "9" else str(int(text[index]) + 1)
            return text[:index] + digit + text[index + 1:]
    raise AssertionError(f"no digit in {text!r}")


# --- issuing ------------------------------------------------------------------------------------


def test_issue_stores_the_receipt_with_its_number_and_code(people):
    sub_account = main_account(people["张伟"])
    receipt = issue(sub_account)
    assert re.fullmatch(r"HD20261120\d{10}", receipt.number)
    assert re.fullmatch(r"([A-Z2-7]{4}-){4}[A-Z2-7]{4}", receipt.verification_code)
    assert receipt.customer == people["张伟"]
    # The owner's document keeps the full numbers; the time is kept to the second.
    assert receipt.payer_account == sub_account.medium.number
    assert receipt.posted_at == POSTED_AT.replace(microsecond=0)
    assert receipt.amount == Decimal("1234.56")
    assert receipt_verify(**elements_of(receipt))


def test_a_replay_returns_the_first_receipt(people):
    sub_account = main_account(people["张伟"])
    first = issue(sub_account, entry_id=42)
    again = issue(sub_account, entry_id=42)
    assert again.pk == first.pk and again.number == first.number
    assert Receipt.objects.filter(entry_id=42).count() == 1


def test_a_replay_with_another_amount_is_refused(people):
    sub_account = main_account(people["张伟"])
    issue(sub_account, entry_id=43)
    with pytest.raises(IdempotencyConflict):
        issue(sub_account, entry_id=43, amount="1.00")


def test_both_legs_of_one_entry_get_their_own_receipt(people):
    payer, payee = main_account(people["张伟"]), main_account(people["李娜"])
    debit = issue(payer, entry_id=44)
    credit = issue(payee, entry_id=44, direction=ReceiptDirection.CREDIT)
    assert debit.number != credit.number
    assert (debit.customer, credit.customer) == (people["张伟"], people["李娜"])


def test_a_number_clash_draws_again(people, monkeypatch):
    sub_account = main_account(people["张伟"])
    first = issue(sub_account)
    drawn = iter([int(first.number[-10:]), 7])
    monkeypatch.setattr(services.secrets, "randbelow", lambda _n: next(drawn))
    second = issue(sub_account)
    assert second.number == first.number[:-10] + "0000000007"


def test_the_number_carries_the_shanghai_date(people):
    # 00:30 on the 21st in Shanghai is still the 20th in UTC (16:30), as the database stores it.
    early = POSTED_AT.replace(day=21, hour=0, minute=30)
    assert early.astimezone(UTC).day == 20
    assert issue(main_account(people["张伟"]), posted_at=early).number.startswith("HD20261121")


def test_elements_that_do_not_fit_are_refused_and_purpose_is_cut(people):
    sub_account = main_account(people["张伟"])
    with pytest.raises(ValueError, match="收款人户名"):
        issue(sub_account, payee_name="名" * 65)
    with pytest.raises(ValueError, match="金额"):
        issue(sub_account, amount="0.00")
    receipt = issue(sub_account, purpose="款" * 59 + " 尾巴")
    assert receipt.purpose == "款" * 59
    assert receipt_verify(**elements_of(receipt))


def test_a_naive_time_is_refused_when_issuing(people):
    with pytest.raises(ValueError, match="时区"):
        issue(main_account(people["张伟"]), posted_at=POSTED_AT.replace(tzinfo=None))


# --- verifying ----------------------------------------------------------------------------------


@pytest.fixture
def genuine(people):
    return elements_of(issue(main_account(people["张伟"])))


def test_the_genuine_elements_verify_as_typed_by_a_person(genuine):
    typed = {**genuine,
             "payer_account": " ".join(re.findall(".{1,4}", genuine["payer_account"])),
             "posted_at": genuine["posted_at"].astimezone(SHANGHAI).replace(tzinfo=None),
             "verification_code": genuine["verification_code"].replace("-", "").lower(),
             "payee_name": f" {genuine['payee_name']} "}
    assert receipt_verify(**typed)


def test_look_alike_digits_in_the_code_are_read_as_letters(genuine):
    code = genuine["verification_code"]
    typed = code.replace("O", "0").replace("I", "1").replace("B", "8")
    assert receipt_verify(**{**genuine, "verification_code": typed})


@pytest.mark.parametrize("field", ["number", "payer_account", "payee_account", "amount",
                                   "verification_code"])
def test_one_changed_digit_fails(genuine, field):
    value = genuine[field]
    if field == "amount":
        changed = Decimal(_one_digit_changed(f"{value:.2f}"))
    elif field == "verification_code":
        changed = value[:-1] + ("A" if value[-1] != "A" else "B")
    else:
        changed = _one_digit_changed(value)
    assert not receipt_verify(**{**genuine, field: changed})


def test_a_changed_time_name_or_purpose_fails(genuine):
    assert not receipt_verify(**{**genuine, "posted_at": genuine["posted_at"] + timedelta(seconds=1)})
    assert not receipt_verify(**{**genuine, "posted_at": genuine["posted_at"] + timedelta(hours=8)})
    assert not receipt_verify(**{**genuine, "payer_name": "张卫"})
    assert not receipt_verify(**{**genuine, "payee_name": "赵七"})
    assert not receipt_verify(**{**genuine, "purpose": "贷款"})
    assert not receipt_verify(**{**genuine, "amount": genuine["amount"] * 10})


def test_elements_cannot_be_shifted_across_the_separator(genuine):
    # "payer name | payee account" and "payer name" + "| payee account" are different elements.
    shifted = {**genuine, "payer_name": genuine["payer_name"] + "|" + genuine["payee_account"],
               "payee_account": ""}
    assert not receipt_verify(**shifted)
    base = ReceiptElements(number="HD1", posted_at=POSTED_AT, payer_account="1",
                           payer_name="A|B", payee_account="2", payee_name="C",
                           amount=Decimal("1.00"), purpose="")
    assert replace(base, payer_name="A", payee_account="B|2").canonical() != base.canonical()


def test_nonsense_is_false_not_an_error(genuine):
    assert not receipt_verify(**{**genuine, "amount": Decimal("1.234")})
    assert not receipt_verify(**{**genuine, "verification_code": "验证码" * 10})
    assert not receipt_verify(**{**genuine, "verification_code": ""})


def test_verification_reads_nothing_from_the_database(genuine, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert receipt_verify(**genuine)


def test_a_code_made_with_another_key_fails(genuine, tmp_path):
    elements = {key: value for key, value in genuine.items() if key != "verification_code"}
    with override_settings(BANK_CA_DIR=tmp_path / "forger"):
        forged = ReceiptElements(**elements).code()
        # Under the forger's key their own code "verifies": it is the key that decides.
        assert receipt_verify(**elements, verification_code=forged)
    assert forged != genuine["verification_code"]
    assert not receipt_verify(**elements, verification_code=forged)
    assert receipt_verify(**genuine)


@hypothesis_settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cents=st.integers(min_value=1, max_value=99_999_999_999_999),
       name=st.text(min_size=1, max_size=20).filter(lambda s: s.strip()),
       purpose=st.text(max_size=30))
def test_property_genuine_verifies_and_a_cent_more_does_not(cents, name, purpose):
    amount = Decimal(cents) / 100
    elements = {"number": "HD202611200000000001", "posted_at": POSTED_AT.replace(microsecond=0),
                "payer_account": "6226790101000000013", "payer_name": name,
                "payee_account": "6217000010001234567", "payee_name": "赵六",
                "amount": amount, "purpose": purpose}
    code = ReceiptElements(**elements).code()
    assert receipt_verify(**elements, verification_code=code)
    assert not receipt_verify(**{**elements, "amount": amount + Decimal("0.01")},
                              verification_code=code)


# --- the key --------------------------------------------------------------------------------------


def test_signatures_are_deterministic_and_verify_with_the_public_key():
    message = b"EBANK-RECEIPT-V1|test"
    signature = signing.receipt_sign(message)
    assert len(signature) == 64 and signing.receipt_sign(message) == signature
    assert signing.receipt_signature_matches(message, signature)
    assert not signing.receipt_signature_matches(message + b"!", signature)
    assert not signing.receipt_signature_matches(message, signature[:-1] + bytes([signature[-1] ^ 1]))
    assert not signing.receipt_signature_matches(message, b"short")


def test_the_key_is_encrypted_and_private(tmp_path):
    with override_settings(BANK_CA_DIR=tmp_path):
        signing.receipt_sign(b"x")
    path = tmp_path / signing.RECEIPT_KEY_FILE
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        signing.receipt_key_init(directory=tmp_path, passphrase="x")
    first = path.read_bytes()
    signing.receipt_key_init(directory=tmp_path, passphrase="test-only-bank-ca-passphrase",
                             force=True)
    assert path.read_bytes() != first and path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [signing.RECEIPT_KEY_FILE]
    with override_settings(BANK_CA_DIR=tmp_path, BANK_CA_PASSPHRASE="wrong"), \
            pytest.raises(ImproperlyConfigured, match="无法解密"):
        signing.receipt_sign(b"x")


def test_production_only_loads_and_says_what_is_missing(tmp_path):
    with override_settings(BANK_CA_DIR=tmp_path, BANK_CA_AUTO_CREATE=False), \
            pytest.raises(ImproperlyConfigured, match="电子回单签名密钥不存在"):
        signing.receipt_sign(b"x")
    assert not (tmp_path / signing.RECEIPT_KEY_FILE).exists()
    fingerprint = signing.receipt_key_init(directory=tmp_path, passphrase="ops-passphrase")
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    with override_settings(BANK_CA_DIR=tmp_path, BANK_CA_AUTO_CREATE=False,
                           BANK_CA_PASSPHRASE="ops-passphrase"):
        assert len(signing.receipt_sign(b"x")) == 64

