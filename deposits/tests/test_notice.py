"""通知存款 (DEP-NOTICE): the manual's notes by name, DOMAIN-RULES §2's worked examples by figure
(end to end through X-CONFIRM), 支取通知 / 取消通知, the rate of the withdrawal day, the pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Receipt, ReceiptDirection, SubAccountKind, SubAccountStatus
from deposits.fixed import fixed_open
from deposits.models import Deposit, DepositRate, DepositStatus, MaturityOption, Product
from deposits.notice import services
from deposits.notice.operations import (
    notice_give_start,
    notice_open_start,
    notice_withdraw_start,
)
from deposits.notice.services import notice_give, notice_open, notice_withdraw
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType, Entry, Posting
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.models import OperationStatus

from .conftest import LOGIN_PASSWORD, RATES_FROM, balance, confirm
from .current_support import at as shanghai
from .current_support import move
from .test_fixed import at

pytestmark = pytest.mark.django_db

OPENED = date(2026, 3, 2)


@pytest.fixture
def notice_rates(world):
    for product, rate in ((Product.NOTICE_1D, "0.20"), (Product.NOTICE_7D, "0.55")):
        DepositRate.objects.get_or_create(product=product, term_months=0,
                                          effective_from=RATES_FROM,
                                          defaults={"annual_rate": Decimal(rate)})
    return world


def fund(world, amount="100000.00"):
    """Cash into 张伟's card before the opening day (he holds ¥80,000.00)."""
    move(world.main(world.zhang_card), amount, shanghai(OPENED - timedelta(days=1)))


def open_notice(world, amount="100000.00", product=Product.NOTICE_7D, key="t:notice"):
    with at(OPENED):
        return notice_open(user=world.zhang, from_sub_account_id=world.main(world.zhang_card).pk,
                           product=product, amount=Decimal(amount), idempotency_key=key).deposit


def interest_entries(deposit) -> list[Entry]:
    book = bank_book_id(BankBook.INTEREST_EXPENSE)
    return list(Entry.objects.filter(business_type=BusinessType.INTEREST,
                                     reference=f"deposit:{deposit.pk}",
                                     postings__account_id=book).order_by("pk"))


# --- DOMAIN-RULES §2 worked examples, end to end (X-CONFIRM with the USBKey) ------------------------


