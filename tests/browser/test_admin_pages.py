"""Admin pages as head office reads them, in Chromium: 日终批处理步骤 and 审计日志; and the
customer's 网银日志查询, named from the same label table."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.demo import seed_demo_bank
from ebank.core.audit import audit_record
from security.models import User
from tests.browser.support import login
from tests.customer_world import world as world  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Huaihe#River2026"


def _head_office_login(page: Page, base: str) -> None:
    hq = User.objects.create_superuser(username="hq01", password=PASSWORD, first_name="周敏")
    device = TOTPDevice.objects.create(user=hq, name="总行令牌", confirmed=True)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "hq01")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", f"{totp(device.bin_key):06d}")
    page.click("input[type=submit]")


def test_head_office_reads_each_dates_steps_with_status_count_and_duration(
        page: Page, live_server, shot):
    seed_demo_bank()
    with time_machine.travel("2026-11-24 00:30 +0800", tick=False):
        out = StringIO()
        call_command("run_nightly_batch", stdout=out)
    assert "loss_report_release" in out.getvalue()
    _head_office_login(page, live_server.url)
    page.goto(f"{live_server.url}/admin/duework/batchsteprun/")
    table = page.locator("#result_list")
    expect(table).to_contain_text("口头挂失五日自动解挂（loss_report_release）")
    expect(table).to_contain_text("清理过期会话（sessions_expired_clear）")
    expect(table).to_contain_text("已完成")
    expect(table).to_contain_text(f"{date(2026, 11, 23):%Y年%-m月%-d日}")
    for header in ("业务日期", "状态", "处理笔数", "耗时（秒）", "失败原因"):
        expect(page.locator("#result_list thead")).to_contain_text(header)
    shot("admin-nightly-batch", page)


def test_the_audit_log_names_each_action_in_chinese_and_filters_by_it(
        page: Page, live_server, shot):
    audit_record(action="login", ip_address="10.1.2.3")
    audit_record(action="confirm.executed", detail={"kind": "transfers.intra"})
    audit_record(action="counter_login_unlock", channel="counter")
    _head_office_login(page, live_server.url)
    page.goto(f"{live_server.url}/admin/core/auditevent/")
    table = page.locator("#result_list")
    for label in ("登录", "交易确认：行内转账", "登录解锁（柜面）", "网上银行", "柜面"):
        expect(table).to_contain_text(label)
    expect(table).not_to_contain_text("confirm.executed")
    shot("admin-audit-log", page)
    page.locator("#changelist-filter a", has_text="登录解锁（柜面）").click()
    expect(table).to_contain_text("登录解锁（柜面）")
    expect(table).not_to_contain_text("交易确认")
    page.goto(f"{live_server.url}/admin/core/auditevent/")
    channels = page.locator("#changelist-filter")
    expect(channels).to_contain_text("柜面（counter）")  # two channels read 柜面: the code tells
    channels.get_by_role("link", name="网上银行", exact=True).click()
    expect(table).to_contain_text("交易确认：行内转账")
    expect(table).not_to_contain_text("登录解锁（柜面）")


def test_a_customer_reads_the_same_labels_in_the_online_log_on_a_phone(
        page: Page, live_server, world, shot):
    """网银日志查询 names each action from the same table (here on a 390 px phone)."""
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, world.zhang.username)
    audit_record(action="confirm.executed", customer_id=world.zhang_customer.pk,
                 detail={"kind": "transfers.intra"})
    audit_record(action="counter_login_unlock", customer_id=world.zhang_customer.pk,
                 channel="counter")
    page.goto(f"{live_server.url}{reverse('security:audit_log')}")
    body = page.locator("main")
    for label in ("登录", "交易确认：行内转账", "登录解锁（柜面）", "柜面"):
        expect(body).to_contain_text(label)
    expect(body).not_to_contain_text("confirm.executed")
    shot("customer-audit-log-390", page)
