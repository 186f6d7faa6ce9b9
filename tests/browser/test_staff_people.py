"""员工管理 in Chromium: head office adds a teller, issues the 动态口令 (the QR code loads under
the site's CSP), the teller's authenticator answers, and the new teller logs in."""

import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.demo import seed_demo_bank
from accounts.models import Branch
from security.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HQ_PASSWORD = "Huaihe#River2026"
TELLER_PASSWORD = "Counter#2026-new"


def _admin_login(page: Page, base: str, username: str, password: str, code: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.fill("input[name=otp_token]", code)
    page.click("input[type=submit]")


def test_head_office_adds_a_teller_and_enrols_the_tellers_device(
        page: Page, live_server, browser, shot):
    seed_demo_bank()
    hq = User.objects.create_superuser(username="hq01", password=HQ_PASSWORD, first_name="周敏")
    hq_device = TOTPDevice.objects.create(user=hq, name="总行令牌", confirmed=True)
    base = live_server.url
    _admin_login(page, base, "hq01", HQ_PASSWORD, f"{totp(hq_device.bin_key):06d}")

    page.goto(f"{base}/admin/security/staffmember/add/")
    page.fill("#id_username", "teller_new")
    page.fill("#id_name", "赵丽")
    page.select_option("#id_branch", str(Branch.objects.get(code="340101").pk))
    page.select_option("#id_role", "teller")
    page.fill("#id_password1", TELLER_PASSWORD)
    page.fill("#id_password2", TELLER_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("已新增员工 teller_new")

    page.get_by_role("link", name="发放动态口令").click()
    page.click("input[type=submit][value=发放动态口令]")
    qr = page.locator("img[alt=动态口令二维码]")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # not blocked by CSP
    shot("admin-staff-otp-issued", page)
    secret = page.locator("code.otp-secret").inner_text().strip()
    key = base64.b32decode(secret)
    page.fill("#id_token", f"{totp(key):06d}")
    page.click("input[type=submit][value=启用]")
    expect(page.locator(".messagelist")).to_contain_text("动态口令已启用")
    expect(page.locator(".object-tools")).to_contain_text("锁定")
    shot("admin-staff-detail", page)
    page.goto(f"{base}/admin/security/staffmember/")
    row = page.locator("#result_list tr", has_text="teller_new")
    for text in ("赵丽", "340101", "柜员", "正常", "已绑定"):
        expect(row).to_contain_text(text)
    shot("admin-staff-list", page)

    teller = browser.new_page()
    # The next time step's code: the current one was spent on enrolment.
    _admin_login(teller, base, "teller_new", TELLER_PASSWORD, f"{totp(key, drift=1):06d}")
    expect(teller.locator("#user-tools")).to_contain_text("赵丽")
    # Head office typed that password: the teller changes it before anything else.
    expect(teller.locator(".messagelist")).to_contain_text("请先修改密码")
    teller.fill("#id_old_password", TELLER_PASSWORD)
    teller.fill("#id_new_password1", "Zhaoli#2026-own")
    teller.fill("#id_new_password2", "Zhaoli#2026-own")
    teller.locator("input[type=submit]").click()
    teller.goto(f"{base}/admin/")
    expect(teller.locator("#content-main")).to_contain_text("客户查询")
    teller.close()
