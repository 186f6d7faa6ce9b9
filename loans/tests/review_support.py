"""What the staff review's tests share: a teller and a supervisor of 张伟's branch (the fixtures
``teller`` and ``supervisor`` in conftest.py), a logged-in staff client, and an application
waiting for review (待审批) made directly."""

from datetime import date

from django.test import Client

from loans.models import ApplicationStatus, LoanApplication
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff, otp_login

from .support import application_approved


def teller_make():
    return make_staff("teller_loans", "340101", first_name="陈静")


def supervisor_make():
    return make_staff("super_loans", "340101", role=Role.SUPERVISOR, first_name="吴刚")


def staff_client(user) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def application_submitted(world, amount="100000.00", months=12) -> LoanApplication:
    """张伟's application of ``amount`` over ``months``, 待审批 (filed 2026-05-28)."""
    application = application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                       product=world.product, amount=amount, months=months,
                                       on=date(2026, 5, 28))
    LoanApplication.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.SUBMITTED, approved_amount=None, approved_months=None,
        lpr_term="", lpr=None, spread=None, annual_rate=None, reviewed_at=None,
        valid_until=None)
    application.refresh_from_db()
    return application
