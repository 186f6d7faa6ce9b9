"""我的贷款申请's edges: one word for an application the bank has not decided yet, whatever its
复核 did."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from loans.models import ApplicationStatus, LoanApplication
from security.models import ApprovalRequest, ApprovalStatus
from security.tests.test_counter_fixtures import make_staff

from .support import application_approved, shanghai

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def on_day():
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        yield


def _status(page: str, number: str) -> str:
    start = page.index(f'id="application-{number}"')
    cell = page.index('class="application-status">', start) + len('class="application-status">')
    return page[cell:page.index("<", cell)]


def test_waiting_reads_the_same_before_and_after_a_refused_check(client, world):
    account = world.main(world.zhang_card)
    waiting = application_approved(user=world.zhang, account=account, product=world.product,
                                   on=date(2026, 5, 28))
    returned = application_approved(user=world.zhang, account=account, product=world.product,
                                    amount="300000.00", on=date(2026, 5, 29))
    teller = make_staff("teller_loans", "340101")
    request = ApprovalRequest.objects.create(
        kind="loans.approve", payload={}, summary=[], customer=world.zhang_customer,
        branch=world.zhang_customer.branch, requested_by=teller, status=ApprovalStatus.REJECTED,
        expires_at=shanghai(DAY, 18))
    LoanApplication.objects.filter(pk=waiting.pk).update(
        status=ApplicationStatus.SUBMITTED, approved_amount=None, annual_rate=None)
    LoanApplication.objects.filter(pk=returned.pk).update(
        status=ApplicationStatus.CHECKING, approval_request=request, approved_amount=None,
        annual_rate=None)
    client.force_login(world.zhang)
    page = client.get(reverse("loans:applications")).content.decode()
    assert _status(page, waiting.number) == _status(page, returned.number) == "审批中"
    assert page.count("撤销申请") == 2
