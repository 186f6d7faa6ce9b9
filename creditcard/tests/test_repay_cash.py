"""信用卡取现 (CC-CASH): within the 可用取现额度, fee 1% at least 10, interest from the day of
withdrawal shown before confirming, the card's 交易密码, the cash and its fee posted together."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import MediumStatus, Receipt, ReceiptDirection
from creditcard.engine import card_balance, card_verify, cash_available
from creditcard.models import CardBook, CardItem, CardStatus, ItemKind
from creditcard.repay.cash import BEYOND_CASH_LIMIT, KIND_CASH, cash_start, cash_terms
from ebank.core.errors import BusinessError
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import Entry, LedgerAccount
from security.models import OperationStatus, PendingOperation
from tests.customer_world import balance, confirm

from .repay_helpers import PAY_DAY, PAY_DAY_AT, item, linked_card, main, started

pytestmark = pytest.mark.django_db
URL = reverse("creditcard:cash")


@pytest.fixture
def zcard(world):
    return linked_card(world.zhang_customer)


@pytest.fixture
def client(world):
    client = Client()
    client.force_login(world.zhang)
    with time_machine.travel(PAY_DAY_AT, tick=False):
        yield client


def post(client, card, account, amount):
    return client.post(URL, {"card": card.pk, "account": account.pk, "amount": amount})


def fee_income() -> D:
    return LedgerAccount.objects.get(pk=bank_book_id(CardBook.FEE_INCOME)).balance


def test_cash_3000_fee_30_and_the_interest_rule_shown_before_confirming(client, world, zcard):
    """DOMAIN-RULES §3 example: 3,000 repaid after 30 days → fee 30.00 + interest 45.00 (the
    interest is the statement run's; here its daily figure on the confirmation: 1.50 × 30)."""
    operation = started(post(client, zcard, main(world.zhang_card), "3000.00"))
    assert operation.kind == KIND_CASH and operation.payload["fee"] == "30.00"
    assert operation.medium == zcard.medium          # the CREDIT card's 交易密码
    page = client.get(reverse("security:confirm", args=[operation.public_id])).content.decode()
    assert "¥30.00（按取现金额的1%收取，最低¥10.00）" in page
    assert "日利率0.05%" in page and "无免息期" in page and "每日¥1.50" in page
    assert cash_terms(D("3000.00"), PAY_DAY).interest_per_day * 30 == D("45.00")
    before = fee_income()
    confirm(operation, user=world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.EXECUTED
    assert card_balance(zcard) == D("3030.00")
    assert balance(world.zhang_card) == D("83000.00")
    assert fee_income() - before == D("30.00")
    cash = CardItem.objects.get(card=zcard, kind=ItemKind.CASH)
    fee = CardItem.objects.get(card=zcard, kind=ItemKind.CASH_FEE)
    assert (cash.amount, cash.interest_from, cash.posted_on) == (D("3000.00"), PAY_DAY, PAY_DAY)
    assert fee.amount == D("30.00") and fee.interest_from is None   # no interest on fees
    ledger, items = card_verify(zcard)
    assert ledger == items == D("3030.00")
    assert cash_available(zcard) == D("22000.00")
    card_side = Receipt.objects.filter(sub_account=zcard.sub_account,
                                       direction=ReceiptDirection.DEBIT)
    assert sorted(r.amount for r in card_side) == [D("30.00"), D("3000.00")]
    assert Receipt.objects.get(sub_account=main(world.zhang_card), entry_id=cash.entry_id
                               ).direction == ReceiptDirection.CREDIT


def test_the_fee_is_at_least_10(client, world, zcard):
    operation = started(post(client, zcard, main(world.zhang_card), "500.00"))
    assert operation.payload["fee"] == "10.00"
    confirm(operation, user=world.zhang)
    assert card_balance(zcard) == D("510.00")
    assert cash_terms(D("1000.00"), PAY_DAY).fee == D("10.00")
    assert cash_terms(D("1000.01"), PAY_DAY).fee == D("10.00")
    assert cash_terms(D("1050.00"), PAY_DAY).fee == D("10.50")


def test_beyond_the_cash_limit_is_refused_on_the_page(client, world, zcard):
    body = client.get(URL).content.decode()
    assert "可用取现额度" in body and "¥25,000.00" in body
    response = post(client, zcard, main(world.zhang_card), "25000.01")
    body = response.content.decode()
    assert BEYOND_CASH_LIMIT in body and "（可用取现额度¥25,000.00）" in body
    assert 'value="25000.01"' in body
    assert not PendingOperation.objects.exists()


def test_cash_not_repaid_narrows_the_cash_limit_and_a_confirmation_beyond_it_fails(
        client, world, zcard):
    operation = started(post(client, zcard, main(world.zhang_card), "20000.00"))
    item(zcard, ItemKind.CASH, "10000.00", date(2026, 2, 9))   # another withdrawal since
    entries = Entry.objects.count()
    with pytest.raises(BusinessError, match=BEYOND_CASH_LIMIT):
        confirm(operation, user=world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED
    assert Entry.objects.count() == entries
    assert CardItem.objects.filter(card=zcard, kind=ItemKind.CASH_FEE).count() == 0
    assert card_balance(zcard) == D("10000.00")


def test_only_own_debit_cards_receive_cash(client, world, zcard):
    body = client.get(URL).content.decode()
    assert world.zhang_card.masked_number in body
    assert world.zhang_passbook.masked_number not in body
    body = post(client, zcard, main(world.zhang_passbook), "100.00").content.decode()
    assert "请选择转入账户" in body
    with pytest.raises(BusinessError, match="转入账户须为本人借记卡"):
        cash_start(user=world.zhang, card_id=zcard.pk,
                   sub_account_id=main(world.zhang_passbook).pk, amount="100.00")
    assert not PendingOperation.objects.exists()


def test_a_frozen_card_cannot_withdraw(client, world, zcard):
    zcard.status = CardStatus.FROZEN
    zcard.save(update_fields=["status"])
    body = post(client, zcard, main(world.zhang_card), "100.00").content.decode()
    assert "该信用卡状态不正常" in body


def test_another_customers_card_is_a_404(client, world, zcard):
    other = linked_card(world.li_customer)
    assert client.get(f"{URL}?card={other.pk}").status_code == 404
    assert post(client, other, main(world.zhang_card), "100.00").status_code == 404
    assert not PendingOperation.objects.exists()


def test_li_na_without_a_tool_withdraws_by_sms(world):
    card = linked_card(world.li_customer)
    with time_machine.travel(PAY_DAY_AT, tick=False):
        client = Client()
        client.force_login(world.li)
        operation = started(post(client, card, main(world.li_card), "1000.00"))
        confirm(operation, user=world.li)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.EXECUTED and operation.auth_method == "sms"
    assert card_balance(card) == D("1010.00") and balance(world.li_card) == D("21000.00")


def test_a_credit_card_reported_lost_cannot_withdraw_even_if_the_card_row_is_active(
        client, world, zcard):
    operation = started(post(client, zcard, main(world.zhang_card), "100.00"))
    zcard.medium.status = MediumStatus.ORAL_LOSS
    zcard.medium.save(update_fields=["status"])
    body = post(client, zcard, main(world.zhang_card), "100.00").content.decode()
    assert "挂失" in body and 'value="100.00"' in body
    entries = Entry.objects.count()
    with pytest.raises(BusinessError):
        confirm(operation, user=world.zhang)
    assert Entry.objects.count() == entries and card_balance(zcard) == D("0.00")
