"""整存整取 in Chromium (issue 14's browser test): 张伟 opens a 1-year 整存整取 of ¥10,000 from
his card (form → 确认 with the USBKey → result with the e-receipt); the clock travels to the
maturity and the nightly batch runs; 账户总览 shows the deposit rolled over (起息日 2027-03-02,
本息 ¥10,120.00) and the interest receipt (利息 ¥120.00) is there; a partial withdrawal that
would leave ¥40 is refused in the manual's words, on a 390 px phone, with what was typed kept.

The clock: ``time_machine.travel(..., tick=True)`` moves the live server's thread too; the
certificate is issued inside the world fixture's own travel to 2026-01-05, before it.
"""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import Receipt
from deposits.fixed import WITHDRAW_NOTE_4, fixed_open
from deposits.models import Deposit, MaturityOption
from deposits.tests.conftest import CERT_PASSWORD, DEMO_PIN, LOGIN_PASSWORD, World
from deposits.tests.conftest import world as world  # noqa: F401 - fixture
from ebank.core.clock import SHANGHAI
from ebank.ledger.models import BusinessType, Entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPENING = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
BATCH = datetime(2027, 3, 3, 1, 0, tzinfo=SHANGHAI)
NEXT_MORNING = datetime(2027, 3, 3, 9, 30, tzinfo=SHANGHAI)
MOBILE = {"width": 390, "height": 844}


def login(page: Page, base: str, username: str):
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#id_login_name", username)
    page.fill("#id_password", LOGIN_PASSWORD)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button[type=submit]:has-text('登录')")
    expect(page).to_have_url(f"{base}/")


def confirm_with_usbkey(page: Page):
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_open_roll_over_at_maturity_and_a_partial_leaving_40_is_refused(page: Page, live_server,
                                                                        world, shot):
    base = live_server.url
    card = World.main(world.zhang_card)
    with time_machine.travel(OPENING, tick=True):
        # A second, two-year deposit of ¥100 (opened by the service) for the refusal below.
        small = fixed_open(user=world.zhang, from_sub_account_id=card.pk, term_months=24,
                           amount=Decimal("100.00"), maturity_option=MaturityOption.HOLD,
                           idempotency_key="browser:small").deposit
        login(page, base, world.zhang.username)
        page.click(".side-menu summary:has-text('定期存款/智能存款')")
        page.click(".side-menu a:has-text('整存整取')")
        expect(page.locator("h1")).to_have_text("整存整取开户")
        page.select_option("#id_from_sub_account", str(card.pk))
        page.select_option("#id_fixed_book", "")
        page.select_option("#id_term_months", "12")
        page.fill("#id_amount", "10,000")
        page.check(f"input[name=maturity_option][value={MaturityOption.ROLL_ALL}]")
        shot("dep-open-form")
        page.click("button[type=submit]:has-text('提交')")

        expect(page.locator("h1")).to_have_text("整存整取开户确认")
        summary = page.locator(".confirm-summary")
        expect(summary).to_contain_text("¥10,000.00")
        expect(summary).to_contain_text("人民币壹万元整")
        expect(summary).to_contain_text("1.20%")
        expect(summary).to_contain_text("自动转存（本息）")
        # The manual asks for the 数字证书密码: no SMS is offered.
        expect(page.locator("input[name=method][value=sms]")).to_have_count(0)
        shot("dep-open-confirm")
        confirm_with_usbkey(page)

        expect(page.locator(".result-title")).to_contain_text("成功")
        expect(page.locator("body")).to_contain_text("2027-03-02")
        shot("dep-open-result")
        page.click("text=查看电子回单")
        expect(page.locator("body")).to_contain_text("电子回单")
        expect(page.locator("body")).to_contain_text("10,000.00")
        shot("dep-open-receipt")
        deposit = Deposit.objects.exclude(pk=small.pk).get()
        assert deposit.matures_on.isoformat() == "2027-03-02"

    with time_machine.travel(BATCH, tick=True):
        call_command("run_nightly_batch", "--date", "2027-03-02")
    deposit.refresh_from_db()
    assert deposit.rollovers == 1

    with time_machine.travel(NEXT_MORNING, tick=True):
        login(page, base, world.zhang.username)
        page.goto(f"{base}/accounts/overview")
        cards = page.locator(".term-list")
        expect(cards).to_contain_text("已转存1次")
        expect(cards).to_contain_text("10,120.00")
        expect(cards).to_contain_text("2028-03-02")
        shot("dep-overview-rolled")

        interest = Entry.objects.get(business_type=BusinessType.INTEREST,
                                     reference=f"deposit:{deposit.pk}")
        receipt = Receipt.objects.get(entry_id=interest.pk)
        page.goto(f"{base}/accounts/receipts?period=custom&date_from=2027-03-01"
                  f"&date_to=2027-03-03&account={deposit.sub_account_id}")
        expect(page.locator("body")).to_contain_text(receipt.number)
        page.goto(f"{base}/accounts/receipts/{receipt.number}")
        expect(page.locator("body")).to_contain_text("利息")
        expect(page.locator("body")).to_contain_text("120.00")
        shot("dep-interest-receipt")

        # On a phone: 我的定期存款, then a partial withdrawal leaving ¥40 → refused.
        page.set_viewport_size(MOBILE)
        page.goto(f"{base}/deposits/")
        expect(page.locator(".deposit-list").first).to_contain_text("已转存1次")
        assert no_horizontal_overflow(page)
        shot("dep-index-390")
        page.goto(f"{base}/deposits/fixed/{deposit.pk}")
        expect(page.locator(".deposit-card")).to_contain_text("2028-03-02")
        assert no_horizontal_overflow(page)
        shot("dep-detail-390")
        page.goto(f"{base}/deposits/fixed/open")
        page.fill("#id_amount", "20")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator("#id_amount")).to_have_value("20")
        assert no_horizontal_overflow(page)
        shot("dep-open-form-390")
        page.goto(f"{base}/deposits/fixed/withdraw?deposit={small.pk}")
        page.check("input[name=mode][value=partial]")
        page.fill("#id_amount", "60")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".error-summary")).to_contain_text(WITHDRAW_NOTE_4)
        expect(page.locator(".error-summary")).to_contain_text("部分支取后的余额不能小于50元")
        expect(page.locator("#id_amount")).to_have_value("60")
        expect(page.locator("#id_deposit")).to_have_value(str(small.pk))
        assert no_horizontal_overflow(page)
        shot("dep-withdraw-refused-390")
