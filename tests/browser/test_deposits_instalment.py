"""零存整取 in Chromium: 张伟 opens a one-year 零存整取 of ¥1,000 a month on his card
(卡内活期转定期, 储种 零存整取: form → 确认 with the USBKey → result with the e-receipt); the
clock travels to the next month and he makes the 续存 from the same page; 账户总览 shows
每月存额 and 已存期数 2/12; on a 390 px phone the 支取 page lists it without overflow."""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import Page, expect

from deposits.models import Deposit
from deposits.tests.conftest import World
from deposits.tests.conftest import world as world  # noqa: F401 - fixture
from deposits.tests.test_instalment import instalment_rates_seed
from ebank.core.clock import SHANGHAI

from .test_deposits_fixed import MOBILE, confirm_with_usbkey, login, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPENING = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
NEXT_MONTH = datetime(2026, 4, 3, 10, 0, tzinfo=SHANGHAI)


def test_open_top_up_next_month_and_see_the_overview(page: Page, live_server, world, shot):
    base = live_server.url
    card = World.main(world.zhang_card)
    instalment_rates_seed()
    with time_machine.travel(OPENING, tick=True):
        login(page, base, world.zhang.username)
        page.click(".side-menu summary:has-text('定期存款/智能存款')")
        page.locator(".side-menu").get_by_role("link", name="零存整取", exact=True).click()
        expect(page.locator("h1")).to_contain_text("零存整取")
        expect(page.locator("input[name=mode][value=open]")).to_be_checked()
        page.select_option("#id_from_sub_account", str(card.pk))
        page.select_option("#id_term_months", "12")
        page.fill("#id_amount", "1,000")
        shot("lczq-open-form")
        page.click("button[type=submit]:has-text('提交')")

        expect(page.locator("h1")).to_contain_text("零存整取开户")
        summary = page.locator(".confirm-summary")
        expect(summary).to_contain_text("¥1,000.00")
        expect(summary).to_contain_text("0.85%")
        expect(summary).to_contain_text("一年")
        expect(page.locator("input[name=method][value=sms]")).to_have_count(0)
        shot("lczq-open-confirm")
        confirm_with_usbkey(page)

        expect(page.locator(".result-title")).to_contain_text("成功")
        expect(page.locator("body")).to_contain_text("2027-03-02")
        shot("lczq-open-result")
        page.click("text=查看电子回单")
        expect(page.locator("body")).to_contain_text("电子回单")
        expect(page.locator("body")).to_contain_text("1,000.00")
        deposit = Deposit.objects.get()

    with time_machine.travel(NEXT_MONTH, tick=True):
        login(page, base, world.zhang.username)
        page.goto(f"{base}/deposits/instalment")
        page.locator(".instalment-list a:has-text('续存')").click()
        expect(page.locator("input[name=mode][value=top_up]")).to_be_checked()
        expect(page.locator("#id_deposit")).to_have_value(str(deposit.pk))
        page.select_option("#id_from_sub_account", str(card.pk))
        page.fill("#id_amount", "999")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".error-summary")).to_contain_text("须与每月存额¥1,000.00一致")
        expect(page.locator("#id_amount")).to_have_value("999")
        page.fill("#id_amount", "1000")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".confirm-summary")).to_contain_text("第2期")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        expect(page.locator("body")).to_contain_text("2/12期")
        shot("lczq-top-up-result")

        page.goto(f"{base}/accounts/overview")
        cards = page.locator(".term-list")
        expect(cards).to_contain_text("零存整取")
        expect(cards).to_contain_text("每月存额")
        expect(cards).to_contain_text("2/12期")
        expect(cards).to_contain_text("2,000.00")
        shot("lczq-overview")

        page.set_viewport_size(MOBILE)
        page.goto(f"{base}/deposits/instalment/withdraw")
        expect(page.locator(".instalment-list")).to_contain_text("2/12期")
        assert no_horizontal_overflow(page)
        shot("lczq-withdraw-390")
    assert World.main(world.zhang_card).ledger_account.balance == Decimal("78000.00")
