"""The nightly batch's admin page (日终批处理步骤) as head office reads it, in Chromium."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.demo import seed_demo_bank
from security.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Huaihe#River2026"


def test_head_office_reads_each_dates_steps_with_status_count_and_duration(
        page: Page, live_server, shot):
    seed_demo_bank()
    with time_machine.travel("2026-11-24 00:30 +0800", tick=False):
        out = StringIO()
        call_command("run_nightly_batch", stdout=out)
    assert "loss_report_release" in out.getvalue()
    hq = User.objects.create_superuser(username="hq01", password=PASSWORD, first_name="周敏")
    device = TOTPDevice.objects.create(user=hq, name="总行令牌", confirmed=True)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "hq01")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", f"{totp(device.bin_key):06d}")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/duework/batchsteprun/")
    table = page.locator("#result_list")
    expect(table).to_contain_text("口头挂失五日自动解挂（loss_report_release）")
    expect(table).to_contain_text("清理过期会话（sessions_expired_clear）")
    expect(table).to_contain_text("已完成")
    expect(table).to_contain_text(f"{date(2026, 11, 23):%Y年%-m月%-d日}")
    for header in ("业务日期", "状态", "处理笔数", "耗时（秒）", "失败原因"):
        expect(page.locator("#result_list thead")).to_contain_text(header)
    shot("admin-nightly-batch", page)
