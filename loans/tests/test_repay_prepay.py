"""个人贷款还款's prepayments through the page: DOMAIN-RULES §4's example (100,000 at 3.6 % over
12 months, six instalments paid, 20,000 prepaid on 2026-07-21: keep the term → 5,128.30 a month;
shorten → 3 × 8,496.73 then 5,172.90), full repayment settling the 借据, and a quote gone stale
between 试算/提交 and 确认 refused with CHANGED and nothing posted."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from ebank.core.errors import BusinessError
from ebank.ledger.models import Entry
from loans.book import CHANGED, instalments_open, principal_outstanding_total
from loans.models import LoanBook, LoanStatus, Repayment, RepaymentKind
from loans.repay.repayment import QUOTE_FIRST, detail_url
from loans.schedule import PrepayMode
from security.models import OperationStatus, PendingOperation
from tests.customer_world import balance

from .repay_support import (
    book,
    client_for,
    confirmed,
    pay_due,
    pay_months,
    post,
    quoted,
    started,
    zhang_loan,
)
from .support import shanghai

pytestmark = pytest.mark.django_db
PREPAY_DAY = date(2026, 7, 21)
PARTIAL, FULL = RepaymentKind.PARTIAL, RepaymentKind.FULL


@pytest.fixture
def loan(world):
    loan = zhang_loan(world)
    pay_months(loan, range(2, 8))          # six instalments: February to July
    loan.refresh_from_db()
    assert loan.principal_owed == D("50449.30")
    return loan


@pytest.fixture
def account(world):
    return world.main(world.zhang_card)


def at(day):
    return time_machine.travel(shanghai(day), tick=False)


def test_keep_the_term_quoted_then_confirmed(world, loan, account):
    client = client_for(world.zhang)
    before = balance(account)
    with at(PREPAY_DAY):
        shown, submitted = quoted(client, loan, kind=PARTIAL, account=account,
                                  prepaid="20,000.00", mode=PrepayMode.KEEP_TERM)
        quote = shown.context["plan"].quote
        assert quote.dues.total == 0 and quote.prepaid == D("20000.00") and quote.accrued == 0
        assert [row.payment for row in quote.rows[:-1]] == [D("5128.30")] * 5
        assert [row.number for row in quote.rows] == list(range(7, 13))
        body = shown.content.decode()
        assert "提前还款试算" in body and "5,128.30" in body and "应付利息（0天）" in body
        assert "2027-01-21" in body and "¥20,000.00" in body          # the whole new schedule
        operation = started(submitted)
        summary = dict(operation.payload["_summary"])
        assert summary["新还款计划"].startswith("第7期至第12期共6期，月供¥5,128.30")
        assert summary["提前还款方式"] == "期限不变，减少月供"
        assert summary["还款后剩余本金"] == "¥30,449.30"
        assert operation.payload["amount"] == "20000.00"
        done = confirmed(operation, world.zhang)
        page = client.get(reverse("security:confirm_result", args=[operation.public_id]))
    assert done.status == OperationStatus.EXECUTED, done.failure_reason
    assert balance(account) == before - D("20000.00")
    loan.refresh_from_db()
    assert loan.principal_owed == D("30449.30") == book(LoanBook.PRINCIPAL)
    assert book(LoanBook.PRINCIPAL) == principal_outstanding_total()
    rows = instalments_open(loan)
    assert [row.payment for row in rows[:5]] == [D("5128.30")] * 5 and len(rows) == 6
    repayment = Repayment.objects.get(kind=PARTIAL)
    assert repayment.prepay_mode == PrepayMode.KEEP_TERM and repayment.principal == D("20000.00")
    body = page.content.decode()
    assert "还款成功" in body and "¥30,449.30" in body and "¥5,128.30" in body
    assert "6期" in body and "查看电子回单" in body
    assert detail_url(loan) is None or detail_url(loan) in body


def test_shorten_the_term_quoted_then_confirmed(world, loan, account):
    client = client_for(world.zhang)
    with at(PREPAY_DAY):
        shown, submitted = quoted(client, loan, kind=PARTIAL, account=account,
                                  prepaid="20000", mode=PrepayMode.SHORTEN)
        rows = shown.context["plan"].quote.rows
        assert [row.payment for row in rows] == [D("8496.73")] * 3 + [D("5172.90")]
        assert "5,172.90" in shown.content.decode()
        operation = started(submitted)
        assert dict(operation.payload["_summary"])["新还款计划"] == (
            "第7期至第10期共4期，月供¥8,496.73（末期¥5,172.90）")
        assert confirmed(operation, world.zhang).status == OperationStatus.EXECUTED
    loan.refresh_from_db()
    assert loan.maturity_date == date(2026, 11, 21)
    assert loan.principal_owed == D("30449.30") == book(LoanBook.PRINCIPAL)
    assert [row.payment for row in instalments_open(loan)] == [D("8496.73")] * 3 + [D("5172.90")]


def test_submit_without_the_quote_shows_it_first(world, loan, account):
    with at(PREPAY_DAY):
        response = post(client_for(world.zhang), loan, kind=PARTIAL, account=account,
                        prepaid="20000", mode=PrepayMode.KEEP_TERM)
    assert response.status_code == 200 and response.context["note"] == QUOTE_FIRST
    assert response.context["plan"].quote.rows and not PendingOperation.objects.exists()


def test_full_repayment_settles_the_loan(world, account):
    loan = zhang_loan(world)
    pay_due(loan, date(2026, 2, 21))
    loan.refresh_from_db()
    owed = loan.principal_owed
    client = client_for(world.zhang)
    on = date(2026, 3, 3)
    with at(on):
        shown, submitted = quoted(client, loan, kind=FULL, account=account)
        quote = shown.context["plan"].quote
        assert quote.prepaid == owed and quote.accrued_days == 10
        interest = (owed * D("0.036") / 360 * 10).quantize(D("0.01"))
        assert quote.accrued == interest and quote.total == owed + interest
        assert f"{owed + interest:,.2f}" in shown.content.decode()
        operation = started(submitted)
        assert confirmed(operation, world.zhang).status == OperationStatus.EXECUTED
        listing = client.get(reverse("loans:repay"))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.SETTLED and loan.settled_on == on
    assert loan.principal_owed == 0 and not instalments_open(loan)
    assert book(LoanBook.PRINCIPAL) == 0
    assert loan.number not in listing.content.decode()


def test_a_quote_gone_stale_before_confirming_is_refused_and_nothing_posted(world, account):
    """Quoted and submitted on the July due date with its instalment still due; the nightly
    deduction (or another channel) pays it before 确认: CHANGED, nothing posted."""
    loan = zhang_loan(world)
    pay_months(loan, range(2, 7))
    client = client_for(world.zhang)
    with at(PREPAY_DAY):
        shown, submitted = quoted(client, loan, kind=PARTIAL, account=account,
                                  prepaid="20000", mode=PrepayMode.KEEP_TERM)
        assert shown.context["plan"].quote.dues.total == D("8496.73")
        operation = started(submitted)
        assert operation.payload["amount"] == "28496.73"
    pay_due(loan, PREPAY_DAY)
    entries, repayments, before = Entry.objects.count(), Repayment.objects.count(), balance(account)
    with at(PREPAY_DAY), pytest.raises(BusinessError, match=CHANGED):
        confirmed(operation, world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED and operation.failure_reason == CHANGED
    assert Entry.objects.count() == entries and Repayment.objects.count() == repayments
    assert balance(account) == before
    loan.refresh_from_db()
    assert loan.principal_owed == D("50449.30") == book(LoanBook.PRINCIPAL)


def test_a_quote_gone_stale_on_the_page_is_shown_again(world, account):
    loan = zhang_loan(world)
    pay_months(loan, range(2, 7))
    client = client_for(world.zhang)
    fields = {"kind": PARTIAL, "account": account, "prepaid": "20000",
              "mode": PrepayMode.KEEP_TERM}
    with at(PREPAY_DAY):
        shown = post(client, loan, action="quote", **fields)
        stale = shown.context["form"]["quote"].value()
    pay_due(loan, PREPAY_DAY)
    with at(PREPAY_DAY):
        again = post(client, loan, quote=stale, **fields)
    assert again.status_code == 200 and again.context["note"] == CHANGED
    assert again.context["plan"].quote.dues.total == 0
    assert again.context["form"]["quote"].value() != stale
    assert not PendingOperation.objects.exists()


def test_an_instalment_paid_between_submit_and_confirm_is_refused(world, account):
    loan = zhang_loan(world)
    client = client_for(world.zhang)
    day = date(2026, 2, 21)
    with at(day):
        operation = started(post(client, loan, kind=RepaymentKind.INSTALMENT, account=account,
                                 amount="8496.73"))
    pay_due(loan, day, amount=D("100.00"))
    with at(day), pytest.raises(BusinessError, match=CHANGED):
        confirmed(operation, world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED and operation.failure_reason == CHANGED
    assert Repayment.objects.count() == 1


def test_a_short_account_at_confirmation_writes_nothing(world, loan, account):
    from ebank.ledger.models import LedgerAccount

    with at(PREPAY_DAY):
        operation = started(quoted(client_for(world.zhang), loan, kind=FULL, account=account)[1])
    LedgerAccount.objects.filter(pk=account.ledger_account_id).update(balance=D("10.00"))
    entries = Entry.objects.count()
    with at(PREPAY_DAY), pytest.raises(BusinessError, match="账户可用余额不足"):
        confirmed(operation, world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED
    assert operation.failure_reason == "账户可用余额不足"
    assert Entry.objects.count() == entries


def test_a_new_schedule_with_a_first_period_by_days_names_its_first_and_monthly_payment(world,
                                                                                      account):
    """Drawn 01-10 (repayment day the 21st: a first period of 42 days), 20,000 prepaid on 02-01
    keeping the term: the first period still owes 80,000 × 3.6 % / 360 × 42 = 336.00, so it is
    6,893.38 and the eleven after it 6,797.38 (the last 6,797.40) — the confirmation and the
    result do not call 6,893.38 the new 月供."""
    loan = zhang_loan(world, on=date(2026, 1, 10))
    on = date(2026, 2, 1)
    client = client_for(world.zhang)
    with at(on):
        _shown, response = quoted(client, loan, kind=PARTIAL, account=account,
                                  prepaid="20000.00", mode=PrepayMode.KEEP_TERM)
        operation = started(response)
        summary = dict(operation.payload["_summary"])
        assert summary["新还款计划"] == ("第1期至第12期共12期，首期¥6,893.38，"
                                    "此后月供¥6,797.38（末期¥6,797.40）")
        done = confirmed(operation, world.zhang)
    assert done.status == OperationStatus.EXECUTED, done.failure_reason
    assert ["新月供", "¥6,797.38"] in done.result["lines"]
