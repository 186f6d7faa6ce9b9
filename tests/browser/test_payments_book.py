"""缴费登记簿管理 in Chromium (PAY-BOOK): 张伟 opens the 缴费中转页 (/payments/), follows
缴费登记簿管理, adds his 电费 户号 with a 备注名 (a wrong 户号 first: refused, what was typed kept),
modifies it, deletes it after the confirmation page — on a 390 px phone too, without the page
scrolling sideways."""

import pytest
from playwright.sync_api import Page, expect

from payments.models import BillBookEntry
from tests.customer_world import world as world  # noqa: F401 - fixture

from .test_deposits_fixed import MOBILE, login, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_modify_and_delete_a_book_entry_on_a_phone(page: Page, live_server, world, shot):
    base = live_server.url
    login(page, base, world.zhang.username)
    page.goto(f"{base}/payments/")
    expect(page.locator("h1")).to_have_text("缴费")
    expect(page.locator(".hub-groups")).to_contain_text("公共事业缴费")
    shot("pay-hub-1280")
    page.set_viewport_size(MOBILE)
    assert no_horizontal_overflow(page)
    shot("pay-hub-390")
    page.click(".hub-groups a:has-text('缴费登记簿管理')")
    expect(page.locator("h1")).to_have_text("缴费登记簿管理")
    expect(page.locator(".bill-book")).to_contain_text("缴费登记簿中还没有缴费信息")

    page.select_option("#id_kind", "power")
    page.fill("#id_customer_no", "34-01")
    page.fill("#id_alias", "家里电费")
    page.click("button[type=submit]:has-text('提交')")
    expect(page.locator(".field-error")).to_contain_text("户号应为5至20位数字或字母")
    expect(page.locator("#id_customer_no")).to_have_value("34-01")
    expect(page.locator("#id_alias")).to_have_value("家里电费")
    expect(page.locator("#id_kind")).to_have_value("power")
    assert no_horizontal_overflow(page)
    shot("pay-book-refused-390")

    page.fill("#id_customer_no", "3401001234")
    page.click("button[type=submit]:has-text('提交')")
    expect(page.locator(".messages")).to_contain_text("缴费信息已加入缴费登记簿")
    row = page.locator(".bill-book tbody tr").first
    expect(row).to_contain_text("电费缴费")
    expect(row).to_contain_text("3401001234")
    expect(row).to_contain_text("家里电费")
    assert no_horizontal_overflow(page)
    shot("pay-book-list-390")

    row.locator("a:has-text('修改')").click()
    expect(page.locator("h1")).to_have_text("修改缴费信息")
    expect(page.locator("#id_customer_no")).to_have_value("3401001234")
    page.fill("#id_alias", "老房子电费")
    page.click("button[type=submit]:has-text('提交')")
    expect(page.locator(".messages")).to_contain_text("缴费信息已修改")
    expect(page.locator(".bill-book")).to_contain_text("老房子电费")
    assert BillBookEntry.objects.get().alias == "老房子电费"

    page.locator(".bill-book tbody tr").first.locator("a:has-text('删除')").click()
    expect(page.locator("h1")).to_have_text("删除缴费信息")
    expect(page.locator(".review")).to_contain_text("3401001234")
    assert no_horizontal_overflow(page)
    shot("pay-book-delete-390")
    assert BillBookEntry.objects.count() == 1  # the confirmation page deletes nothing
    page.click("button:has-text('确定删除')")
    expect(page.locator(".messages")).to_contain_text("缴费信息已删除")
    expect(page.locator(".bill-book")).to_contain_text("缴费登记簿中还没有缴费信息")
    assert not BillBookEntry.objects.exists()


def test_long_numbers_leave_the_actions_in_view_on_a_phone(page: Page, live_server, world):
    # Review (h-book): an 18-digit 缴税凭证号, a 户号 in groups or a 备注名 without spaces widened
    # the table past the phone's width, and 修改 / 删除 were cut off at the right of the scrolling table.
    from payments.book.services import book_entry_add

    book_entry_add(user=world.zhang, kind="tax", customer_no="334010026110000001")
    book_entry_add(user=world.zhang, kind="water", customer_no="ABCD-1234-5678-9012")
    book_entry_add(user=world.zhang, kind="power", customer_no="3401001234", alias="老房子电费")
    book_entry_add(user=world.zhang, kind="telecom", customer_no="055162881234",
                   alias="HomeBroadband2026")
    base = live_server.url
    login(page, base, world.zhang.username)
    page.set_viewport_size(MOBILE)
    page.goto(f"{base}/payments/book/")
    right = page.evaluate(
        "document.querySelector('.bill-book').closest('.table-scroll')"
        ".getBoundingClientRect().right")
    edges = page.eval_on_selector_all(
        ".bill-book td.actions a", "els => els.map(e => e.getBoundingClientRect().right)")
    # 缴费 (the pay page exists), 修改 and 删除 on each of the four rows.
    assert len(edges) == 3 * 4 and max(edges) <= right, (edges, right)
    assert no_horizontal_overflow(page)
