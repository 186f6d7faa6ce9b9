"""The staff admin: OTP required, branch scoping everywhere, the ledger read-only, limits scoped."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ebank.core.models import AuditEvent
from ebank.ledger.models import Entry, LedgerAccount
from ebank.limits.models import LimitLevel, LimitPolicy
from security.models import CounterReceipt, CustomerMessage, SecurityTool, ToolKind, User
from security.staff.roles import Role

from . import test_counter_fixtures as fx
from .test_counter_fixtures import STAFF_PASSWORD, card_of, ident, make_staff, otp_login, register

# Shared fixtures (pytest finds them by these module-level names).
bank = fx.bank
hq = fx.hq
teller_hf = fx.teller_hf
teller_wh = fx.teller_wh
tools = fx.tools

pytestmark = pytest.mark.django_db


# --- OTP --------------------------------------------------------------------------------------------


def test_the_admin_needs_a_verified_otp_device(client, teller_hf):
    index = reverse("admin:index")
    client.force_login(teller_hf)  # password only
    assert client.get(index).status_code == 302
    TOTPDevice.objects.create(user=teller_hf, name="t", confirmed=True)
    assert client.get(index).status_code == 302  # a device is not a verified session
    assert client.get(reverse("admin:counter_find")).status_code == 302


def test_login_with_password_and_totp(client, teller_hf):
    device = TOTPDevice.objects.create(user=teller_hf, name="t", confirmed=True)
    login = reverse("admin:login")
    page = client.get(login)
    assert "动态口令" in page.content.decode()
    wrong = client.post(login, {"username": "teller_hf", "password": STAFF_PASSWORD,
                                "otp_token": f"{(totp(device.bin_key) + 1) % 10**6:06d}"})
    assert wrong.status_code == 200 and "动态口令错误" in wrong.content.decode()
    assert STAFF_PASSWORD not in wrong.content.decode()  # the typed password is not echoed
    # One device: no need to pick it.
    ok = client.post(login, {"username": "teller_hf", "password": STAFF_PASSWORD,
                             "otp_token": f"{totp(device.bin_key):06d}"})
    assert ok.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_customer_never_reaches_the_admin(client, teller_hf):
    customer_user = register("张伟", teller_hf)
    otp_login(client, customer_user)
    assert client.get(reverse("admin:index")).status_code == 302


# --- branch scoping ----------------------------------------------------------------------------------


@pytest.fixture
def everyone_registered(bank, teller_hf, hq, tools):
    """Every demo customer registered with a token, a slip, a message and an SMS subscription."""
    for name in ("张伟", "李娜", "王芳", "刘洋"):
        user = register(name, hq, tool_kind=ToolKind.TOKEN)
        CustomerMessage.objects.create(user=user, subject=f"{name}的留言", content="请问",
                                       due_date="2026-01-05")
    return bank


SCOPED_CHANGELISTS = [
    "admin:accounts_customer_changelist", "admin:accounts_medium_changelist",
    "admin:accounts_subaccount_changelist", "admin:accounts_linkedmedium_changelist",
    "admin:security_user_changelist", "admin:security_securitytool_changelist",
    "admin:security_toolregisterentry_changelist", "admin:security_counterreceipt_changelist",
    "admin:security_customermessage_changelist", "admin:security_pendingoperation_changelist",
    "admin:security_smsmessage_changelist", "admin:security_smssubscription_changelist",
    "admin:security_mobilebankingagreement_changelist", "admin:core_auditevent_changelist",
]


@pytest.mark.parametrize("url_name", SCOPED_CHANGELISTS)
def test_a_branch_teller_sees_only_the_branch_in_every_list(client, everyone_registered,
                                                            teller_hf, url_name):
    otp_login(client, teller_hf)
    response = client.get(reverse(url_name))
    assert response.status_code == 200, url_name
    page = response.content.decode()
    for outsider in ("王芳", "刘洋", "3402010001", "3400000001"):
        assert outsider not in page, (url_name, outsider)
    # Searching for another branch's customer finds nothing either.
    searched = client.get(reverse(url_name), {"q": "王芳"}).content.decode()
    assert "王芳" not in searched.replace('value="王芳"', "")


def test_head_office_sees_every_branch(client, everyone_registered, hq):
    otp_login(client, hq)
    page = client.get(reverse("admin:accounts_customer_changelist")).content.decode()
    for name in ("张伟", "李娜", "王芳", "刘洋"):
        assert name in page
    assert "王芳" in client.get(reverse("admin:security_securitytool_changelist"),
                               {"q": "王芳"}).content.decode()


def test_another_branchs_objects_are_out_of_reach(client, everyone_registered, teller_hf):
    wang = everyone_registered["王芳"]
    wang_user = User.objects.get(customer=wang)
    tool = SecurityTool.objects.get(user=wang_user)
    receipt = CounterReceipt.objects.filter(customer=wang).first()
    otp_login(client, teller_hf)
    for url in (reverse("admin:accounts_customer_change", args=[wang.pk]),
                reverse("admin:security_user_change", args=[wang_user.pk]),
                reverse("admin:security_securitytool_change", args=[tool.pk]),
                reverse("admin:accounts_medium_change", args=[card_of("王芳").pk])):
        response = client.get(url)
        assert response.status_code == 302 and "王芳" not in response.content.decode(), url
    for url in (reverse("admin:counter_menu", kwargs={"customer_id": wang.pk}),
                reverse("admin:counter_action", kwargs={"customer_id": wang.pk,
                                                        "action": "query"}),
                reverse("admin:counter_receipt", kwargs={"number": receipt.number}),
                reverse("admin:counter_receipt_pdf", kwargs={"number": receipt.number})):
        assert client.get(url).status_code == 404, url
    posted = client.post(reverse("admin:counter_action",
                                 kwargs={"customer_id": wang.pk, "action": "suspend"}),
                         ident("王芳"))
    assert posted.status_code == 404
    wang_user.refresh_from_db()
    assert wang_user.status == "active"
    message = CustomerMessage.objects.get(user=wang_user)
    reply = client.post(reverse("admin:security_customermessage_reply", args=[message.pk]),
                        {"reply": "您好"})
    assert reply.status_code == 302
    message.refresh_from_db()
    assert message.replied_at is None
    # The counter's customer search does not find another branch's customer.
    found = client.post(reverse("admin:counter_find"),
                        {"id_type": "01", "query": ident("王芳")["id_number"]})
    assert found.status_code == 200 and "未找到符合条件的客户" in found.content.decode()


def test_id_numbers_are_shown_masked_only(client, everyone_registered, teller_hf):
    otp_login(client, teller_hf)
    zhang = everyone_registered["张伟"]
    for url in (reverse("admin:accounts_customer_changelist"),
                reverse("admin:accounts_customer_change", args=[zhang.pk]),
                reverse("admin:counter_menu", kwargs={"customer_id": zhang.pk})):
        page = client.get(url).content.decode()
        assert ident("张伟")["id_number"] not in page
        assert zhang.id_number_masked in page
        assert zhang.id_number_encrypted not in page


# --- the ledger and limits ---------------------------------------------------------------------------


def test_the_ledger_admin_is_read_only(admin_user, client, bank):
    otp_login(client, admin_user)
    account = LedgerAccount.objects.first()
    assert client.get(reverse("admin:ledger_ledgeraccount_changelist")).status_code == 200
    assert client.get(reverse("admin:ledger_ledgeraccount_add")).status_code == 403
    assert client.get(reverse("admin:ledger_entry_add")).status_code == 403
    before = account.balance
    client.post(reverse("admin:ledger_ledgeraccount_change", args=[account.pk]),
                {"balance": "1.00", "code": account.code, "name": account.name})
    client.post(reverse("admin:ledger_ledgeraccount_delete", args=[account.pk]), {"post": "yes"})
    account.refresh_from_db()
    assert account.balance == before
    entry = Entry.objects.first()
    assert client.post(reverse("admin:ledger_entry_delete", args=[entry.pk]),
                       {"post": "yes"}).status_code == 403


def test_a_branch_teller_does_not_see_the_ledger(client, bank, teller_hf):
    otp_login(client, teller_hf)
    assert client.get(reverse("admin:ledger_ledgeraccount_changelist")).status_code == 403


def test_branch_limits_are_scoped_to_the_branch(client, bank, teller_wh, teller_hf, hq):
    bank_row = LimitPolicy.objects.get(level=LimitLevel.BANK)
    wuhu = LimitPolicy.objects.get(level=LimitLevel.BRANCH, scope="340201")
    change = {"single_limit": "400000.00", "daily_limit": "1500000.00"}

    # A teller reads the branch's limits and cannot change them (柜员: no limit permission).
    otp_login(client, teller_wh)
    assert "340201" in client.get(reverse("admin:limits_limitpolicy_changelist")).content.decode()
    assert client.post(reverse("admin:limits_limitpolicy_change", args=[wuhu.pk]),
                       change).status_code == 403
    client.logout()

    supervisor_wh = make_staff("super_wh", "340201", role=Role.SUPERVISOR)
    otp_login(client, supervisor_wh)
    listing = client.get(reverse("admin:limits_limitpolicy_changelist")).content.decode()
    assert "340201" in listing
    # The bank-wide limit is visible to a branch, never changeable by it.
    assert client.post(reverse("admin:limits_limitpolicy_change", args=[bank_row.pk]),
                       change).status_code == 403
    # A branch's own limits change through 复核 (security/tests/test_approvals.py): filed here.
    assert client.post(reverse("admin:limits_limitpolicy_change", args=[wuhu.pk]),
                       change).status_code == 302
    wuhu.refresh_from_db()
    assert wuhu.single_limit == Decimal("500000.00")
    assert AuditEvent.objects.filter(action="approval.requested", actor=supervisor_wh).exists()
    other = client.post(reverse("admin:limits_limitpolicy_add"), {
        "level": LimitLevel.BRANCH, "scope": "340101", "channel": "transfer", **change})
    assert other.status_code == 200 and "只能设置本行社" in other.content.decode()
    bank_add = client.post(reverse("admin:limits_limitpolicy_add"), {
        "level": LimitLevel.BANK, "scope": "", "channel": "transfer", **change})
    assert bank_add.status_code == 200
    assert not LimitPolicy.objects.filter(level=LimitLevel.BRANCH, scope="340101").exists()

    client.logout()
    otp_login(client, teller_hf)
    assert "340201" not in client.get(
        reverse("admin:limits_limitpolicy_changelist")).content.decode()
    assert client.get(reverse("admin:limits_limitpolicy_change",
                              args=[wuhu.pk])).status_code == 302

    client.logout()
    otp_login(client, hq)
    assert client.post(reverse("admin:limits_limitpolicy_change", args=[bank_row.pk]), {
        "single_limit": "900000.00", "daily_limit": "5000000.00"}).status_code == 302
    bank_row.refresh_from_db()
    assert bank_row.single_limit == Decimal("900000.00")


def test_the_audit_log_reads_in_chinese(client, hq):
    """审计日志 shows each action and channel by its Chinese name (ebank.core.audit), in the
    list and in its 操作 filter; the code is still what search and the filter match."""
    from ebank.core.audit import audit_record

    audit_record(action="login", channel="web", ip_address="10.1.2.3")
    audit_record(action="confirm.executed", detail={"kind": "transfers.intra"})
    audit_record(action="counter_login_unlock", channel="counter")
    otp_login(client, hq)
    url = reverse("admin:core_auditevent_changelist")
    page = client.get(url).content.decode()
    for label in ("登录", "交易确认：行内转账", "登录解锁（柜面）", "网上银行", "柜面"):
        assert label in page, label
    assert ">login<" not in page and ">confirm.executed<" not in page
    only_logins = client.get(url, {"action_code": "login"}).content.decode()
    assert "交易确认：行内转账" not in only_logins and "10.1.2.3" in only_logins
