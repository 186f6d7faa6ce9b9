"""The staff review of 个人贷款申请 in the admin: a teller approves (执行利率 = LPR + 加点) or
rejects with a reason; above the setting's 双人审批起点 the 批准 goes to 复核, which only another
member of staff (主管, head office) approves; the customer is told by SMS; the nightly step
expires approvals past their 发放截止日."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ebank.core.models import AuditEvent
from ebank.duework.nightly import registered_steps
from loans.models import ApplicationStatus, LoanApplication, LoanSetting, LprRate
from loans.review import services
from security.models import ApprovalRequest, ApprovalStatus, SmsMessage
from security.staff.approvals.services import (
    SAME_PERSON_MESSAGE,
    approval_approve,
    approval_reject,
)
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff

from .review_support import application_submitted, staff_client
from .support import application_approved, shanghai

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def on_day():
    with time_machine.travel(shanghai(DAY, 10), tick=False):
        yield


def _review_url(application) -> str:
    return reverse("admin:loans_loanapplication_review", args=[application.pk])


def _approve(client, application, amount, months="12", spread="0.60"):
    return client.post(_review_url(application), {"action": "approve", "amount": amount,
                                                  "months": months, "spread": spread})


def _sms(world) -> list[str]:
    return list(SmsMessage.objects.filter(phone=world.zhang_customer.phone,
                                          purpose=services.SMS_PURPOSE)
                .values_list("text", flat=True))


def test_the_queue_and_the_panel(world, teller):
    waiting = application_submitted(world)
    application_submitted(world, amount="5000.00")
    decided = application_submitted(world, amount="8000.00")
    LoanApplication.objects.filter(pk=decided.pk).update(status=ApplicationStatus.REJECTED)
    client = staff_client(teller)
    index = client.get(reverse("admin:index")).content.decode()
    assert "贷款申请待审批" in index and "待审批 2 笔" in index
    listing = client.get(reverse("admin:loans_loanapplication_changelist")).content.decode()
    assert waiting.number in listing and decided.number not in listing
    assert "¥100,000.00" in listing and _review_url(waiting) in listing
    every = client.get(reverse("admin:loans_loanapplication_changelist"),
                       {"status": "all"}).content.decode()
    assert every.index(waiting.number) < every.index(decided.number)
    # The decided columns (always empty while waiting) only outside the 待审批 queue.
    assert "column-approved_amount_cny" not in listing
    assert "column-approved_amount_cny" in every
    page = client.get(_review_url(waiting)).content.decode()
    for text in ("张伟", "个人消费贷款", "¥100,000.00", "12个月", "装修",
                 "1年期LPR 3.00% + 加点 0.60% = 3.60%", 'value="0.60"', "拒绝原因"):
        assert text in page, text


def test_a_teller_approves_100000_at_3_60(world, teller):
    application = application_submitted(world)
    response = _approve(staff_client(teller), application, "100,000.00")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert (application.approved_amount, application.approved_months, application.lpr,
            application.spread, application.annual_rate) == (
        Decimal("100000.00"), 12, Decimal("3.00"), Decimal("0.60"), Decimal("3.60"))
    assert application.lpr_term == "1Y" and application.reviewed_by == teller
    assert application.valid_until == DAY + timedelta(days=90)
    assert application.checked_by is None and application.approval_request is None
    event = AuditEvent.objects.get(action=services.APPROVE_ACTION)
    assert event.actor_id == teller.pk and event.channel == "admin"
    assert Decimal(event.detail["rate"]) == Decimal("3.60")
    [text] = _sms(world)
    assert application.number in text and "已获批准" in text and "¥100,000.00" in text
    assert "3.60%" in text and "2026-08-30" in text


def test_a_teller_sets_the_term_and_spread_within_the_product(world, teller):
    application = application_submitted(world, amount="50000.00", months=36)
    client = staff_client(teller)
    for amount, months, spread, message in (
            ("60000", "36", "0.60", "批准金额不能超过申请金额¥50,000.00"),
            ("500", "36", "0.60", "批准金额须在产品额度¥1,000.00至¥500,000.00之间"),
            ("40000", "60", "0.60", "请选择产品的可选期限"),
            ("40000", "36", "-1", "加点须在0至10个百分点之间"),
            ("40000", "36", "abc", "请输入正确的加点"),
            ("", "36", "0.60", "请输入批准金额")):
        body = _approve(client, application, amount, months, spread).content.decode()
        assert message in body, message
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    _approve(client, application, "40000", "24", "1.2")
    application.refresh_from_db()
    assert (application.approved_amount, application.approved_months,
            application.annual_rate) == (Decimal("40000.00"), 24, Decimal("4.20"))


def test_above_the_setting_a_supervisor_checks(world, teller, supervisor):
    application = application_submitted(world, amount="300000.00")
    response = _approve(staff_client(teller), application, "300000")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHECKING
    assert application.approved_amount is None and application.reviewed_by == teller
    request = application.approval_request
    assert request.kind == services.APPROVE_KIND and request.status == ApprovalStatus.PENDING
    assert ["批准金额", "¥300,000.00"] in request.summary
    # The 复核 page names the customer from the request itself: not twice.
    assert request.customer == world.zhang_customer
    assert "客户" not in [label for label, _ in request.summary]
    assert AuditEvent.objects.filter(action=services.CHECK_ACTION).count() == 1
    assert not _sms(world)
    # The maker cannot check it: not as a teller, nor would a supervisor maker.
    with pytest.raises(PermissionDenied):
        approval_approve(public_id=request.public_id, checker=teller)
    # A second 批准 while it is being checked is refused.
    again = _approve(staff_client(teller), application, "250000").content.decode()
    assert "该申请待复核，不能再审批" in again
    page = staff_client(supervisor).post(
        reverse("admin:security_approvalrequest_approve", args=[request.pk]))
    assert page.status_code == 302
    request.refresh_from_db()
    application.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED
    assert application.status == ApplicationStatus.APPROVED
    assert application.approved_amount == Decimal("300000.00")
    assert application.annual_rate == Decimal("3.60")
    assert (application.reviewed_by, application.checked_by) == (teller, supervisor)
    assert application.checked_at is not None and application.valid_until == date(2026, 8, 30)
    assert AuditEvent.objects.get(action=services.APPROVE_ACTION).actor_id == supervisor.pk
    assert len(_sms(world)) == 1


def test_a_supervisor_maker_cannot_check_their_own(world, supervisor):
    application = application_submitted(world, amount="300000.00")
    _approve(staff_client(supervisor), application, "300000")
    application.refresh_from_db()
    with pytest.raises(PermissionDenied, match=SAME_PERSON_MESSAGE):
        approval_approve(public_id=application.approval_request.public_id, checker=supervisor)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHECKING


def test_a_refused_check_sends_it_back_to_the_teller(world, teller, supervisor):
    LoanSetting.objects.create(effective_from=date(2026, 1, 1),
                               dual_approval_above=Decimal("150000.00"))
    application = application_submitted(world, amount="300000.00")
    client = staff_client(teller)
    _approve(client, application, "300000")
    application.refresh_from_db()
    approval_reject(public_id=application.approval_request.public_id, checker=supervisor,
                    reason="额度过高")
    listing = client.get(reverse("admin:loans_loanapplication_changelist")).content.decode()
    assert application.number in listing and "待审批（复核未通过）" in listing
    page = client.get(_review_url(application)).content.decode()
    assert "复核拒绝：额度过高" in page
    _approve(client, application, "150000")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.approved_amount == Decimal("150000.00")
    assert AuditEvent.objects.filter(action=services.CHECK_RETURN_ACTION).count() == 1


def test_reject_needs_a_reason_the_customer_reads(world, teller):
    application = application_submitted(world)
    client = staff_client(teller)
    body = client.post(_review_url(application), {"action": "reject", "reason": ""})
    assert "请填写拒绝原因" in body.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    client.post(_review_url(application), {"action": "reject", "reason": "负债率过高"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.reject_reason == "负债率过高" and application.reviewed_by == teller
    assert AuditEvent.objects.get(action=services.REJECT_ACTION).detail["reason"] == "负债率过高"
    [text] = _sms(world)
    assert "未获批准" in text and "负债率过高" in text
    decided = client.get(_review_url(application)).content.decode()
    assert "不能再审批" in decided and 'value="approve"' not in decided


def test_another_branch_and_a_customer_cannot_review(world, teller):
    application = application_submitted(world)
    other = make_staff("teller_wh_loans", "340201")
    response = staff_client(other).get(_review_url(application))
    assert response.status_code == 302
    with pytest.raises(PermissionDenied, match="本行社"):
        services.application_reject(staff=other, application_id=application.pk, reason="x")
    with pytest.raises(PermissionDenied):
        services.application_reject(staff=world.zhang, application_id=application.pk,
                                    reason="x")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_nightly_step_expires_approvals_past_their_date(world):
    account = world.main(world.zhang_card)
    due = application_approved(user=world.zhang, account=account, product=world.product,
                               on=date(2026, 3, 3))          # valid until 2026-06-01
    later = application_approved(user=world.zhang, account=account, product=world.product,
                                 on=date(2026, 3, 4))        # valid until 2026-06-02
    step = next(s for s in registered_steps() if s.name == "loans_approval_expire")
    assert (step.order, step.label) == (450, "贷款批复过期")
    assert step.fn(DAY) == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == ApplicationStatus.EXPIRED and later.status == ApplicationStatus.APPROVED
    assert AuditEvent.objects.filter(action=services.EXPIRE_ACTION,
                                     object_ref=f"loanapp:{due.number}").count() == 1
    assert step.fn(DAY) == 0


def test_the_nightly_step_returns_a_lapsed_check(world, teller):
    application = application_submitted(world, amount="300000.00")
    _approve(staff_client(teller), application, "300000")
    ApprovalRequest.objects.update(status=ApprovalStatus.EXPIRED)
    assert services.approvals_expire(DAY) == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_head_office_keeps_the_lpr_table(world, teller):
    hq = staff_client(make_staff("hq_loans", "340000", role=Role.HEAD_OFFICE))
    add = reverse("admin:loans_lprrate_add")
    past = hq.post(add, {"term": "1Y", "effective_from": "2026-05-20", "rate": "2.90"})
    assert "生效日期不能早于今天" in past.content.decode()
    assert hq.post(add, {"term": "1Y", "effective_from": "2026-06-22",
                         "rate": "2.90"}).status_code == 302
    assert LprRate.objects.filter(rate=Decimal("2.90")).exists()
    assert staff_client(teller).get(add).status_code == 403
    product = hq.post(reverse("admin:loans_loanproduct_add"), {
        "code": "PX01", "name": "测试贷款", "min_amount": "1000", "max_amount": "500",
        "terms": "12", "spread": "0.5", "purposes": "装修"})
    assert "最高金额不能低于最低金额" in product.content.decode()
