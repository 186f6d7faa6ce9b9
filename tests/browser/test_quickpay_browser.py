"""快捷支付 in Chromium (PAY-QUICKPAY): 张伟 binds his debit card at the simulated payment
institution 快付通 with the bank's SMS code, the institution charges an order, 张伟 sees the debit
and its 电子回单 in 网上支付 › 协议管理, lowers and then raises the limits (confirmed with the
USBKey), 撤销协议, and the institution's next charge is refused "协议已撤销"."""

from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from ebank.core.clock import SHANGHAI
from payments.models import QuickPayAgreement, QuickPayAgreementStatus
from payments.tests.quickpay_support import DETAILS, merchant_register
from security.tools.sms import sms_outbox_latest_code
from tests.customer_world import CERT_PASSWORD, DEMO_PIN, LOGIN_PASSWORD, world_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def world(settings, tmp_path):
    bank = world_build(settings, tmp_path)
    merchant_register()
    return bank


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


def merchant_pay(page: Page, base: str, amount: str, order_no: str):
    page.goto(f"{base}/merchant-sim/")
    form = page.locator(".sim-pay-form").first
    form.locator("input[name=amount]").fill(amount)
    form.locator("input[name=order_no]").fill(order_no)
    form.locator("button:has-text('支付')").click()


def test_sign_pay_see_the_receipt_change_limits_revoke_and_be_refused(page: Page, live_server,
                                                                     world, shot):
    base = live_server.url
    with time_machine.travel(NOW, tick=True):
        # 快付通: 绑卡 with the bank's code.
        page.goto(f"{base}/merchant-sim/bind")
        page.fill("#id_card_number", world.zhang_card.number)
        page.fill("#id_name", DETAILS["张伟"]["name"])
        page.fill("#id_id_number", DETAILS["张伟"]["id_number"])
        page.fill("#id_phone", DETAILS["张伟"]["phone"])
        page.click("button:has-text('获取验证码')")
        expect(page.locator("#sim-sent")).to_contain_text("尾号0001")
        page.fill("#id_sms_code", sms_outbox_latest_code(phone=world.zhang_customer.phone))
        shot("qp-merchant-bind")
        page.click("button:has-text('同意协议并绑卡')")
        agreement = QuickPayAgreement.objects.get()
        expect(page.locator("#sim-bindings")).to_contain_text(agreement.number)

        merchant_pay(page, base, "66.00", "B-1")
        expect(page.locator("#sim-orders")).to_contain_text("支付成功")
        shot("qp-merchant-paid")
        # 快付通 is another site: its cookie (the cards bound in this browser) outlives the
        # bank's login below, which clears the browser's cookies.
        merchant_cookies = [c for c in page.context.cookies() if c["name"] == "kft_bindings"]
        assert merchant_cookies

        # 协议管理: the agreement, its debit and the receipt.
        login(page, base, world.zhang.username)
        page.goto(f"{base}/payments/quickpay/")
        row = page.locator("#quickpay-agreements tbody tr").first
        expect(row).to_contain_text(agreement.number)
        expect(row).to_contain_text("快付通")
        expect(row).to_contain_text("5,000.00")
        expect(row).to_contain_text("已签约")
        shot("qp-list")
        row.locator("a:has-text('支付记录')").click()
        expect(page.locator("#quickpay-debits")).to_contain_text("B-1")
        expect(page.locator("#quickpay-debits")).to_contain_text("66.00")
        page.locator("#quickpay-debits a").first.click()
        expect(page.locator("body")).to_contain_text("电子回单")
        expect(page.locator("body")).to_contain_text("66.00")
        shot("qp-receipt")

        # 限额修改: lower, then raise — both confirmed with the USBKey.
        page.goto(f"{base}/payments/quickpay/")
        page.locator("#quickpay-agreements a:has-text('限额修改')").first.click()
        page.fill("#id_single_limit", "6000")
        page.fill("#id_daily_limit", "2000")
        page.click("button:has-text('下一步')")
        expect(page.locator("body")).to_contain_text("单笔限额不得超过我行设定的最高限额5,000.00元")
        expect(page.locator("#id_daily_limit")).to_have_value("2000")
        page.fill("#id_single_limit", "1000")
        page.click("button:has-text('下一步')")
        expect(page.locator("body")).to_contain_text("新单笔限额")
        shot("qp-limit-confirm")
        confirm_with_usbkey(page)
        expect(page.locator("body")).to_contain_text("限额修改成功")

        page.goto(f"{base}/payments/quickpay/{agreement.pk}/limit")
        page.fill("#id_single_limit", "1000")
        page.fill("#id_daily_limit", "3000")
        page.click("button:has-text('下一步')")
        expect(page.locator("input[name=method][value=sms]")).to_have_count(0)
        confirm_with_usbkey(page)
        expect(page.locator("body")).to_contain_text("日累计限额¥3,000.00")
        agreement.refresh_from_db()
        assert (str(agreement.single_limit), str(agreement.daily_limit)) == ("1000.00",
                                                                             "3000.00")

        # 撤销协议.
        page.goto(f"{base}/payments/quickpay/")
        page.locator("#quickpay-agreements a:has-text('撤销协议')").first.click()
        page.fill("#id_pin", DEMO_PIN)
        shot("qp-revoke")
        page.click("button:has-text('确认撤销')")
        expect(page.locator("#quickpay-agreements")).to_contain_text("已撤销")
        agreement.refresh_from_db()
        assert agreement.status == QuickPayAgreementStatus.REVOKED

        # The merchant's next charge is refused.
        page.context.add_cookies(merchant_cookies)
        merchant_pay(page, base, "10.00", "B-2")
        expect(page.locator("#sim-orders tbody tr").first).to_contain_text("协议已撤销")
        shot("qp-merchant-refused")
