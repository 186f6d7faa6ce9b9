"""Pages that tell the truth and keep what was typed (issue 11 §2), in Chromium.

* 行内转账 次日到账: the 大写 appears as the amount is typed, the step bar walks 填写信息 → 确认信息
  → 完成, the confirmation shows the payee account in full, 返回 brings the form back with every
  field (到账方式 and 用途 included), and the result page says 已受理，预计…到账 with one 交易状态.
* 跨行转账 ¥60,000 on a Friday at 17:30: Enter in the amount field submits 提交 (not 查询收款行),
  返回 keeps the chosen bank, and the result says 预约成功，将于…汇出 — not 实时到账, 已执行 or
  跨行转账成功 beside it.
* 首页 → 账户总览 → 转账中转页 → 关联账户互转 with the account chosen, the result 转账成功.

The clock: ``time_machine.travel(..., tick=True)`` moves the live server's thread too; the
certificates are issued inside the world fixture's own travel to 2026-01-05, before it.
"""

from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from ebank.clearing.adapters import get_clearing_adapter
from ebank.clearing.calendar import calendar_invalidate
from ebank.clearing.services import SAMPLE_BANK_CODES_FILE, bank_codes_import
from ebank.core.clock import SHANGHAI
from ebank.core.money import chinese_capitals
from tests.browser.support import login
from tests.customer_world import (
    CERT_PASSWORD,
    DEMO_PIN,
    World,
)
from tests.customer_world import world as world  # noqa: F401 - fixture
from transfers.models import Transfer, TransferStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = SHANGHAI
TUESDAY_NOON = datetime(2026, 11, 24, 12, 0, tzinfo=SH)
FRIDAY_1730 = datetime(2026, 11, 27, 17, 30, tzinfo=SH)
MOBILE = {"width": 390, "height": 844}


@pytest.fixture
def bank(world):
    bank_codes_import(rows_or_path=SAMPLE_BANK_CODES_FILE)
    get_clearing_adapter().reset()
    calendar_invalidate()
    return world


def confirm_with_usbkey(page: Page):
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")


def steps_current(page: Page) -> str:
    return page.locator("ol.steps li.current").inner_text().strip()


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_intra_back_keeps_everything_typed_and_the_result_says_accepted(page: Page, live_server,
                                                                       bank, shot):
    base = live_server.url
    main = World.main(bank.zhang_card)
    with time_machine.travel(TUESDAY_NOON, tick=True):
        login(page, base, bank.zhang.username)
        page.goto(f"{base}/transfers/intra")
        assert steps_current(page).endswith("填写信息")
        expect(page.locator("#id_from_sub_account")).to_contain_text("可用余额¥80,000.00")
        page.select_option("#id_from_sub_account", str(main.pk))
        page.check("input[name=mode][value=NEXT_DAY]")
        # The 大写 follows the typing, in the server's words.
        page.fill("#id_amount", "10,050")
        expect(page.locator("#id_amount-capitals")).to_have_text(
            f"大写：人民币{chinese_capitals('10050')}")
        page.fill("#id_amount", "1,234.5")
        expect(page.locator("#id_amount-capitals")).to_have_text("大写：人民币壹仟贰佰叁拾肆元伍角整")
        page.fill("#id_payee_account", bank.li_card.number)
        page.fill("#id_payee_name", "李娜")
        page.fill("#id_purpose", "房租")
        page.check("#id_save_payee")
        shot("trf-intra-form")
        page.click("button[type=submit]:has-text('提交')")

        expect(page.locator("h1")).to_have_text("行内转账确认")
        assert steps_current(page).endswith("确认信息")
        summary = page.locator(".confirm-summary")
        expect(summary).to_contain_text(bank.li_card.number)  # in full, as typed
        expect(summary).to_contain_text(bank.zhang_card.masked_number)  # the payer masked
        page.click("a.btn:has-text('返回')")

        expect(page.locator("h1")).to_have_text("行内转账")
        expect(page.locator("#id_from_sub_account")).to_have_value(str(main.pk))
        expect(page.locator("input[name=mode][value=NEXT_DAY]")).to_be_checked()
        expect(page.locator("#id_amount")).to_have_value("1234.50")
        expect(page.locator("#id_payee_account")).to_have_value(bank.li_card.number)
        expect(page.locator("#id_payee_name")).to_have_value("李娜")
        expect(page.locator("#id_purpose")).to_have_value("房租")
        expect(page.locator("#id_save_payee")).to_be_checked()
        expect(page.locator("#id_amount-capitals")).to_have_text("大写：人民币壹仟贰佰叁拾肆元伍角整")
        page.click("button[type=submit]:has-text('提交')")
        confirm_with_usbkey(page)

        expect(page.locator(".result-title")).to_have_text("已受理，预计2026年11月25日09:00到账")
        assert steps_current(page).endswith("完成")
        expect(page.locator("th", has_text="交易状态")).to_have_count(1)
        expect(page.locator(".result-status")).to_have_text("待执行")
        expect(page.locator(".result-detail")).to_contain_text("次日到账")
        shot("trf-intra-result-accepted")
        page.set_viewport_size(MOBILE)
        assert no_horizontal_overflow(page)
        shot("trf-intra-result-accepted-390")
    transfer = Transfer.objects.get()
    assert transfer.status == TransferStatus.SCHEDULED and transfer.purpose == "房租"


