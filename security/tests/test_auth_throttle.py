"""Per-address throttles (django-ratelimit in the Django cache): login, online registration and
SMS sending. Beyond the rate an address is answered 429 in Chinese before the view runs;
another address is not affected. The rates are settings."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ebank.core.models import AuditEvent
from security.identity.throttles import THROTTLED_MESSAGE
from security.models import SmsMessage

from . import test_confirm_support as support
from .test_auth_helpers import bank as demo_bank
from .test_auth_helpers import customer_user, login
from .test_auth_register import identity

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 23, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai

# The confirmation tests' world (pytest finds the fixture by this name).
bank = support.bank


def _throttled(response) -> bool:
    if response.status_code != 429:
        return False
    html = response.content.decode()
    assert THROTTLED_MESSAGE in html and "操作过于频繁" in html
    return True


def test_the_cache_is_a_shared_one_where_redis_is_configured(settings):
    if settings.REDIS_URL:
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings.RATELIMIT_USE_CACHE == "default"
    assert settings.THROTTLE_LOGIN and settings.THROTTLE_REGISTER and settings.THROTTLE_SMS


def test_login_posts_per_address(settings):
    settings.THROTTLE_LOGIN = "3/h"
    customer_user(demo_bank()[0], username="zhangwei")
    here, there = Client(REMOTE_ADDR="10.1.1.1"), Client(REMOTE_ADDR="10.2.2.2")
    for _ in range(3):
        assert login(here, "nobody", "x").status_code == 200
    events = AuditEvent.objects.count()
    refused = login(here, "zhangwei")
    assert _throttled(refused)
    assert not here.session.get("_auth_user_id")
    assert AuditEvent.objects.count() == events  # the view never ran: nothing checked
    assert here.get("/login").status_code == 200  # only POSTs count
    assert login(there, "zhangwei").status_code == 302


def test_behind_the_proxy_each_customer_address_counts_apart(settings):
    # Every request reaches gunicorn from the proxy; the throttle keys on the address the
    # trusted proxy forwarded, not on the proxy's (one bucket for every customer).
    settings.THROTTLE_LOGIN = "3/h"
    settings.TRUSTED_PROXIES = ["172.30.0.10"]
    customer_user(demo_bank()[0], username="zhangwei")
    here = Client(REMOTE_ADDR="172.30.0.10", HTTP_X_FORWARDED_FOR="203.0.113.7")
    there = Client(REMOTE_ADDR="172.30.0.10", HTTP_X_FORWARDED_FOR="198.51.100.9")
    for _ in range(3):
        assert login(here, "nobody", "x").status_code == 200
    assert _throttled(login(here, "zhangwei"))
    assert login(there, "zhangwei").status_code == 302


def test_registration_posts_per_address(settings):
    settings.THROTTLE_REGISTER = "2/h"
    demo_bank()
    client = Client(REMOTE_ADDR="10.3.3.3")
    client.post("/register", {"agree": "on"})
    wrong = identity(name="王五")
    assert client.post("/register/identity", wrong).status_code == 200
    assert client.post("/register/identity", wrong).status_code == 200
    assert _throttled(client.post("/register/identity", identity()))
    assert SmsMessage.objects.count() == 0
    other = Client(REMOTE_ADDR="10.4.4.4")
    other.post("/register", {"agree": "on"})
    assert other.post("/register/identity", identity())["Location"] == "/register/sms"


@time_machine.travel(NOON, tick=False)
def test_sms_sending_per_address_on_the_registration_wizard(settings):
    settings.THROTTLE_SMS = "2/d"
    demo_bank()
    client = Client(REMOTE_ADDR="10.5.5.5")
    client.post("/register", {"agree": "on"})
    assert client.post("/register/identity", identity())["Location"] == "/register/sms"
    sent = SmsMessage.objects.count()
    with time_machine.travel(NOON + dt.timedelta(seconds=61), tick=False):
        # Past the tools' 60 seconds between two codes: the second send of this address.
        assert client.post("/register/sms", {"action": "resend"}).status_code == 302
        assert SmsMessage.objects.count() == sent + 1
    with time_machine.travel(NOON + dt.timedelta(seconds=122), tick=False):
        assert _throttled(client.post("/register/sms", {"action": "resend"}))
        assert SmsMessage.objects.count() == sent + 1
        # Typing the code is not sending one: the wizard goes on.
        assert client.post("/register/sms", {"code": "000000"}).status_code == 200


@time_machine.travel(NOON, tick=False)
def test_a_resend_too_soon_is_told_on_the_page_not_a_500(settings):
    demo_bank()
    client = Client()
    client.post("/register", {"agree": "on"})
    client.post("/register/identity", identity())
    response = client.post("/register/sms", {"action": "resend"}, follow=True)
    assert response.status_code == 200
    assert "验证码发送过于频繁" in response.content.decode()


def test_sms_sending_per_address_on_the_confirmation_page(settings, bank):
    settings.THROTTLE_SMS = "1/h"
    client = Client(REMOTE_ADDR="10.6.6.6")
    client.force_login(bank.zhang)
    operation = bank.start_move()
    url = reverse("security:confirm_sms", args=[operation.public_id])
    assert client.post(url).status_code == 302
    sent = SmsMessage.objects.count()
    assert _throttled(client.post(url))
    assert SmsMessage.objects.count() == sent


@pytest.mark.parametrize(("name", "data"), [
    ("security:mobile_sign", {"action": "send_code"}),
    ("security:profile_phone", {"action": "send_code", "new_phone": "13905510077"}),
])
def test_sms_sending_per_address_in_the_customer_service_pages(settings, bank, name, data):
    # 手机银行签约 and 个人资料变更 text codes too: the same count per address.
    settings.THROTTLE_SMS = "1/h"
    client = Client(REMOTE_ADDR="10.7.7.7")
    client.force_login(bank.zhang)
    assert client.post(reverse(name), data).status_code in (200, 302)
    sent = SmsMessage.objects.count()
    assert sent >= 1
    assert _throttled(client.post(reverse(name), data))
    assert SmsMessage.objects.count() == sent
