"""大额存单 in Chromium: 张伟 sees an issue with its 剩余额度, opens ¥200,000 from his card
(form → 确认 with the USBKey → result), the list shows the 额度 gone down by it; then in
大额存单支取 he changes the 利息账户 to his passbook (变更 → 确认 → result) and 查询 shows the
change; the pages fit a 390 px phone."""

from datetime import date, datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from deposits.models import Deposit, InterestAccountChange, Product
from deposits.tests.cd_payout_support import cd_issue, fund
from deposits.tests.conftest import CERT_PASSWORD, DEMO_PIN, World
from deposits.tests.conftest import world as world  # noqa: F401 - fixture
from ebank.core.clock import SHANGHAI

from .test_deposits_fixed import MOBILE, login, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPENING = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


def confirm_with_usbkey(page: Page):
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")


def test_open_a_cd_with_the_quota_going_down_then_change_the_interest_account(
        page: Page, live_server, world, shot):
    base = live_server.url
    card = World.main(world.zhang_card)
    passbook = World.main(world.zhang_passbook)
    fund(card, "400000.00", "browser")
    issue = cd_issue(sale_from=date(2026, 3, 1), sale_to=date(2026, 3, 31))
    with time_machine.travel(OPENING, tick=True):
        login(page, base, world.zhang.username)
        page.click(".side-menu summary:has-text('定期存款/智能存款')")
        page.click(".side-menu a:text-is('大额存单')")
        expect(page.locator("h1")).to_have_text("大额存单")
        products = page.locator(".cd-products")
        expect(products).to_contain_text(issue.code)
        expect(products.locator(".cd-remaining")).to_have_text("1,000,000.00")
        shot("cd-products")
        products.locator("a:has-text('开户')").first.click()
        expect(page.locator("h1")).to_have_text("大额存单开户")
        expect(page.locator("#id_product")).to_have_value(str(issue.pk))
        page.select_option("#id_from_sub_account", str(card.pk))
        page.fill("#id_amount", "200,000")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".confirm-summary")).to_contain_text("¥200,000.00")
        expect(page.locator(".confirm-summary")).to_contain_text("1.80%")
        expect(page.locator("input[name=method][value=sms]")).to_have_count(0)
        shot("cd-open-confirm")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        expect(page.locator("body")).to_contain_text("2029-03-02")
        shot("cd-open-result")

        page.goto(f"{base}/deposits/cd")
        expect(page.locator(".cd-remaining")).to_have_text("800,000.00")
        deposit = Deposit.objects.get(product=Product.LARGE_CD)

        # 大额存单支取 › 变更: the interest goes to the passbook from now on.
        page.click(".side-menu a:text-is('大额存单支取')")
        expect(page.locator("h1")).to_have_text("大额存单支取")
        expect(page.locator(".deposit-card")).to_contain_text(issue.code)
        page.click(".deposit-card a:has-text('变更')")
        expect(page.locator("h1")).to_have_text("利息账户变更/查询")
        expect(page.locator(".interest-account-history")).to_contain_text("暂无利息账户变更记录")
        page.select_option("#id_to", str(passbook.pk))
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".confirm-summary")).to_contain_text(world.zhang_passbook.masked_number)
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        shot("cd-interest-account-result")

        # 查询: the change on record, on a phone.
        page.set_viewport_size(MOBILE)
        page.goto(f"{base}/deposits/cd/mine")
        page.click(".deposit-card a:has-text('查询')")
        history = page.locator(".interest-account-history")
        expect(history).to_contain_text(world.zhang_passbook.masked_number)
        expect(history).to_contain_text("网上银行")
        expect(page.locator(".current-interest-account")).to_contain_text(
            world.zhang_passbook.masked_number)
        assert no_horizontal_overflow(page)
        shot("cd-interest-account-query-390")
        page.goto(f"{base}/deposits/cd")
        assert no_horizontal_overflow(page)
    change = InterestAccountChange.objects.get()
    assert change.deposit == deposit and change.to_account == passbook
