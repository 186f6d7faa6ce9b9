"""``manage.py verify_loans``: silent (exit 0) on sound books — drawn, deducted, prepaid — and
each planted problem named (exit 1)."""

from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import F

from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import LedgerAccount
from loans.book import loan_lock, prepay_apply, prepay_quote
from loans.models import (
    Instalment,
    Loan,
    LoanApplication,
    LoanBook,
    LoanStatus,
    Repayment,
)
from loans.schedule import PrepayMode

from .nightly_support import FIRST_DUE, loan_for, night
from .support import shanghai

pytestmark = pytest.mark.django_db


def verify(on=date(2026, 3, 6)) -> tuple[int, str]:
    """The command run on ``on`` (the day after the fixture's prepayment)."""
    out = StringIO()
    try:
        with time_machine.travel(shanghai(on), tick=False):
            call_command("verify_loans", stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def loan(world):
    """Drawn 100,000.00; the first instalment deducted; 20,000.00 prepaid on 03-05."""
    loan = loan_for(world)
    night(FIRST_DUE)
    on = date(2026, 3, 5)
    loan.refresh_from_db()
    quote = prepay_quote(loan=loan, on=on, prepaid=D("20000.00"), mode=PrepayMode.SHORTEN)
    with time_machine.travel(shanghai(on), tick=False), transaction.atomic():
        locked = loan_lock(loan.pk)
        prepay_apply(loan=locked, account=locked.repayment_account, quote=quote,
                     idempotency_key="test-verify-prepay")
    loan.refresh_from_db()
    return loan


def test_sound_books_pass(loan):
    assert Repayment.objects.count() == 2
    code, out = verify()
    assert code == 0
    assert out.strip() == "贷款核对一致：贷款本金、借据剩余本金、还款计划与还款分录均无问题"


def test_a_wrong_principal_owed_is_found_three_ways(loan):
    Loan.objects.filter(pk=loan.pk).update(principal_owed=loan.principal_owed + 1)
    code, out = verify()
    assert code == 1
    owed = loan.principal_owed + 1
    assert f"贷款本金账户余额 {loan.principal_owed} ≠ 借据剩余本金合计 {owed}" in out
    assert f"借据 {loan.number}：剩余本金 {owed} ≠ 还款计划未还本金 {loan.principal_owed}" in out
    assert f"借据 {loan.number}：已还本金 " in out


def test_a_repayment_split_unlike_its_entry_is_found(loan):
    repayment = Repayment.objects.order_by("pk").first()
    Repayment.objects.filter(pk=repayment.pk).update(principal=repayment.interest,
                                                     interest=repayment.principal)
    code, out = verify()
    assert code == 1
    assert f"还款记录 {repayment.pk}（到期自动扣款 8496.73）：分录 {repayment.entry_id} " \
           f"的记账明细与还款拆分不符" in out


def test_a_repayment_without_its_entry_is_found(loan):
    repayment = Repayment.objects.order_by("pk").first()
    Repayment.objects.filter(pk=repayment.pk).update(entry_id=987654321)
    code, out = verify()
    assert code == 1 and "分录 987654321 不存在" in out


def test_an_approval_drawn_beyond_its_iou_is_found(loan):
    """已发放金额 lowered behind the books' back (what would let the customer draw again)."""
    application = loan.application
    LoanApplication.objects.filter(pk=application.pk).update(drawn_amount=D("0.00"))
    code, out = verify()
    assert code == 1
    assert f"贷款申请 {application.number}：已发放金额 0.00 ≠ 借据借款金额合计 100000.00" in out


def test_a_drawdown_without_its_entry_or_unlike_it_is_found(loan):
    Loan.objects.filter(pk=loan.pk).update(draw_entry_id=987654321)
    code, out = verify()
    assert code == 1 and f"借据 {loan.number}：放款分录 987654321 不存在" in out
    Loan.objects.filter(pk=loan.pk).update(draw_entry_id=Repayment.objects.first().entry_id)
    code, out = verify()
    assert code == 1 and f"借据 {loan.number}：放款分录" in out and "与借款金额不符" in out


def test_interest_and_penalty_books_unlike_the_repayments_are_found(loan):
    LedgerAccount.objects.filter(pk=bank_book_id(LoanBook.INTEREST_INCOME)).update(
        balance=F("balance") + 1)
    LedgerAccount.objects.filter(pk=bank_book_id(LoanBook.PENALTY_INCOME)).update(
        balance=F("balance") + 2)
    code, out = verify()
    assert code == 1
    interest = sum(r.interest for r in Repayment.objects.all())
    assert f"贷款利息收入账户余额 {interest + 1} ≠ 还款记录利息合计 {interest}" in out
    assert "贷款罚息收入账户余额 2.00 ≠ 还款记录罚息复利合计 0.00" in out


def test_a_period_marked_settled_while_it_owes_is_found(loan):
    """A period settled but owing is one the nightly deduction would never take."""
    row = loan.instalments.get(active=True, number=2)
    Instalment.objects.filter(pk=row.pk).update(settled_on=date(2026, 3, 5))
    code, out = verify()
    assert code == 1
    assert f"借据 {loan.number} 第2期：已结清但仍欠 {row.owed}" in out
    first = loan.instalments.get(active=True, number=1)
    Instalment.objects.filter(pk=first.pk).update(settled_on=None)
    code, out = verify()
    assert f"借据 {loan.number} 第1期：已还清但未结清" in out


def test_a_status_unlike_the_schedule_is_found(loan):
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.OVERDUE)
    code, out = verify()
    assert code == 1 and f"借据 {loan.number}：状态为逾期，应为正常" in out
