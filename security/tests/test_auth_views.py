"""Login, logout, session rules, home and password pages through the client."""

import datetime
import re

import pytest
import time_machine
from django.test import Client

from ebank.core.models import AuditEvent
from security.identity.middleware import SESSION_TAKEN_OVER_MESSAGE
from security.identity.services import (
    LOGIN_FAILED_MESSAGE,
    LOGIN_LOCK_HINT,
    LOGIN_LOCKED_MESSAGE,
    login_attempts_left_message,
)
from security.models import User, UserStatus
from security.models import UserSession as Session

from .test_auth_helpers import (
    NEW_PASSWORD,
    PASSWORD,
    ZHANG_CARD,
    bank,
    customer_user,
    login,
    session_key,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    return bank()


@pytest.fixture
def zhang(customers):
    return customer_user(customers[0], username="zhangwei")


def login_box(response, typed: str) -> str:
    """The login box with what differs per request (captcha key, CSRF token, typed name) out."""
    html = response.content.decode()
    start = html.index('<section class="login-box"')
    box = html[start:html.index("</section>", start)]
    box = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", box)
    box = re.sub(r"[0-9a-f]{40}", "KEY", box)
    return box.replace(f'value="{typed}"', 'value="NAME"')


def test_login_page_shows_the_manuals_fields(client):
    response = client.get("/login")
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("登录名", "登录密码", "附加码", "登录", "个人网银注册"):
        assert label in html
    assert "<script>" not in html and "onclick" not in html and 'style="' not in html


def test_every_refusal_looks_the_same(client, customers):
    # Names of one length, so that the kept login name cannot change the page's length.
    customer_user(customers[0], username="zhangwe")
    customer_user(customers[1], username="lina_ok", failed_logins=5,
                  login_locked_on="2999-01-01")
    customer_user(customers[2], username="wangfan", status=UserStatus.SUSPENDED)
    customer_user(customers[3], username="liuyang", status=UserStatus.CANCELLED)
    cases = {
        "unknown": login(client, "nobody1"),
        "wrong_password": login(client, "zhangwe", "wrong-password"),
        "locked_right_password": login(client, "lina_ok"),
        "suspended_right_password": login(client, "wangfan"),
        "cancelled_right_password": login(client, "liuyang"),
    }
    boxes = {}
    for name, response in cases.items():
        assert response.status_code == 200, name
        assert response.templates[0].name == "security/auth/login.html", name
        html = response.content.decode()
        # The first failure of each typed name today: the same words for all of them.
        assert login_attempts_left_message(1) in html and LOGIN_LOCK_HINT in html, name
        assert "还可尝试4次" in html, name
        typed = response.wsgi_request.POST["login_name"]
        boxes[name] = login_box(response, typed)
        assert 'value="NAME"' in boxes[name]
    assert len({len(box) for box in boxes.values()}) == 1
    assert len(set(boxes.values())) == 1
    assert not client.session.get("_auth_user_id")
    # A wrong 附加码 checks and counts nothing: its own constant words.
    bad_captcha = login(client, "zhangwe", PASSWORD, captcha="WRONG").content.decode()
    assert LOGIN_FAILED_MESSAGE in bad_captcha and "还可尝试" not in bad_captcha
    assert "还可尝试3次" in login(client, "zhangwe", "wrong-password").content.decode()


def test_a_real_and_a_made_up_name_read_the_same_to_the_lock_and_after(client, customers):
    """Lockout without enumeration: the count is per typed name, known or not."""
    customer_user(customers[0], username="zhangwe")
    real = [login_box(login(client, "zhangwe", "wrong-password"), "zhangwe")
            for _ in range(7)]
    made_up = [login_box(login(client, "nobody1", "wrong-password"), "nobody1")
               for _ in range(7)]
    assert real == made_up
    assert ["还可尝试4次" in box for box in real] == [True] + [False] * 6
    assert "还可尝试1次" in real[3]
    for box in real[4:]:
        assert LOGIN_LOCKED_MESSAGE in box and "已锁定至次日，或请到柜面解锁" in box
    # The real user is locked on the row: even the right password is refused, in the same words.
    assert LOGIN_LOCKED_MESSAGE in login(client, "zhangwe").content.decode()
    assert not client.session.get("_auth_user_id")


def test_login_rotates_the_session_key_records_the_login_and_shows_home(client, zhang):
    session = client.session
    session["before_login"] = True
    session.save()
    before = session_key(client)
    assert before
    response = login(client, "zhangwei")
    assert response.status_code == 302 and response["Location"] == "/"
    after = session_key(client)
    assert after and after != before
    zhang.refresh_from_db()
    assert zhang.live_session_key == after and zhang.last_login_ip == "127.0.0.1"
    assert AuditEvent.objects.filter(action="login", actor=zhang).count() == 1
    home = client.get("/")
    html = home.content.decode()
    assert home.status_code == 200
    assert "欢迎您，张伟" in html and "6226 **** **** 0013" in html and ZHANG_CARD not in html
    assert "您尚未设置预留信息" in html and "安全退出" in html and "本次为首次登录" in html


def test_second_login_shows_the_previous_login_and_ends_the_first_session(zhang):
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    login(first, "zhangwei")
    first_key = session_key(first)
    assert first.get("/").status_code == 200
    assert Session.objects.filter(session_key=first_key).exists()
    login(second, "zhangwei")
    # The first session holds no login any more, only the mark that a newer login ended it.
    ended = Session.objects.get(session_key=first_key)
    assert ended.user_id is None and "_auth_user_id" not in ended.get_decoded()
    kicked = first.get("/", follow=True)
    assert kicked.redirect_chain[-1][0].startswith("/login")
    # The browser whose session was ended is told why, once.
    assert SESSION_TAKEN_OVER_MESSAGE in kicked.content.decode()
    assert "您的账号已在其他地方登录" in SESSION_TAKEN_OVER_MESSAGE
    assert not Session.objects.filter(session_key=first_key).exists()
    again = first.get("/", follow=True).content.decode()
    assert SESSION_TAKEN_OVER_MESSAGE not in again
    html = second.get("/").content.decode()
    assert "10.0.0.1" in html  # 上次登录 IP


def test_a_stale_session_is_logged_out_by_the_middleware(zhang):
    first, second = Client(), Client()
    login(first, "zhangwei")
    login(second, "zhangwei")
    # Even if the old session row survived (another session backend), it is not the live one.
    User.objects.filter(pk=zhang.pk).update(live_session_key=session_key(second))
    first.force_login(zhang)
    response = first.get("/", follow=True)
    assert SESSION_TAKEN_OVER_MESSAGE in response.content.decode()


def test_reserved_message_is_shown_to_its_owner(client, zhang):
    User.objects.filter(pk=zhang.pk).update(reserved_message="巢湖明月")
    login(client, "zhangwei")
    html = client.get("/").content.decode()
    assert "巢湖明月" in html and "尚未设置" not in html


def test_anonymous_and_staff_are_sent_to_the_login(client, customers):
    assert client.get("/")["Location"].startswith("/login")
    staff = User.objects.create_user(username="teller01", password=PASSWORD, is_staff=True,
                                     branch=customers[0].branch)
    client.force_login(staff)
    assert client.get("/")["Location"].startswith("/login")
    assert client.get("/login").status_code == 200


def test_menu_links_only_pages_that_exist(client, zhang):
    login(client, "zhangwei")
    html = client.get("/").content.decode()
    assert 'href="/security/password"' in html  # 密码管理 is built here
    assert '<span class="menu-unavailable" title="暂未开通">跨行转账</span>' in html or \
        "跨行转账</a>" in html
    for label in ("账户总览", "网银日志查询", "联行号查询", "自助缴费", "核心预留手机号管理", "限额管理"):
        assert label in html


def test_suspended_mid_session_is_logged_out(client, zhang):
    login(client, "zhangwei")
    User.objects.filter(pk=zhang.pk).update(status=UserStatus.SUSPENDED)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login")
    assert "暂停或注销" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_logout_is_post_only_and_audited(client, zhang):
    login(client, "zhangwei")
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302 and response["Location"] == "/login"
    assert AuditEvent.objects.filter(action="logout", actor=zhang).exists()
    zhang.refresh_from_db()
    assert zhang.live_session_key == ""
    assert client.get("/")["Location"].startswith("/login")


def test_keepalive(client, zhang):
    assert client.post("/session/keepalive").status_code == 401
    login(client, "zhangwei")
    response = client.post("/session/keepalive")
    assert response.status_code == 200 and response.json()["ok"] is True
    assert client.get("/session/keepalive").status_code == 405


def test_home_carries_the_idle_timeout_for_the_script(client, zhang, settings):
    settings.SESSION_COOKIE_AGE = 300
    # The page tells the seconds really left: with the clock running, a second boundary between
    # the login and the page made it 299. Time stands still here.
    with time_machine.travel(datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC),
                             tick=False):
        login(client, "zhangwei")
        html = client.get("/").content.decode()
    assert 'data-session-timeout="300"' in html and 'data-keepalive-url="/session/keepalive"' in html
    assert "js/session-timeout.js" in html and 'name="csrf-token"' in html


