"""The staff admin login (password + 动态口令): one message for either being wrong; five wrong in
a row lock the staff user until head office unlocks it (an audited admin action)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from security.identity.services import STAFF_LOCKED_MESSAGE, STAFF_LOGIN_FAILED_MESSAGE
from security.models import User
from security.staff.people import staff_unlock

from . import test_counter_fixtures as fx
from .test_counter_fixtures import STAFF_PASSWORD, otp_login

# Shared fixtures (pytest finds them by these module-level names).
bank = fx.bank
hq = fx.hq
teller_hf = fx.teller_hf
teller_wh = fx.teller_wh
tools = fx.tools

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 23, 2, 0, 0, tzinfo=dt.UTC)
LOGIN = "/admin/login/"


def _code(device, *, wrong: bool = False) -> str:
    return f"{(totp(device.bin_key) + (1 if wrong else 0)) % 10**6:06d}"


def _errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


@pytest.fixture
def device(teller_hf):
    return TOTPDevice.objects.create(user=teller_hf, name="t", confirmed=True)


def test_a_wrong_password_and_a_wrong_token_read_the_same(client, teller_hf, device):
    wrong_password = client.post(LOGIN, {"username": "teller_hf", "password": "nope",
                                         "otp_token": _code(device)})
    wrong_token = client.post(LOGIN, {"username": "teller_hf", "password": STAFF_PASSWORD,
                                      "otp_token": _code(device, wrong=True)})
    unknown = client.post(LOGIN, {"username": "nobody", "password": "nope",
                                  "otp_token": _code(device)})
    for response in (wrong_password, wrong_token, unknown):
        assert response.status_code == 200
        assert _errors(response) == [STAFF_LOGIN_FAILED_MESSAGE]
    # django-otp offers its device picker once the password was right: it must not, or the
    # page would tell which of the two was wrong.
    assert wrong_token.content.decode().count("口令设备") == wrong_password.content.decode() \
        .count("口令设备")


def test_five_wrong_lock_until_head_office_unlocks(client, teller_hf, hq, device):
    with time_machine.travel(T0, tick=False) as clock:
        for attempt in range(1, 6):
            bad = ({"password": "nope", "otp_token": _code(device)} if attempt % 2
                   else {"password": STAFF_PASSWORD, "otp_token": _code(device, wrong=True)})
            client.post(LOGIN, {"username": "teller_hf", **bad})
            assert User.objects.get(pk=teller_hf.pk).failed_logins == attempt
        locked = User.objects.get(pk=teller_hf.pk)
        assert locked.staff_locked_at is not None
        assert AuditEvent.objects.filter(action="staff_login_failed", actor=teller_hf).count() == 5
        # The next day changes nothing: only head office unlocks.
        clock.shift(dt.timedelta(days=1))
        right = client.post(LOGIN, {"username": "teller_hf", "password": STAFF_PASSWORD,
                                    "otp_token": _code(device)})
        assert right.status_code == 200 and _errors(right) == [STAFF_LOCKED_MESSAGE]
        assert client.get(reverse("admin:index")).status_code == 302

        head = Client()
        otp_login(head, hq)
        changelist = reverse("admin:security_staffmember_changelist")
        page = head.get(changelist)
        assert page.status_code == 200 and "解锁所选员工" in page.content.decode()
        assert "已锁定" in page.content.decode()
        done = head.post(changelist, {"action": "staff_unlock",
                                      "_selected_action": [teller_hf.pk]}, follow=True)
        assert "已解锁1名员工" in done.content.decode()
        unlocked = User.objects.get(pk=teller_hf.pk)
        assert unlocked.staff_locked_at is None and unlocked.failed_logins == 0
        event = AuditEvent.objects.get(action="staff_login_unlock")
        assert event.actor == hq and event.object_ref == f"user:{teller_hf.pk}"
        assert event.detail["failed_logins"] == 5

        clock.shift(dt.timedelta(seconds=60))  # a fresh 动态口令
        ok = client.post(LOGIN, {"username": "teller_hf", "password": STAFF_PASSWORD,
                                 "otp_token": _code(device)})
        assert ok.status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200


def test_a_right_login_clears_the_count(client, teller_hf, device):
    User.objects.filter(pk=teller_hf.pk).update(failed_logins=3)
    ok = client.post(LOGIN, {"username": "teller_hf", "password": STAFF_PASSWORD,
                             "otp_token": _code(device)})
    assert ok.status_code == 302
    assert User.objects.get(pk=teller_hf.pk).failed_logins == 0


def test_only_head_office_unlocks(client, teller_hf, teller_wh):
    User.objects.filter(pk=teller_wh.pk).update(failed_logins=5, staff_locked_at=T0)
    with pytest.raises(BusinessError):
        staff_unlock(staff=teller_wh, acting_user=teller_hf)
    otp_login(client, teller_hf)
    changelist = reverse("admin:security_staffmember_changelist")
    assert client.get(changelist).status_code == 403
    client.post(changelist, {"action": "staff_unlock", "_selected_action": [teller_wh.pk]})
    assert User.objects.get(pk=teller_wh.pk).staff_locked_at is not None
    assert not AuditEvent.objects.filter(action="staff_login_unlock").exists()


def test_the_admin_login_is_throttled_per_address(settings, teller_hf, device):
    settings.THROTTLE_LOGIN = "2/h"
    here = Client(REMOTE_ADDR="10.7.7.7")
    for _ in range(2):
        assert here.post(LOGIN, {"username": "teller_hf", "password": "nope"}).status_code == 200
    refused = here.post(LOGIN, {"username": "teller_hf", "password": STAFF_PASSWORD,
                                "otp_token": _code(device)})
    assert refused.status_code == 429 and "操作过于频繁" in refused.content.decode()
    assert User.objects.get(pk=teller_hf.pk).failed_logins == 2  # the form never ran
    assert here.get(LOGIN).status_code == 200
    there = Client(REMOTE_ADDR="10.8.8.8")
    assert there.post(LOGIN, {"username": "teller_hf", "password": STAFF_PASSWORD,
                              "otp_token": _code(device)}).status_code == 302


@pytest.mark.django_db
def test_a_failed_staff_login_behind_the_proxy_records_the_tellers_address(teller_hf, device,
                                                                          settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = Client(REMOTE_ADDR="127.0.0.1")
    client.post(LOGIN, {"username": "teller_hf", "password": "nope", "otp_token": _code(device)},
                HTTP_X_FORWARDED_FOR="10.20.30.40")
    event = AuditEvent.objects.get(action="staff_login_failed", actor=teller_hf)
    assert event.ip_address == "10.20.30.40"