def _end_to_end(world, *, with_notice: bool):
    fund(world)
    card = world.main(world.zhang_card)
    with at(OPENED):
        operation = notice_open_start(user=world.zhang, from_sub_account_id=card.pk,
                                      product=Product.NOTICE_7D, amount=Decimal("100000.00"))
        operation = confirm(operation, user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    deposit = Deposit.objects.get(product=Product.NOTICE_7D)
    assert deposit.sub_account.kind == SubAccountKind.NOTICE
    assert balance(card) == Decimal("80000.00")
    if with_notice:
        with at(date(2026, 3, 20)):
            operation = notice_give_start(user=world.zhang, deposit_id=deposit.pk,
                                          amount=Decimal("100000.00"),
                                          withdraw_on=date(2026, 3, 27))
            operation = confirm(operation, user=world.zhang)
        assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    with at(OPENED + timedelta(days=30)):
        operation = notice_withdraw_start(user=world.zhang, deposit_id=deposit.pk, full=True,
                                          amount=None)
        operation = confirm(operation, user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED
    assert deposit.sub_account.status == SubAccountStatus.CLOSED
    return deposit, operation, card


def test_domain_example_100000_seven_day_30_days_with_notice_earns_45_83(notice_rates):
    deposit, operation, card = _end_to_end(notice_rates, with_notice=True)
    assert deposit.interest_paid == Decimal("45.83")
    assert balance(card) == Decimal("180045.83")
    (entry,) = interest_entries(deposit)
    receipt = Receipt.objects.get(entry_id=entry.pk)
    assert receipt.amount == Decimal("45.83") and receipt.direction == ReceiptDirection.CREDIT
    lines = dict(operation.result["lines"])
    assert lines["利息"] == "¥45.83" and "0.55%" in lines["其中通知利率利息"]
    assert receipt.number in [value for label, value in operation.result["lines"]
                              if label == "利息回单"]
    assert operation.result["receipt_url"]


def test_domain_example_100000_seven_day_30_days_without_notice_earns_8_33(notice_rates):
    deposit, operation, card = _end_to_end(notice_rates, with_notice=False)
    assert deposit.interest_paid == Decimal("8.33")
    assert balance(card) == Decimal("180008.33")
    assert "0.10%" in dict(operation.result["lines"])["其中活期利率利息"]


# --- the manual's notes ----------------------------------------------------------------------------


def test_notice_open_note_1_debit_cards_only(notice_rates):
    world = notice_rates
    with at(OPENED), pytest.raises(BusinessError, match=services.OPEN_NOTE_1):
        notice_open(user=world.zhang, from_sub_account_id=world.main(world.zhang_passbook).pk,
                    product=Product.NOTICE_7D, amount=Decimal("50000.00"), idempotency_key="x")


def test_notice_open_note_2_minimum_is_50000(notice_rates):
    with pytest.raises(BusinessError, match=services.OPEN_NOTE_2):
        open_notice(notice_rates, amount="49999.99")
    deposit = open_notice(notice_rates, amount="50000.00")
    assert deposit.principal == Decimal("50000.00") and deposit.annual_rate == Decimal("0.5500")


def test_notice_open_note_3_only_from_the_cards_current_main_account(notice_rates):
    world = notice_rates
    with at(OPENED):
        fixed = fixed_open(user=world.zhang, from_sub_account_id=world.main(world.zhang_card).pk,
                           term_months=12, amount=Decimal("1000.00"),
                           maturity_option=MaturityOption.HOLD, idempotency_key="f").deposit
        with pytest.raises(BusinessError, match=services.OPEN_NOTE_3):
            notice_open(user=world.zhang, from_sub_account_id=fixed.sub_account_id,
                        product=Product.NOTICE_7D, amount=Decimal("50000.00"),
                        idempotency_key="x")


def test_notice_withdraw_note_1_partial_leaves_at_least_50000(notice_rates):
    world = notice_rates
    fund(world)
    deposit = open_notice(world)
    with at(date(2026, 3, 10)):
        with pytest.raises(BusinessError, match="部分提前支取后的余额不得小于5万元"):
            notice_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="50000.01",
                            idempotency_key="w1")
        done = notice_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="50000.00",
                               idempotency_key="w2")
    assert not done.quote.full and balance(deposit.sub_account) == Decimal("50000.00")
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.OPEN


def test_notice_withdraw_note_2_money_taken_before_the_notified_day_earns_current(notice_rates):
    world = notice_rates
    fund(world)
    deposit = open_notice(world)
    with at(date(2026, 3, 20)):
        notice_give(user=world.zhang, deposit_id=deposit.pk, amount="100000.00",
                    withdraw_on=date(2026, 3, 27))
    with at(date(2026, 3, 26)):  # a day before the notified day: 24 days at 活期 0.10%
        done = notice_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="100000.00",
                               idempotency_key="w")
    assert done.quote.noticed == Decimal("0.00")
    assert done.quote.interest == Decimal("6.67")  # 100,000 × 0.10% / 360 × 24


def test_notice_withdraw_note_3_no_partial_withdrawal_on_the_opening_day(notice_rates):
    world = notice_rates
    fund(world)
    deposit = open_notice(world)
    with at(OPENED):
        with pytest.raises(BusinessError, match=services.WITHDRAW_NOTE_3):
            notice_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="10000.00",
                            idempotency_key="w")
        # A full withdrawal that day is allowed and earns nothing.
        done = notice_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="100000.00",
                               idempotency_key="w2")
    assert done.quote.full and done.quote.interest == Decimal("0.00")


# --- 支取通知 and the rates -----------------------------------------------------------------------------


