"""零存宝 in Chromium: 张伟 opens a 零存宝 of ¥15,000 from his card (菜单 零存宝 › 零存宝开户/续存 →
确认 with the USBKey → result with the e-receipt); a 续存 of ¥5,000.01 in the same month is
refused on a 390 px phone with the manual's note 3 and the typed amount kept; at maturity the
零存宝支取 tab closes it: 15,000 × 0.95 % / 360 × 365 = 144.479… → ¥144.48 interest."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import Page, expect

from deposits.lingcunbao.services import NOTE_3
from deposits.models import Deposit, DepositRate, DepositStatus, Product
from deposits.tests.conftest import World
from deposits.tests.conftest import world as world  # noqa: F401 - fixture
from ebank.core.clock import SHANGHAI
from tests.browser.test_deposits_fixed import (
    MOBILE,
    confirm_with_usbkey,
    login,
    no_horizontal_overflow,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPENING = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
MATURITY = datetime(2027, 3, 2, 10, 0, tzinfo=SHANGHAI)


def test_open_a_top_up_over_the_cap_refused_and_withdraw_at_maturity(page: Page, live_server,
                                                                     world, shot):
    base = live_server.url
    card = World.main(world.zhang_card)
    DepositRate.objects.create(product=Product.LINGCUNBAO, term_months=12,
                               annual_rate=Decimal("0.95"), effective_from=date(2026, 1, 1))
    with time_machine.travel(OPENING, tick=True):
        login(page, base, world.zhang.username)
        page.click(".side-menu summary:has-text('定期存款/智能存款')")
        page.click(".side-menu a:has-text('零存宝')")
        expect(page.locator("nav.tabs .tab.active")).to_have_text("零存宝开户/续存")
        page.select_option("#id_deposit", "")
        page.select_option("#id_from_sub_account", str(card.pk))
        page.fill("#id_amount", "15,000")
        shot("lcb-open-form")
        page.click("button[type=submit]:has-text('提交')")

        expect(page.locator("h1")).to_have_text("零存宝开户确认")
        summary = page.locator(".confirm-summary")
        expect(summary).to_contain_text("¥15,000.00")
        expect(summary).to_contain_text("0.95%")
        expect(page.locator("input[name=method][value=sms]")).to_have_count(0)
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        expect(page.locator("body")).to_contain_text("2027-03-02")
        shot("lcb-open-result")
        page.click("text=查看电子回单")
        expect(page.locator("body")).to_contain_text("电子回单")
        expect(page.locator("body")).to_contain_text("15,000.00")
        deposit = Deposit.objects.get(product=Product.LINGCUNBAO)

        # 续存 over the month's cap, on a phone.
        page.set_viewport_size(MOBILE)
        page.goto(f"{base}/deposits/lingcunbao/deposit")
        page.select_option("#id_deposit", str(deposit.pk))
        page.select_option("#id_from_sub_account", str(card.pk))
        page.fill("#id_amount", "5000.01")
        page.click("button[type=submit]:has-text('提交')")
        errors = page.locator(".error-summary")
        expect(errors).to_contain_text(NOTE_3)
        expect(errors).to_contain_text("本月还可续存¥5,000.00")
        expect(page.locator("#id_amount")).to_have_value("5000.01")
        expect(page.locator("#id_deposit")).to_have_value(str(deposit.pk))
        assert no_horizontal_overflow(page)
        shot("lcb-top-up-refused-390")

    with time_machine.travel(MATURITY, tick=True):
        page.set_viewport_size({"width": 1280, "height": 860})
        login(page, base, world.zhang.username)
        page.goto(f"{base}/deposits/lingcunbao/deposit")
        page.click("nav.tabs a:has-text('零存宝支取')")
        expect(page.locator("nav.tabs .tab.active")).to_have_text("零存宝支取")
        page.select_option("#id_deposit", str(deposit.pk))
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".confirm-summary")).to_contain_text("¥144.48")
        expect(page.locator(".confirm-summary")).to_contain_text("到期支取")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        expect(page.locator("body")).to_contain_text("144.48")
        expect(page.locator("body")).to_contain_text("利息回单")
        shot("lcb-withdraw-result")
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED
    assert World.main(world.zhang_card).ledger_account.balance == Decimal("80144.48")
