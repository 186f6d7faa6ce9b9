"""The staff review's edges: the 双人审批 threshold exactly, no LPR quoted, a 复核 approved after
the LPR changed, the head office's settings and products kept sane."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from loans.models import ApplicationStatus, LoanProduct, LoanSetting, LprRate
from loans.review import services
from security.models import ApprovalStatus, SmsMessage
from security.staff.approvals.services import approval_approve
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff

from .review_support import application_submitted, staff_client
from .support import application_approved, loan_drawn, shanghai

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)


def _approve(client, application, amount, months="12", spread="0.60"):
    return client.post(reverse("admin:loans_loanapplication_review", args=[application.pk]),
                       {"action": "approve", "amount": amount, "months": months,
                        "spread": spread})


@pytest.mark.parametrize(("amount", "status"), [
    ("200000.00", ApplicationStatus.APPROVED),       # not above: the teller alone
    ("200000.01", ApplicationStatus.CHECKING),       # above: 复核
])
def test_the_threshold_is_above_not_at(world, teller, amount, status):
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        application = application_submitted(world, amount="300000.00")
        assert _approve(staff_client(teller), application, amount).status_code == 302
    application.refresh_from_db()
    assert application.status == status


def test_the_setting_in_force_by_its_date(world, teller):
    LoanSetting.objects.create(effective_from=date(2026, 6, 2),
                               dual_approval_above=Decimal("100000.00"))
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        application = application_submitted(world, amount="150000.00")
        _approve(staff_client(teller), application, "150000")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED   # tomorrow's row not yet


def test_no_lpr_quoted_is_said_on_the_page(world, teller):
    LprRate.objects.all().delete()
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        application = application_submitted(world)
        client = staff_client(teller)
        page = client.get(reverse("admin:loans_loanapplication_review",
                                  args=[application.pk]))
        assert page.status_code == 200 and "1年期LPR尚未公布" in page.content.decode()
        response = _approve(client, application, "100000")
    assert response.status_code == 200 and "1年期LPR尚未公布，暂不能定价" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_check_after_the_lpr_changed_is_not_approved_at_the_old_price(world, teller,
                                                                        supervisor):
    """The teller prices at 3.00 % on 1 June late; the 1-year LPR is 2.90 % from 2 June; the
    supervisor's 复核 in the night of 2 June cannot approve the stale price: the 复核 fails and
    the application goes back to the teller, who prices it again at 2.90 + 0.60."""
    LprRate.objects.create(term="1Y", effective_from=date(2026, 6, 2), rate=Decimal("2.90"))
    with time_machine.travel(shanghai(DAY, 22), tick=False):
        application = application_submitted(world, amount="300000.00")
        _approve(staff_client(teller), application, "300000")
    application.refresh_from_db()
    request = application.approval_request
    assert application.status == ApplicationStatus.CHECKING
    with time_machine.travel(shanghai(date(2026, 6, 2), 1), tick=False):
        approval_approve(public_id=request.public_id, checker=supervisor)
        request.refresh_from_db()
        application.refresh_from_db()
        assert request.status == ApprovalStatus.FAILED and "LPR" in request.reason
        assert application.annual_rate is None
        assert not SmsMessage.objects.filter(purpose=services.SMS_PURPOSE).exists()
        _approve(staff_client(teller), application, "300000")
        application.refresh_from_db()
        assert application.status == ApplicationStatus.CHECKING
        approval_approve(public_id=application.approval_request.public_id, checker=supervisor)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert (application.lpr, application.annual_rate) == (Decimal("2.90"), Decimal("3.50"))


def test_an_approval_valid_for_ages_is_refused_in_the_admin(world, teller):
    hq = staff_client(make_staff("hq_loans", "340000", role=Role.HEAD_OFFICE))
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        response = hq.post(reverse("admin:loans_loansetting_add"), {
            "effective_from": "2026-06-02", "dual_approval_above": "200000",
            "penalty_multiplier": "1.5", "approval_valid_days": "100000000"})
    assert response.status_code == 200
    assert "批复有效期最长365天" in response.content.decode()
    assert not LoanSetting.objects.exists()


def test_a_product_spread_beyond_what_a_teller_may_approve_is_refused(world):
    hq = staff_client(make_staff("hq_loans", "340000", role=Role.HEAD_OFFICE))
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        response = hq.post(reverse("admin:loans_loanproduct_add"), {
            "code": "PX01", "name": "测试贷款", "min_amount": "1000", "max_amount": "5000",
            "terms": "12", "spread": "12", "purposes": "装修"})
    assert response.status_code == 200
    assert "加点须在0至10个百分点之间" in response.content.decode()
    assert not LoanProduct.objects.filter(code="PX01").exists()


def test_a_spread_that_is_not_a_number_says_so(world, teller):
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        application = application_submitted(world)
        body = _approve(staff_client(teller), application, "100000", spread="NaN").content.decode()
    assert "请输入正确的加点" in body


def test_the_approval_sms_names_the_last_day_to_draw_as_included(world, teller):
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        application = application_submitted(world)
        _approve(staff_client(teller), application, "100000")
    [text] = SmsMessage.objects.filter(purpose=services.SMS_PURPOSE).values_list("text",
                                                                                 flat=True)
    assert "请于2026-08-30（含）前登录网上银行申请发放" in text


def test_the_refusal_sms_does_not_double_the_full_stop(world, teller):
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        application = application_submitted(world)
        staff_client(teller).post(reverse("admin:loans_loanapplication_review",
                                     args=[application.pk]),
                             {"action": "reject", "reason": "负债率过高。"})
    [text] = SmsMessage.objects.filter(purpose=services.SMS_PURPOSE).values_list("text",
                                                                                 flat=True)
    assert "原因：负债率过高。如有疑问" in text and "。。" not in text


def test_the_nightly_step_expires_what_is_left_not_what_was_all_drawn(world):
    account = world.main(world.zhang_card)
    whole = application_approved(user=world.zhang, account=account, product=world.product,
                                 amount="20000.00", on=date(2026, 3, 3))   # until 2026-06-01
    part = application_approved(user=world.zhang, account=account, product=world.product,
                                amount="30000.00", on=date(2026, 3, 3))
    loan_drawn(application=whole, on=date(2026, 3, 10))
    loan_drawn(application=part, on=date(2026, 3, 10), amount="10000.00")
    with time_machine.travel(shanghai(date(2026, 6, 2), 0, 10), tick=False):
        assert services.approvals_expire(DAY) == 1
        assert services.approvals_expire(DAY) == 0
    whole.refresh_from_db()
    part.refresh_from_db()
    assert whole.status == ApplicationStatus.APPROVED and whole.available == 0
    assert part.status == ApplicationStatus.EXPIRED and part.drawn_amount == Decimal("10000.00")