def test_a_notice_must_be_given_7_days_ahead_for_7_day_money_and_1_day_for_1_day_money(
        notice_rates):
    world = notice_rates
    fund(world)
    seven = open_notice(world)
    one = open_notice(world, amount="50000.00", product=Product.NOTICE_1D, key="t:one")
    with at(date(2026, 3, 10)):
        with pytest.raises(BusinessError, match="须提前7天通知，预约支取日不得早于2026-03-17"):
            notice_give(user=world.zhang, deposit_id=seven.pk, amount="100000.00",
                        withdraw_on=date(2026, 3, 16))
        with pytest.raises(BusinessError, match=services.NOTICE_PARTIAL):
            notice_give(user=world.zhang, deposit_id=seven.pk, amount="60000.00",
                        withdraw_on=date(2026, 3, 17))
        notice_give(user=world.zhang, deposit_id=one.pk, amount="50000.00",
                    withdraw_on=date(2026, 3, 11))
        with pytest.raises(BusinessError, match=services.NOTICE_EXISTS):
            notice_give(user=world.zhang, deposit_id=one.pk, amount="50000.00",
                        withdraw_on=date(2026, 3, 12))
    with at(date(2026, 3, 11)):  # 9 days at the 一天 rate 0.20%
        done = notice_withdraw(user=world.zhang, deposit_id=one.pk, amount="50000.00",
                               idempotency_key="w")
    assert done.quote.interest == Decimal("2.50")


def test_interest_is_at_the_rate_of_the_withdrawal_day_not_the_opening_day(notice_rates):
    world = notice_rates
    fund(world)
    deposit = open_notice(world)
    DepositRate.objects.create(product=Product.NOTICE_7D, term_months=0,
                               annual_rate=Decimal("0.80"), effective_from=date(2026, 3, 15))
    with at(date(2026, 3, 20)):
        notice_give(user=world.zhang, deposit_id=deposit.pk, amount="100000.00",
                    withdraw_on=date(2026, 3, 27))
    with at(date(2026, 4, 1)):
        done = notice_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="100000.00",
                               idempotency_key="w")
    assert done.quote.notice_rate == Decimal("0.8000")
    assert done.quote.interest == Decimal("66.67")  # 100,000 × 0.80% / 360 × 30


def test_only_the_notified_amount_earns_the_notice_rate_two_interest_lines(notice_rates):
    world = notice_rates
    fund(world, "200000.00")
    deposit = open_notice(world, amount="150000.00")
    with at(date(2026, 3, 20)):
        notice_give(user=world.zhang, deposit_id=deposit.pk, amount="100000.00",
                    withdraw_on=date(2026, 3, 27))
    with at(date(2026, 4, 1)):  # 30 days: 100,000 at 0.55% + 50,000 at 0.10%
        done = notice_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="150000.00",
                               idempotency_key="w")
    assert (done.quote.noticed_interest, done.quote.current_interest) == (
        Decimal("45.83"), Decimal("4.17"))
    entries = interest_entries(deposit)
    assert len(entries) == 2 and len(done.interest_receipts) == 2
    assert {p.amount for e in entries for p in Posting.objects.filter(entry=e)} >= {
        Decimal("45.83"), Decimal("4.17")}


def test_a_partial_withdrawal_with_notice_uses_the_notice_up(notice_rates):
    world = notice_rates
    fund(world)
    deposit = open_notice(world)
    with at(date(2026, 3, 20)):
        notice_give(user=world.zhang, deposit_id=deposit.pk, amount="50000.00",
                    withdraw_on=date(2026, 3, 27))
    with at(date(2026, 4, 1)):
        done = notice_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="50000.00",
                               idempotency_key="w")
    assert done.quote.interest == Decimal("22.92")  # 50,000 × 0.55% / 360 × 30
    deposit.refresh_from_db()
    assert deposit.notice_given_on is None and deposit.notice_amount is None


def test_cancelled_notice_means_current_rate(notice_rates):
    world = notice_rates
    fund(world)
    deposit = open_notice(world)
    with at(date(2026, 3, 20)):
        notice_give(user=world.zhang, deposit_id=deposit.pk, amount="100000.00",
                    withdraw_on=date(2026, 3, 27))
        services.notice_cancel(user=world.zhang, deposit_id=deposit.pk)
    with at(date(2026, 4, 1)):
        done = notice_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="100000.00",
                               idempotency_key="w")
    assert done.quote.interest == Decimal("8.33")
    assert set(AuditEvent.objects.filter(action__startswith="deposits.notice").values_list(
        "action", flat=True)) == {"deposits.notice_open", "deposits.notice_give",
                                  "deposits.notice_cancel", "deposits.notice_withdraw"}


