"""STF-LOSS at the counter (书面挂失, 解除挂失 through 复核) and STF-RESET of a customer who holds a
security tool (through 复核). Personas: test_counter_fixtures."""

import json
import subprocess

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.urls import reverse
from django.utils import timezone

from accounts.models import MediumStatus
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from security.models import (
    ApprovalRequest,
    ApprovalStatus,
    CounterAction,
    CounterReceipt,
    ToolKind,
    User,
)
from security.staff.approvals.services import approval_approve, approval_reject
from security.staff.counter import services as counter
from security.staff.counter.loss import counter_loss_release, counter_written_loss
from security.staff.counter.pdf import counter_receipt_pdf
from security.staff.counter.state import customer_state_read

from . import test_counter_fixtures as fx
from .test_counter_fixtures import PASSWORD, card_of, ident, otp_login, register

bank, hq, tools = fx.bank, fx.hq, fx.tools
supervisor_hf, teller_hf, teller_wh = fx.supervisor_hf, fx.teller_hf, fx.teller_wh

pytestmark = pytest.mark.django_db
NEW = "New#pass-2026"


def _applicable(customer) -> set[str]:
    from security.staff.counter.actions import counter_actions_applicable

    return {spec.code for spec in counter_actions_applicable(customer_state_read(
        customer=customer))}


# --- 书面挂失 ---------------------------------------------------------------------------------------


def test_written_loss_checks_the_id_and_prints_a_slip(bank, teller_hf):
    card = card_of("张伟")
    with pytest.raises(BusinessError, match="证件类型或证件号码与客户信息不符"):
        counter_written_loss(acting_user=teller_hf, customer=bank["张伟"],
                             **ident("李娜"), medium=card)
    card.refresh_from_db()
    assert card.status == MediumStatus.NORMAL

    receipt = counter_written_loss(acting_user=teller_hf, customer=bank["张伟"],
                                   **ident("张伟"), medium=card)
    card.refresh_from_db()
    assert card.status == MediumStatus.WRITTEN_LOSS and card.loss_reported_at is None
    assert receipt.action == CounterAction.WRITTEN_LOSS
    assert ["挂失卡（账户）", f"借记卡 {card.masked_number}"] in receipt.detail["items"]
    assert AuditEvent.objects.filter(action="counter_written_loss", actor=teller_hf).exists()
    assert AuditEvent.objects.get(action="account_loss_written").channel == "counter"
    with pytest.raises(BusinessError, match="状态为书面挂失，不能办理书面挂失"):
        counter_written_loss(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                             medium=card)


def test_written_loss_and_release_apply_only_to_media_in_the_right_status(bank):
    assert CounterAction.WRITTEN_LOSS in _applicable(bank["张伟"])
    assert CounterAction.LOSS_RELEASE not in _applicable(bank["张伟"])
    card_of("张伟").__class__.objects.filter(customer=bank["张伟"]).update(
        status=MediumStatus.WRITTEN_LOSS)
    assert CounterAction.WRITTEN_LOSS not in _applicable(bank["张伟"])
    assert CounterAction.LOSS_RELEASE in _applicable(bank["张伟"])


def test_a_teller_of_another_branch_cannot_record_a_loss(bank, teller_wh):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        counter_written_loss(acting_user=teller_wh, customer=bank["张伟"], **ident("张伟"),
                             medium=card_of("张伟"))


# --- 解除挂失 ---------------------------------------------------------------------------------------


def test_an_oral_loss_is_released_at_once_with_a_slip(bank, teller_hf):
    card = card_of("张伟")
    card.__class__.objects.filter(pk=card.pk).update(status=MediumStatus.ORAL_LOSS,
                                                     loss_reported_at=timezone.now())
    receipt = counter_loss_release(acting_user=teller_hf, customer=bank["张伟"],
                                   **ident("张伟"), medium=card, reason="原卡已找回")
    assert isinstance(receipt, CounterReceipt)
    card.refresh_from_db()
    assert card.status == MediumStatus.NORMAL


def test_a_written_loss_release_waits_for_a_supervisor_and_then_prints(bank, teller_hf,
                                                                      supervisor_hf):
    card = card_of("张伟")
    counter_written_loss(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                         medium=card)
    with pytest.raises(BusinessError, match="请填写解挂原因"):
        counter_loss_release(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                             medium=card, reason=" ")
    request = counter_loss_release(acting_user=teller_hf, customer=bank["张伟"],
                                   **ident("张伟"), medium=card, reason="原卡已找回")
    assert isinstance(request, ApprovalRequest)
    card.refresh_from_db()
    assert card.status == MediumStatus.WRITTEN_LOSS
    assert not CounterReceipt.objects.filter(action=CounterAction.LOSS_RELEASE).exists()
    with pytest.raises(BusinessError, match="已有待复核"):
        counter_loss_release(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                             medium=card, reason="再来一次")

    done = approval_approve(public_id=request.public_id, checker=supervisor_hf)
    assert done.status == ApprovalStatus.APPROVED
    card.refresh_from_db()
    assert card.status == MediumStatus.NORMAL
    slip = CounterReceipt.objects.get(number=done.result["receipt"])
    assert (slip.action, slip.staff) == (CounterAction.LOSS_RELEASE, teller_hf)
    assert ["复核人", "吴刚"] in slip.detail["items"]


