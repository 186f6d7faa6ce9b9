"""信用卡还款 (CC-REPAY) through its page: 全额 / 最低 / 其他金额, the repayment order (oldest
statement first; fees → interest → cash → instalments → purchases), 溢缴款 on the result page,
余额不足 with nothing written, another customer's card a 404, 李娜 (no tool) by SMS."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Receipt, ReceiptDirection
from creditcard.engine import card_balance, card_verify, overpayment
from creditcard.models import CardBusinessType, CardCredit, CreditKind, ItemKind
from creditcard.repay.repayment import (
    AMOUNT_CHANGED,
    FULL_PAID,
    INSUFFICIENT,
    KIND_REPAY,
    MINIMUM_PAID,
    NO_STATEMENT,
)
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.models import Entry
from security.models import OperationStatus, PendingOperation
from tests.customer_world import balance, confirm

from .repay_helpers import (
    PAY_DAY_AT,
    drain,
    item,
    linked_card,
    main,
    outstanding,
    started,
    statement_build,
)

pytestmark = pytest.mark.django_db
URL = reverse("creditcard:repay")


@pytest.fixture
def zcard(world):
    return linked_card(world.zhang_customer)


@pytest.fixture
def bills(zcard):
    """January's statement (a purchase of 100), February's (purchase 300, cash 200, its fee 10,
    interest 5, an instalment of 50; minimum 345) and 80 not billed yet."""
    a = item(zcard, ItemKind.PURCHASE, "100.00", date(2026, 1, 3))
    jan = statement_build(zcard, date(2026, 1, 5), [a], minimum="100.00")
    b = item(zcard, ItemKind.PURCHASE, "300.00", date(2026, 1, 6))
    c = item(zcard, ItemKind.CASH, "200.00", date(2026, 1, 7))
    f = item(zcard, ItemKind.CASH_FEE, "10.00", date(2026, 1, 7))
    i = item(zcard, ItemKind.INTEREST, "5.00", date(2026, 2, 5))
    n = item(zcard, ItemKind.INSTALMENT, "50.00", date(2026, 2, 5))
    feb = statement_build(zcard, date(2026, 2, 5), [b, c, f, i, n], minimum="345.00")
    u = item(zcard, ItemKind.PURCHASE, "80.00", date(2026, 2, 8))
    return {"a": a, "b": b, "c": c, "f": f, "i": i, "n": n, "u": u, "jan": jan, "feb": feb}


@pytest.fixture
def client(world):
    client = Client()
    client.force_login(world.zhang)
    with time_machine.travel(PAY_DAY_AT, tick=False):
        yield client


def post(client, card, account, choice, amount=""):
    return client.post(URL, {"card": card.pk, "account": account.pk, "choice": choice,
                             "amount": amount})


def pay(client, world, card, choice, amount="", *, user=None, account=None):
    operation = started(post(client, card, account or main(world.zhang_card), choice, amount))
    confirm(operation, user=user or world.zhang)
    operation.refresh_from_db()
    return operation


def result_page(client, operation) -> str:
    return client.get(reverse("security:confirm_result", args=[operation.public_id])
                      ).content.decode()


def test_the_page_shows_the_statement_the_full_and_the_minimum_amount(client, world, zcard,
                                                                       bills):
    body = client.get(URL).content.decode()
    for text in ("信用卡还款", "2026-02-25", "本期未还金额", "¥665.00", "¥345.00", "¥745.00",
                 "转出账号", "全额还款", "最低还款额", "其他金额"):
        assert text in body, text
    assert zcard.medium.masked_number in body


def test_repayment_order_oldest_statement_first_then_fees_interest_cash_instalments_purchases(
        client, world, zcard, bills):
    b = bills
    operation = pay(client, world, zcard, "other", "400.00")
    assert operation.status == OperationStatus.EXECUTED
    # January's purchase (100), then February's fee 10, interest 5, cash 200, instalment 50 and
    # 35 of the purchase; the unbilled 80 untouched.
    assert outstanding(b["a"], b["f"], b["i"], b["c"], b["n"], b["b"], b["u"]) == [
        D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("265.00"), D("80.00")]
    body = result_page(client, operation)
    assert "还款成功" in body and "还入账单" in body and "¥400.00" in body
    assert balance(world.zhang_card) == D("79600.00")
    assert card_balance(zcard) == D("345.00")
    ledger, items = card_verify(zcard)
    assert ledger == items == D("345.00")


def test_an_overpayment_is_left_as_overpayment_and_said_on_the_result_page(client, world, zcard,
                                                                          bills):
    operation = pay(client, world, zcard, "other", "800.00")
    assert outstanding(*(bills[k] for k in "abcfinu")) == [D("0.00")] * 7
    assert overpayment(zcard) == D("55.00") and card_balance(zcard) == D("-55.00")
    body = result_page(client, operation)
    assert "溢缴款" in body and "¥55.00" in body
    assert "冲还未出账单交易" in body and "¥80.00" in body
    ledger, items = card_verify(zcard)
    assert ledger == items == D("-55.00")


def test_full_repayment_pays_what_the_last_statement_still_owes(client, world, zcard, bills):
    operation = pay(client, world, zcard, "full")
    assert operation.payload["amount"] == "665.00"
    assert outstanding(bills["b"], bills["u"]) == [D("0.00"), D("80.00")]
    assert card_balance(zcard) == D("80.00")
    # Nothing left on the statement: 全额 again is refused on the page.
    body = post(client, zcard, main(world.zhang_card), "full").content.decode()
    assert FULL_PAID in body


def test_the_page_ticks_full_while_the_statement_owes_and_other_amount_once_it_is_paid(
        client, world, zcard, bills):
    def ticked(body: str) -> list[str]:
        radios = re.findall(r'<input[^>]*name="choice"[^>]*>', body)
        return [re.search(r'value="(\w+)"', r).group(1) for r in radios if " checked" in r]

    assert ticked(client.get(URL).content.decode()) == ["full"]
    pay(client, world, zcard, "full")
    # ¥80.00 still owed, none of it on a statement: 全额还款 would only be refused.
    assert ticked(client.get(URL).content.decode()) == ["other"]


def test_minimum_repayment_pays_the_minimum_still_unpaid(client, world, zcard, bills):
    operation = pay(client, world, zcard, "minimum")
    assert operation.payload["amount"] == "345.00"
    # Paid 345 since the statement date: the minimum still unpaid is 0.
    body = client.get(URL).content.decode()
    assert "最低还款额（未还）</th><td class=\"num\">¥0.00" in body


def test_the_repayment_posts_once_with_receipts_for_the_account_and_the_card(client, world,
                                                                           zcard, bills):
    operation = pay(client, world, zcard, "other", "120.00")
    credit = CardCredit.objects.get(card=zcard, kind=CreditKind.REPAYMENT)
    assert credit.reference == operation.idempotency_key
    assert credit.from_medium == world.zhang_card
    entry = Entry.objects.get(pk=credit.entry_id)
    assert entry.business_type == CardBusinessType.REPAYMENT
    receipts = {r.sub_account_id: r for r in Receipt.objects.filter(entry_id=credit.entry_id)}
    assert receipts[main(world.zhang_card).pk].direction == ReceiptDirection.DEBIT
    assert receipts[zcard.sub_account_id].direction == ReceiptDirection.CREDIT
    assert receipts[zcard.sub_account_id].amount == D("120.00")
    assert operation.medium == world.zhang_card     # the paying account's 交易密码
    assert AuditEvent.objects.filter(action="creditcard.repay").count() == 1
    # A replay of the confirmation changes nothing.
    confirm(PendingOperation.objects.get(pk=operation.pk), user=world.zhang)
    assert CardCredit.objects.filter(card=zcard).count() == 1


def test_insufficient_balance_is_said_on_the_page_with_what_was_typed_kept(client, world, zcard,
                                                                          bills):
    response = post(client, zcard, main(world.zhang_passbook), "other", "20000.00")
    body = response.content.decode()
    assert response.status_code == 200
    assert INSUFFICIENT in body and "可用余额¥12,345.67" in body and 'value="20000.00"' in body
    assert not PendingOperation.objects.exists()


def test_insufficient_balance_at_confirmation_fails_with_nothing_written(client, world, zcard,
                                                                        bills):
    operation = started(post(client, zcard, main(world.zhang_passbook), "other", "500.00"))
    drain(main(world.zhang_passbook), leave="499.99")
    entries = Entry.objects.count()
    with pytest.raises(BusinessError, match=INSUFFICIENT):
        confirm(operation, user=world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED
    assert operation.failure_reason == INSUFFICIENT
    assert Entry.objects.count() == entries
    assert not CardCredit.objects.filter(card=zcard).exists()
    assert card_balance(zcard) == D("745.00")


@pytest.mark.parametrize("typed, message", [("", "请输入还款金额"), ("abc", "请输入正确的还款金额"),
                                            ("1.234", "金额最多两位小数"), ("-5", "金额必须大于零")])
def test_a_wrong_amount_is_said_at_the_field(client, world, zcard, typed, message):
    body = post(client, zcard, main(world.zhang_card), "other", typed).content.decode()
    assert message in body
    assert not PendingOperation.objects.exists()


def test_full_or_minimum_without_a_statement_asks_for_another_amount(client, world, zcard):
    body = post(client, zcard, main(world.zhang_card), "full").content.decode()
    assert NO_STATEMENT in body


def test_another_customers_card_is_a_404_and_nothing_is_written(client, world, zcard):
    other = linked_card(world.li_customer)
    assert client.get(f"{URL}?card={other.pk}").status_code == 404
    response = post(client, other, main(world.zhang_card), "other", "10.00")
    assert response.status_code == 404
    assert client.get(f"{URL}?card=abc").status_code == 404
    assert not PendingOperation.objects.exists()


def test_another_customers_paying_account_is_refused(client, world, zcard):
    body = post(client, zcard, main(world.li_card), "other", "10.00").content.decode()
    assert "请选择转出账号" in body
    assert not PendingOperation.objects.exists()


def test_a_customer_without_a_card_is_told_so(world):
    client = Client()
    client.force_login(world.li)
    body = client.get(URL).content.decode()
    assert "您尚未在网上银行关联信用卡" in body


def test_li_na_without_a_tool_confirms_the_repayment_by_sms(world):
    card = linked_card(world.li_customer)
    with time_machine.travel(PAY_DAY_AT, tick=False):
        item(card, ItemKind.PURCHASE, "500.00", date(2026, 2, 8))
        client = Client()
        client.force_login(world.li)
        operation = pay(client, world, card, "other", "500.00", user=world.li,
                        account=main(world.li_card))
    assert operation.kind == KIND_REPAY
    assert operation.status == OperationStatus.EXECUTED and operation.auth_method == "sms"
    assert card_balance(card) == D("0.00")
    assert balance(world.li_card) == D("19500.00")


def test_a_customer_with_two_cards_picks_one_and_the_page_is_about_it(client, world, zcard):
    second = linked_card(world.zhang_customer, credit_limit="10000.00")
    item(second, ItemKind.PURCHASE, "66.00", date(2026, 2, 8))
    body = client.get(URL).content.decode()
    assert 'id="card-picker"' in body and second.medium.masked_number in body
    assert f'name="card" value="{zcard.pk}"' in body
    body = client.get(f"{URL}?card={second.pk}").content.decode()
    assert f'name="card" value="{second.pk}"' in body and "¥66.00" in body
    operation = started(post(client, second, main(world.zhang_card), "other", "66.00"))
    assert operation.payload["card"] == second.pk


def test_a_second_full_repayment_started_in_another_browser_posts_nothing_once_paid(
        client, world, zcard, bills):
    """Two tabs each start 全额还款 of ¥665.00; the first is confirmed. The second must not post
    another ¥665.00 as 溢缴款: at 确认 the statement owes nothing any more."""
    first = started(post(client, zcard, main(world.zhang_card), "full"))
    second = started(post(client, zcard, main(world.zhang_card), "full"))
    confirm(first, user=world.zhang)
    entries = Entry.objects.count()
    with pytest.raises(BusinessError, match=FULL_PAID):
        confirm(second, user=world.zhang)
    second.refresh_from_db()
    assert second.status == OperationStatus.FAILED
    assert Entry.objects.count() == entries
    assert overpayment(zcard) == D("0.00") and balance(world.zhang_card) == D("79335.00")


def test_a_full_repayment_whose_statement_was_partly_paid_since_is_refused_at_confirmation(
        client, world, zcard, bills):
    """The amount shown (¥665.00 全额) is no longer what the statement owes (¥565.00): the
    confirmation refuses rather than silently paying ¥100.00 as 溢缴款."""
    operation = started(post(client, zcard, main(world.zhang_card), "full"))
    pay(client, world, zcard, "other", "100.00")
    entries = Entry.objects.count()
    with pytest.raises(BusinessError, match=AMOUNT_CHANGED):
        confirm(operation, user=world.zhang)
    assert Entry.objects.count() == entries
    assert card_balance(zcard) == D("645.00")


def test_a_minimum_repayment_after_the_minimum_was_paid_posts_nothing(client, world, zcard,
                                                                     bills):
    operation = started(post(client, zcard, main(world.zhang_card), "minimum"))
    pay(client, world, zcard, "other", "345.00")
    entries = Entry.objects.count()
    with pytest.raises(BusinessError, match=MINIMUM_PAID):
        confirm(operation, user=world.zhang)
    assert Entry.objects.count() == entries
