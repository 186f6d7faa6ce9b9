"""Login, lockout, forced password change, registration and idle timeout in Chromium."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.demo import resident_id_number, seed_demo_bank
from accounts.models import LinkedMedium, MediumKind
from security.identity.middleware import SESSION_TAKEN_OVER_MESSAGE
from security.identity.services import LOGIN_LOCKED_MESSAGE, login_attempts_left_message
from security.models import User, UserStatus
from security.staff.roles import Role, role_group_ensure
from security.tools.sms import sms_outbox_latest_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Huaihe#River2026"
NEW_PASSWORD = "Chaohu@Lake2027"
ZHANG_CARD = "6226790101000000013"
ZHANG_PHONE = "13805510001"


@pytest.fixture
def customers():
    return seed_demo_bank()


def make_user(customer, username, **fields):
    user = User.objects.create_user(username=username, password=PASSWORD, customer=customer,
                                    first_name=customer.name, **fields)
    medium = customer.media.filter(kind=MediumKind.DEBIT_CARD).first()
    LinkedMedium.objects.get_or_create(medium=medium,
                                       defaults={"customer": customer, "position": 1})
    return user


def fill_login(page: Page, base: str, login_name: str, password: str = PASSWORD):
    page.goto(f"{base}/login")
    page.fill("#id_login_name", login_name)
    page.fill("#id_password", password)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button[type=submit]:has-text('登录')")


def test_login_with_captcha_shows_home_with_the_menu(page: Page, live_server, customers, shot):
    make_user(customers[0], "zhangwei", reserved_message="巢湖明月")
    page.goto(f"{live_server.url}/login")
    expect(page.locator("img.captcha")).to_be_visible()
    shot("login")
    fill_login(page, live_server.url, "zhangwei", "wrong-password")
    expect(page.locator("#login-error")).to_contain_text("还可尝试4次")
    shot("login-failed")
    fill_login(page, live_server.url, "zhangwei")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_contain_text("欢迎您，张伟")
    expect(page.locator(".reserved-text")).to_have_text("巢湖明月")
    expect(page.locator(".side-menu")).to_contain_text("安全中心")
    expect(page.locator(".user-bar")).to_contain_text("安全退出")
    shot("home")
    page.click(".side-menu summary:has-text('安全中心')")
    page.click(".side-menu a:has-text('密码管理')")
    expect(page.locator(".side-menu a.active")).to_have_text("密码管理")
    shot("password-change")
    page.click("text=安全退出")
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator(".messages")).to_contain_text("您已安全退出")


def test_online_registration_end_to_end(page: Page, live_server, customers, shot):
    base = live_server.url
    page.goto(f"{base}/login")
    page.click("text=个人网银注册")
    expect(page.locator(".agreement")).to_contain_text("个人电子银行服务协议")
    shot("register-1-agreement")
    page.check("#id_agree")
    page.click("text=下一步")
    page.fill("#id_number", ZHANG_CARD)
    page.fill("#id_pin", "135246")
    page.fill("#id_name", "张伟")
    page.select_option("#id_id_type", "01")
    page.fill("#id_id_number", resident_id_number("34010419850312351"))
    page.fill("#id_captcha_1", "PASSED")
    shot("register-2-identity")
    page.click("text=下一步")
    expect(page.locator(".alert-info")).to_contain_text("验证码已发送至尾号0001的手机")
    page.fill("#id_code", sms_outbox_latest_code(phone=ZHANG_PHONE))
    shot("register-3-sms")
    page.click("text=下一步")
    page.fill("#id_username", "zhang_01")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_confirm_password", PASSWORD)
    page.click("text=开通")
    expect(page.locator("table.review")).to_contain_text("6226 **** **** 0013")
    shot("register-5-review")
    page.click("button:has-text('提交')")
    expect(page.locator(".result-title")).to_have_text("注册成功")
    shot("register-6-done")
    page.click("text=立即登录")
    fill_login(page, base, "zhang_01")
    expect(page.locator("h1")).to_contain_text("欢迎您，张伟")
    expect(page.locator("main")).to_contain_text("部分功能")


def test_forced_password_change_at_first_login(page: Page, live_server, customers, shot):
    make_user(customers[0], ZHANG_CARD, must_change_password=True)
    fill_login(page, live_server.url, ZHANG_CARD)
    expect(page).to_have_url(f"{live_server.url}/password/change")
    shot("password-force-change")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/password/change")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password", NEW_PASSWORD)
    page.fill("#id_confirm_password", NEW_PASSWORD)
    page.click("button:has-text('确定')")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".messages")).to_contain_text("登录密码修改成功")


def teller_with_token(branch) -> tuple[User, TOTPDevice]:
    """A teller of ``branch`` with a confirmed TOTP device (the token in the teller's hand)."""
    teller = User.objects.create_user(username="teller01", password=PASSWORD, is_staff=True,
                                      branch=branch, first_name="陈静")
    teller.groups.add(role_group_ensure(Role.TELLER))
    device = TOTPDevice.objects.create(user=teller, name="柜员令牌", confirmed=True)
    return teller, device


def test_five_wrong_passwords_lock_until_a_teller_unlocks_in_the_admin(
        page: Page, live_server, customers, shot):
    zhang = customers[0]
    make_user(zhang, "zhangwei")
    for attempt in range(1, 6):
        fill_login(page, live_server.url, "zhangwei", "wrong-password")
        expect(page.locator("#login-error")).to_contain_text(
            login_attempts_left_message(attempt))
    fill_login(page, live_server.url, "zhangwei")
    expect(page.locator("#login-error")).to_contain_text(LOGIN_LOCKED_MESSAGE)
    expect(page).to_have_url(re.compile(r"/login$"))

    # At the counter: the teller logs in to the admin with password and token, checks the
    # customer's ID and unlocks (STF-RESET).
    _teller, device = teller_with_token(zhang.branch)
    staff = page.context.browser.new_context().new_page()
    staff.goto(f"{live_server.url}/admin/login/")
    staff.fill("input[name=username]", "teller01")
    staff.fill("input[name=password]", PASSWORD)
    staff.fill("input[name=otp_token]", f"{totp(device.bin_key):06d}")
    staff.click("input[type=submit]")
    expect(staff.locator("body")).to_contain_text("柜面")
    staff.goto(f"{live_server.url}/admin/counter/customer/{zhang.pk}/login_unlock/")
    staff.fill("input[name=id_number]", resident_id_number("34010419850312351"))
    staff.check("input[name=id_copy_received]")
    staff.click("input[type=submit][value='提交']")
    expect(staff.locator("body")).to_contain_text("业务受理单")
    shot("admin-login-unlock", staff)

    fill_login(page, live_server.url, "zhangwei")
    expect(page.locator("h1")).to_contain_text("欢迎您，张伟")


def test_a_suspended_customer_cannot_log_in(page: Page, live_server, customers):
    make_user(customers[0], "zhangwei", status=UserStatus.SUSPENDED)
    fill_login(page, live_server.url, "zhangwei")
    # The words of any first failure of a typed name: nothing tells it is suspended.
    expect(page.locator("#login-error")).to_contain_text(login_attempts_left_message(1))


def test_the_browser_a_second_login_ended_is_told_so(page: Page, live_server, customers, shot):
    make_user(customers[0], "zhangwei")
    fill_login(page, live_server.url, "zhangwei")
    expect(page.locator("h1")).to_contain_text("欢迎您")
    other = page.context.browser.new_context().new_page()
    fill_login(other, live_server.url, "zhangwei")
    expect(other.locator("h1")).to_contain_text("欢迎您")
    page.reload()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator(".messages")).to_contain_text(SESSION_TAKEN_OVER_MESSAGE)
    shot("session-taken-over")