def test_the_manual_asks_for_a_security_tool_so_sms_is_refused(notice_rates):
    world = notice_rates
    move(world.main(world.li_card), "50000.00", shanghai(OPENED - timedelta(days=1)))
    with at(OPENED), pytest.raises(BusinessError, match=TOOL_REQUIRED_MESSAGE):
        notice_open_start(user=world.li, from_sub_account_id=world.main(world.li_card).pk,
                          product=Product.NOTICE_7D, amount=Decimal("50000.00"))


# --- pages ----------------------------------------------------------------------------------------------


def login(client, user):
    assert client.login(username=user.username, password=LOGIN_PASSWORD)


def test_pages_show_the_notice_and_refuse_another_customers_deposit(notice_rates, client):
    world = notice_rates
    fund(world)
    deposit = open_notice(world)
    with at(date(2026, 3, 20)):
        notice_give(user=world.zhang, deposit_id=deposit.pk, amount="100000.00",
                    withdraw_on=date(2026, 3, 27))
        login(client, world.li)
        assert client.get(reverse("deposits:notice_give", args=[deposit.pk])).status_code == 404
        assert client.post(reverse("deposits:notice_cancel",
                                   args=[deposit.pk])).status_code == 404
        assert client.get(reverse("deposits:notice_withdraw"),
                          {"deposit": deposit.pk}).status_code == 404
        deposit.refresh_from_db()
        assert deposit.notice_given_on is not None
        login(client, world.zhang)
        page = client.get(reverse("deposits:notice_withdraw")).content.decode()
        assert "2026-03-27起可支取¥100,000.00" in page and "取消通知" in page
        page = client.get(reverse("deposits:notice_open")).content.decode()
        assert "通知存款仅限在借记卡内开立" in page


def test_the_open_form_keeps_what_was_typed_and_says_the_note(notice_rates, client):
    world = notice_rates
    with at(OPENED):
        login(client, world.zhang)
        response = client.post(reverse("deposits:notice_open"), {
            "from_sub_account": world.main(world.zhang_card).pk, "product": Product.NOTICE_7D,
            "amount": "1,000"})
    page = response.content.decode()
    assert response.status_code == 200 and services.OPEN_NOTE_2 in page
    assert 'value="1,000"' in page


def test_account_overview_shows_the_notice_lines_and_interest_to_date(notice_rates):
    from deposits.selectors import deposit_facts

    world = notice_rates
    fund(world)
    deposit = open_notice(world)
    with at(date(2026, 3, 20)):
        notice_give(user=world.zhang, deposit_id=deposit.pk, amount="100000.00",
                    withdraw_on=date(2026, 3, 27))
    facts = deposit_facts(sub_account_ids=[deposit.sub_account_id], on=date(2026, 4, 1))
    lines = dict(facts[deposit.sub_account_id].lines)
    assert facts[deposit.sub_account_id].title == "七天通知存款"
    assert lines["支取通知"] == "2026-03-27起可支取¥100,000.00"
    assert lines["利息（至今日）"] == "¥45.83"


def test_the_withdraw_form_refuses_in_the_manuals_words_and_keeps_what_was_typed(notice_rates,
                                                                                 client):
    world = notice_rates
    fund(world)
    deposit = open_notice(world)
    url = reverse("deposits:notice_withdraw")
    with at(date(2026, 3, 10)):
        login(client, world.zhang)
        page = client.post(url, {"deposit": deposit.pk, "mode": "partial"}).content.decode()
        assert "请输入支取金额" in page
        page = client.post(url, {"deposit": deposit.pk, "mode": "partial",
                                 "amount": "60,000"}).content.decode()
        assert "部分提前支取后的余额不得小于5万元" in page and 'value="60,000"' in page
        response = client.post(url, {"deposit": deposit.pk, "mode": "partial",
                                     "amount": "10,000"})
    assert response.status_code == 302 and "/confirm/" in response["Location"]
