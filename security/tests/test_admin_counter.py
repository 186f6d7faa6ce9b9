"""Counter work through the admin pages: forms, refusals, result page, PDF, 留言 replies, audit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ebank.core.models import AuditEvent, AuditOutcome
from security.models import CounterReceipt, CustomerMessage, User, UserStatus

from . import test_counter_fixtures as fx
from .test_counter_fixtures import PASSWORD, card_of, ident, otp_login, register

# Shared fixtures (pytest finds them by these module-level names).
bank = fx.bank
hq = fx.hq
teller_hf = fx.teller_hf
teller_wh = fx.teller_wh
tools = fx.tools

pytestmark = pytest.mark.django_db


def _action_url(customer, action):
    return reverse("admin:counter_action", kwargs={"customer_id": customer.pk, "action": action})


def test_find_the_customer_and_register_at_the_counter(client, bank, teller_hf):
    zhang = bank["张伟"]
    otp_login(client, teller_hf)
    found = client.post(reverse("admin:counter_find"),
                        {"id_type": "01", "query": ident("张伟")["id_number"]})
    menu_url = reverse("admin:counter_menu", kwargs={"customer_id": zhang.pk})
    assert found.status_code == 302 and found["Location"] == menu_url
    menu = client.get(menu_url).content.decode()
    assert "网上银行注册" in menu and "未开通" in menu

    form = client.get(_action_url(zhang, "register"))
    assert form.status_code == 200 and "6226 **** **** 0013" in form.content.decode()
    posted = client.post(_action_url(zhang, "register"), {
        **ident("张伟"), "id_copy_received": "on", "medium": card_of("张伟").pk,
        "initial_password": PASSWORD, "initial_password_again": PASSWORD,
        "tool_kind": "token"})
    receipt = CounterReceipt.objects.get(customer=zhang)
    assert posted.status_code == 302
    assert posted["Location"] == reverse("admin:counter_receipt",
                                         kwargs={"number": receipt.number})

    result = client.get(posted["Location"])
    page = result.content.decode()
    assert receipt.number in page and "数字令牌密钥（仅显示一次）" in page
    assert reverse("admin:counter_receipt_pdf", kwargs={"number": receipt.number}) in page
    assert "no-store" in result["Cache-Control"]
    again = client.get(posted["Location"]).content.decode()
    assert "数字令牌密钥" not in again  # shown once

    pdf = client.get(reverse("admin:counter_receipt_pdf", kwargs={"number": receipt.number}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.post(reverse("admin:counter_receipt_pdf",
                               kwargs={"number": receipt.number})).status_code == 405

    user = User.objects.get(customer=zhang)
    assert user.username == card_of("张伟").number and user.must_change_password
    assert AuditEvent.objects.filter(action="counter_register", actor=teller_hf,
                                     outcome=AuditOutcome.SUCCESS).exists()


def test_a_refusal_keeps_the_form_and_is_audited(client, bank, teller_hf):
    zhang = bank["张伟"]
    otp_login(client, teller_hf)
    response = client.post(_action_url(zhang, "register"), {
        **ident("张伟", id_number="110105194912310021"), "id_copy_received": "on",
        "medium": card_of("张伟").pk, "initial_password": PASSWORD,
        "initial_password_again": PASSWORD, "tool_kind": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "证件类型或证件号码与客户信息不符" in page
    assert "110105194912310021" in page  # what was typed is kept …
    assert PASSWORD not in page  # … except passwords
    assert not User.objects.filter(customer=zhang).exists()
    failure = AuditEvent.objects.get(action="counter_register")
    assert (failure.outcome, failure.actor) == (AuditOutcome.FAILURE, teller_hf)


@pytest.mark.parametrize("action, extra", [
    ("query", {}), ("suspend", {}), ("login_unlock", None),
    ("password_reset", {"new_password": "New#pass-2026", "new_password_again": "New#pass-2026"}),
])
def test_each_counter_page_runs_its_service_with_an_audit_row(client, bank, teller_hf,
                                                              action, extra):
    register("张伟", teller_hf)
    if extra is None:  # login_unlock needs a locked login
        User.objects.filter(customer=bank["张伟"]).update(failed_logins=5,
                                                         login_locked_on=timezone.localdate())
        extra = {}
    otp_login(client, teller_hf)
    response = client.post(_action_url(bank["张伟"], action),
                           {**ident("张伟"), "id_copy_received": "on", **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.filter(action=f"counter_{action}", actor=teller_hf,
                                     outcome=AuditOutcome.SUCCESS).exists()


def test_the_menu_offers_what_the_state_allows(client, bank, teller_hf):
    register("张伟", teller_hf)
    User.objects.filter(customer=bank["张伟"]).update(status=UserStatus.SUSPENDED)
    otp_login(client, teller_hf)
    page = client.get(reverse("admin:counter_menu",
                              kwargs={"customer_id": bank["张伟"].pk})).content.decode()
    assert "恢复网上银行服务" in page and "网上银行注销" in page
    assert "安全认证工具申领绑定" not in page and "登录密码重置" not in page


def test_unknown_action_is_404(client, bank, teller_hf):
    otp_login(client, teller_hf)
    assert client.get(_action_url(bank["张伟"], "transfer")).status_code == 404


# --- STF-MSG ---------------------------------------------------------------------------------------


def test_messages_list_with_overdue_filter_and_reply(client, bank, teller_hf):
    user = register("张伟", teller_hf)
    today = timezone.localdate()
    late = CustomerMessage.objects.create(user=user, subject="转账未到账", content="请核查",
                                          due_date=today - datetime.timedelta(days=1))
    fresh = CustomerMessage.objects.create(user=user, subject="咨询理财", content="收益？",
                                           due_date=today + datetime.timedelta(days=2))
    otp_login(client, teller_hf)
    changelist = reverse("admin:security_customermessage_changelist")
    overdue = client.get(changelist, {"state": "overdue"}).content.decode()
    assert "转账未到账" in overdue and "咨询理财" not in overdue
    assert "逾期未回复" in client.get(changelist).content.decode()

    reply_url = reverse("admin:security_customermessage_reply", args=[late.pk])
    form = client.get(reply_url)
    assert form.status_code == 200 and "已逾期" in form.content.decode()
    empty = client.post(reply_url, {"reply": "  "})
    assert empty.status_code == 200
    done = client.post(reply_url, {"reply": "已为您核查，款项已到账。"})
    assert done.status_code == 302
    late.refresh_from_db()
    assert late.replied_by == teller_hf and late.replied_at is not None
    assert late.reply == "已为您核查，款项已到账。"
    assert "已回复留言" in client.get(changelist).content.decode()  # the success message, once
    assert "转账未到账" not in client.get(changelist, {"state": "overdue"}).content.decode()
    event = AuditEvent.objects.get(action="customer_message_reply")
    assert (event.actor, event.customer_id, event.detail["overdue"]) == (
        teller_hf, bank["张伟"].pk, True)
    again = client.post(reply_url, {"reply": "再次回复"})
    assert again.status_code == 200 and "该留言已于" in again.content.decode()
    late.refresh_from_db()
    assert late.reply == "已为您核查，款项已到账。"  # one reply; a second post changes nothing
    fresh.refresh_from_db()
    assert fresh.replied_at is None


def test_admin_writes_are_audited_too(client, bank, admin_user):
    """Head office edits through a plain ModelAdmin (a staff TOTP device's name) leave an
    AuditEvent."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    otp_login(client, admin_user)
    device = TOTPDevice.objects.get(user=admin_user)
    response = client.post(reverse("admin:security_staffotpdevice_change", args=[device.pk]),
                           {"name": "新名字"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert TOTPDevice.objects.get(pk=device.pk).name == "新名字"
    assert AuditEvent.objects.filter(action="admin_change", actor=admin_user,
                                     object_ref=f"security.staffotpdevice:{device.pk}").exists()
