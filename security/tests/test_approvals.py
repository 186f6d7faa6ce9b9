"""复核 (maker-checker): the engine, its refusals, and its first use, 行社限额调整.

Personas (test_counter_fixtures): teller_hf and supervisor_hf at 340101, teller_wh at 340201,
hq at head office (总行管理员).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ebank.core.audit import audit_action_label
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent, AuditOutcome
from ebank.limits.models import LimitLevel, LimitPolicy
from ebank.limits.services import limit_policy_set
from security.models import ApprovalRequest, ApprovalStatus
from security.staff.approvals.limits import branch_limit_request
from security.staff.approvals.services import (
    approval_approve,
    approval_reject,
    approval_withdraw,
    approvals_expire,
)
from security.staff.roles import Role

from . import test_counter_fixtures as fx
from .test_counter_fixtures import make_staff, otp_login

# Shared fixtures (pytest finds them by these module-level names).
bank, hq, tools = fx.bank, fx.hq, fx.tools
supervisor_hf, teller_hf, teller_wh = fx.supervisor_hf, fx.teller_hf, fx.teller_wh

D = Decimal
T0 = timezone.datetime(2026, 6, 15, 10, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _hefei_limits(single="300000.00", daily="1000000.00", maker=None):
    return branch_limit_request(maker=maker, branch_code="340101", channel="transfer",
                                single_limit=D(single), daily_limit=D(daily))


def _hefei_policy():
    return LimitPolicy.objects.filter(level=LimitLevel.BRANCH, scope="340101").first()


def test_a_supervisor_asks_and_nothing_changes_until_another_approves(supervisor_hf, hq):
    request = _hefei_limits(maker=supervisor_hf)
    assert request.status == ApprovalStatus.PENDING
    assert _hefei_policy() is None
    assert request.summary[3] == ["单笔限额", "未设置（按上级限额） → ¥300,000.00"]
    assert request.expires_at == T0 + timedelta(hours=8)

    done = approval_approve(public_id=request.public_id, checker=hq)
    assert done.status == ApprovalStatus.APPROVED
    assert done.decided_by == hq
    policy = _hefei_policy()
    assert (policy.single_limit, policy.daily_limit) == (D("300000.00"), D("1000000.00"))
    assert policy.updated_by_id == hq.pk
    actions = list(AuditEvent.objects.filter(action__startswith="approval.")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["approval.requested", "approval.approved"]
    event = AuditEvent.objects.get(action="approval.approved")
    assert audit_action_label(event.action, event.detail) == "复核通过：行社限额调整"


def test_the_maker_can_never_check_their_own_request(supervisor_hf):
    request = _hefei_limits(maker=supervisor_hf)
    with pytest.raises(PermissionDenied, match="经办人不能复核本人提交的申请"):
        approval_approve(public_id=request.public_id, checker=supervisor_hf)
    with pytest.raises(PermissionDenied, match="经办人不能复核本人提交的申请"):
        approval_reject(public_id=request.public_id, checker=supervisor_hf, reason="不同意")
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING and _hefei_policy() is None
    refused = AuditEvent.objects.filter(action="approval.refused", actor=supervisor_hf)
    assert refused.count() == 2
    assert refused.first().outcome == AuditOutcome.FAILURE


def test_the_database_refuses_a_request_decided_by_its_maker(supervisor_hf):
    request = _hefei_limits(maker=supervisor_hf)
    request.decided_by = supervisor_hf
    with pytest.raises(IntegrityError), transaction.atomic():
        request.save()


def test_a_teller_can_neither_ask_nor_approve(teller_hf, supervisor_hf):
    with pytest.raises(PermissionDenied, match="主管或总行管理员"):
        _hefei_limits(maker=teller_hf)
    request = _hefei_limits(maker=supervisor_hf)
    with pytest.raises(PermissionDenied, match="行社限额调整须由主管、总行管理员复核"):
        approval_approve(public_id=request.public_id, checker=teller_hf)


def test_a_supervisor_of_another_branch_cannot_approve_nor_ask_for_it(supervisor_hf):
    other = make_staff("super_wh", "340201", role=Role.SUPERVISOR)
    with pytest.raises(PermissionDenied, match="只能调整本行社的限额"):
        _hefei_limits(maker=other)
    request = _hefei_limits(maker=supervisor_hf)
    with pytest.raises(PermissionDenied, match="只能复核本行社的申请"):
        approval_approve(public_id=request.public_id, checker=other)


def test_a_second_supervisor_of_the_branch_approves_and_it_executes_once(supervisor_hf):
    second = make_staff("super_hf2", "340101", role=Role.SUPERVISOR)
    request = _hefei_limits(maker=supervisor_hf)
    approval_approve(public_id=request.public_id, checker=second)
    with pytest.raises(BusinessError, match="已复核通过"):
        approval_approve(public_id=request.public_id, checker=second)
    assert AuditEvent.objects.filter(action="limit_policy_set").filter(
        detail__scope="340101").count() == 1


def test_a_rejection_needs_a_reason_and_changes_nothing(supervisor_hf, hq):
    request = _hefei_limits(maker=supervisor_hf)
    with pytest.raises(BusinessError, match="请填写拒绝原因"):
        approval_reject(public_id=request.public_id, checker=hq, reason="  ")
    done = approval_reject(public_id=request.public_id, checker=hq, reason="额度过高")
    assert (done.status, done.reason) == (ApprovalStatus.REJECTED, "额度过高")
    assert _hefei_policy() is None
    with pytest.raises(BusinessError, match="已复核拒绝"):
        approval_approve(public_id=request.public_id, checker=hq)


def test_a_request_expires_after_the_setting(supervisor_hf, hq, clock, settings):
    settings.APPROVAL_EXPIRY_HOURS = 2
    request = _hefei_limits(maker=supervisor_hf)
    clock.shift(timedelta(hours=2, seconds=1))
    with pytest.raises(BusinessError, match="已过期"):
        approval_approve(public_id=request.public_id, checker=hq)
    assert approvals_expire() == 1
    request.refresh_from_db()
    assert request.status == ApprovalStatus.EXPIRED and _hefei_policy() is None
    assert AuditEvent.objects.filter(action="approval.expired").count() == 1
    assert approvals_expire() == 0


def test_an_execution_refused_at_approval_time_is_failed_with_its_reason(supervisor_hf, hq):
    request = _hefei_limits(single="900000.00", daily="4000000.00", maker=supervisor_hf)
    # Head office lowers the bank-wide limit meanwhile: the branch may no longer ask that much.
    limit_policy_set(level=LimitLevel.BANK, single_limit=D("800000.00"),
                     daily_limit=D("5000000.00"))
    done = approval_approve(public_id=request.public_id, checker=hq)
    assert done.status == ApprovalStatus.FAILED
    assert "不得超过" in done.reason
    assert _hefei_policy() is None
    assert AuditEvent.objects.filter(action="approval.failed").exists()


def test_only_the_maker_withdraws(supervisor_hf, hq):
    request = _hefei_limits(maker=supervisor_hf)
    with pytest.raises(PermissionDenied):
        approval_withdraw(public_id=request.public_id, maker=hq)
    assert approval_withdraw(public_id=request.public_id,
                             maker=supervisor_hf).status == ApprovalStatus.WITHDRAWN
    with pytest.raises(BusinessError, match="已撤回"):
        approval_approve(public_id=request.public_id, checker=hq)


# --- the admin ---------------------------------------------------------------------------------


def _admin_change_branch_limit(client):
    policy = LimitPolicy.objects.get(level=LimitLevel.BRANCH, scope="340201")
    return policy, client.post(reverse("admin:limits_limitpolicy_change", args=[policy.pk]),
                               {"single_limit": "400000.00", "daily_limit": "1500000.00"})


def test_the_admin_files_a_branch_limit_change_for_approval(client, bank, hq):
    supervisor = make_staff("super_wh", "340201", role=Role.SUPERVISOR)
    otp_login(client, supervisor)
    policy, response = _admin_change_branch_limit(client)
    request = ApprovalRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:security_approvalrequest_change",
                                           args=[request.pk])
    policy.refresh_from_db()
    assert policy.single_limit == D("500000.00")  # unchanged until approved
    page = client.get(response["Location"]).content.decode()
    assert "¥500,000.00 → ¥400,000.00" in page
    assert "经办人不能复核本人提交的申请" in page and "复核通过</" not in page

    # A crafted POST by the maker is refused by the service, whatever the page offered.
    client.post(reverse("admin:security_approvalrequest_approve", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING
    # The admin's change form cannot change a request either.
    assert client.post(reverse("admin:security_approvalrequest_change", args=[request.pk]),
                       {"status": "approved"}).status_code == 403
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING and request.decided_by is None

    client.logout()
    otp_login(client, hq)
    assert "复核通过" in client.get(response["Location"]).content.decode()
    client.post(reverse("admin:security_approvalrequest_approve", args=[request.pk]))
    policy.refresh_from_db()
    assert policy.single_limit == D("400000.00")


def test_the_queue_is_the_branch_s_and_opens_on_pending(client, bank, supervisor_hf, teller_wh):
    request = _hefei_limits(maker=supervisor_hf)
    otp_login(client, teller_wh)
    assert client.get(reverse("admin:security_approvalrequest_change",
                              args=[request.pk])).status_code == 404
    assert "super_hf" not in client.get(
        reverse("admin:security_approvalrequest_changelist")).content.decode()
    assert client.post(reverse("admin:security_approvalrequest_approve",
                               args=[request.pk])).status_code == 404


def test_the_queue_lists_the_branch_s_pending_requests(client, bank, supervisor_hf, teller_hf):
    request = _hefei_limits(maker=supervisor_hf)
    otp_login(client, teller_hf)
    page = client.get(reverse("admin:security_approvalrequest_changelist")).content.decode()
    assert "super_hf" in page and "行社限额调整" in page
    approval_withdraw(public_id=request.public_id, maker=supervisor_hf)
    page = client.get(reverse("admin:security_approvalrequest_changelist")).content.decode()
    assert "super_hf" not in page
    page = client.get(reverse("admin:security_approvalrequest_changelist") + "?status=all")
    assert "super_hf" in page.content.decode()


def test_a_rejection_in_the_admin_without_a_reason_keeps_the_page(client, bank, supervisor_hf,
                                                                  hq):
    request = _hefei_limits(maker=supervisor_hf)
    otp_login(client, hq)
    page = client.post(reverse("admin:security_approvalrequest_reject", args=[request.pk]),
                       {"reason": ""})
    assert page.status_code == 200 and "请填写拒绝原因" in page.content.decode()
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING


def test_get_never_decides(client, bank, supervisor_hf, hq):
    request = _hefei_limits(maker=supervisor_hf)
    otp_login(client, hq)
    assert client.get(reverse("admin:security_approvalrequest_approve",
                              args=[request.pk])).status_code == 405
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING


def test_the_index_shows_a_supervisor_what_waits_for_them(client, bank, supervisor_hf,
                                                          teller_hf):
    _hefei_limits(maker=supervisor_hf)
    otp_login(client, supervisor_hf)
    page = client.get(reverse("admin:index")).content.decode()
    assert "没有待复核的申请" in page  # their own request is not theirs to check
    second = make_staff("super_hf2", "340101", role=Role.SUPERVISOR)
    client.logout()
    otp_login(client, second)
    assert "待我复核 1 笔" in client.get(reverse("admin:index")).content.decode()
    client.logout()
    otp_login(client, teller_hf)
    assert "本人没有等待复核的申请" in client.get(reverse("admin:index")).content.decode()


def test_the_queue_shows_a_request_past_its_time_as_expired_without_writing(
        client, bank, supervisor_hf, hq, clock, settings):
    settings.APPROVAL_EXPIRY_HOURS = 2
    request = _hefei_limits(maker=supervisor_hf)
    clock.shift(timedelta(hours=3))
    otp_login(client, hq)
    listing = reverse("admin:security_approvalrequest_changelist")
    assert "super_hf" not in client.get(listing).content.decode()  # not 待复核 any more
    assert "super_hf" in client.get(f"{listing}?status=expired").content.decode()
    page = client.get(reverse("admin:security_approvalrequest_change",
                              args=[request.pk])).content.decode()
    assert "已过期" in page and 'value="复核通过"' not in page
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING  # the nightly step marks it, not a GET
