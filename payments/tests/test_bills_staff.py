"""人工核查 (payments.bills.staff and the 缴费记录 admin's actions): a payment left 处理中 by a
silent biller is re-queried by staff under the write-off's rule, or confirmed 已销账 / 未销账并冲正
by a 主管 with a note — once, on 处理中 payments only, with the books clean."""

import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Receipt
from ebank.billers.adapter import BillerTimeout
from ebank.billers.models import SimBehaviour
from ebank.billers.simulator import SimulatedBillers, sim_bill_put, sim_mode_set
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.ledger.models import Entry
from ebank.ledger.selectors import ledger_violations
from ebank.limits.models import DailyLimitUsage
from payments.bills import staff as bills_staff
from payments.bills.services import DUE_WRITEOFF
from payments.handlers import bill_writeoff_due
from payments.models import BillKind, BillPayment, BillPaymentStatus, PaymentBusinessType
from security.models import SmsMessage, SmsSubscription
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff, otp_login
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import balance, confirm, world_build

from .conftest import GAS_NO, NOON, POWER_NO, bills_seed, pay, start

CHANGELIST = "admin:payments_billpayment_changelist"


def _stuck(user, kind, number, amount, *, mode, capture=None):
    """A payment whose answer was lost (``mode``), left 处理中 for staff as after the last
    re-query (needs_review), its first re-query row still pending."""
    code = {BillKind.POWER: "POWER01", BillKind.GAS: "GAS01", BillKind.MOBILE: "CMCC01"}[kind]
    sim_mode_set(code, mode)
    if capture is None:
        confirm(start(user, kind, number, amount=amount), user=user)
    else:
        pay(user, kind, number, amount=amount, capture=capture)
    payment = BillPayment.objects.get(customer=user.customer, customer_no=number,
                                      status=BillPaymentStatus.PROCESSING)
    BillPayment.objects.filter(pk=payment.pk).update(needs_review=True)
    sim_mode_set(code, SimBehaviour.NORMAL)
    payment.refresh_from_db()
    return payment


def _silent(monkeypatch):
    def silent(self, code, reference):
        raise BillerTimeout()

    monkeypatch.setattr(SimulatedBillers, "status", silent)


def _act(client, action, payment, note=None):
    data = {"action": action, "_selected_action": [payment.pk]}
    if note is not None:
        data["note"] = note
    response = client.post(reverse(CHANGELIST), data, follow=True)
    assert response.status_code == 200
    payment.refresh_from_db()
    return [str(m) for m in response.context["messages"]]


def _pending_requeries(payment):
    return DueWork.objects.filter(kind=DUE_WRITEOFF, key__startswith=f"{payment.number}:",
                                  status=DueWorkStatus.PENDING).count()


def _staff(role, name):
    client = Client()
    member = make_staff(name, "340101", role=role)
    otp_login(client, member)
    return client, member