def test_login_page_tells_about_a_timed_out_session(client):
    assert "会话已超时" in client.get("/login?timeout=1").content.decode()
    assert "会话已超时" not in client.get("/login").content.decode()


# --- forced and voluntary password change ---------------------------------------------------------


def test_forced_change_at_first_login(client, customers):
    user = customer_user(customers[0], username=ZHANG_CARD, must_change_password=True)
    response = login(client, ZHANG_CARD)
    assert response.status_code == 302
    for path in ("/", "/security/password"):
        assert client.get(path)["Location"] == "/password/change"
    page = client.get("/password/change")
    assert page.status_code == 200 and "修改登录密码" in page.content.decode()
    assert 'class="side-menu"' not in page.content.decode()
    weak = client.post("/password/change", {"old_password": PASSWORD, "new_password": "12345678",
                                            "confirm_password": "12345678"})
    assert weak.status_code == 200 and "new_password" in weak.context["form"].errors
    assert 'value="12345678"' not in weak.content.decode()
    mismatch = client.post("/password/change", {"old_password": PASSWORD,
                                                "new_password": NEW_PASSWORD,
                                                "confirm_password": NEW_PASSWORD + "x"})
    assert "两次输入的新密码不一致" in mismatch.content.decode()
    wrong_old = client.post("/password/change", {"old_password": "nope",
                                                 "new_password": NEW_PASSWORD,
                                                 "confirm_password": NEW_PASSWORD})
    assert "原密码错误" in wrong_old.content.decode()
    before = session_key(client)
    done = client.post("/password/change", {"old_password": PASSWORD,
                                            "new_password": NEW_PASSWORD,
                                            "confirm_password": NEW_PASSWORD})
    assert done["Location"] == "/"
    assert session_key(client) != before
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    assert user.live_session_key == session_key(client)
    assert client.get("/").status_code == 200
    assert client.get("/password/change")["Location"] == "/"


def test_a_changed_password_ends_every_other_session(zhang):
    mine, other = Client(), Client()
    mine.force_login(zhang)
    other.force_login(zhang)  # no live session bound: both would be allowed
    assert other.get("/").status_code == 200
    response = mine.post("/security/password", {"old_password": PASSWORD,
                                                 "new_password": NEW_PASSWORD,
                                                 "confirm_password": NEW_PASSWORD})
    assert response["Location"] == "/security/password"
    assert "登录密码修改成功" in mine.get("/security/password").content.decode()
    assert mine.get("/").status_code == 200
    assert other.get("/")["Location"].startswith("/login")
    # The new password works from the next login.
    assert login(Client(), "zhangwei", NEW_PASSWORD).status_code == 302
