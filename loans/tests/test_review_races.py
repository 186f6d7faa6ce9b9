"""The review at once from two sides (PostgreSQL, real threads): two tabs' 批准 approve once and
file one 复核; the customer's 撤销 and the teller's 批准 meet on the application's lock, so the
application ends either withdrawn or approved, never both, and the SMS matches."""

import contextlib
import threading
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from loans.apply.services import application_withdraw
from loans.models import ApplicationStatus, LoanApplication
from loans.review import services
from security.models import ApprovalRequest, SmsMessage
from security.tests.test_counter_fixtures import make_staff
from tests.concurrency.helpers import run_concurrently

from .support import application_approved, shanghai

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 6, 1)


def _submitted(world, amount) -> LoanApplication:
    application = application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                       product=world.product, amount=amount,
                                       on=date(2026, 5, 28))
    LoanApplication.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.SUBMITTED, approved_amount=None, approved_months=None,
        lpr_term="", lpr=None, spread=None, annual_rate=None, reviewed_at=None,
        valid_until=None)
    return application


def _meet_after_the_checks(monkeypatch):
    """Both threads wait for each other after the 批准's checks: without the application's
    lock both pass them and meet here."""
    both_checked = threading.Barrier(2)
    real_check = services.approve_check

    def check_then_meet(**kwargs):
        real_check(**kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=3)

    monkeypatch.setattr(services, "approve_check", check_then_meet)


@pytest.mark.parametrize(("amount", "status", "requests"), [
    ("100000.00", ApplicationStatus.APPROVED, 0),
    ("300000.00", ApplicationStatus.CHECKING, 1),
])
def test_two_tabs_approve_once(world, monkeypatch, amount, status, requests):
    teller = make_staff("teller_race", "340101")
    application = _submitted(world, amount)
    _meet_after_the_checks(monkeypatch)
    with time_machine.travel(shanghai(DAY), tick=False):
        results = run_concurrently(lambda i: services.application_approve(
            staff=teller, application_id=application.pk, amount=Decimal(amount), months=12,
            spread=Decimal("0.60")), 2)
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1 and "不能再审批" in str(refused[0]), results
    application.refresh_from_db()
    assert application.status == status
    assert ApprovalRequest.objects.count() == requests
    sms = SmsMessage.objects.filter(purpose=services.SMS_PURPOSE).count()
    assert sms == (1 if status == ApplicationStatus.APPROVED else 0)


def test_the_customer_withdraws_while_the_teller_approves(world):
    teller = make_staff("teller_race", "340101")
    application = _submitted(world, "100000.00")

    def side(i):
        if i == 0:
            return application_withdraw(user=world.zhang, number=application.number)
        return services.application_approve(staff=teller, application_id=application.pk,
                                            amount=Decimal("100000.00"), months=12,
                                            spread=Decimal("0.60"))

    with time_machine.travel(shanghai(DAY), tick=False):
        results = run_concurrently(side, 2)
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1, results
    application.refresh_from_db()
    sms = SmsMessage.objects.filter(purpose=services.SMS_PURPOSE).count()
    if application.status == ApplicationStatus.WITHDRAWN:
        assert "已撤销" in str(refused[0]) and sms == 0 and application.approved_amount is None
    else:
        assert application.status == ApplicationStatus.APPROVED
        assert "已批准" in str(refused[0]) and sms == 1
