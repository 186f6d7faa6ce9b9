"""The login lock and the forms inside a session that ask the 登录密码 (issue 11 §3).

Every such form — 登录设置管理, 个人资料变更 (手机号码 and 其他信息), 密码管理 — counts a wrong
password toward the same lock as login: the refusal says how many tries are left, the fifth
locks login until tomorrow and logs the session out. 登录设置管理 says whether a new login
name is free only after the password was right.
"""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from ebank.core.models import AuditEvent, AuditOutcome
from security.center import services as center
from security.identity.services import (
    IN_SESSION_LOCKED_MESSAGE,
    LOGIN_LOCKED_MESSAGE,
    LoginLockedOut,
    user_password_change,
    user_password_confirm,
)
from security.models import User

from .test_auth_helpers import NEW_PASSWORD, PASSWORD, bank, customer_user, login

pytestmark = pytest.mark.django_db

# 10:00 in Shanghai.
MORNING = dt.datetime(2026, 5, 12, 2, 0, tzinfo=dt.UTC)
WRONG = "Wrong#Password-1"


@pytest.fixture
def customers():
    return bank()


@pytest.fixture
def zhang(customers):
    return customer_user(customers[0], username="zhangwei")


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


IN_SESSION_CHECKS = {
    "login_settings": lambda user, password: center.login_settings_change(
        user=user, password=password, new_login_name="", login_by_id_number=False,
        login_by_phone=False),
    "profile_other": lambda user, password: center.profile_other_change(
        user=user, address="合肥市", postcode="230001", email="", password=password),
    "profile_phone": lambda user, password: center.profile_phone_change(
        user=user, new_phone="13900000000", old_code="000000", password=password),
    "password_change": lambda user, password: user_password_change(
        user=user, old_password=password, new_password=NEW_PASSWORD),
}


@pytest.mark.parametrize("check", IN_SESSION_CHECKS)
@time_machine.travel(MORNING, tick=False)
def test_every_in_session_password_check_counts_toward_the_login_lock(zhang, check):
    run = IN_SESSION_CHECKS[check]
    for attempt in range(1, 5):
        with pytest.raises(Exception, match=f"还可尝试{5 - attempt}次"):
            run(_fresh(zhang), WRONG)
        assert _fresh(zhang).failed_logins == attempt
    with pytest.raises(LoginLockedOut):
        run(_fresh(zhang), WRONG)
    locked = _fresh(zhang)
    assert locked.failed_logins == 5 and locked.login_locked_on == dt.date(2026, 5, 12)
    failures = AuditEvent.objects.filter(outcome=AuditOutcome.FAILURE, actor=zhang)
    assert failures.count() == 5
    assert failures.order_by("-id").first().detail["locked"] is True


def test_login_failures_and_in_session_failures_are_one_count(zhang):
    for _ in range(3):
        assert login(Client(), "zhangwei", WRONG).status_code == 200
    assert _fresh(zhang).failed_logins == 3
    with pytest.raises(Exception, match="还可尝试1次"):
        user_password_confirm(user=_fresh(zhang), password=WRONG, action="profile_other_change")
    with pytest.raises(LoginLockedOut):
        user_password_confirm(user=_fresh(zhang), password=WRONG, action="profile_other_change")
    assert _fresh(zhang).login_locked_on is not None
    # The row is locked, and login refuses even the right password; its words follow the typed
    # name's own count (its 4th failure), as they would for a name nobody holds.
    visitor = Client()
    page = login(visitor, "zhangwei").content.decode()
    assert "还可尝试1次" in page and LOGIN_LOCKED_MESSAGE not in page
    assert not visitor.session.get("_auth_user_id")


def test_a_right_password_in_a_session_clears_the_count(zhang):
    User.objects.filter(pk=zhang.pk).update(failed_logins=3)
    user_password_confirm(user=_fresh(zhang), password=PASSWORD, action="login_settings_change")
    assert _fresh(zhang).failed_logins == 0


def test_the_fifth_wrong_password_in_a_form_logs_the_session_out(client, zhang):
    login(client, "zhangwei")
    data = {"new_login_name": "", "password": WRONG}
    for attempt in range(1, 5):
        response = client.post("/service/login-settings", data)
        assert response.status_code == 200
        assert f"网银登录密码错误，还可尝试{5 - attempt}次" in response.content.decode()
    response = client.post("/service/login-settings", data, follow=True)
    assert response.redirect_chain[-1][0].startswith("/login")
    assert IN_SESSION_LOCKED_MESSAGE in response.content.decode()
    assert not client.session.get("_auth_user_id")
    # Locked: even the right password does not log in today.
    assert client.get("/").status_code == 302
    assert login(client, "zhangwei").status_code == 200
    assert not client.session.get("_auth_user_id")


def test_the_password_page_logs_out_on_the_fifth_wrong_original(client, zhang):
    login(client, "zhangwei")
    data = {"old_password": WRONG, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    for _ in range(4):
        assert "原密码错误，还可尝试" in client.post("/security/password", data).content.decode()
    response = client.post("/security/password", data, follow=True)
    assert IN_SESSION_LOCKED_MESSAGE in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_a_lock_set_elsewhere_logs_a_live_session_out_on_its_next_click(client, zhang):
    login(client, "zhangwei")
    assert client.get("/").status_code == 200
    for _ in range(5):
        login(Client(REMOTE_ADDR="10.9.9.9"), "zhangwei", WRONG)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login")
    assert IN_SESSION_LOCKED_MESSAGE in response.content.decode()


def test_login_settings_checks_the_password_before_telling_a_name_is_taken(client, customers,
                                                                            zhang):
    customer_user(customers[1], username="lina2026")
    login(client, "zhangwei")
    wrong = client.post("/service/login-settings",
                        {"new_login_name": "lina2026", "password": WRONG}).content.decode()
    assert "网银登录密码错误" in wrong and "该登录名已被使用" not in wrong
    right = client.post("/service/login-settings",
                        {"new_login_name": "lina2026", "password": PASSWORD}).content.decode()
    assert "该登录名已被使用" in right
    # The shape is still told at once (it says nothing about other customers).
    shape = client.post("/service/login-settings",
                        {"new_login_name": "12345", "password": WRONG}).content.decode()
    assert "登录名不能全部为数字" in shape
