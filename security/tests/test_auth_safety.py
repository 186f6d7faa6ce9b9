"""What must never happen on the auth pages: a 500, a write from a GET, a POST without CSRF,
a user created or a count changed by random input."""

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import LinkedMedium, Medium
from ebank.core.models import AuditEvent
from security.models import SmsCode, SmsMessage, User
from security.models import UserSession as Session

from .test_auth_helpers import PASSWORD, bank, customer_user, login

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
text = st.text(max_size=40)


@pytest.fixture
def zhang():
    customers = bank()
    return customer_user(customers[0], username="zhangwei")


def snapshot():
    return {
        "users": list(User.objects.order_by("pk").values_list(
            "pk", "username", "password", "failed_logins", "login_locked_on", "status",
            "live_session_key", "pending_username", "must_change_password")),
        "links": LinkedMedium.objects.count(),
        "media": list(Medium.objects.order_by("pk").values_list("pk", "pin_failures",
                                                               "pin_locked_on")),
        "audit": AuditEvent.objects.count(),
        "sms": (SmsCode.objects.count(), SmsMessage.objects.count()),
    }


@FUZZ
@given(login_name=text, password=text, captcha=st.one_of(text, st.just("PASSED")))
def test_random_login_input_never_breaks_and_only_counts_for_existing_users(zhang, login_name,
                                                                              password, captcha):
    cache.clear()  # each example starts with no per-address or per-name count
    users_before = User.objects.count()
    client = Client()
    response = client.post("/login", {"login_name": login_name, "password": password,
                                      "captcha_0": "k", "captcha_1": captcha})
    assert response.status_code in (200, 302)
    assert User.objects.count() == users_before
    zhang_row = User.objects.get(pk=zhang.pk)
    if login_name.strip() != "zhangwei" or password == PASSWORD:
        assert zhang_row.failed_logins == 0
    User.objects.filter(pk=zhang.pk).update(failed_logins=0, login_locked_on=None)


@FUZZ
@given(fields=st.fixed_dictionaries({
    "number": text, "pin": text, "name": text, "id_type": text, "id_number": text,
    "captcha_1": st.one_of(text, st.just("PASSED")),
}))
def test_random_registration_input_never_breaks_and_creates_nothing(zhang, fields):
    cache.clear()
    before = snapshot()
    client = Client()
    client.post("/register", {"agree": "on"})
    response = client.post("/register/identity", {**fields, "captcha_0": "k"})
    assert response.status_code == 200
    after = snapshot()
    assert after["users"] == before["users"] and after["links"] == before["links"]
    assert after["sms"] == before["sms"]


@FUZZ
@given(username=text, password=text, confirm=text, code=text)
def test_random_input_on_later_steps_never_breaks(zhang, username, password, confirm, code):
    cache.clear()
    client = Client()
    session = client.session
    session["register_online"] = {"nonce": "n" * 32, "agreed": True,
                                  "customer_id": zhang.customer_id,
                                  "medium_id": zhang.customer.media.first().pk}
    session.save()
    users = User.objects.count()
    assert client.post("/register/sms", {"code": code}).status_code in (200, 302)
    session = client.session
    session["register_online"] = {**session["register_online"], "sms_ok": True}
    session.save()
    response = client.post("/register/login", {"username": username, "password": password,
                                               "confirm_password": confirm})
    assert response.status_code in (200, 302)
    assert User.objects.count() == users


@pytest.mark.parametrize("path", ["/login", "/logout", "/session/keepalive", "/register",
                                  "/register/cancel", "/password/change", "/security/password"])
def test_posts_without_a_csrf_token_are_refused(zhang, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(zhang)
    before = snapshot()
    response = client.post(path, {"login_name": "zhangwei", "password": PASSWORD,
                                  "agree": "on"})
    assert response.status_code == 403
    assert snapshot() == before


def test_anonymous_login_post_without_token_is_refused(zhang):
    response = Client(enforce_csrf_checks=True).post("/login", {"login_name": "zhangwei",
                                                               "password": PASSWORD})
    assert response.status_code == 403


AUTH_PAGES = ["/", "/login", "/login?timeout=1", "/register", "/register/identity",
              "/register/sms", "/register/login", "/register/review", "/register/done",
              "/password/change", "/security/password", "/logout", "/session/keepalive",
              "/register/cancel"]


def test_get_changes_nothing_for_anyone(zhang):
    anonymous = Client()
    customer = Client()
    login(customer, "zhangwei")
    midway = Client()
    midway.post("/register", {"agree": "on"})
    before = snapshot()
    sessions = Session.objects.count()
    for client in (anonymous, customer, midway):
        for path in AUTH_PAGES:
            response = client.get(path)
            assert response.status_code in (200, 302, 405), (path, response.status_code)
    assert snapshot() == before
    assert Session.objects.count() == sessions
    assert customer.get("/").status_code == 200  # still logged in
