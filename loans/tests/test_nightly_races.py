"""A prepayment racing the nightly deduction on the due date (PostgreSQL, real threads): both take
the 借据's lock first, so exactly one consistent outcome — the instalment paid once, nothing
posted twice: either the prepayment lands first (it settles the instalment; the deduction then
finds nothing due) or the deduction does (the prepayment's fresh quote differs and it is refused
with CHANGED)."""

import threading
import time
from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.db import transaction

from ebank.core.errors import BusinessError
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import LedgerAccount
from loans.book import CHANGED, loan_lock, prepay_apply, prepay_quote, principal_outstanding_total
from loans.deduct import loan_deduct
from loans.models import Deduction, LoanBook, Repayment, RepaymentKind
from loans.schedule import PrepayMode
from loans.verify import loan_problems
from tests.concurrency.helpers import run_concurrently

from .nightly_support import FIRST_DUE, loan_for
from .support import shanghai

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("first", ["night", "prepay", "together"])
def test_a_prepayment_racing_the_deduction_pays_the_instalment_once(world, first):
    loan = loan_for(world)
    with time_machine.travel(shanghai(FIRST_DUE, 9), tick=False):
        # The quote the customer confirmed during the day.
        quote = prepay_quote(loan=loan, on=FIRST_DUE, prepaid=D("20000.00"),
                             mode=PrepayMode.KEEP_TERM)
    assert quote.dues.total == D("8496.73")
    started = threading.Event()

    def night():
        with transaction.atomic():
            deduction = loan_deduct(loan_id=loan.pk, on=FIRST_DUE)
            started.set()
            if first == "night":
                time.sleep(0.5)   # still holding the 借据's lock
            return deduction

    def prepay():
        with transaction.atomic():
            locked = loan_lock(loan.pk)
            repayment = prepay_apply(loan=locked, account=locked.repayment_account, quote=quote,
                                     idempotency_key=f"test-prepay:{loan.pk}")
            started.set()
            if first == "prepay":
                time.sleep(0.5)
            return repayment

    def side(i):
        if first == "night" and i == 1 or first == "prepay" and i == 0:
            assert started.wait(30)
        return night() if i == 0 else prepay()

    with time_machine.travel(shanghai(FIRST_DUE, 23, 59), tick=True):
        deducted, prepaid = run_concurrently(side, 2)

    instalment = loan.instalments.get(number=1, active=True)
    assert instalment.principal_paid == instalment.principal
    assert instalment.interest_paid == instalment.interest
    assert Repayment.objects.count() == 1
    repayment = Repayment.objects.get()
    if isinstance(prepaid, BusinessError):
        # The deduction came first: the instalment is paid; the prepayment's quote changed.
        assert prepaid.message == CHANGED
        assert deducted.paid == D("8496.73") and repayment.kind == RepaymentKind.DEDUCT
        assert first != "prepay"
    else:
        # The prepayment came first: it settled the instalment; nothing was due at night.
        assert prepaid.kind == RepaymentKind.PARTIAL and prepaid.amount == D("28496.73")
        assert deducted is None and not Deduction.objects.exists()
        assert first != "night"
    book = LedgerAccount.objects.get(pk=bank_book_id(LoanBook.PRINCIPAL)).balance
    assert book == principal_outstanding_total()
    assert loan_problems(FIRST_DUE + timedelta(days=1)) == []   # the next morning
