"""悠悦宝 in Chromium: 张伟 buys ¥10,000 of 悠悦宝 from his card (form → 确认 with the USBKey →
result with the e-receipt); at maturity he takes it to his 活期存折 (悠悦宝支取: ¥135.00 of
interest); then head office's setting leaves his branch out, and on a 390 px phone his other
悠悦宝 is shown greyed with 请至柜台办理 and cannot be chosen.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accounts.models import Branch
from deposits.models import (
    Deposit,
    DepositRate,
    DepositStatus,
    MaturityOption,
    Product,
    YouyuebaoSetting,
)
from deposits.smart.youyuebao import youyuebao_open
from deposits.tests.conftest import RATES_FROM, World, balance
from deposits.tests.conftest import world as world  # noqa: F401 - fixture
from ebank.core.clock import SHANGHAI

from .test_deposits_fixed import MOBILE, confirm_with_usbkey, login, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPENING = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
MATURITY = datetime(2027, 3, 2, 10, 0, tzinfo=SHANGHAI)


def test_buy_youyuebao_take_it_at_maturity_and_a_greyed_one_goes_to_the_counter(
        page: Page, live_server, world, shot):
    base = live_server.url
    DepositRate.objects.create(product=Product.YOUYUEBAO, term_months=12,
                               effective_from=RATES_FROM, annual_rate=Decimal("1.35"))
    card = World.main(world.zhang_card)
    passbook = World.main(world.zhang_passbook)
    with time_machine.travel(OPENING, tick=True):
        other = youyuebao_open(user=world.zhang, from_sub_account_id=card.pk,
                               amount=Decimal("20000.00"), maturity_option=MaturityOption.HOLD,
                               idempotency_key="browser:yyb:other").deposit
        login(page, base, world.zhang.username)
        page.click(".side-menu summary:has-text('定期存款/智能存款')")
        page.click(".side-menu a:text-is('悠悦宝')")
        expect(page.locator("h1")).to_have_text("悠悦宝购买")
        expect(page.locator("body")).to_contain_text("悠悦宝网银购买最低起存金额为10000元")
        page.select_option("#id_from_sub_account", str(card.pk))
        page.fill("#id_amount", "10,000")
        page.check(f"input[name=maturity_option][value={MaturityOption.HOLD}]")
        shot("yyb-open-form")
        page.click("button[type=submit]:has-text('提交')")
        summary = page.locator(".confirm-summary")
        expect(summary).to_contain_text("¥10,000.00")
        expect(summary).to_contain_text("1.35%")
        expect(page.locator("input[name=method][value=sms]")).to_have_count(0)
        shot("yyb-open-confirm")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        expect(page.locator("body")).to_contain_text("2027-03-02")
        page.click("text=查看电子回单")
        expect(page.locator("body")).to_contain_text("电子回单")
        bought = Deposit.objects.exclude(pk=other.pk).get(product=Product.YOUYUEBAO)

    before = balance(passbook)
    with time_machine.travel(MATURITY, tick=True):
        login(page, base, world.zhang.username)
        page.goto(f"{base}/deposits/youyuebao/withdraw?deposit={bought.pk}")
        expect(page.locator("h1")).to_have_text("悠悦宝支取")
        page.check("input[name=mode][value=full]")
        page.select_option("#id_to_sub_account", str(passbook.pk))
        shot("yyb-withdraw-form")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".confirm-summary")).to_contain_text("到期支取")
        expect(page.locator(".confirm-summary")).to_contain_text("¥135.00")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        expect(page.locator("body")).to_contain_text("10,135.00")
        shot("yyb-withdraw-result")
    bought.refresh_from_db()
    assert bought.status == DepositStatus.CLOSED
    assert balance(passbook) == before + Decimal("10135.00")

    # Head office leaves 张伟's branch out from 2027-03-03: his other 悠悦宝 goes greyed.
    setting = YouyuebaoSetting.objects.create(minimum=Decimal("10000"),
                                              effective_from=date(2027, 3, 3))
    setting.branches.set(Branch.objects.exclude(pk=world.zhang_card.branch_id)[:1])
    with time_machine.travel(datetime(2027, 3, 3, 10, 0, tzinfo=SHANGHAI), tick=True):
        login(page, base, world.zhang.username)
        page.set_viewport_size(MOBILE)
        page.goto(f"{base}/deposits/youyuebao/withdraw")
        expect(page.locator(".smart-list li.is-greyed")).to_contain_text("请至柜台办理")
        expect(page.locator(f"#id_deposit option[value='{other.pk}']")).to_be_disabled()
        assert no_horizontal_overflow(page)
        shot("yyb-greyed-390")
