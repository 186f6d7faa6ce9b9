"""基金/投资理财 in Chromium (issue #18), on the fixed week of June 2026 of the wealth tests.

1. 理财: 张伟 (USBKey) takes the 风险测评 (C3), buys the open R2 product at 10:05 on Monday
   (已受理，待确认, the money held), cancels it in 理财交易撤单 (the hold released), buys again;
   Monday's 净值 is published, the nightly 理财交易确认 of Monday runs, and on Tuesday 我的理财产品
   shows the shares, 参考市值 and 持有收益, 交易明细查询 both orders. Re-assessed C2, his R3
   purchase is refused with the way to the 风险测评.
2. 薪加利: 转入 30,000.00 on Monday; Monday's and Tuesday's 万份收益 published and the income step
   of Tuesday run; on Wednesday 我的薪加利 and 收益明细 show Tuesday's 1.36; 实时转出 of 10,000.01
   is refused with the limit (typed value kept), 10,000.00 goes through, then 0.01 is refused.
3. 李娜 (no security tool) is told she needs one on the buy page and on 薪加利转入.

Every page is looked at 1280 px and 390 px wide (no horizontal scroll at 390 px)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from ebank.core.money import format_cny
from ebank.duework.services import batch_step_run
from tests.customer_world import CERT_PASSWORD, balance
from wealth.models import Income, Order, OrderKind, OrderStatus
from wealth.risk.demo import questionnaire_seed
from wealth.risk.services import questionnaire_active
from wealth.tests.conftest import MONDAY, assess, nav_publish, shanghai
from wealth.tests.conftest import shelf as shelf  # noqa: F401 - fixture
from wealth.tests.conftest import world as world  # noqa: F401 - fixture
from wealth.tests.settle_support import available, night
from wealth.xjl.nightly import xjl_income_step

from .support import login
from .test_deposits_fixed import MOBILE, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TUESDAY, WEDNESDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
C3_ANSWERS = (1, 1, 1, 1, 2, 2, 1, 1, 1, 2)  # 56 points (tests/browser/test_wealth_risk.py)
WIDE = {"width": 1280, "height": 860}
LATIN = r"[A-Za-z]{3,}"


def amount(value: Decimal) -> str:
    return f"{value:,.2f}"


@pytest.fixture
def look(page: Page, shot):
    """``look("name")``: the page at 1280 px, then at 390 px (no horizontal scroll, no Latin
    words left in the main panel), both saved for a person to look at."""

    def take(name: str):
        page.set_viewport_size(WIDE)
        shot(f"wealth-{name}-1280")
        page.set_viewport_size(MOBILE)
        assert no_horizontal_overflow(page), name
        text = page.locator("main").inner_text() if page.locator("main").count() else ""
        leftovers = [word for word in re.findall(LATIN, text)
                     if word not in {"USBKey", "PDF", "XJL"}]  # XJL001: a product code
        assert not leftovers, (name, leftovers)
        shot(f"wealth-{name}-390")
        page.set_viewport_size(WIDE)

    return take


def confirm_with_usbkey(page: Page):
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")


def test_zhang_assesses_buys_cancels_buys_and_holds_after_the_confirmation(
        page: Page, live_server, world, shelf, look):
    questionnaire_seed()
    questions = questionnaire_active().questions
    product = shelf.open_r2
    main = world.main(world.zhang_card)
    base = live_server.url
    start = available(main)
    with time_machine.travel(shanghai(MONDAY, 10), tick=True):
        login(page, base, world.zhang.username)
        page.goto(base + reverse("wealth:risk"))
        for question, index in zip(questions, C3_ANSWERS, strict=True):
            choice = list(question.choices.all())[index]
            page.check(f"input[name=q{question.pk}][value='{choice.pk}']")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator("#risk-result")).to_contain_text("C3（平衡型）")

        # 理财产品认购: the query, the open R2 product, 购买 10,000.00.
        page.goto(base + reverse("wealth:products"))
        expect(page.locator("#wealth-risk-level")).to_contain_text("平衡型")
        page.select_option("#id_product_type", "open")
        page.select_option("#id_risk_level", "R2")
        page.click("button[type=submit]:has-text('查询')")
        row = page.locator("#wealth-products tbody tr").filter(has_text=product.code)
        expect(row).to_have_count(1)
        look("products")
        row.locator("text=购买").click()
        expect(page.locator("#wealth-buy-terms")).to_contain_text("2026-06-08 / 2026-06-09")
        page.select_option("#id_payer", str(main.pk))
        page.fill("#id_amount", "10000")
        look("buy")
        page.click("#wealth-buy-form button[type=submit]")
        expect(page.locator(".confirm-summary")).to_contain_text("10,000.00")
        expect(page.locator("main th", has_text="交易类型")).to_have_count(1)
        look("buy-confirm")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_have_text("申购已受理，待确认")
        look("buy-result")
        first = Order.objects.get()
        assert first.status == OrderStatus.PENDING and first.trade_date == MONDAY
        assert available(main) == start - Decimal("10000.00")
        assert balance(world.zhang_card) == start  # held, not taken

        # 理财交易撤单: the order, 撤单, confirmed with the USBKey; the hold released.
        page.goto(base + reverse("wealth:cancel_list"))
        row = page.locator(".wealth-orders tbody tr").filter(has_text=first.number)
        expect(row).to_contain_text("10,000.00")
        expect(row).to_contain_text("2026-06-08 15:00")
        look("cancel-list")
        row.locator("text=撤单").click()
        expect(page.locator("body")).to_contain_text(first.number)
        look("cancel")
        page.click("button[type=submit]:has-text('确认')")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("撤单成功")
        expect(page.locator("main")).to_contain_text("原交易类型申购")
        look("cancel-result")
        first.refresh_from_db()
        assert first.status == OrderStatus.CANCELLED
        assert available(main) == start

        # Bought again.
        page.goto(base + reverse("wealth:buy", kwargs={"pk": product.pk}))
        page.select_option("#id_payer", str(main.pk))
        page.fill("#id_amount", "10000")
        page.click("#wealth-buy-form button[type=submit]")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_have_text("申购已受理，待确认")
        second = Order.objects.exclude(pk=first.pk).get()
        page.goto(base + reverse("wealth:mine"))
        expect(page.locator(f"#holding-{product.code}")).to_contain_text(second.number)
        look("mine-pending")

    # Monday's 净值 1.0123 and the nightly 理财交易确认 of Monday (00:10 Tuesday).
    nav_publish(product, MONDAY, "1.0123")
    assert night(MONDAY)
    second.refresh_from_db()
    assert second.status == OrderStatus.CONFIRMED and second.nav == Decimal("1.0123")
    assert balance(world.zhang_card) == start - Decimal("10000.00")
    assert available(main) == start - Decimal("10000.00")

    with time_machine.travel(shanghai(TUESDAY, 9), tick=True):
        login(page, base, world.zhang.username)  # the session of Monday has timed out
        page.goto(base + reverse("wealth:mine"))
        holding = page.locator(f"#holding-{product.code}")
        shares = second.confirmed_shares
        value = (shares * Decimal("1.0123")).quantize(Decimal("0.01"))
        expect(holding).to_contain_text(f"{shares:,.4f}")
        expect(holding.locator("tr").filter(has_text="参考市值")).to_contain_text(amount(value))
        profit = value - Decimal("10000.00")
        expect(holding.locator("tr").filter(has_text="持有收益")).to_contain_text(format_cny(profit))
        look("mine")

        page.goto(base + reverse("wealth:history"))
        page.click("button[type=submit]:has-text('查询')")
        rows = page.locator(".wealth-orders tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.filter(has_text=first.number)).to_contain_text("已撤单")
        expect(rows.filter(has_text=second.number)).to_contain_text("已确认")
        expect(rows.filter(has_text=second.number)).to_contain_text(f"{shares:,.4f}份")
        # 类型 and 状态 on one line each (they broke one character a line at 1280 px).
        for cell in ("申购", "已确认"):
            box = rows.filter(has_text=second.number).locator("td", has_text=cell).last
            assert box.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap", cell
        look("history")

        # The confirmed order can no longer be cancelled: said in the error box, no 确认.
        page.goto(base + reverse("wealth:cancel", kwargs={"number": second.number}))
        expect(page.locator("#wealth-cancel-refusal.alert-error")).to_be_visible()
        expect(page.locator("button[type=submit]:has-text('确认')")).to_have_count(0)
        expect(page.locator(".steps")).to_have_count(0)  # no 填写信息 step for a refusal
        look("cancel-refused")

        # Re-assessed C2: the R3 product is refused with the way to the 风险测评.
        assess(world.zhang_customer, "C2", taken_at=shanghai(TUESDAY, 9))
        page.goto(base + reverse("wealth:buy", kwargs={"pk": shelf.open_r3.pk}))
        cell = page.locator("#wealth-customer-level")
        expect(cell).to_contain_text("低于产品风险等级")
        expect(cell.locator("a")).to_have_attribute("href", reverse("wealth:risk"))
        if page.locator("#wealth-buy-form").count():
            page.select_option("#id_payer", str(main.pk))
            page.fill("#id_amount", "5000")
            page.click("#wealth-buy-form button[type=submit]")
            expect(page.locator("#wealth-suitability.alert-error")).to_contain_text("R3")
            expect(page.locator("#wealth-suitability a")).to_have_attribute(
                "href", reverse("wealth:risk"))
            expect(page.locator("#id_amount")).to_have_value("5000")
        look("buy-r3-refused")
    assert not Order.objects.filter(product=shelf.open_r3).exists()


def test_zhang_xjl_in_income_and_the_instant_limit(page: Page, live_server, world, shelf, look):
    xjl = shelf.xjl
    main = world.main(world.zhang_card)
    base = live_server.url
    assess(world.zhang_customer, "C3")
    start = balance(world.zhang_card)
    with time_machine.travel(shanghai(MONDAY, 10), tick=True):
        login(page, base, world.zhang.username)
        page.goto(base + reverse("wealth:xjl_buy"))
        look("xjl-buy")
        page.goto(base + reverse("wealth:xjl_in", kwargs={"pk": xjl.pk}))
        page.select_option("#id_account", str(main.pk))
        page.fill("#id_amount", "30,000.00")
        look("xjl-in")
        page.click(".xjl-in-form button[type=submit]")
        expect(page.locator(".confirm-summary")).to_contain_text("30,000.00")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        look("xjl-in-result")
    assert balance(world.zhang_card) == start - Decimal("30000.00")

    # Monday's and Tuesday's 万份收益; the income step of Tuesday (bought Monday: earns Tuesday).
    for day in (MONDAY, TUESDAY):
        nav_publish(xjl, day, income_per_10k="0.4521", seven_day_yield="1.6500")
    with time_machine.travel(shanghai(WEDNESDAY, 0, 30), tick=False):
        batch_step_run(step="xjl_income", business_date=TUESDAY, fn=xjl_income_step)
    income = Income.objects.get()
    assert (income.date, income.amount) == (TUESDAY, Decimal("1.36"))  # 30,000 × 0.4521 / 10,000

    with time_machine.travel(shanghai(WEDNESDAY, 9), tick=True):
        login(page, base, world.zhang.username)
        page.goto(base + reverse("wealth:xjl_mine"))
        expect(page.locator("main")).to_contain_text("30,001.36")
        expect(page.locator("main")).to_contain_text("1.36")
        look("xjl-mine")
        page.goto(base + reverse("wealth:xjl_income"))
        page.click("button[type=submit]:has-text('查询')")
        income_row = page.locator(".xjl-income tbody tr").filter(has_text="2026-06-09")
        expect(income_row.locator("td").nth(1)).to_have_text("1.36")
        page.set_viewport_size(MOBILE)  # the day's income in view without scrolling the table
        box = income_row.locator("td").nth(1).bounding_box()
        assert box and box["x"] + box["width"] <= MOBILE["width"], box
        page.set_viewport_size(WIDE)
        look("xjl-income")

        out_url = base + reverse("wealth:xjl_out", kwargs={"pk": xjl.pk})

        def instant(typed: str):
            page.goto(out_url)
            page.check("input[name=mode][value=instant]")
            page.fill("#id_amount", typed)
            page.select_option("#id_account", str(main.pk))
            page.click(".xjl-out-form button[type=submit]")

        instant("10000.01")
        expect(page.locator("main")).to_contain_text("累计交易限额¥10,000.00")
        expect(page.locator("#id_amount")).to_have_value("10000.01")
        look("xjl-out-over")
        instant("10000.00")
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        look("xjl-out-result")
        instant("0.01")
        expect(page.locator(".form-errors, .error-summary").first).to_be_visible()
        expect(page.locator("#id_amount")).to_have_value("0.01")
        look("xjl-out-over-again")
    assert Order.objects.filter(kind=OrderKind.XJL_OUT_INSTANT).count() == 1
    assert balance(world.zhang_card) == start - Decimal("20000.00")


def test_lina_without_a_tool_is_told_and_nothing_is_written(page: Page, live_server, world,
                                                            shelf, look):
    assess(world.li_customer, "C3")
    base = live_server.url
    with time_machine.travel(shanghai(MONDAY, 10), tick=True):
        login(page, base, world.li.username)
        page.goto(base + reverse("wealth:buy", kwargs={"pk": shelf.open_r2.pk}))
        expect(page.locator("#wealth-tool-required.alert-error")).to_contain_text("安全认证工具")
        expect(page.locator("#wealth-buy-form")).to_have_count(0)
        look("buy-no-tool")
        page.goto(base + reverse("wealth:xjl_in", kwargs={"pk": shelf.xjl.pk}))
        expect(page.locator("#xjl-tool-required.alert-error")).to_contain_text("安全认证工具")
        expect(page.locator(".xjl-in-form")).to_have_count(0)
        look("xjl-in-no-tool")
    assert not Order.objects.exists()
