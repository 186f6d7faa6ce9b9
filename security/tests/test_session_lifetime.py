"""The absolute session lifetime beside the idle timeout, and the no-store header.

* A session logged in more than SESSION_ABSOLUTE_SECONDS ago (12 hours by default) ends however
  active it was; the login time rides in the session data, so checking it costs no query.
* Every authenticated answer — customer pages, the Excel export, the staff admin and its PDF —
  carries ``Cache-Control: no-store``.
"""

import datetime as dt

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.identity.middleware import SESSION_LIFETIME_MESSAGE, SESSION_STARTED_KEY
from security.models import CounterReceipt

from . import test_counter_fixtures as fx
from .test_auth_helpers import bank as demo_bank
from .test_auth_helpers import customer_user, login

# Shared fixtures of the counter tests (pytest finds them by these module-level names).
bank = fx.bank
teller_hf = fx.teller_hf
tools = fx.tools

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 23, 1, 0, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai


def test_the_default_lifetime_is_twelve_hours():
    assert django_settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


@pytest.fixture
def active_all_day(client, settings):
    """张伟 logged in at T0; the idle timeout set out of the way (a day), so only the absolute
    lifetime can end the session."""
    settings.SESSION_COOKIE_AGE = 24 * 3600
    with time_machine.travel(T0, tick=False) as clock:
        customer_user(demo_bank()[0], username="zhangwei")
        login(client, "zhangwei")
        yield client, clock


def test_a_session_ends_twelve_hours_after_login_however_active(active_all_day):
    client, clock = active_all_day
    assert client.session[SESSION_STARTED_KEY] == int(T0.timestamp())
    for _hour in range(11):
        clock.shift(dt.timedelta(hours=1))
        assert client.get("/").status_code == 200
    clock.shift(dt.timedelta(minutes=59, seconds=59))  # 11:59:59 after login
    assert client.get("/").status_code == 200
    clock.shift(dt.timedelta(seconds=1))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login")
    assert SESSION_LIFETIME_MESSAGE in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_the_lifetime_is_a_setting(active_all_day, settings):
    client, clock = active_all_day
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    clock.shift(dt.timedelta(minutes=59))
    assert client.get("/").status_code == 200
    clock.shift(dt.timedelta(minutes=1))
    assert client.get("/").status_code == 302


def test_a_new_login_starts_a_new_lifetime(active_all_day):
    client, clock = active_all_day
    clock.shift(dt.timedelta(hours=11))
    login(client, "zhangwei")
    clock.shift(dt.timedelta(hours=2))
    assert client.get("/").status_code == 200


def test_checking_the_lifetime_costs_no_query(active_all_day, settings):
    client, _clock = active_all_day
    client.get("/")
    with CaptureQueriesContext(connection) as with_rule:
        client.get("/")
    settings.SESSION_ABSOLUTE_SECONDS = 10 ** 9
    with CaptureQueriesContext(connection) as far_limit:
        client.get("/")
    assert len(with_rule) == len(far_limit)
    assert not [q for q in with_rule if "_login_started" in q["sql"]]


def test_a_session_without_a_start_gets_one_at_its_next_request(client):
    with time_machine.travel(T0, tick=False):
        user = customer_user(demo_bank()[0], username="zhangwei")
        client.force_login(user)
        session = client.session
        session.pop(SESSION_STARTED_KEY, None)
        session.save()
        assert client.get("/").status_code == 200
        assert client.session[SESSION_STARTED_KEY] == int(T0.timestamp())


# --- Cache-Control: no-store ----------------------------------------------------------------------


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_customer_pages_and_the_excel_export_are_not_stored(client):
    with time_machine.travel(T0, tick=False):
        customer_user(demo_bank()[0], username="zhangwei")
        login(client, "zhangwei")
        for path in ("/", "/accounts/overview", "/accounts/history", "/service/login-settings",
                     "/security/password"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert _no_store(response), path
        choices = client.get("/accounts/history").context["form"].fields["account"].choices
        account = next(value for value, _label in choices if value not in ("", None))
        export = client.get(reverse("accounts:history_export"), {
            "account": account, "start": "2026-11-01", "end": "2026-11-23"})
        assert export.status_code == 200
        assert "spreadsheetml" in export["Content-Type"] and _no_store(export)
        # A redirect of a logged-in request is an authenticated answer too.
        assert _no_store(client.get("/login"))


def test_anonymous_static_like_answers_are_left_alone():
    response = Client().get("/branches")
    assert not _no_store(response)


def test_the_staff_admin_and_its_pdf_are_not_stored(bank, teller_hf):
    fx.register("张伟", teller_hf)
    receipt = CounterReceipt.objects.get()
    client = Client()
    device = TOTPDevice.objects.create(user=teller_hf, name="test", confirmed=True)
    client.force_login(teller_hf)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    index = client.get("/admin/")
    assert index.status_code == 200 and _no_store(index)
    pdf = client.get(reverse("admin:counter_receipt_pdf", args=[receipt.number]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert _no_store(pdf)