class TestStaffActions:
    pytestmark = pytest.mark.django_db

    def test_a_teller_requeries_and_the_biller_says_paid(
            self, world, django_capture_on_commit_callbacks):
        payment = _stuck(world.zhang, BillKind.POWER, POWER_NO, "18.65",
                         mode=SimBehaviour.TIMEOUT_DONE, capture=django_capture_on_commit_callbacks)
        assert _pending_requeries(payment) == 1
        client, teller = _staff(Role.TELLER, "teller_rq")
        words = _act(client, "requery", payment)
        assert any("已确认缴费成功" in w and payment.number in w for w in words), words
        assert payment.status == BillPaymentStatus.PAID and payment.biller_reference
        assert not payment.needs_review and payment.reviewed_by == teller
        assert Receipt.objects.filter(entry_id=payment.entry_id).count() == 1
        assert _pending_requeries(payment) == 0
        assert balance(world.zhang_card) == Decimal("80000.00") - Decimal("18.65")
        event = AuditEvent.objects.get(action=bills_staff.REQUERY_ACTION)
        assert event.actor_id == teller.pk and event.detail["result"] == bills_staff.PAID
        assert ledger_violations() == []

    def test_a_requery_the_biller_knows_nothing_of_is_reversed_with_the_sms(
            self, world, django_capture_on_commit_callbacks):
        SmsSubscription.objects.create(user=world.zhang, sub_account=world.main(world.zhang_card),
                                       threshold=Decimal("1000.00"),
                                       phone=world.zhang_customer.phone)
        payment = _stuck(world.zhang, BillKind.GAS, GAS_NO, "64.00",
                         mode=SimBehaviour.TIMEOUT_LOST, capture=django_capture_on_commit_callbacks)
        client, _teller = _staff(Role.TELLER, "teller_rq2")
        with django_capture_on_commit_callbacks(execute=True):
            words = _act(client, "requery", payment)
        assert any("已冲正" in w for w in words), words
        assert payment.status == BillPaymentStatus.REVERSED and not payment.needs_review
        assert payment.failure_reason == "缴费单位未收到该笔缴费"
        assert balance(world.zhang_card) == Decimal("80000.00")
        assert "款项已退回" in SmsMessage.objects.filter(
            phone=world.zhang_customer.phone).latest("id").text
        assert ledger_violations() == []

    def test_a_requery_still_unanswered_changes_nothing(
            self, world, django_capture_on_commit_callbacks, monkeypatch):
        payment = _stuck(world.zhang, BillKind.POWER, POWER_NO, "10.00",
                         mode=SimBehaviour.TIMEOUT_DONE, capture=django_capture_on_commit_callbacks)
        _silent(monkeypatch)
        client, _teller = _staff(Role.TELLER, "teller_rq3")
        before = Entry.objects.count(), Receipt.objects.count()
        words = _act(client, "requery", payment)
        assert any("仍未返回销账结果" in w for w in words), words
        assert payment.status == BillPaymentStatus.PROCESSING and payment.needs_review
        assert payment.reviewed_by is None and _pending_requeries(payment) == 1
        assert (Entry.objects.count(), Receipt.objects.count()) == before

    def test_a_supervisor_confirms_written_off(self, world, django_capture_on_commit_callbacks,
                                               monkeypatch):
        payment = _stuck(world.zhang, BillKind.POWER, POWER_NO, "18.65",
                         mode=SimBehaviour.TIMEOUT_DONE, capture=django_capture_on_commit_callbacks)
        _silent(monkeypatch)
        client, supervisor = _staff(Role.SUPERVISOR, "sup_paid")
        note = "电话核实国网安徽已销账，对方流水DW20261124001"
        words = _act(client, "confirm_paid", payment, note=note)
        assert any("已确认缴费成功" in w for w in words), words
        assert payment.status == BillPaymentStatus.PAID and not payment.needs_review
        assert payment.review_note == note and payment.reviewed_by == supervisor
        assert payment.reversal_entry_id is None and payment.finished_at is not None
        assert Receipt.objects.filter(entry_id=payment.entry_id).count() == 1
        assert _pending_requeries(payment) == 0
        event = AuditEvent.objects.get(action=bills_staff.CONFIRM_PAID_ACTION)
        assert event.actor_id == supervisor.pk and event.detail["note"] == note
        assert balance(world.zhang_card) == Decimal("80000.00") - Decimal("18.65")
        assert ledger_violations() == []
        # The detail shows the note.
        body = client.get(reverse("admin:payments_billpayment_change",
                                  args=[payment.pk])).content.decode()
        assert note in body and "核查说明" in body

    def test_a_supervisor_reverses_money_and_toolless_limit_back_once(
            self, world, django_capture_on_commit_callbacks):
        """李娜 (no tool): the tool-less usage given back, the SMS with the typed reason; a
        second click does nothing more."""
        sim_bill_put("CMCC01", "13905510002", name="李娜", amount_owed="0.00", balance="0.00")
        SmsSubscription.objects.create(user=world.li, sub_account=world.main(world.li_card),
                                       threshold=Decimal("1000.00"),
                                       phone=world.li_customer.phone)
        before = balance(world.li_card)
        payment = _stuck(world.li, BillKind.MOBILE, "13905510002", "100.00",
                         mode=SimBehaviour.TIMEOUT_LOST, capture=django_capture_on_commit_callbacks)
        usage = DailyLimitUsage.objects.get(customer_id=world.li_customer.pk)
        assert usage.used == Decimal("100.00")
        client, supervisor = _staff(Role.SUPERVISOR, "sup_rev")
        note = "移动公司对账文件无此笔，确认未销账"
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                words = _act(client, "confirm_reversed", payment, note=note)
        assert any("不是处理中的缴费" in w for w in words), words
        assert payment.status == BillPaymentStatus.REVERSED and not payment.needs_review
        assert payment.failure_reason == note and payment.review_note == note
        assert Entry.objects.filter(business_type=PaymentBusinessType.BILL_REVERSAL).count() == 1
        assert balance(world.li_card) == before
        usage.refresh_from_db()
        assert usage.used == Decimal("0.00")
        texts = SmsMessage.objects.filter(phone=world.li_customer.phone, text__contains="款项已退回")
        assert texts.count() == 1 and note in texts.get().text
        assert AuditEvent.objects.filter(action=bills_staff.CONFIRM_REVERSED_ACTION,
                                         actor=supervisor).count() == 1
        assert _pending_requeries(payment) == 0
        assert ledger_violations() == []

    def test_a_teller_cannot_confirm(self, world, django_capture_on_commit_callbacks):
        payment = _stuck(world.zhang, BillKind.POWER, POWER_NO, "10.00",
                         mode=SimBehaviour.TIMEOUT_DONE, capture=django_capture_on_commit_callbacks)
        client, teller = _staff(Role.TELLER, "teller_no")
        body = client.get(reverse(CHANGELIST)).content.decode()
        assert "重新查询缴费单位" in body and "确认未销账并冲正" not in body
        _act(client, "confirm_reversed", payment, note="试图冲正")
        _act(client, "confirm_paid", payment, note="试图销账")
        assert payment.status == BillPaymentStatus.PROCESSING
        with pytest.raises(BusinessError) as refused:
            bills_staff.bill_staff_confirm(payment_id=payment.pk, staff=teller, paid=False,
                                           note="试图冲正")
        assert refused.value.message == bills_staff.NOT_ALLOWED
        assert not Entry.objects.filter(business_type=PaymentBusinessType.BILL_REVERSAL).exists()

    def test_the_note_is_required(self, world, django_capture_on_commit_callbacks):
        payment = _stuck(world.zhang, BillKind.POWER, POWER_NO, "10.00",
                         mode=SimBehaviour.TIMEOUT_DONE, capture=django_capture_on_commit_callbacks)
        client, supervisor = _staff(Role.SUPERVISOR, "sup_note")
        for note in (None, "   "):
            words = _act(client, "confirm_reversed", payment, note=note)
            assert bills_staff.NOTE_MISSING in words, words
        assert payment.status == BillPaymentStatus.PROCESSING and payment.needs_review
        with pytest.raises(BusinessError):
            bills_staff.bill_staff_confirm(payment_id=payment.pk, staff=supervisor, paid=True,
                                           note="")

    def test_only_processing_payments_of_the_staffs_branch_are_acted_on(
            self, world, django_capture_on_commit_callbacks):
        pay(world.zhang, BillKind.POWER, POWER_NO, amount="18.65",
            capture=django_capture_on_commit_callbacks)
        paid = BillPayment.objects.get(status=BillPaymentStatus.PAID)
        client, supervisor = _staff(Role.SUPERVISOR, "sup_only")
        words = _act(client, "confirm_reversed", paid, note="误点")
        assert any("不是处理中的缴费" in w for w in words), words
        assert paid.status == BillPaymentStatus.PAID and not paid.review_note
        assert bills_staff.bill_staff_requery(payment_id=paid.pk, staff=supervisor) == \
            bills_staff.SKIPPED
        stuck = _stuck(world.zhang, BillKind.GAS, GAS_NO, "64.00",
                       mode=SimBehaviour.TIMEOUT_LOST, capture=django_capture_on_commit_callbacks)
        elsewhere = make_staff("sup_wuhu", "340201", role=Role.SUPERVISOR)
        assert bills_staff.bill_staff_confirm(payment_id=stuck.pk, staff=elsewhere, paid=False,
                                              note="别的网点") == bills_staff.SKIPPED
        stuck.refresh_from_db()
        assert stuck.status == BillPaymentStatus.PROCESSING
        assert not Entry.objects.filter(business_type=PaymentBusinessType.BILL_REVERSAL).exists()

    def test_the_list_shows_review_first_and_filters(self, world,
                                                     django_capture_on_commit_callbacks):
        stuck = _stuck(world.zhang, BillKind.GAS, GAS_NO, "64.00",
                       mode=SimBehaviour.TIMEOUT_LOST, capture=django_capture_on_commit_callbacks)
        pay(world.zhang, BillKind.POWER, POWER_NO, amount="18.65",
            capture=django_capture_on_commit_callbacks)
        fresh = BillPayment.objects.get(status=BillPaymentStatus.PAID)
        client, _supervisor = _staff(Role.SUPERVISOR, "sup_list")
        body = client.get(reverse(CHANGELIST)).content.decode()
        assert body.index(stuck.number) < body.index(fresh.number)
        assert "确认已销账" in body and "确认未销账并冲正" in body and "核查说明" in body
        body = client.get(reverse(CHANGELIST), {"needs_review__exact": "1"}).content.decode()
        assert stuck.number in body and fresh.number not in body
        assert client.get(reverse("admin:payments_billpayment_change",
                                  args=[stuck.pk])).status_code == 200


