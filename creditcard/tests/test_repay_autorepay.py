"""自动还款管理 (CC-AUTOREPAY): the setting through X-CONFIRM (the debit card's 交易密码; the
card's to cancel), and the nightly step on the due date — full, minimum, a short balance takes
what is there, a rerun posts once, a subscriber texted about a short or failed deduction."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import MediumStatus, Receipt
from creditcard.engine import card_balance, card_verify
from creditcard.models import (
    AutoRepayMode,
    AutoRepayRun,
    AutoRepayStatus,
    CardBusinessType,
    CardCredit,
    CreditKind,
    ItemKind,
)
from creditcard.repay.autorepay import NOT_SET, NOTE_ACCOUNT, NOTE_SHORT, UNCHANGED, autorepay_run
from creditcard.repay.nightly import card_autorepay_step
from ebank.core.models import AuditEvent
from ebank.duework.nightly import registered_steps
from ebank.duework.services import batch_step_run
from ebank.ledger.models import Entry
from security.models import OperationStatus, PendingOperation, SmsMessage, SmsSubscription
from tests.customer_world import balance, confirm

from .repay_helpers import (
    PAY_DAY_AT,
    drain,
    item,
    link,
    linked_card,
    main,
    started,
    statement_build,
)

pytestmark = pytest.mark.django_db
URL = reverse("creditcard:autorepay")
DUE = date(2026, 2, 25)


@pytest.fixture
def zcard(world):
    return linked_card(world.zhang_customer)


@pytest.fixture
def client(world):
    client = Client()
    client.force_login(world.zhang)
    with time_machine.travel(PAY_DAY_AT, tick=False):
        yield client


def set_mode(card, mode, medium):
    card.autorepay_mode, card.autorepay_medium = mode, medium
    card.save(update_fields=["autorepay_mode", "autorepay_medium"])


def february(card, *, purchases="1000.00", minimum="100.00"):
    """A February statement (due 2026-02-25) of ``purchases`` and a 20.00 fee."""
    p = item(card, ItemKind.PURCHASE, purchases, date(2026, 1, 20))
    f = item(card, ItemKind.CASH_FEE, "20.00", date(2026, 1, 21))
    return statement_build(card, date(2026, 2, 5), [p, f], minimum=minimum)


def auto_entries() -> int:
    return Entry.objects.filter(business_type=CardBusinessType.AUTO_REPAYMENT).count()


# --- the setting ---------------------------------------------------------------------------------


def test_the_step_is_registered_after_the_statement_run():
    steps = [(s.order, s.name, s.label) for s in registered_steps()
             if s.qualname.startswith("creditcard.repay.")]
    assert steps == [(310, "card_autorepay", "信用卡自动还款")]


def test_set_full_repayment_from_an_own_debit_card_with_its_pin(client, world, zcard):
    body = client.get(URL).content.decode()
    assert "当前设置" in body and "未设置" in body
    operation = started(client.post(URL, {"card": zcard.pk, "mode": "full",
                                          "account": main(world.zhang_card).pk}))
    assert operation.kind == "creditcard.autorepay" and operation.medium == world.zhang_card
    done = confirm(operation, user=world.zhang)
    # What will happen, in words: from which card, on which day, how much.
    assert done.result["message"] == (
        f"自动还款设置成功：每期到期还款日从借记卡 {world.zhang_card.masked_number}自动扣款（全额还款）")
    zcard.refresh_from_db()
    assert (zcard.autorepay_mode, zcard.autorepay_medium) == (AutoRepayMode.FULL,
                                                              world.zhang_card)
    event = AuditEvent.objects.get(action="creditcard.autorepay_set")
    assert event.detail["after"]["mode"] == AutoRepayMode.FULL
    body = client.get(URL).content.decode()
    assert "全额还款" in body and world.zhang_card.masked_number in body
    # The same setting again changes nothing and is said so.
    body = client.post(URL, {"card": zcard.pk, "mode": "full",
                             "account": main(world.zhang_card).pk}).content.decode()
    assert UNCHANGED in body


def test_cancel_asks_the_credit_cards_pin(client, world, zcard):
    body = client.post(URL, {"card": zcard.pk, "mode": "none"}).content.decode()
    assert NOT_SET in body
    set_mode(zcard, AutoRepayMode.MINIMUM, world.zhang_card)
    operation = started(client.post(URL, {"card": zcard.pk, "mode": "none"}))
    assert operation.medium == zcard.medium
    confirm(operation, user=world.zhang)
    zcard.refresh_from_db()
    assert zcard.autorepay_mode == AutoRepayMode.NONE and zcard.autorepay_medium is None
    assert AuditEvent.objects.filter(action="creditcard.autorepay_cancel").exists()


def test_a_mode_without_an_account_or_with_a_passbook_is_refused(client, world, zcard):
    body = client.post(URL, {"card": zcard.pk, "mode": "minimum"}).content.decode()
    assert "请选择自动还款账户" in body
    body = client.post(URL, {"card": zcard.pk, "mode": "minimum",
                             "account": main(world.zhang_passbook).pk}).content.decode()
    assert "请选择自动还款账户" in body
    assert not PendingOperation.objects.exists()


def test_another_customers_card_is_a_404(client, world, zcard):
    other = linked_card(world.li_customer)
    assert client.get(f"{URL}?card={other.pk}").status_code == 404
    response = client.post(URL, {"card": other.pk, "mode": "full",
                                 "account": main(world.zhang_card).pk})
    assert response.status_code == 404
    assert not PendingOperation.objects.exists()


def test_li_na_without_a_tool_sets_autorepay_by_sms(world):
    card = linked_card(world.li_customer)
    with time_machine.travel(PAY_DAY_AT, tick=False):
        client = Client()
        client.force_login(world.li)
        operation = started(client.post(URL, {"card": card.pk, "mode": "minimum",
                                              "account": main(world.li_card).pk}))
        confirm(operation, user=world.li)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.EXECUTED and operation.auth_method == "sms"
    card.refresh_from_db()
    assert card.autorepay_mode == AutoRepayMode.MINIMUM


# --- the due-date run ----------------------------------------------------------------------------


def test_full_autorepay_pays_the_statement_on_its_due_date_and_a_rerun_posts_once(world, zcard):
    statement = february(zcard)
    later = item(zcard, ItemKind.PURCHASE, "70.00", date(2026, 2, 20))   # not billed
    set_mode(zcard, AutoRepayMode.FULL, world.zhang_card)
    assert card_autorepay_step(date(2026, 2, 24)) == 0      # not due yet
    assert card_autorepay_step(DUE) == 1
    run = AutoRepayRun.objects.get(statement=statement)
    assert (run.status, run.wanted, run.paid) == (AutoRepayStatus.PAID, D("1020.00"),
                                                  D("1020.00"))
    assert run.credit.kind == CreditKind.AUTO_REPAYMENT and run.run_on == DUE
    assert balance(world.zhang_card) == D("78980.00")
    later.refresh_from_db()
    assert later.outstanding == D("70.00") and card_balance(zcard) == D("70.00")
    assert card_autorepay_step(DUE) == 0
    assert autorepay_run(statement=statement, on=DUE).pk == run.pk
    assert auto_entries() == 1 and AutoRepayRun.objects.count() == 1
    assert Receipt.objects.filter(entry_id=run.credit.entry_id).count() == 2
    ledger, items = card_verify(zcard)
    assert ledger == items == D("70.00")


def test_the_nightly_batch_runs_the_step_once_per_business_date(world, zcard):
    february(zcard)
    set_mode(zcard, AutoRepayMode.FULL, world.zhang_card)
    for _ in range(2):
        batch_step_run(step="card_autorepay", business_date=DUE, fn=card_autorepay_step)
    assert auto_entries() == 1


def test_minimum_autorepay_pays_the_minimum_still_unpaid(world, zcard):
    statement = february(zcard, minimum="120.00")
    set_mode(zcard, AutoRepayMode.MINIMUM, world.zhang_card)
    with time_machine.travel(PAY_DAY_AT, tick=False):
        from .conftest import repay
        repay(zcard, "50.00", date(2026, 2, 10), medium=world.zhang_card)
    card_autorepay_step(DUE)
    run = AutoRepayRun.objects.get(statement=statement)
    assert (run.status, run.wanted, run.paid) == (AutoRepayStatus.PAID, D("70.00"), D("70.00"))
    assert card_balance(zcard) == D("900.00")


def test_a_short_balance_takes_what_is_there_and_texts_the_subscriber(
        world, django_capture_on_commit_callbacks):
    card = linked_card(world.li_customer)
    statement = february(card)
    set_mode(card, AutoRepayMode.FULL, world.li_card)
    SmsSubscription.objects.create(user=world.li, sub_account=main(world.li_card),
                                   threshold=D("1000.00"), phone=world.li_customer.phone)
    drain(main(world.li_card), leave="300.00")
    with django_capture_on_commit_callbacks(execute=True):
        card_autorepay_step(DUE)
    run = AutoRepayRun.objects.get(statement=statement)
    assert (run.status, run.wanted, run.paid, run.note) == (
        AutoRepayStatus.PARTIAL, D("1020.00"), D("300.00"), NOTE_SHORT)
    assert balance(world.li_card) == D("0.00") and card_balance(card) == D("720.00")
    text = SmsMessage.objects.filter(phone=world.li_customer.phone).latest("id").text
    assert "应扣1,020.00元" in text and "实扣300.00元" in text and NOTE_SHORT in text
    ledger, items = card_verify(card)
    assert ledger == items == D("720.00")


def test_an_empty_account_fails_with_nothing_posted(world, zcard,
                                                    django_capture_on_commit_callbacks):
    statement = february(zcard)
    set_mode(zcard, AutoRepayMode.FULL, world.zhang_card)
    drain(main(world.zhang_card))
    with django_capture_on_commit_callbacks(execute=True):
        assert card_autorepay_step(DUE) == 1
    run = AutoRepayRun.objects.get(statement=statement)
    assert (run.status, run.paid, run.credit) == (AutoRepayStatus.FAILED, D("0.00"), None)
    assert auto_entries() == 0 and card_balance(zcard) == D("1020.00")
    assert AuditEvent.objects.get(action="creditcard.autorepay_run").outcome == "failure"


def test_a_lost_debit_card_fails_the_deduction(world, zcard):
    statement = february(zcard)
    set_mode(zcard, AutoRepayMode.FULL, world.zhang_card)
    world.zhang_card.status = MediumStatus.ORAL_LOSS
    world.zhang_card.save(update_fields=["status"])
    card_autorepay_step(DUE)
    run = AutoRepayRun.objects.get(statement=statement)
    assert (run.status, run.note) == (AutoRepayStatus.FAILED, NOTE_ACCOUNT)
    assert auto_entries() == 0


def test_a_statement_repaid_already_needs_nothing(world, zcard):
    statement = february(zcard)
    set_mode(zcard, AutoRepayMode.FULL, world.zhang_card)
    with time_machine.travel(PAY_DAY_AT, tick=False):
        from .conftest import repay
        repay(zcard, "1020.00", date(2026, 2, 10), medium=world.zhang_card)
    card_autorepay_step(DUE)
    run = AutoRepayRun.objects.get(statement=statement)
    assert (run.status, run.wanted, run.paid) == (AutoRepayStatus.NOT_NEEDED, D("0.00"),
                                                  D("0.00"))
    assert CardCredit.objects.filter(kind=CreditKind.AUTO_REPAYMENT).count() == 0


def test_a_card_without_autorepay_is_left_alone(world, zcard):
    february(zcard)
    assert card_autorepay_step(DUE) == 0
    assert not AutoRepayRun.objects.exists()
    link(world.zhang_card)  # (already linked: linking again changes nothing)


def test_a_closed_debit_card_fails_the_deduction_and_a_rerun_posts_nothing(world, zcard):
    statement = february(zcard)
    set_mode(zcard, AutoRepayMode.FULL, world.zhang_card)
    world.zhang_card.status = MediumStatus.CLOSED
    world.zhang_card.save(update_fields=["status"])
    assert card_autorepay_step(DUE) == 1
    run = AutoRepayRun.objects.get(statement=statement)
    assert (run.status, run.note, run.paid) == (AutoRepayStatus.FAILED, NOTE_ACCOUNT, D("0.00"))
    world.zhang_card.status = MediumStatus.NORMAL
    world.zhang_card.save(update_fields=["status"])
    assert card_autorepay_step(DUE) == 0
    assert auto_entries() == 0 and card_balance(zcard) == D("1020.00")
