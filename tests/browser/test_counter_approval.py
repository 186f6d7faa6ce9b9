"""Issue #13's counter story in Chromium: a teller of 340101 finds 李娜 by ID number, unlocks her
login (offered only once she is locked), resets her password — she holds a digital token, so the
reset waits for 复核 — a supervisor approves it, and the slip PDF reads back with pdftotext; the
teller of 340201 cannot find her."""

import subprocess

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from ebank.core.clock import business_day
from security.models import ApprovalRequest, ApprovalStatus, ToolKind, User
from security.tests import test_counter_fixtures as fx
from security.tests.test_counter_fixtures import PASSWORD, STAFF_PASSWORD, ident, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

bank, tools = fx.bank, fx.tools
teller_hf, supervisor_hf, teller_wh = fx.teller_hf, fx.supervisor_hf, fx.teller_wh
NEW = "Lina#new-2026"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-06-15 10:00 +0800", tick=True):
        yield


def _staff_login(page: Page, base: str, staff) -> None:
    page.context.clear_cookies()
    device = TOTPDevice.objects.create(user=staff, name="柜员令牌", confirmed=True)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.fill("input[name=otp_token]", f"{totp(device.bin_key):06d}")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(staff.get_short_name() or staff.username)


def _find(page: Page, base: str, query: str) -> None:
    page.goto(f"{base}/admin/counter/")
    page.fill("input[name=query]", query)
    page.locator("input[value=查找]").click()


def _identity(page: Page) -> None:
    page.fill("#id_id_number", ident("李娜")["id_number"])
    page.check("#id_id_copy_received")


def test_unlock_then_a_reset_that_waits_for_a_supervisor(page: Page, live_server, bank,
                                                        teller_hf, supervisor_hf, teller_wh,
                                                        shot, tmp_path):
    li = register("李娜", teller_hf, tool_kind=ToolKind.TOKEN)
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    _staff_login(page, base, teller_hf)
    _find(page, base, ident("李娜")["id_number"])
    actions = page.locator(".counter-actions")
    expect(actions).to_contain_text("登录密码重置")
    expect(actions).not_to_contain_text("登录解锁")  # not locked: nothing to unlock

    # Five wrong passwords lock her login for the day (SEC-LOCK).
    User.objects.filter(pk=li.pk).update(failed_logins=5, login_locked_on=business_day())
    page.reload()
    actions.get_by_role("link", name="登录解锁", exact=True).click()
    _identity(page)
    page.locator("input[value=提交]").click()
    expect(page.locator("#content-main")).to_contain_text("网上银行登录解锁")
    li.refresh_from_db()
    assert (li.failed_logins, li.login_locked_on) == (0, None)

    page.locator(".breadcrumbs a", has_text="李娜").click()
    page.locator(".counter-actions").get_by_role("link", name="登录密码重置", exact=True).click()
    _identity(page)
    page.fill("#id_new_password", NEW)
    page.fill("#id_new_password_again", NEW)
    page.locator("input[value=提交]").click()
    expect(page.locator(".messagelist")).to_contain_text("已提交复核")
    main = page.locator("#content-main")
    expect(main).to_contain_text("待复核")
    expect(main).to_contain_text("经办人不能复核本人提交的申请")
    expect(page.locator("input[value=复核通过]")).to_have_count(0)
    shot("approval-waiting-teller", page)
    li.refresh_from_db()
    assert li.check_password(PASSWORD)  # nothing changed yet

    _staff_login(page, base, supervisor_hf)
    page.goto(f"{base}/admin/security/approvalrequest/")
    queue = page.locator("#result_list")
    expect(queue).to_contain_text("登录密码重置（持有安全认证工具）")
    expect(queue).to_contain_text("李娜")
    queue.get_by_role("link", name="复核", exact=True).click()
    expect(page.locator("#content-main")).to_contain_text("客户已在密码键盘输入（不显示）")
    shot("approval-detail-supervisor", page)
    page.locator("input[value=复核通过]").click()
    expect(page.locator(".messagelist")).to_contain_text("复核通过，已执行")
    request = ApprovalRequest.objects.get()
    assert request.status == ApprovalStatus.APPROVED and request.decided_by == supervisor_hf
    li.refresh_from_db()
    assert li.check_password(NEW) and li.must_change_password

    page.get_by_role("link", name="查看业务受理单").click()
    expect(page.locator("#content-main")).to_contain_text("复核人")
    pdf_url = page.locator("a", has_text="打印业务受理单").get_attribute("href")
    response = page.request.get(f"{base}{pdf_url}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in ("业务受理单", "登录密码重置", "李娜", "复核人", "吴刚", "teller_hf",
                     "第二联 客户联"):
        assert expected in text, expected
    assert NEW not in text

    _staff_login(page, base, teller_wh)
    _find(page, base, ident("李娜")["id_number"])
    expect(page.locator(".errornote")).to_contain_text("未找到符合条件的客户")
