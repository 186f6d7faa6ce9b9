"""个人贷款还款 (LN-REPAY) pages: the list of outstanding 借据, the form's refusals in Chinese with
what was typed kept, nothing due said in words, 归还到期款项 through the confirmation (overdue
with 罚息/复利 first), another customer's 借据 a 404."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Receipt
from ebank.core.models import AuditEvent
from ebank.ledger.models import Entry
from loans.book import REPAY_ACTION, instalments_open
from loans.models import Instalment, LoanBook, LoanStatus, Repayment, RepaymentKind
from loans.repay.repayment import INSUFFICIENT, KIND_REPAY, NOTHING_DUE
from security.models import OperationStatus, PendingOperation
from tests.customer_world import balance

from .repay_support import (
    book,
    client_for,
    confirmed,
    form_url,
    pay_due,
    post,
    started,
    zhang_loan,
)
from .support import shanghai

pytestmark = pytest.mark.django_db
INSTALMENT = RepaymentKind.INSTALMENT


@pytest.fixture
def loan(world):
    return zhang_loan(world)


@pytest.fixture
def account(world):
    return world.main(world.zhang_card)


def at(day):
    return time_machine.travel(shanghai(day), tick=False)


def test_the_list_shows_outstanding_loans_with_what_is_due(world, loan):
    settled = zhang_loan(world, amount="5000.00")
    settled.status, settled.principal_owed = LoanStatus.SETTLED, 0
    settled.save(update_fields=["status", "principal_owed"])
    client = client_for(world.zhang)
    with at(date(2026, 2, 21)):
        response = client.get(reverse("loans:repay"))
    body = response.content.decode()
    assert response.status_code == 200
    assert loan.number in body and settled.number not in body
    assert "个人消费贷款" in body and "100,000.00" in body
    assert "8,496.73" in body and "2026-03-21" in body            # due today; the next period
    assert form_url(loan) in body and "还款" in body
    rows = response.context["rows"]
    assert [row.due_total for row in rows] == [D("8496.73")]


def test_the_list_counts_penalty_and_compound_in_what_is_due(world, loan):
    first = Instalment.objects.get(loan=loan, number=1, active=True)
    first.penalty, first.compound = D("12.75"), D("0.45")
    first.save(update_fields=["penalty", "compound"])
    with at(date(2026, 3, 1)):
        response = client_for(world.zhang).get(reverse("loans:repay"))
    assert response.context["rows"][0].due_total == D("8496.73") + D("13.20")
    assert "含罚息12.75、复利0.45" in response.content.decode()


def test_the_list_is_empty_in_words(world):
    with at(date(2026, 2, 1)):
        response = client_for(world.li).get(reverse("loans:repay"))
    assert "您没有未结清的个人贷款" in response.content.decode()


def test_the_form_defaults_to_the_whole_due_from_the_repayment_account(world, loan, account):
    with at(date(2026, 2, 21)):
        response = client_for(world.zhang).get(form_url(loan))
    form = response.context["form"]
    assert form["kind"].value() == INSTALMENT and form["amount"].value() == "8496.73"
    assert int(form["account"].value()) == account.pk


@pytest.mark.parametrize(("typed", "words"), [
    ("", "请输入还款金额"),
    ("-5", "金额必须大于零"),
    ("12.345", "金额最多两位小数"),
    ("abc", "请输入正确的还款金额"),
    ("8496.74", "还款金额不能超过到期应还金额¥8,496.73"),
])
def test_a_bad_amount_is_refused_in_chinese_and_kept(world, loan, account, typed, words):
    client = client_for(world.zhang)
    with at(date(2026, 2, 21)):
        response = post(client, loan, kind=INSTALMENT, account=account, amount=typed)
    assert response.status_code == 200
    assert words in response.context["form"].errors["amount"][0]
    assert response.context["form"]["amount"].value() == typed
    assert not PendingOperation.objects.exists()


@pytest.mark.parametrize(("typed", "words"), [
    ("", "请输入提前还款本金"),
    ("-1", "金额必须大于零"),
    ("0.001", "金额最多两位小数"),
    ("100000.00", "部分提前还款本金须小于剩余本金100,000.00元"),
])
def test_a_bad_prepaid_principal_is_refused_and_kept(world, loan, account, typed, words):
    with at(date(2026, 2, 1)):
        response = post(client_for(world.zhang), loan, kind=RepaymentKind.PARTIAL,
                        account=account, prepaid=typed, mode="keep_term", action="quote")
    assert words in response.context["form"].errors["prepaid"][0]
    assert response.context["form"]["prepaid"].value() == typed
    assert response.context["plan"] is None


def test_a_partial_prepayment_needs_a_mode(world, loan, account):
    with at(date(2026, 2, 1)):
        response = post(client_for(world.zhang), loan, kind=RepaymentKind.PARTIAL,
                        account=account, prepaid="1000", action="quote")
    assert response.context["form"].errors["mode"] == ["请选择提前还款方式"]


def test_nothing_due_is_said_in_words(world, loan, account):
    with at(date(2026, 2, 1)):
        client = client_for(world.zhang)
        page = client.get(form_url(loan))
        response = post(client, loan, kind=INSTALMENT, account=account, amount="100")
    assert "该笔贷款当前没有到期应还款项" in page.content.decode()
    assert page.context["form"]["kind"].value() == RepaymentKind.PARTIAL
    assert response.context["form"].errors["kind"] == [NOTHING_DUE]
    assert not PendingOperation.objects.exists()


def test_a_short_account_is_refused_before_the_confirmation(world, loan):
    passbook = world.main(world.zhang_passbook)        # ¥12,345.67
    with at(date(2026, 2, 1)):
        response = post(client_for(world.zhang), loan, kind=RepaymentKind.FULL,
                        account=passbook, action="quote")
    assert response.context["form"].errors["account"][0].startswith(f"{INSUFFICIENT}（可用余额")


def test_paying_part_of_what_is_due_overdue_with_penalty_first(world, loan, account):
    """The February instalment overdue with 罚息/复利: 3,000.00 takes 复利, 罚息, interest, then
    principal; the rest stays due (逾期)."""
    first = Instalment.objects.get(loan=loan, number=1, active=True)
    first.penalty, first.compound = D("12.75"), D("0.45")
    first.save(update_fields=["penalty", "compound"])
    client = client_for(world.zhang)
    day = date(2026, 3, 1)
    before, entries = balance(account), Entry.objects.count()
    with at(day):
        operation = started(post(client, loan, kind=INSTALMENT, account=account,
                                 amount="3,000.00"))
        assert operation.kind == KIND_REPAY and operation.payload["amount"] == "3000.00"
        summary = dict(operation.payload["_summary"])
        assert summary["到期应还"] == "¥8,509.93" and summary["本次归还罚息"] == "¥12.75"
        assert summary["本次归还利息"] == "¥300.00" and summary["本次归还本金"] == "¥2,686.80"
        done = confirmed(operation, world.zhang)
        page = client.get(reverse("security:confirm_result", args=[operation.public_id]))
    assert done.status == OperationStatus.EXECUTED, done.failure_reason
    assert Entry.objects.count() == entries + 1
    assert balance(account) == before - D("3000.00")
    repayment = Repayment.objects.get()
    assert (repayment.compound, repayment.penalty, repayment.interest, repayment.principal) == (
        D("0.45"), D("12.75"), D("300.00"), D("2686.80"))
    assert repayment.kind == INSTALMENT and repayment.from_account == account
    loan.refresh_from_db()
    assert loan.principal_owed == D("97313.20") == book(LoanBook.PRINCIPAL)
    assert instalments_open(loan)[0].owed == D("5509.93")
    body = page.content.decode()
    assert "还款成功" in body and "¥97,313.20" in body and "查看电子回单" in body
    assert Receipt.objects.filter(number=repayment.receipt_number, sub_account=account).exists()
    assert AuditEvent.objects.filter(action=REPAY_ACTION).exists()


def test_another_account_of_the_customer_may_pay(world, loan):
    passbook = world.main(world.zhang_passbook)
    before = balance(passbook)
    with at(date(2026, 2, 21)):
        operation = started(post(client_for(world.zhang), loan, kind=INSTALMENT,
                                 account=passbook, amount="8496.73"))
        assert confirmed(operation, world.zhang).status == OperationStatus.EXECUTED
    assert balance(passbook) == before - D("8496.73")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.NORMAL and loan.principal_owed == D("91803.27")


def test_an_account_not_the_customers_is_refused(world, loan):
    li_account = world.main(world.li_card)
    with at(date(2026, 2, 21)):
        response = post(client_for(world.zhang), loan, kind=INSTALMENT, account=li_account,
                        amount="100")
    assert response.context["form"].errors["account"] == ["请选择扣款账户"]


def test_another_customers_loan_is_404(world, loan, account):
    client = client_for(world.li)
    with at(date(2026, 2, 21)):
        assert client.get(form_url(loan)).status_code == 404
        assert post(client, loan, kind=INSTALMENT, account=account,
                    amount="100").status_code == 404
    assert client_for(world.li).get(reverse("loans:repay_form", args=[999999])).status_code == 404
    assert not PendingOperation.objects.exists()


def test_a_settled_loan_offers_no_form(world, loan):
    for month in range(2, 13):
        pay_due(loan, date(2026, month, 21))
    pay_due(loan, date(2027, 1, 21))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.SETTLED
    with at(date(2027, 1, 22)):
        response = client_for(world.zhang).get(form_url(loan))
    assert "该笔贷款已结清" in response.content.decode() and "form" not in response.context