# --- the race on PostgreSQL -----------------------------------------------------------------------


@pytest.fixture
def bank(settings, tmp_path):
    world = world_build(settings, tmp_path)
    with time_machine.travel(NOON, tick=True):
        bills_seed()
        yield world


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("handler_first", [True, False])
def test_staff_reversal_and_the_requery_finding_paid_at_once_settle_once(
        bank, monkeypatch, handler_first):
    """The biller wrote the payment off (its answer lost); a 主管 confirms 未销账并冲正 while the
    re-query row asks status() and hears PAID: one outcome, never both a 缴费成功 and a 冲正."""
    payment = _stuck(bank.zhang, BillKind.GAS, GAS_NO, "64.00", mode=SimBehaviour.TIMEOUT_DONE)
    supervisor = make_staff("sup_race", "340101", role=Role.SUPERVISOR)
    asking = threading.Event()
    real = SimulatedBillers.status

    def slow(self, *args):
        asking.set()
        threading.Event().wait(0.5)
        return real(self, *args)

    monkeypatch.setattr(SimulatedBillers, "status", slow)
    work = DueWork.objects.get(kind=DUE_WRITEOFF, key=f"{payment.number}:1")

    def run(i):
        if i == 0:
            if handler_first:
                assert asking.wait(10)
            return bills_staff.bill_staff_confirm(payment_id=payment.pk, staff=supervisor,
                                                  paid=False, note="电话核实未销账")
        with transaction.atomic():
            return bill_writeoff_due(work)

    results = run_concurrently(run, 2)
    assert not any(isinstance(r, BaseException) for r in results), results
    payment.refresh_from_db()
    reversals = Entry.objects.filter(business_type=PaymentBusinessType.BILL_REVERSAL).count()
    paid_receipts = Receipt.objects.filter(entry_id=payment.entry_id).count()
    if payment.status == BillPaymentStatus.PAID:
        assert results[0] == bills_staff.SKIPPED
        assert (reversals, paid_receipts) == (0, 1)
        assert balance(bank.zhang_card) == Decimal("80000.00") - Decimal("64.00")
    else:
        assert payment.status == BillPaymentStatus.REVERSED and results[0] == bills_staff.REVERSED
        assert (reversals, paid_receipts) == (1, 0)
        assert balance(bank.zhang_card) == Decimal("80000.00")
    if handler_first:
        assert payment.status == BillPaymentStatus.PAID
    assert not payment.needs_review
    assert ledger_violations() == []
