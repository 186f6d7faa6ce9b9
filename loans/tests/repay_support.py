"""What the 个人贷款还款 page tests share: 张伟's 借据 of 100,000 at 3.6 % over 12 months drawn on
2026-01-21 (repayment day the 21st, 等额本息 8,496.73), instalments paid through book.dues_pay on
their due dates, and the page posted and confirmed as the customer would."""

from datetime import date
from decimal import Decimal

import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse

from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import LedgerAccount
from loans.book import dues_pay, loan_lock
from loans.models import RepaymentKind
from security.models import PendingOperation
from tests.customer_world import confirm

from .support import application_approved, loan_drawn, shanghai

DRAWN = date(2026, 1, 21)


def zhang_loan(world, *, on=DRAWN, amount="100000.00"):
    account = world.main(world.zhang_card)
    application = application_approved(user=world.zhang, account=account,
                                       product=world.product, amount=amount)
    return loan_drawn(application=application, on=on)


def pay_due(loan, on: date, amount=None):
    """Pay what is due on ``on`` (as the nightly deduction or another channel would)."""
    with time_machine.travel(shanghai(on), tick=False), transaction.atomic():
        locked = loan_lock(loan.pk)
        return dues_pay(loan=locked, account=locked.repayment_account, on=on, amount=amount,
                        kind=RepaymentKind.INSTALMENT,
                        idempotency_key=f"test-pay:{loan.pk}:{on}:{amount}")


def pay_months(loan, months):
    for month in months:
        pay_due(loan, date(2026, month, 21))


def book(code) -> Decimal:
    return LedgerAccount.objects.get(pk=bank_book_id(code)).balance


def form_url(loan) -> str:
    return reverse("loans:repay_form", args=[loan.pk])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, loan, *, kind, account, action="submit", amount="", prepaid="", mode="",
         quote=""):
    return client.post(form_url(loan), {"kind": kind, "account": account.pk, "amount": amount,
                                        "prepaid": prepaid, "mode": mode, "quote": quote,
                                        "action": action})


def quoted(client, loan, **fields):
    """试算 then 提交 with the quote the page showed: the response of 提交."""
    shown = post(client, loan, action="quote", **fields)
    assert shown.status_code == 200, shown
    digest = shown.context["form"]["quote"].value()
    assert digest
    return shown, post(client, loan, quote=digest, **fields)


def started(response) -> PendingOperation:
    assert response.status_code == 302, getattr(response, "context", None) and \
        response.context["form"].errors
    public_id = response["Location"].rstrip("/").split("/")[-1]
    return PendingOperation.objects.get(public_id=public_id)


def confirmed(operation, user) -> PendingOperation:
    return confirm(operation, user=user)