def test_a_written_loss_released_by_a_teller_alone_never_happens(bank, teller_hf):
    card = card_of("张伟")
    counter_written_loss(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                         medium=card)
    request = counter_loss_release(acting_user=teller_hf, customer=bank["张伟"],
                                   **ident("张伟"), medium=card, reason="原卡已找回")
    other_teller = fx.make_staff("teller_hf2", "340101")
    from django.core.exceptions import PermissionDenied

    for checker in (teller_hf, other_teller):
        with pytest.raises(PermissionDenied):
            approval_approve(public_id=request.public_id, checker=checker)
    card.refresh_from_db()
    assert card.status == MediumStatus.WRITTEN_LOSS


# --- 登录密码重置 of a customer with a security tool ---------------------------------------------


def test_a_reset_without_a_tool_happens_at_once(bank, teller_hf):
    user = register("王芳", fx.make_staff("t_wh", "340201"))
    result = counter.counter_password_reset(
        acting_user=User.objects.get(username="t_wh"), customer=bank["王芳"], **ident("王芳"),
        new_password=NEW)
    assert isinstance(result, CounterReceipt)
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_a_reset_with_a_tool_waits_for_approval_keeping_only_the_hash(bank, teller_hf,
                                                                     supervisor_hf):
    user = register("李娜", teller_hf, tool_kind=ToolKind.TOKEN)
    User.objects.filter(pk=user.pk).update(failed_logins=5, login_locked_on=timezone.localdate())
    request = counter.counter_password_reset(acting_user=teller_hf, customer=bank["李娜"],
                                             **ident("李娜"), new_password=NEW)
    assert isinstance(request, ApprovalRequest)
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and user.login_locked_on is not None
    stored = json.dumps([request.payload, request.summary], ensure_ascii=False)
    assert NEW not in stored
    # The site's password hasher (argon2 in production; the test settings' fast one here).
    assert identify_hasher(request.payload["password_hash"]).algorithm == get_hasher().algorithm
    assert not any(NEW in json.dumps(e.detail) for e in AuditEvent.objects.all())

    done = approval_approve(public_id=request.public_id, checker=supervisor_hf)
    assert done.status == ApprovalStatus.APPROVED, done.reason
    user.refresh_from_db()
    assert user.check_password(NEW) and user.must_change_password
    assert (user.failed_logins, user.login_locked_on) == (0, None)
    slip = CounterReceipt.objects.get(number=done.result["receipt"])
    assert slip.staff == teller_hf and ["复核人", "吴刚"] in slip.detail["items"]


def test_a_rejected_reset_changes_nothing(bank, teller_hf, supervisor_hf):
    user = register("李娜", teller_hf, tool_kind=ToolKind.TOKEN)
    request = counter.counter_password_reset(acting_user=teller_hf, customer=bank["李娜"],
                                             **ident("李娜"), new_password=NEW)
    approval_reject(public_id=request.public_id, checker=supervisor_hf, reason="客户已离开")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not CounterReceipt.objects.filter(action=CounterAction.PASSWORD_RESET).exists()


# --- the pages -------------------------------------------------------------------------------------


def _post(client, customer, action, data):
    return client.post(reverse("admin:counter_action",
                               kwargs={"customer_id": customer.pk, "action": action}), data)


def test_the_reset_page_sends_the_teller_to_the_waiting_request_and_the_slip_follows(
        client, bank, teller_hf, supervisor_hf):
    register("李娜", teller_hf, tool_kind=ToolKind.TOKEN)
    otp_login(client, teller_hf)
    response = _post(client, bank["李娜"], CounterAction.PASSWORD_RESET, {
        **ident("李娜"), "new_password": NEW, "new_password_again": NEW})
    request = ApprovalRequest.objects.get()
    assert response["Location"] == reverse("admin:security_approvalrequest_change",
                                           args=[request.pk])
    page = client.get(response["Location"]).content.decode()
    assert "已提交复核" in page and "待复核" in page and "经办人不能复核本人提交的申请" in page

    client.logout()
    otp_login(client, supervisor_hf)
    client.post(reverse("admin:security_approvalrequest_approve", args=[request.pk]))
    request.refresh_from_db()
    number = request.result["receipt"]
    page = client.get(reverse("admin:security_approvalrequest_change",
                              args=[request.pk])).content.decode()
    assert reverse("admin:counter_receipt", kwargs={"number": number}) in page


def test_the_release_slip_pdf_names_the_checker(bank, teller_hf, supervisor_hf, tmp_path):
    card = card_of("张伟")
    counter_written_loss(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                         medium=card)
    request = counter_loss_release(acting_user=teller_hf, customer=bank["张伟"],
                                   **ident("张伟"), medium=card, reason="原卡已找回")
    done = approval_approve(public_id=request.public_id, checker=supervisor_hf)
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(counter_receipt_pdf(receipt=CounterReceipt.objects.get(
        number=done.result["receipt"])))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "解除挂失" in text and "复核人" in text and "吴刚" in text
    assert card.number not in text and card.masked_number in text