def test_inter_enter_submits_back_keeps_the_bank_and_the_reserved_result(page: Page, live_server,
                                                                        bank, shot):
    base = live_server.url
    main = World.main(bank.zhang_card)
    with time_machine.travel(FRIDAY_1730, tick=True):
        login(page, base, bank.zhang.username)
        page.goto(f"{base}/transfers/inter")
        page.select_option("#id_from_account", str(main.pk))
        page.fill("#id_payee_account", "6212261302001234567")
        page.fill("#id_payee_name", "赵敏")
        page.fill("#id_bank_query", "工商 合肥")
        page.click(".bank-suggestions button[data-code='102361000013']")
        page.fill("#id_purpose", "购房定金")
        page.fill("#id_amount", "60000")
        expect(page.locator("#id_amount-capitals")).to_have_text("大写：人民币陆万元整")
        page.press("#id_amount", "Enter")  # 提交, not 查询收款行

        expect(page.locator("h1")).to_have_text("跨行转账确认")
        expect(page.locator(".confirm-summary")).to_contain_text("预约汇出（大额支付）")
        expect(page.locator(".confirm-summary")).to_contain_text("6212261302001234567")
        shot("trf-inter-confirm")
        page.set_viewport_size(MOBILE)
        # (The credential fields' layout at 390 px is the mobile work's, not asserted here.)
        shot("trf-inter-confirm-390")
        page.set_viewport_size({"width": 1280, "height": 860})
        page.click("a.btn:has-text('返回')")

        expect(page.locator("#id_from_account")).to_have_value(str(main.pk))
        expect(page.locator("input[name=mode][value=REAL_TIME]")).to_be_checked()
        expect(page.locator("#id_payee_account")).to_have_value("6212261302001234567")
        expect(page.locator("#id_payee_name")).to_have_value("赵敏")
        expect(page.locator("#id_bank_query")).to_have_value("中国工商银行合肥市分行营业部")
        expect(page.locator("#id_amount")).to_have_value("60000.00")
        expect(page.locator("#id_purpose")).to_have_value("购房定金")
        page.press("#id_purpose", "Enter")
        expect(page.locator("h1")).to_have_text("跨行转账确认")
        confirm_with_usbkey(page)

        expect(page.locator(".result-title")).to_have_text("预约成功，将于2026年11月30日09:00后汇出")
        expect(page.locator(".result-status")).to_have_text("预约")
        expect(page.locator("th", has_text="交易状态")).to_have_count(1)
        body = page.locator("main, body").first.inner_text()
        for word in ("实时到账", "已执行", "跨行转账成功"):
            assert word not in body, word
        shot("trf-inter-result-reserved")
        page.set_viewport_size(MOBILE)
        assert no_horizontal_overflow(page)
        shot("trf-inter-result-reserved-390")
    assert Transfer.objects.get().status == TransferStatus.RESERVED


def test_home_overview_hub_and_an_own_transfer(page: Page, live_server, bank, shot):
    base = live_server.url
    main = World.main(bank.zhang_card)
    with time_machine.travel(TUESDAY_NOON, tick=True):
        login(page, base, bank.zhang.username)
        expect(page.locator(".home-accounts")).to_contain_text("80,000.00")
        expect(page.locator(".shortcuts")).to_contain_text("行内转账")
        shot("trf-home")
        page.click(".shortcuts a:has-text('账户总览')")
        row = page.locator(".accounts-overview tbody tr", has_text=bank.zhang_card.masked_number)
        row.locator("a:has-text('转账')").click()
        expect(page.locator("h1")).to_have_text("转账")
        expect(page.locator(".hub-account")).to_contain_text(bank.zhang_card.masked_number)
        shot("trf-hub")
        page.click(".hub-entries a:has-text('关联账户互转')")
        expect(page.locator("#id_from_sub_account")).to_have_value(str(main.pk))
        page.select_option("#id_to_sub_account", str(World.main(bank.zhang_passbook).pk))
        page.fill("#id_amount", "88")
        page.click("button[type=submit]:has-text('提交')")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_have_text("转账成功")
        expect(page.locator(".result-status")).to_have_text("成功")
        expect(page.locator("a:has-text('查看电子回单')")).to_be_visible()
        shot("trf-own-result")
