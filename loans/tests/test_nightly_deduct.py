"""贷款到期扣款 (nightly step ``loans_deduct``, order 430): what is due is taken from the repayment
account on the due date's night, once; a short balance takes what is there (interest first, then
principal) and texts the customer; an unusable account fails with its note."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from accounts.models import Medium, MediumStatus, Receipt
from ebank.core.models import AuditEvent, AuditOutcome
from ebank.duework.nightly import registered_steps
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import Entry, LedgerAccount
from loans.book import instalments_open, principal_outstanding_total
from loans.deduct import DEDUCT_ACTION, NOTE_ACCOUNT, NOTE_SHORT, PURPOSE_DEDUCT, loan_deduct
from loans.models import (
    Deduction,
    DeductionStatus,
    LoanBook,
    LoanStatus,
    Repayment,
    RepaymentKind,
)
from security.models import SmsMessage
from tests.customer_world import balance

from .nightly_support import FIRST_DUE, balance_set, loan_for, night
from .support import shanghai

pytestmark = pytest.mark.django_db


def texts(world) -> list[str]:
    return list(SmsMessage.objects.filter(purpose=PURPOSE_DEDUCT,
                                          phone=world.zhang.customer.phone)
                .values_list("text", flat=True))


def test_the_steps_are_registered_in_order():
    steps = {step.name: step for step in registered_steps()}
    assert (steps["loans_deduct"].order, steps["loans_deduct"].label) == (430, "贷款到期扣款")
    assert (steps["loans_overdue_accrue"].order,
            steps["loans_overdue_accrue"].label) == (440, "贷款罚息复利计提")


def test_nothing_is_taken_before_the_due_date(world):
    loan = loan_for(world)
    night(date(2026, 2, 20))
    assert not Deduction.objects.exists() and not Repayment.objects.exists()
    loan.refresh_from_db()
    assert loan.status == LoanStatus.NORMAL


def test_the_due_date_takes_the_instalment_and_a_rerun_posts_once(
        world, django_capture_on_commit_callbacks):
    loan = loan_for(world)
    before = balance(world.zhang_card)
    with django_capture_on_commit_callbacks(execute=True):
        assert night(FIRST_DUE) == (True, True)
    deduction = Deduction.objects.get()
    assert (deduction.status, deduction.wanted, deduction.paid, deduction.note) == (
        DeductionStatus.PAID, D("8496.73"), D("8496.73"), "")
    repayment = deduction.repayment
    assert repayment.kind == RepaymentKind.DEDUCT and repayment.business_date == FIRST_DUE
    assert (repayment.interest, repayment.principal) == (D("300.00"), D("8196.73"))
    assert balance(world.zhang_card) == before - D("8496.73")
    assert Receipt.objects.filter(entry_id=repayment.entry_id).exists()
    assert Entry.objects.filter(idempotency_key=f"loan-deduct:{loan.pk}:{FIRST_DUE}").count() == 1
    loan.refresh_from_db()
    assert loan.status == LoanStatus.NORMAL and instalments_open(loan)[0].number == 2
    assert texts(world) == []   # paid in full: no text
    event = AuditEvent.objects.get(action=DEDUCT_ACTION)
    assert event.outcome == AuditOutcome.SUCCESS and event.object_ref == f"loan:{loan.number}"
    # The step again: skipped; the per-借据 work again: the same row, nothing posted.
    entries = Entry.objects.count()
    assert night(FIRST_DUE) == (False, False)
    with time_machine.travel(shanghai(FIRST_DUE, 23, 50), tick=False):
        assert loan_deduct(loan_id=loan.pk, on=FIRST_DUE).pk == deduction.pk
    assert Entry.objects.count() == entries and Repayment.objects.count() == 1
    assert Deduction.objects.count() == 1
    assert balance(world.zhang_card) == before - D("8496.73")
    book = LedgerAccount.objects.get(pk=bank_book_id(LoanBook.PRINCIPAL)).balance
    assert book == principal_outstanding_total() == D("91803.27")


def test_a_short_balance_takes_what_is_there_interest_first_and_texts_the_customer(
        world, django_capture_on_commit_callbacks):
    loan = loan_for(world)
    balance_set(loan, "500.00")
    with django_capture_on_commit_callbacks(execute=True):
        night(FIRST_DUE)
    deduction = Deduction.objects.get()
    assert (deduction.status, deduction.wanted, deduction.paid, deduction.note) == (
        DeductionStatus.PARTIAL, D("8496.73"), D("500.00"), NOTE_SHORT)
    assert (deduction.repayment.interest, deduction.repayment.principal) == (
        D("300.00"), D("200.00"))
    assert balance(world.zhang_card) == D("0.00")
    first = instalments_open(loan)[0]
    assert first.number == 1 and first.interest_due == 0 and first.principal_due == D("7996.73")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OVERDUE
    [text] = texts(world)
    assert f"尾号{loan.number[-4:]}" in text
    assert "应扣8,496.73元" in text and "实扣500.00元" in text
    assert "请尽快存入足额资金以免产生罚息" in text
    assert AuditEvent.objects.get(action=DEDUCT_ACTION).outcome == AuditOutcome.FAILURE


def test_an_empty_account_fails_with_its_note(world, django_capture_on_commit_callbacks):
    loan = loan_for(world)
    balance_set(loan, "0.00")
    with django_capture_on_commit_callbacks(execute=True):
        night(FIRST_DUE)
    deduction = Deduction.objects.get()
    assert (deduction.status, deduction.paid, deduction.note, deduction.repayment) == (
        DeductionStatus.FAILED, D("0.00"), NOTE_SHORT, None)
    assert not Repayment.objects.exists()
    [text] = texts(world)
    assert "实扣0.00元" in text and NOTE_SHORT in text


@pytest.mark.parametrize("status", [MediumStatus.FROZEN, MediumStatus.ORAL_LOSS,
                                    MediumStatus.CLOSED])
def test_an_unusable_account_fails_with_its_note(world, status,
                                                 django_capture_on_commit_callbacks):
    loan = loan_for(world)
    Medium.objects.filter(pk=loan.repayment_account.medium_id).update(status=status)
    before = balance(world.zhang_card)
    with django_capture_on_commit_callbacks(execute=True):
        night(FIRST_DUE)
    deduction = Deduction.objects.get()
    assert (deduction.status, deduction.paid, deduction.note) == (
        DeductionStatus.FAILED, D("0.00"), NOTE_ACCOUNT)
    assert balance(world.zhang_card) == before and not Repayment.objects.exists()
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OVERDUE
    [text] = texts(world)
    assert NOTE_ACCOUNT in text


def test_a_held_amount_is_not_available(world):
    loan = loan_for(world)
    LedgerAccount.objects.filter(pk=loan.repayment_account.ledger_account_id).update(
        balance=D("1000.00"), held=D("900.00"))
    night(FIRST_DUE)
    deduction = Deduction.objects.get()
    assert deduction.status == DeductionStatus.PARTIAL and deduction.paid == D("100.00")


def test_an_overdue_loan_is_tried_again_each_night(world, django_capture_on_commit_callbacks):
    loan = loan_for(world)
    balance_set(loan, "0.00")
    night(FIRST_DUE)
    balance_set(loan, "10000.00")
    with django_capture_on_commit_callbacks(execute=True):
        night(date(2026, 2, 22))
    second = Deduction.objects.get(business_date=date(2026, 2, 22))
    # The instalment plus the one night of 罚息 (1.23) and 复利 (0.05) the first failure cost.
    assert second.status == DeductionStatus.PAID and second.paid == D("8498.01")
    assert (second.repayment.penalty, second.repayment.compound) == (D("1.23"), D("0.05"))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.NORMAL


def test_repayment_day_31_falls_on_the_last_day_of_short_months(world):
    loan = loan_for(world, on=date(2026, 1, 31), repayment_day=31)
    assert [row.due_date for row in instalments_open(loan)[:4]] == [
        date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
    night(date(2026, 2, 27))
    assert not Deduction.objects.exists()
    night(date(2026, 2, 28))
    deduction = Deduction.objects.get()
    assert deduction.business_date == date(2026, 2, 28)
    assert deduction.status == DeductionStatus.PAID and deduction.paid == D("8496.73")
    assert instalments_open(loan)[0].due_date == date(2026, 3, 31)
