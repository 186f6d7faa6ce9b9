"""SEC-SESSION: the sliding 5-minute idle timeout, written at most every 30 seconds; the menu.

The session store's expiry is what ends a session; these tests read it from the database row
(security.UserSession), where time travel moves it as it moves the application's clock.
"""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ebank.core.menu import menu_build, menu_html
from security.identity.middleware import SESSION_REFRESHED_KEY, session_refresh_interval
from security.models import UserSession as Session

from .test_auth_helpers import bank, customer_user, login, session_key

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 23, 10, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def zhang():
    return customer_user(bank()[0], username="zhangwei")


@pytest.fixture
def logged_in(client, zhang, settings):
    """张伟 logged in at T0 with a 5-minute timeout refreshed at most every 30 s."""
    settings.SESSION_COOKIE_AGE, settings.SESSION_REFRESH_SECONDS = 300, 30
    with time_machine.travel(T0, tick=False):
        login(client, "zhangwei")
    return client


def _at(seconds: int):
    return time_machine.travel(T0 + dt.timedelta(seconds=seconds), tick=False)


def _expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=session_key(client)).expire_date


def _session_writes(queries) -> int:
    return sum(1 for q in queries if "security_usersession" in q["sql"]
               and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")))


def test_the_interval_is_thirty_seconds_and_never_more_than_a_tenth_of_the_timeout(settings):
    settings.SESSION_COOKIE_AGE, settings.SESSION_REFRESH_SECONDS = 300, 30
    assert session_refresh_interval() == 30
    settings.SESSION_COOKIE_AGE = 4
    assert session_refresh_interval() == 0


def test_a_click_soon_after_the_last_refresh_writes_nothing(logged_in, settings):
    client = logged_in
    expiry = _expiry(client)
    assert expiry == T0 + dt.timedelta(seconds=300)
    with _at(20):
        with CaptureQueriesContext(connection) as queries:
            answer = client.get("/")
        assert answer.status_code == 200
        assert _session_writes(queries.captured_queries) == 0
        assert settings.SESSION_COOKIE_NAME not in answer.cookies  # nothing to send again
    assert _expiry(client) == expiry


def test_a_click_thirty_seconds_on_moves_the_expiry_a_full_timeout(logged_in):
    client, later = logged_in, T0 + dt.timedelta(seconds=40)
    with _at(40):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        assert _session_writes(queries.captured_queries) == 1
    assert _expiry(client) == later + dt.timedelta(seconds=300)
    session = Session.objects.get(session_key=session_key(client)).get_decoded()
    assert session[SESSION_REFRESHED_KEY] == int(later.timestamp())


def test_the_warning_script_is_told_the_seconds_really_left(logged_in):
    with _at(20):
        html = logged_in.get("/").content.decode()
    assert 'data-session-timeout="280"' in html


def test_keepalive_moves_the_expiry_at_once(logged_in):
    with _at(5):
        answer = logged_in.post("/session/keepalive")
    assert answer.status_code == 200 and answer.json()["timeout"] == 300
    assert _expiry(logged_in) == T0 + dt.timedelta(seconds=5 + 300)


def test_idle_for_the_timeout_after_the_last_recorded_click_logs_out(client, zhang, settings):
    settings.SESSION_COOKIE_AGE, settings.SESSION_REFRESH_SECONDS = 300, 30
    with _at(0):
        login(client, "zhangwei")
    with _at(10):
        assert client.get("/").status_code == 200   # not recorded: within 30 s
    with _at(299):
        assert client.get("/").status_code == 200   # recorded: expiry now 299 + 300
    with _at(598):
        assert client.get("/").status_code == 200
    with _at(598 + 301):
        answer = client.get("/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login")


def test_a_request_without_a_session_creates_none(client):
    with CaptureQueriesContext(connection) as queries:
        client.get("/login")
    assert _session_writes(queries.captured_queries) == 0


def test_the_cached_menu_is_the_menu_rendered_afresh():
    from django.template.loader import render_to_string

    for path in ("/", "/accounts/overview", "/accounts/overview/12", "/transfers/intra",
                 "/nowhere"):
        fresh = render_to_string("_menu.html", {"site_menu": menu_build(path)})
        assert menu_html(path) == fresh
    assert 'href="/accounts/overview" class="active"' in menu_html("/accounts/overview")
    assert 'class="active"' not in menu_html("/nowhere")
