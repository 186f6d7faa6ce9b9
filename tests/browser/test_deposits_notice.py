"""通知存款 in Chromium: 张伟 opens a 七天通知存款 of ¥50,000 from his card (form → 确认 with the
USBKey → result with the e-receipt), gives a 支取通知 for all of it, the clock travels 30 days
and he takes it out: the result page shows the notice rate (0.55%) and ¥22.92
(50,000 × 0.55% / 360 × 30), on a 390 px phone at the end.

The clock: ``time_machine.travel(..., tick=True)`` moves the live server's thread too.
"""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import Page, expect

from deposits.models import Deposit, DepositRate, DepositStatus, Product
from deposits.tests.conftest import RATES_FROM, World
from deposits.tests.conftest import world as world  # noqa: F401 - fixture
from ebank.core.clock import SHANGHAI

from .test_deposits_fixed import MOBILE, confirm_with_usbkey, login, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPENING = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
NOTICE = datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
WITHDRAWAL = datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)


def test_open_give_notice_travel_and_withdraw_at_the_notice_rate(page: Page, live_server, world,
                                                                  shot):
    DepositRate.objects.create(product=Product.NOTICE_7D, term_months=0,
                               annual_rate=Decimal("0.55"), effective_from=RATES_FROM)
    base = live_server.url
    card = World.main(world.zhang_card)
    with time_machine.travel(OPENING, tick=True):
        login(page, base, world.zhang.username)
        page.click(".side-menu summary:has-text('定期存款/智能存款')")
        page.click(".side-menu a:has-text('通知存款开户')")
        expect(page.locator("h1")).to_have_text("通知存款开户")
        page.select_option("#id_from_sub_account", str(card.pk))
        page.check(f"input[name=product][value={Product.NOTICE_7D}]")
        page.fill("#id_amount", "50,000")
        shot("notice-open-form")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator("h1")).to_have_text("通知存款开户确认")
        expect(page.locator(".confirm-summary")).to_contain_text("¥50,000.00")
        expect(page.locator(".confirm-summary")).to_contain_text("按支取日挂牌利率计息")
        expect(page.locator("input[name=method][value=sms]")).to_have_count(0)
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        shot("notice-open-result")
        page.click("text=查看电子回单")
        expect(page.locator("body")).to_contain_text("50,000.00")
        deposit = Deposit.objects.get(product=Product.NOTICE_7D)

    with time_machine.travel(NOTICE, tick=True):
        login(page, base, world.zhang.username)
        page.goto(f"{base}/deposits/notice/withdraw")
        expect(page.locator(".notice-list")).to_contain_text("未通知")
        page.click(".notice-list a:has-text('支取通知')")
        expect(page.locator("h1")).to_have_text("支取通知")
        page.fill("#id_amount", "50000")
        page.fill("#id_withdraw_on", "2026-03-27")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".confirm-summary")).to_contain_text("2026-03-27")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("支取通知成功")
        expect(page.locator("body")).to_contain_text("支取通知已登记")
        page.goto(f"{base}/deposits/notice/withdraw")
        expect(page.locator(".notice-list")).to_contain_text("2026-03-27起可支取¥50,000.00")
        shot("notice-given")

    with time_machine.travel(WITHDRAWAL, tick=True):
        login(page, base, world.zhang.username)
        page.set_viewport_size(MOBILE)
        page.goto(f"{base}/deposits/notice/withdraw?deposit={deposit.pk}")
        expect(page.locator(".notice-list")).to_contain_text("已到预约支取日")
        assert no_horizontal_overflow(page)
        page.check("input[name=mode][value=full]")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".confirm-summary")).to_contain_text("¥22.92")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        body = page.locator("body")
        expect(body).to_contain_text("¥22.92（年利率0.55%）")
        expect(body).to_contain_text("利息回单")
        assert no_horizontal_overflow(page)
        shot("notice-withdraw-result-390")
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED and deposit.interest_paid == Decimal("22.92")
