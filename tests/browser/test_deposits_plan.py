"""卡内预约转存 in Chromium (issue 14, DEP-PLAN): 张伟 on the menu's 卡内预约转存 adds a plan —
a refused amount keeps what was typed, then ¥1,000 每周五 一年 → 确认 with the USBKey → result;
the nightly batch of the Friday opens the 整存整取; 执行记录 shows it; 撤销 ends the plan. The
list, the form and the records are checked on a 390 px phone for horizontal overflow."""

from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Page, expect

from deposits.models import DepositPlan, PlanRun, PlanStatus
from deposits.plan_services import AMOUNT_MINIMUM
from deposits.tests.conftest import world as world  # noqa: F401 - fixture
from ebank.core.clock import SHANGHAI

from .test_deposits_fixed import MOBILE, confirm_with_usbkey, login, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETTING = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)   # a Monday
BATCH = datetime(2026, 3, 7, 1, 0, tzinfo=SHANGHAI)      # after Friday 03-06
NEXT_MORNING = datetime(2026, 3, 7, 9, 30, tzinfo=SHANGHAI)


def test_add_a_plan_run_it_and_cancel_it_on_a_phone(page: Page, live_server, world, shot):
    base = live_server.url
    with time_machine.travel(SETTING, tick=True):
        login(page, base, world.zhang.username)
        page.click(".side-menu summary:has-text('定期存款/智能存款')")
        page.click(".side-menu a:has-text('卡内预约转存')")
        expect(page.locator("h1")).to_have_text("卡内预约转存")
        page.set_viewport_size(MOBILE)
        page.click("a:has-text('新增')")
        expect(page.locator("h1")).to_have_text("新增卡内预约转存")
        page.select_option("#id_medium", str(world.zhang_card.pk))
        page.fill("#id_amount", "20")
        page.select_option("#id_term_months", "12")
        page.check("input[name=frequency][value=weekly]")
        page.select_option("#id_weekday", "5")
        page.fill("#id_starts_on", "2026-03-03")
        page.click("button[type=submit]:has-text('提交')")
        expect(page.locator(".error-summary")).to_contain_text(AMOUNT_MINIMUM)
        expect(page.locator("#id_amount")).to_have_value("20")
        expect(page.locator("#id_starts_on")).to_have_value("2026-03-03")
        expect(page.locator("#id_weekday")).to_have_value("5")
        assert no_horizontal_overflow(page)
        shot("dep-plan-form-refused-390")
        page.fill("#id_amount", "1000")
        page.click("button[type=submit]:has-text('提交')")
        summary = page.locator(".confirm-summary")
        expect(summary).to_contain_text("¥1,000.00")
        expect(summary).to_contain_text("每周五")
        expect(summary).to_contain_text("2026-03-06")
        expect(page.locator("input[name=method][value=sms]")).to_have_count(0)
        confirm_with_usbkey(page)
        expect(page.locator(".result-title")).to_contain_text("成功")
        expect(page.locator("body")).to_contain_text("2026-03-06")
        plan = DepositPlan.objects.get()

    with time_machine.travel(BATCH, tick=True):
        call_command("run_nightly_batch", "--date", "2026-03-06")
    assert PlanRun.objects.get().succeeded

    with time_machine.travel(NEXT_MORNING, tick=True):
        login(page, base, world.zhang.username)
        page.goto(f"{base}/deposits/plans")
        card = page.locator(".deposit-card")
        expect(card).to_contain_text(world.zhang_card.masked_number)
        expect(card).to_contain_text("每周五")
        expect(card).to_contain_text("2026-03-13")
        assert no_horizontal_overflow(page)
        shot("dep-plan-list-390")
        page.click("a:has-text('执行记录')")
        expect(page.locator(".deposit-card")).to_contain_text("成功")
        expect(page.locator(".deposit-card")).to_contain_text("2026-03-06")
        assert no_horizontal_overflow(page)
        shot("dep-plan-runs-390")
        page.goto(f"{base}/deposits/plans")
        page.click("button:has-text('撤销')")
        expect(page.locator(".messages")).to_contain_text("卡内预约转存已撤销")
        expect(page.locator(".deposit-card")).to_contain_text("已撤销")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED
