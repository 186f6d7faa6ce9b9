"""员工管理 and 员工动态口令 in the admin: head office only (403 for everyone else, on every URL,
GET or crafted POST), the 动态口令 QR page shown once and no-store, enrolment, lock and unlock
through the real login form, no English device names anywhere."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ebank.core.models import AuditEvent
from security.identity.services import STAFF_LOCKED_MESSAGE
from security.models import User

from . import test_counter_fixtures as fx
from .test_counter_fixtures import STAFF_PASSWORD, otp_login

bank = fx.bank
hq = fx.hq
teller_hf = fx.teller_hf
supervisor_hf = fx.supervisor_hf
teller_wh = fx.teller_wh
tools = fx.tools

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Counter#2026-new"
T0 = dt.datetime(2026, 11, 23, 2, 0, 0, tzinfo=dt.UTC)
LOGIN = "/admin/login/"
ENGLISH_DEVICE_NAMES = re.compile(r"otp_totp|totp device|TOTP|OTP_TOTP|Otp_Totp", re.IGNORECASE)


def _people_urls(member: User, device: TOTPDevice) -> list[str]:
    return [
        reverse("admin:security_staffmember_changelist"),
        reverse("admin:security_staffmember_add"),
        reverse("admin:security_staffmember_change", args=[member.pk]),
        reverse("admin:security_staffmember_otp", args=[member.pk]),
        reverse("admin:security_staffmember_otp_enrol", args=[member.pk]),
        reverse("admin:security_staffmember_password", args=[member.pk]),
        *[reverse("admin:security_staffmember_status", args=[member.pk, op])
          for op in ("lock", "unlock", "deactivate", "activate")],
        reverse("admin:security_staffotpdevice_changelist"),
        reverse("admin:security_staffotpdevice_change", args=[device.pk]),
    ]


@pytest.fixture
def head(client, hq):
    otp_login(client, hq)
    return client


@pytest.mark.parametrize("persona", ["teller_hf", "supervisor_hf", "odd_admin"])
def test_everyone_but_head_office_gets_403_on_every_url(request, bank, teller_wh, persona):
    if persona == "odd_admin":  # the head-office role at a branch is not head office
        user = fx.make_staff("odd_admin", "340101", role=fx.Role.HEAD_OFFICE)
    else:
        user = request.getfixturevalue(persona)
    device = TOTPDevice.objects.create(user=teller_wh, name="t", confirmed=True)
    client = Client()
    otp_login(client, user)
    index = client.get(reverse("admin:index")).content.decode()
    assert "员工管理" not in index and "员工动态口令" not in index
    for url in _people_urls(teller_wh, device):
        assert client.get(url).status_code == 403, url
        crafted = {"username": "intruder", "name": "入侵", "branch": "1", "role": "head_office",
                   "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "token": "123456",
                   "name_": "x", "action": "staff_unlock", "_selected_action": [teller_wh.pk]}
        assert client.post(url, crafted).status_code == 403, url
    teller_wh.refresh_from_db()
    assert teller_wh.staff_locked_at is None and teller_wh.is_active
    assert teller_wh.check_password(STAFF_PASSWORD)
    assert not User.objects.filter(username="intruder").exists()
    assert list(TOTPDevice.objects.filter(user=teller_wh)) == [device]
    assert not AuditEvent.objects.filter(action__startswith="staff_").exists()


def test_head_office_sees_staff_in_chinese_and_no_english_device_names(head, hq, teller_hf,
                                                                       teller_wh, tools):
    fx.register("张伟", teller_hf)
    TOTPDevice.objects.create(user=teller_hf, name="柜面管理动态口令", confirmed=True)
    User.objects.filter(pk=hq.pk).update(staff_locked_at=T0)  # a row reading 已锁定
    index = head.get(reverse("admin:index")).content.decode()
    assert "员工管理" in index and "员工动态口令" in index and "网银用户" in index
    assert not ENGLISH_DEVICE_NAMES.search(index)

    staff_list = head.get(reverse("admin:security_staffmember_changelist")).content.decode()
    for text in ("teller_hf", "陈静", "340101", "柜员", "总行管理员", "已绑定", "未绑定",
                 "已锁定", "正常", "最近登录", "动态口令"):
        assert text in staff_list, text
    customer_login = User.objects.get(customer__name="张伟").username

    staff_list = staff_list.split('id="result_list"')[1]
    assert "hq_staff" in staff_list and customer_login not in staff_list
    users = head.get(reverse("admin:security_user_changelist")).content.decode()
    users = users.split('id="result_list"')[1]
    assert "张伟" in users and "teller_hf" not in users and "hq_staff" not in users

    devices = head.get(reverse("admin:security_staffotpdevice_changelist"))
    page = devices.content.decode()
    for text in ("员工", "名称", "已确认", "最近使用", "teller_hf"):
        assert text in page, text
    assert not ENGLISH_DEVICE_NAMES.search(page)
    device = TOTPDevice.objects.get(user=teller_hf)
    detail = head.get(reverse("admin:security_staffotpdevice_change", args=[device.pk]))
    assert detail.status_code == 200
    for shown in (devices, detail):
        assert device.key not in shown.content.decode()
        assert not ENGLISH_DEVICE_NAMES.search(shown.content.decode())
    # django-otp's own English admin is gone.
    assert head.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_filters_and_search(head, teller_hf, teller_wh, supervisor_hf):
    url = reverse("admin:security_staffmember_changelist")
    supervisors = head.get(url, {"role": "supervisor"}).content.decode()
    assert "super_hf" in supervisors and "teller_wh" not in supervisors
    found = head.get(url, {"q": "陈静"}).content.decode()
    assert "teller_hf" in found and "teller_wh" not in found


def test_head_office_adds_a_member_with_typed_values_kept_on_error(head):
    url = reverse("admin:security_staffmember_add")
    from accounts.models import Branch

    branch = Branch.objects.get(code="340201")
    form = {"username": "teller_new", "name": "赵丽", "branch": branch.pk, "role": "teller",
            "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    mismatch = head.post(url, form)
    assert mismatch.status_code == 200 and "两次输入的密码不一致" in mismatch.content.decode()
    assert 'value="teller_new"' in mismatch.content.decode()
    placed = head.post(url, {**form, "password2": NEW_PASSWORD, "role": "head_office"})
    assert "总行管理员只能设在总行" in placed.content.decode()
    done = head.post(url, {**form, "password2": NEW_PASSWORD})
    member = User.objects.get(username="teller_new")
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:security_staffmember_change", args=[member.pk])
    assert member.branch == branch and member.is_staff


def test_the_qr_page_shows_the_secret_once_and_enrolment_needs_the_right_code(
        head, teller_hf, client):
    old = TOTPDevice.objects.create(user=teller_hf, name="旧", confirmed=True)
    otp_url = reverse("admin:security_staffmember_otp", args=[teller_hf.pk])
    enrol_url = reverse("admin:security_staffmember_otp_enrol", args=[teller_hf.pk])
    with time_machine.travel(T0, tick=False) as clock:
        asked = head.get(otp_url)
        assert asked.status_code == 200
        assert not TOTPDevice.objects.filter(user=teller_hf, confirmed=False).exists()

        issued = head.post(otp_url)
        assert issued.status_code == 200
        assert "no-store" in issued["Cache-Control"]
        device = TOTPDevice.objects.get(user=teller_hf, confirmed=False)
        secret = device.config_url.split("secret=")[1].split("&")[0]
        page = issued.content.decode()
        assert secret in page and 'src="data:image/png;base64,' in page
        assert page.count(secret) == 1

        for again in (head.get(otp_url), head.get(enrol_url),
                      head.get(reverse("admin:security_staffmember_change",
                                       args=[teller_hf.pk])),
                      head.get(reverse("admin:security_staffotpdevice_changelist"))):
            assert secret not in again.content.decode()

        wrong = head.post(enrol_url, {"token": f"{(totp(device.bin_key) + 1) % 10**6:06d}"})
        assert wrong.status_code == 200 and "动态口令错误" in wrong.content.decode()
        assert secret not in wrong.content.decode()
        assert not TOTPDevice.objects.get(pk=device.pk).confirmed
        assert TOTPDevice.objects.filter(pk=old.pk).exists()

        clock.shift(dt.timedelta(seconds=30))
        right = head.post(enrol_url, {"token": f"{totp(device.bin_key):06d}"})
        assert right.status_code == 302
        assert list(TOTPDevice.objects.filter(user=teller_hf)) == [
            TOTPDevice.objects.get(pk=device.pk, confirmed=True)]

        clock.shift(dt.timedelta(seconds=30))
        teller = Client()
        login = teller.post(LOGIN, {"username": "teller_hf", "password": STAFF_PASSWORD,
                                    "otp_token": f"{totp(device.bin_key):06d}"})
        assert login.status_code == 302


def test_get_never_changes_state_and_a_post_needs_csrf(hq, teller_hf):
    lock_url = reverse("admin:security_staffmember_status", args=[teller_hf.pk, "lock"])
    strict = Client(enforce_csrf_checks=True)
    otp_login(strict, hq)
    page = strict.get(lock_url)
    assert page.status_code == 200 and "确认锁定" in page.content.decode()
    assert strict.get(reverse("admin:security_staffmember_otp", args=[teller_hf.pk])) \
        .status_code == 200
    assert strict.post(lock_url).status_code == 403  # no CSRF token
    assert not TOTPDevice.objects.filter(user=teller_hf).exists()
    assert User.objects.get(pk=teller_hf.pk).staff_locked_at is None


def test_a_locked_member_cannot_log_in_and_unlocking_lets_them(head, teller_hf):
    device = TOTPDevice.objects.create(user=teller_hf, name="t", confirmed=True)
    teller = Client()
    with time_machine.travel(T0, tick=False) as clock:
        assert teller.post(LOGIN, {"username": "teller_hf", "password": STAFF_PASSWORD,
                                   "otp_token": f"{totp(device.bin_key):06d}"}).status_code == 302
        assert teller.get(reverse("admin:index")).status_code == 200

        locked = head.post(reverse("admin:security_staffmember_status",
                                   args=[teller_hf.pk, "lock"]))
        assert locked.status_code == 302
        assert teller.get(reverse("admin:index")).status_code == 302  # the session ended
        clock.shift(dt.timedelta(seconds=30))
        refused = teller.post(LOGIN, {"username": "teller_hf", "password": STAFF_PASSWORD,
                                      "otp_token": f"{totp(device.bin_key):06d}"})
        assert refused.status_code == 200
        assert list(refused.context["form"].non_field_errors()) == [STAFF_LOCKED_MESSAGE]

        detail = head.get(reverse("admin:security_staffmember_change", args=[teller_hf.pk]))
        assert "解锁" in detail.content.decode()
        head.post(reverse("admin:security_staffmember_status", args=[teller_hf.pk, "unlock"]))
        clock.shift(dt.timedelta(seconds=30))
        again = teller.post(LOGIN, {"username": "teller_hf", "password": STAFF_PASSWORD,
                                    "otp_token": f"{totp(device.bin_key):06d}"})
        assert again.status_code == 302


def test_locking_yourself_is_refused_on_the_page(head, hq):
    refused = head.post(reverse("admin:security_staffmember_status", args=[hq.pk, "lock"]))
    assert refused.status_code == 200 and "不能对本人" in refused.content.decode()
    assert User.objects.get(pk=hq.pk).staff_locked_at is None


def test_a_customer_is_no_member_of_staff_404(head, teller_hf, tools):
    customer = fx.register("张伟", teller_hf)
    assert head.post(reverse("admin:security_staffmember_status",
                             args=[customer.pk, "lock"])).status_code == 404


def test_password_reset_page(head, teller_hf):
    url = reverse("admin:security_staffmember_password", args=[teller_hf.pk])
    mismatch = head.post(url, {"password1": NEW_PASSWORD, "password2": "other"})
    assert "两次输入的密码不一致" in mismatch.content.decode()
    weak = head.post(url, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200 and "errornote" in weak.content.decode()
    assert User.objects.get(pk=teller_hf.pk).check_password(STAFF_PASSWORD)
    done = head.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert User.objects.get(pk=teller_hf.pk).check_password(NEW_PASSWORD)
