"""利先得 (DEP-LXD): opened at the counter with the interest for the whole term paid up front
(利先得开户, a counter action), 利先得支取 online through X-CONFIRM — the clawback of an early
withdrawal and the overdue days after maturity computed by hand, to the fen."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import MediumKind, MediumStatus, Receipt, ReceiptDirection, SubAccountStatus
from deposits.business_types import DepositBusinessType, DepositCounterAction
from deposits.models import Deposit, DepositStatus, Product
from deposits.smart import lixiande
from deposits.smart.counter import counter_lixiande_open
from deposits.smart.lixiande import lixiande_withdraw
from deposits.smart.operations import lixiande_withdraw_start
from ebank.core.errors import BusinessError
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType, Entry, LedgerAccount
from security.models import CounterReceipt, OperationStatus, PendingOperation
from security.tests.test_counter_fixtures import ident, make_staff, otp_login

from .conftest import LOGIN_PASSWORD, balance, confirm
from .test_fixed import OPENED, at
from .test_fixed import batch_run as nightly
from .test_youyuebao import smart_rates_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def lxd_world(world):
    smart_rates_seed()
    world.teller = make_staff("teller_lxd", "340101", first_name="陈静")
    return world


def open_lxd(world, amount="10000.00", customer=None, card=None, name="张伟"):
    return counter_lixiande_open(acting_user=world.teller,
                                 customer=customer or world.zhang_customer,
                                 **ident(name), medium=card or world.zhang_card,
                                 amount=Decimal(amount))


def the_deposit(customer=None) -> Deposit:
    query = Deposit.objects.filter(product=Product.LIXIANDE)
    if customer is not None:
        query = query.filter(sub_account__medium__customer=customer)
    return query.get()


def expense_balance() -> Decimal:
    return LedgerAccount.objects.get(pk=bank_book_id(BankBook.INTEREST_EXPENSE)).balance


# --- opening at the counter -----------------------------------------------------------------------


def test_10000_one_year_at_1_15_pays_115_00_up_front_at_the_counter(lxd_world):
    # 10,000 × 1.15% × 1 year = 115.00, paid on the opening day from 利息支出 to the card's 活期.
    world = lxd_world
    card = world.main(world.zhang_card)
    with at(OPENED):
        receipt = open_lxd(world)
    deposit = the_deposit()
    assert deposit.principal == Decimal("10000.00") and deposit.annual_rate == Decimal("1.1500")
    assert deposit.interest_paid == Decimal("115.00")
    assert deposit.matures_on == date(2027, 3, 2) and deposit.interest_account == card
    assert balance(card) == Decimal("80000.00") - Decimal("10000.00") + Decimal("115.00")
    assert balance(deposit.sub_account) == Decimal("10000.00")
    assert receipt.action == DepositCounterAction.LIXIANDE_OPEN
    printed = dict(receipt.detail["items"])
    assert "115.00" in printed["预付利息（已转入活期）"] and printed["年利率"] == "1.15%"
    interest = Receipt.objects.get(sub_account=card, purpose__startswith="利先得利息")
    assert interest.amount == Decimal("115.00") and interest.direction == ReceiptDirection.CREDIT
    assert Receipt.objects.filter(sub_account=deposit.sub_account,
                                  direction=ReceiptDirection.CREDIT).count() == 1


def test_counter_opening_below_50_or_beyond_the_balance_moves_nothing(lxd_world):
    world = lxd_world
    entries = Entry.objects.count()
    with at(OPENED):
        with pytest.raises(BusinessError, match="利先得起存金额50元"):
            open_lxd(world, amount="49.99")
        with pytest.raises(BusinessError, match="可用余额不足"):
            open_lxd(world, amount="90000.00")
        with pytest.raises(BusinessError, match="证件类型或证件号码与客户信息不符"):
            counter_lixiande_open(acting_user=world.teller, customer=world.zhang_customer,
                                  **ident("李娜"), medium=world.zhang_card,
                                  amount=Decimal("100"))
    assert Entry.objects.count() == entries and not Deposit.objects.exists()
    assert not CounterReceipt.objects.exists()


def test_counter_action_page_opens_a_lixiande(client, lxd_world):
    world = lxd_world
    otp_login(client, world.teller)
    url = reverse("admin:counter_action", kwargs={"customer_id": world.zhang_customer.pk,
                                                  "action": "lixiande_open"})
    with at(OPENED):
        assert "利先得开户" in client.get(url).content.decode()
        response = client.post(url, {**ident("张伟"), "id_copy_received": "on",
                                     "medium": world.zhang_card.pk, "amount": "10,000"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert the_deposit().interest_paid == Decimal("115.00")


# --- 利先得支取 -----------------------------------------------------------------------------------


def test_early_withdrawal_after_100_days_claws_back_112_22_before_the_principal(lxd_world):
    # Opened 2026-03-02, taken 2026-06-10: 100 days (算头不算尾).
    # The days earned at 活期: 10,000 × 0.10% / 360 × 100 = 2.7777… → 2.78.
    # Clawback = 115.00 paid − 2.78 = 112.22; returned 10,000 − 112.22 = 9,887.78.
    world = lxd_world
    card = world.main(world.zhang_card)
    with at(OPENED):
        open_lxd(world)
    deposit = the_deposit()
    expense = expense_balance()
    with at(date(2026, 6, 10)):
        done = lixiande_withdraw(user=world.zhang, deposit_id=deposit.pk, idempotency_key="l:w")
    quote = done.quote
    assert quote.days == 100 and quote.clawback == Decimal("112.22")
    assert quote.returned == Decimal("9887.78") and quote.kind_label == "提前支取（销户）"
    assert balance(card) == Decimal("70115.00") + Decimal("9887.78")
    # 利息支出 (an expense book, debit-normal) is credited back the 112.22.
    assert expense - expense_balance() == Decimal("112.22")
    clawback = Entry.objects.get(business_type=DepositBusinessType.INTEREST_CLAWBACK)
    principal = Entry.objects.get(business_type=DepositBusinessType.WITHDRAW)
    assert clawback.pk < principal.pk  # taken back before the principal is returned
    assert done.clawback_receipt.amount == Decimal("112.22")
    assert done.clawback_receipt.business == "利息扣回"
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED and deposit.interest_paid == Decimal("2.78")
    assert deposit.sub_account.status == SubAccountStatus.CLOSED
    assert balance(deposit.sub_account) == Decimal("0.00")


def test_withdrawal_on_the_opening_day_claws_back_all_115_00(lxd_world):
    world = lxd_world
    with at(OPENED):
        open_lxd(world)
        done = lixiande_withdraw(user=world.zhang, deposit_id=the_deposit().pk,
                                 idempotency_key="l:w0")
    assert done.quote.clawback == Decimal("115.00") and done.quote.returned == Decimal("9885.00")
    assert balance(world.zhang_card) == Decimal("80000.00")


def test_at_maturity_the_principal_and_30_overdue_days_earn_0_83(lxd_world):
    # Matured 2027-03-02, taken 2027-04-01: 30 overdue days at 活期:
    # 10,000 × 0.10% / 360 × 30 = 0.8333… → 0.83; nothing clawed back.
    world = lxd_world
    card = world.main(world.zhang_card)
    with at(OPENED):
        open_lxd(world)
    with at(date(2027, 4, 1)):
        done = lixiande_withdraw(user=world.zhang, deposit_id=the_deposit().pk,
                                 idempotency_key="l:m")
    assert done.quote.matured and done.quote.clawback == Decimal("0.00")
    assert done.quote.overdue == Decimal("0.83") and done.clawback_receipt is None
    assert balance(card) == Decimal("70115.00") + Decimal("10000.00") + Decimal("0.83")
    assert Entry.objects.filter(business_type=DepositBusinessType.MATURITY).count() == 1
    assert Entry.objects.filter(business_type=BusinessType.INTEREST).count() == 2


def test_withdraw_through_the_page_and_x_confirm(client, lxd_world):
    world = lxd_world
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    with at(OPENED):
        open_lxd(world)
    deposit = the_deposit()
    with at(date(2026, 6, 10)):
        page = client.get(reverse("deposits:lixiande_withdraw")).content.decode()
        assert "利先得支取" in page and lixiande.EARLY_NOTE in page
        response = client.post(reverse("deposits:lixiande_withdraw"), {"deposit": deposit.pk})
        operation = PendingOperation.objects.get()
        assert response.status_code == 302 and operation.public_id in response["Location"]
        shown = client.get(response["Location"]).content.decode()
        assert "利息扣回" in shown and "112.22" in shown and "9,887.78" in shown
        done = confirm(operation, user=world.zhang)
    assert done.status == OperationStatus.EXECUTED, done.failure_reason
    assert "9,887.78" in done.result["message"]


def test_another_customers_lixiande_is_404_or_refused(client, lxd_world):
    world = lxd_world
    with at(OPENED):
        open_lxd(world, customer=world.li_customer, card=world.li_card, name="李娜")
    theirs = the_deposit(world.li_customer)
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    with at(date(2026, 6, 10)):
        assert client.get(reverse("deposits:lixiande_withdraw"),
                          {"deposit": theirs.pk}).status_code == 404
        assert client.get(reverse("deposits:detail", args=[theirs.pk])).status_code == 404
        response = client.post(reverse("deposits:lixiande_withdraw"), {"deposit": theirs.pk})
        assert "定期存款不存在或已销户" in response.content.decode()
        with pytest.raises(BusinessError):
            lixiande_withdraw_start(user=world.zhang, deposit_id=theirs.pk)
    assert not PendingOperation.objects.exists()


def test_index_shows_the_interest_paid_up_front(client, lxd_world):
    world = lxd_world
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    with at(OPENED):
        open_lxd(world)
    with at(date(2026, 6, 10)):
        body = client.get(reverse("deposits:index")).content.decode()
        overview = client.get(reverse("accounts:overview")).content.decode()
    assert "利先得" in body and "1.15%" in body
    assert f"{reverse('deposits:lixiande_withdraw')}?deposit={the_deposit().pk}" in body
    assert "开户时已付利息" in overview and "115.00" in overview


def test_demo_seed_opens_one_lixiande_for_zhang_wei_idempotently(lxd_world):
    from deposits.demo import demo_lixiande_seed

    with at(OPENED):
        opened = demo_lixiande_seed()
        assert opened.interest == Decimal("115.00")
        assert demo_lixiande_seed() is None
    assert Deposit.objects.filter(product=Product.LIXIANDE).count() == 1


@pytest.mark.parametrize("media, offered", [
    (((MediumKind.DEBIT_CARD, MediumStatus.NORMAL),), True),
    (((MediumKind.DEBIT_CARD, MediumStatus.ORAL_LOSS),), False),
    (((MediumKind.CURRENT_PASSBOOK, MediumStatus.NORMAL),
      (MediumKind.CREDIT_CARD, MediumStatus.NORMAL)), False),
])
def test_counter_offers_lixiande_open_only_with_a_debit_card_in_normal_state(media, offered):
    from security.staff.counter.actions import COUNTER_ACTIONS
    from security.tests.test_counter_actions import snapshot

    spec = COUNTER_ACTIONS[DepositCounterAction.LIXIANDE_OPEN]
    assert spec.label == "利先得开户" and spec.applies(snapshot(media=media)) is offered


# --- the nightly step 利先得到期处理 -------------------------------------------------------------------


def test_nightly_pays_the_principal_back_on_the_maturity_day_once(lxd_world):
    # Opened 2026-03-02 for a year: on 2027-03-02 the nightly step returns the 10,000 to the
    # card (its 115.00 was paid at opening: nothing more, nothing clawed back); a rerun of the
    # date and the next night post nothing more.
    world = lxd_world
    card = world.main(world.zhang_card)
    with at(OPENED):
        open_lxd(world)
    # 我的定期存款 says what will happen (the 到期处理 line).
    assert the_deposit().get_maturity_option_display() == "到期转活期"
    nightly(date(2027, 3, 1))
    assert the_deposit().status == DepositStatus.OPEN
    nightly(date(2027, 3, 2))
    deposit = the_deposit()
    assert (deposit.status, deposit.closed_on) == (DepositStatus.CLOSED, date(2027, 3, 2))
    assert deposit.interest_paid == Decimal("115.00")
    assert balance(card) == Decimal("70115.00") + Decimal("10000.00")
    assert balance(deposit.sub_account) == Decimal("0.00")
    receipt = Receipt.objects.get(sub_account=card, direction=ReceiptDirection.CREDIT,
                                  business="到期支取")
    assert receipt.channel == "批量处理" and receipt.amount == Decimal("10000.00")
    with transaction.atomic():  # the step's function again, as a resume after a kill would
        assert lixiande.lixiande_maturities_run(date(2027, 3, 2)) == 0
    nightly(date(2027, 3, 2))
    nightly(date(2027, 3, 3))
    assert balance(card) == Decimal("80115.00")
    assert Entry.objects.filter(business_type=DepositBusinessType.MATURITY).count() == 1


def test_a_late_batch_pays_a_missed_maturity_dated_its_own_day(lxd_world):
    world = lxd_world
    with at(OPENED):
        open_lxd(world)
    nightly(date(2027, 3, 10))
    deposit = the_deposit()
    assert (deposit.status, deposit.closed_on) == (DepositStatus.CLOSED, date(2027, 3, 2))
