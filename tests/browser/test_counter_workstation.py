"""柜面工作台 in Chromium: a teller of 340101 finds 李娜 by ID number and reads her page; the
counter form is a label column and a field column at 1366 px, one column without overflow at
390 px, and the 工本费 row marks the chosen kind; the teller of 340201 cannot find her."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from security.tests import test_counter_fixtures as fx
from security.tests.test_counter_fixtures import STAFF_PASSWORD, ident, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

bank = fx.bank
tools = fx.tools
teller_hf = fx.teller_hf
teller_wh = fx.teller_wh


def _staff_login(page: Page, base: str, staff) -> None:
    device = TOTPDevice.objects.create(user=staff, name="柜员令牌", confirmed=True)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.fill("input[name=otp_token]", f"{totp(device.bin_key):06d}")
    page.click("input[type=submit]")


def _find(page: Page, base: str, query: str) -> None:
    page.goto(f"{base}/admin/counter/")
    page.fill("input[name=query]", query)
    page.get_by_role("button", name="查找").or_(page.locator("input[value=查找]")).click()


def _no_horizontal_overflow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_teller_finds_li_na_and_the_forms_read_as_counter_forms(page: Page, live_server,
                                                                  bank, teller_hf, shot):
    register("李娜", teller_hf)
    page.set_viewport_size({"width": 1366, "height": 900})
    _staff_login(page, live_server.url, teller_hf)
    _find(page, live_server.url, ident("李娜")["id_number"])
    expect(page.locator("#content-main")).to_contain_text("客户信息")
    expect(page.locator("#content-main")).to_contain_text("李娜")
    expect(page.locator(".counter-actions")).to_contain_text("安全认证工具申领绑定")
    expect(page.locator(".counter-actions")).not_to_contain_text("证书解锁")
    expect(page.locator(".counter-actions")).not_to_contain_text("登录解锁")
    shot("counter-customer-1366", page)

    page.locator(".counter-actions a", has_text="安全认证工具申领绑定").click()
    label = page.locator("label[for=id_id_number]").bounding_box()
    field = page.locator("#id_id_number").bounding_box()
    assert label["x"] + label["width"] <= field["x"]  # label column, then field column
    assert abs(label["y"] - field["y"]) < 24
    fees = page.locator(".counter-fees")
    expect(fees).to_contain_text("¥60.00（大写：陆拾元整）")
    expect(fees).to_contain_text("¥30.00（大写：叁拾元整）")
    page.select_option("#id_kind", "token")
    expect(page.locator(".counter-fees li[data-kind=token]")).to_have_class(
        "counter-fee-chosen")
    expect(page.locator(".counter-fees li[data-kind=usbkey]")).to_have_class(
        "counter-fee-other")
    _no_horizontal_overflow(page)
    shot("counter-form-1366", page)

    page.set_viewport_size({"width": 390, "height": 844})
    label = page.locator("label[for=id_id_number]").bounding_box()
    field = page.locator("#id_id_number").bounding_box()
    assert label["y"] + label["height"] <= field["y"] + 1  # one column: label above field
    _no_horizontal_overflow(page)
    page.click("input[value=提交]")  # nothing filled in: the errors stand beside the fields
    expect(page.locator(".counter-error-text").first).to_be_visible()
    _no_horizontal_overflow(page)
    shot("counter-form-390", page)


def test_the_teller_of_340201_cannot_find_li_na(page: Page, live_server, bank, teller_wh):
    _staff_login(page, live_server.url, teller_wh)
    for query in (ident("李娜")["id_number"], "李娜", bank["李娜"].phone):
        _find(page, live_server.url, query)
        expect(page.locator(".errornote")).to_contain_text("未找到符合条件的客户")
        expect(page.locator("input[name=query]")).to_have_value(query)
