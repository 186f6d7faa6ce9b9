"""The money of a 借据 (loans/book.py): drawdown, payments applied interest first, prepayment
quotes and their postings, the principal book equal to what is owed (DOMAIN-RULES §4)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from accounts.models import Receipt
from ebank.core.errors import InsufficientFunds
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import LedgerAccount
from loans.book import (
    allocate,
    dues_pay,
    instalments_open,
    loan_lock,
    prepay_apply,
    prepay_quote,
    principal_outstanding_total,
)
from loans.models import LoanBook, LoanStatus, Repayment, RepaymentKind
from loans.schedule import PrepayMode
from tests.customer_world import balance

from .support import application_approved, loan_drawn, shanghai

D = Decimal
DRAWN = date(2026, 1, 21)


def _book(code):
    return LedgerAccount.objects.get(pk=bank_book_id(code)).balance


@pytest.fixture
def loan(world):
    account = world.main(world.zhang_card)
    application = application_approved(user=world.zhang, account=account, product=world.product)
    return loan_drawn(application=application, on=DRAWN)


def _pay_due(loan, on, amount=None, kind=RepaymentKind.INSTALMENT):
    with time_machine.travel(shanghai(on), tick=False), transaction.atomic():
        locked = loan_lock(loan.pk)
        return dues_pay(loan=locked, account=locked.repayment_account, on=on, amount=amount,
                        kind=kind, idempotency_key=f"test-pay:{loan.pk}:{on}:{amount}")


def test_drawdown_credits_the_account_from_the_principal_book(world, loan):
    account = world.main(world.zhang_card)
    assert loan.amount == D("100000.00") and loan.principal_owed == D("100000.00")
    rows = instalments_open(loan)
    assert len(rows) == 12 and rows[0].due_date == date(2026, 2, 21)
    assert rows[0].payment == D("8496.73") and rows[0].interest == D("300.00")
    assert sum(row.principal for row in rows) == D("100000.00")
    assert loan.maturity_date == date(2027, 1, 21)
    assert _book(LoanBook.PRINCIPAL) == D("100000.00") == principal_outstanding_total()
    assert Receipt.objects.filter(entry_id=loan.draw_entry_id, sub_account=account).exists()
    loan.application.refresh_from_db()
    assert loan.application.drawn_amount == D("100000.00") and loan.application.available == 0


def test_a_payment_takes_interest_first_then_principal(world, loan):
    repayment = _pay_due(loan, date(2026, 2, 21), amount=D("500.00"))
    assert (repayment.interest, repayment.principal) == (D("300.00"), D("200.00"))
    first = instalments_open(loan)[0]
    assert first.interest_due == 0 and first.principal_due == D("7996.73")
    assert _book(LoanBook.INTEREST_INCOME) == D("300.00")
    assert _book(LoanBook.PRINCIPAL) == D("99800.00") == principal_outstanding_total()


def test_allocation_takes_compound_and_penalty_before_interest(world, loan):
    first = instalments_open(loan)[0]
    first.penalty, first.compound = D("1.20"), D("0.05")
    pieces = allocate([first], D("2.00"))
    (_row, piece), = pieces
    assert (piece.compound, piece.penalty, piece.interest, piece.principal) == (
        D("0.05"), D("1.20"), D("0.75"), D("0.00"))


def test_six_payments_then_prepay_20000_keeping_the_term(world, loan):
    for month in range(2, 7):
        _pay_due(loan, date(2026, month, 21))
    # The 6th due date: its instalment is settled first, then 20,000 prepaid.
    on = date(2026, 7, 21)
    loan.refresh_from_db()
    quote = prepay_quote(loan=loan, on=on, prepaid=D("20000.00"), mode=PrepayMode.KEEP_TERM)
    assert quote.dues.total == D("8496.73") and quote.accrued == 0
    assert loan.principal_owed - quote.dues.principal == D("50449.30")
    assert [row.payment for row in quote.rows[:-1]] == [D("5128.30")] * 5
    assert len(quote.rows) == 6 and quote.rows[0].number == 7
    before = balance(world.zhang_card)
    with time_machine.travel(shanghai(on), tick=False), transaction.atomic():
        locked = loan_lock(loan.pk)
        repayment = prepay_apply(loan=locked, account=locked.repayment_account, quote=quote,
                                 idempotency_key="test-prepay-keep")
    assert repayment.kind == RepaymentKind.PARTIAL and repayment.amount == D("28496.73")
    assert balance(world.zhang_card) == before - D("28496.73")
    loan.refresh_from_db()
    assert loan.principal_owed == D("30449.30") == _book(LoanBook.PRINCIPAL)
    assert [row.payment for row in instalments_open(loan)][:5] == [D("5128.30")] * 5
    assert loan.instalments.filter(active=False).count() == 6


def test_prepay_20000_shortening_the_term(world, loan):
    for month in range(2, 8):
        _pay_due(loan, date(2026, month, 21))
    loan.refresh_from_db()
    quote = prepay_quote(loan=loan, on=date(2026, 7, 21), prepaid=D("20000.00"),
                         mode=PrepayMode.SHORTEN)
    assert quote.dues.total == 0
    assert [row.payment for row in quote.rows] == [D("8496.73")] * 3 + [D("5172.90")]


def test_partial_prepay_between_due_dates_pays_the_interest_on_it_by_days(world, loan):
    loan.refresh_from_db()
    # 10 days into the first period (drawn on the repayment day: a whole month).
    quote = prepay_quote(loan=loan, on=date(2026, 1, 31), prepaid=D("36000.00"),
                         mode=PrepayMode.KEEP_TERM)
    assert quote.accrued_days == 10 and quote.accrued == D("36.00")   # 36,000 × 3.6 % / 360 × 10
    assert quote.total == D("36036.00")


def test_full_repayment_settles_the_loan(world, loan):
    _pay_due(loan, date(2026, 2, 21))
    loan.refresh_from_db()
    on = date(2026, 3, 3)
    quote = prepay_quote(loan=loan, on=on, prepaid=None, mode="")
    owed = loan.principal_owed
    assert quote.prepaid == owed and quote.accrued_days == 10
    with time_machine.travel(shanghai(on), tick=False), transaction.atomic():
        locked = loan_lock(loan.pk)
        prepay_apply(loan=locked, account=locked.repayment_account, quote=quote,
                     idempotency_key="test-full")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.SETTLED and loan.settled_on == on
    assert loan.principal_owed == 0 and not instalments_open(loan)
    assert _book(LoanBook.PRINCIPAL) == 0


def test_a_short_account_writes_nothing(world, loan):
    account = world.main(world.zhang_card)
    LedgerAccount.objects.filter(pk=account.ledger_account_id).update(balance=D("10.00"))
    with pytest.raises(InsufficientFunds):
        _pay_due(loan, date(2026, 2, 21))
    assert not Repayment.objects.exists()
    assert instalments_open(loan)[0].interest_paid == 0


def test_the_same_key_posts_once(world, loan):
    first = _pay_due(loan, date(2026, 2, 21), amount=D("100.00"))
    again = _pay_due(loan, date(2026, 2, 21), amount=D("100.00"))
    assert first.pk == again.pk and Repayment.objects.count() == 1


def test_a_drawdown_retried_with_its_key_returns_its_iou_and_posts_once(world):
    """The replay of loan_disburse (the same idempotency key, e.g. an executor run again after
    its commit) returns the 借据 it made: one entry, one 借据, one 电子回单, drawn once."""
    account = world.main(world.zhang_card)
    application = application_approved(user=world.zhang, account=account, product=world.product)
    first = loan_drawn(application=application, on=DRAWN, amount="40000.00", key="draw-once")
    again = loan_drawn(application=application, on=DRAWN, amount="40000.00", key="draw-once")
    assert again.pk == first.pk and again.number == first.number
    application.refresh_from_db()
    assert application.drawn_amount == D("40000.00")
    assert Receipt.objects.filter(entry_id=first.draw_entry_id).count() == 1
    assert _book(LoanBook.PRINCIPAL) == D("40000.00")
