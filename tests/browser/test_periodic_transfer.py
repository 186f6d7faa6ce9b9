"""定时转账 in Chromium: 张伟 sets a monthly 定时转账 on the 31st, the clock travels through
February (Jan 31 runs, Feb 28 fails because the payee's card was closed meanwhile), and
定时转账执行查询 shows both runs, the 执行记录 and the failure reason; 定时转账维护 lists the
plan and 撤销 it.

The clock: ``time_machine.travel(..., tick=True)`` patches the process's time functions, so the
live server's thread sees the same day as the test (see test_inter_reserved.py).
"""

from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accounts.models import MediumStatus
from ebank.core.clock import SHANGHAI
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due
from security.tools import services as tool_services
from tests.browser.support import login
from tests.browser.test_mobile_a11y import AXE, Checker
from tests.customer_world import CERT_PASSWORD, DEMO_PIN, World
from transfers.models import PeriodicRunStatus, PeriodicStatus, PeriodicTransfer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETUP_AT = datetime(2026, 1, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def january():
    with time_machine.travel(SETUP_AT, tick=True):
        yield


@pytest.fixture
def bank(january, settings, tmp_path):
    settings.BANK_CA_DIR = tmp_path / "bank-ca"
    settings.BANK_CA_PASSPHRASE = "test-only-ca-passphrase"
    tool_services.bank_ca_ensure()
    world = World()
    world.usbkey_give(world.zhang)
    return world


@pytest.fixture
def phone_check(page: Page, shot):
    """test_mobile_a11y's check: no overflow at 390 px, no serious axe violation."""
    return Checker(page, shot, AXE.exists())


def run_due_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        dispatch_due(now=moment)


def test_a_monthly_transfer_on_the_31st_runs_through_february(page: Page, live_server, bank,
                                                             shot, phone_check):
    base = live_server.url
    login(page, base, bank.zhang.username)
    page.goto(f"{base}/transfers/periodic/new")
    expect(page.locator("h1")).to_have_text("定时转账设置")
    page.select_option("#id_from_sub_account", str(World.main(bank.zhang_card).pk))
    page.check("input[name=payee_kind][value=intra]")
    page.fill("#id_payee_account", bank.li_card.number)
    page.fill("#id_payee_name", "李娜")
    page.fill("#id_amount", "1000")
    page.fill("#id_purpose", "房租")
    page.check("input[name=frequency][value=monthly]")
    expect(page.locator("#id_weekday")).to_be_hidden()  # the script shows the month's day only
    page.select_option("#id_day_of_month", "31")
    page.fill("#id_start_date", "2026-01-31")
    page.fill("#id_run_count", "3")
    shot("periodic-form")
    page.click("button[type=submit]:has-text('提交')")

    summary = page.locator(".confirm-summary")
    expect(summary).to_contain_text("2026-01-31、2026-02-28、2026-03-31")
    expect(summary).to_contain_text("每月31日")
    expect(summary).to_contain_text("人民币壹仟元整")
    shot("periodic-confirm")
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")
    expect(page.locator("body")).to_contain_text("定时转账设置成功，首次执行日期2026-01-31")
    plan = PeriodicTransfer.objects.get()
    shot("periodic-result")

    # Through February: Jan 31 goes through; 李娜's card is closed before Feb 28, which fails
    # with its reason — and Mar 31 is still scheduled.
    run_due_at(datetime(2026, 1, 31, 9, 1, tzinfo=SHANGHAI))
    bank.li_card.status = MediumStatus.CLOSED
    bank.li_card.save(update_fields=["status"])
    run_due_at(datetime(2026, 2, 28, 9, 1, tzinfo=SHANGHAI))
    plan.refresh_from_db()
    assert [r.status for r in plan.runs.order_by("sequence")] == [
        PeriodicRunStatus.SUCCEEDED, PeriodicRunStatus.FAILED]
    assert DueWork.objects.get(key=f"{plan.number}:3").status == DueWorkStatus.PENDING

    with time_machine.travel(datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=True):
        login(page, base, bank.zhang.username)
        page.goto(f"{base}/transfers/periodic/runs")
        expect(page.locator("h1")).to_have_text("定时转账执行查询")
        table = page.locator("#periodic-runs")
        expect(table.locator("tbody tr")).to_have_count(2)
        expect(table).to_contain_text("2026-01-31")
        expect(table).to_contain_text("2026-02-28")
        expect(table).to_contain_text("成功")
        shot("periodic-runs")
        table.locator("a.run-failed:has-text('失败')").click()
        expect(page.locator("#run-failure")).to_contain_text("收款账户已销户")
        shot("periodic-run-failed")

        page.goto(f"{base}/transfers/periodic/runs")
        page.locator("#periodic-runs a", has_text=plan.number).first.click()
        expect(page.locator("h1")).to_have_text("定时转账详情")
        expect(page.locator("#periodic-next")).to_contain_text("2026-03-31")
        expect(page.locator("#periodic-plan-runs tbody tr")).to_have_count(2)

        # The pages on a phone (390 px: no horizontal scrolling) and for assistive technology.
        for name, path in (("periodic-new", "/transfers/periodic/new"),
                           ("periodic-runs", "/transfers/periodic/runs"),
                           ("periodic-run", f"/transfers/periodic/runs/{plan.number}/2"),
                           ("periodic-detail", f"/transfers/scheduled/periodic/{plan.number}"),
                           ("scheduled", "/transfers/scheduled")):
            page.goto(base + path)
            phone_check(name)
        assert not phone_check.problems, phone_check.problems
        page.set_viewport_size({"width": 1280, "height": 860})

        page.goto(f"{base}/transfers/scheduled")
        row = page.locator("#periodic-plans tbody tr", has_text=plan.number)
        expect(row).to_contain_text("每月31日")
        expect(row).to_contain_text("2026-03-31")
        shot("periodic-maintenance")
        row.locator("a").first.click()
        page.click("#periodic-cancel-link")  # 进入删除定时转账页面 (no JS dialog)
        expect(page.locator("h1")).to_have_text("删除定时转账")
        expect(page.locator("#periodic-detail")).to_contain_text(plan.number)
        phone_check("periodic-cancel")
        assert not phone_check.problems, phone_check.problems
        page.click("#periodic-cancel-form button:has-text('确定删除')")
        expect(page.locator(".messages")).to_contain_text("定时转账已撤销")
        shot("periodic-cancelled")

    plan.refresh_from_db()
    assert plan.status == PeriodicStatus.CANCELLED
    assert DueWork.objects.get(key=f"{plan.number}:3").status == DueWorkStatus.CANCELLED