def test_an_idle_session_ends_on_the_login_page(page: Page, live_server, customers, settings,
                                               shot):
    # Ten seconds: the warning comes at 80 % (8 s), which leaves the test two seconds to press
    # 继续 before the server's expiry even on a busy machine (four left it 0.8 s, and a slow
    # screenshot in between made it flaky).
    settings.SESSION_COOKIE_AGE = 10
    make_user(customers[0], "zhangwei")
    fill_login(page, live_server.url, "zhangwei")
    expect(page.locator("h1")).to_contain_text("欢迎您")
    banner = page.locator("#session-timeout-banner")
    expect(banner).to_be_visible(timeout=12000)
    # 继续 keeps the session alive once ...
    page.click("#session-timeout-continue")
    expect(banner).to_be_hidden()
    expect(page).to_have_url(f"{live_server.url}/")
    # The keep-alive worked: the same page warns again a full period later.
    expect(banner).to_be_visible(timeout=12000)
    expect(page).to_have_url(f"{live_server.url}/")
    shot("session-timeout-warning")
    # ... then, left alone, it ends on the login page with the notice.
    expect(page).to_have_url(re.compile(r"/login\?timeout=1$"), timeout=15000)
    expect(page.locator(".alert-warning")).to_contain_text("会话已超时")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_a_fifth_wrong_password_in_a_form_logs_out_and_the_error_pages_read_chinese(
        page: Page, live_server, customers, shot):
    make_user(customers[0], "zhangwei")
    fill_login(page, live_server.url, "zhangwei")
    expect(page.locator("h1")).to_contain_text("欢迎您")
    page.goto(f"{live_server.url}/no-such-page")
    expect(page.locator("h1")).to_have_text("页面不存在")
    expect(page.locator(".side-menu")).to_be_visible()
    shot("error-404")
    for attempt in range(1, 6):
        page.goto(f"{live_server.url}/service/login-settings")
        page.fill("input[name=password]", "wrong-password")
        page.click("main button[type=submit]:has-text('提交')")
        if attempt < 5:
            expect(page.locator("body")).to_contain_text(f"还可尝试{5 - attempt}次")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".messages")).to_contain_text("您已退出登录")
    shot("in-session-locked")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/no-such-page")
    expect(page.locator("h1")).to_have_text("页面不存在")
    shot("error-404-390")
