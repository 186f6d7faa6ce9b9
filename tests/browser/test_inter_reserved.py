"""跨行转账 of ¥60,000.00 on a Friday at 17:30 in Chromium: reserved to Monday 09:00, visible in
预约交易管理, deleted there.

The clock: ``time_machine.travel(..., tick=True)`` patches the C-level time functions for the
whole process, so the live server's thread sees Friday 17:30 as well (asserted below through
the confirmation page, which the server renders from its own clock).
"""

from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from ebank.clearing.adapters import get_clearing_adapter
from ebank.clearing.calendar import calendar_invalidate
from ebank.clearing.services import SAMPLE_BANK_CODES_FILE, bank_codes_import
from ebank.core.clock import SHANGHAI
from ebank.duework.models import DueWork, DueWorkStatus
from security.tools import services as tool_services
from tests.browser.support import login
from tests.customer_world import CERT_PASSWORD, DEMO_PIN, World
from transfers.models import Transfer, TransferStatus
from transfers.services.inter import DUE_EXECUTE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRIDAY_1730 = datetime(2026, 11, 27, 17, 30, tzinfo=SHANGHAI)


@pytest.fixture
def friday():
    """Friday 17:30 from before anything dated exists: the bank CA and 张伟's certificate are
    issued inside the travel, so they are valid at the moment the test signs with them."""
    with time_machine.travel(FRIDAY_1730, tick=True):
        yield


@pytest.fixture
def bank(friday, settings, tmp_path):
    settings.BANK_CA_DIR = tmp_path / "bank-ca"
    settings.BANK_CA_PASSPHRASE = "test-only-ca-passphrase"
    tool_services.bank_ca_ensure()
    world = World()
    world.usbkey_give(world.zhang)
    bank_codes_import(rows_or_path=SAMPLE_BANK_CODES_FILE)
    get_clearing_adapter().reset()
    calendar_invalidate()
    return world


def test_a_friday_evening_large_transfer_is_reserved_listed_and_deleted(page: Page, live_server,
                                                                       bank, shot):
    base = live_server.url
    # The clock is Friday 17:30 throughout (fixture ``friday``).
    login(page, base, bank.zhang.username)
    page.goto(f"{base}/transfers/inter")
    expect(page.locator("h1")).to_have_text("跨行转账")
    page.select_option("#id_from_account", str(World.main(bank.zhang_card).pk))
    page.check("input[name=mode][value=REAL_TIME]")
    page.fill("#id_payee_account", "6212261302001234567")
    page.fill("#id_payee_name", "赵敏")
    # The script searches as one types and fills the 联行号 on a click.
    page.fill("#id_bank_query", "工商 合肥")
    page.click(".bank-suggestions button[data-code='102361000013']")
    expect(page.locator(".bank-chosen")).to_contain_text("102361000013")
    expect(page.locator("#branch-code-row")).to_be_hidden()
    page.fill("#id_amount", "60000")
    page.fill("#id_purpose", "购房定金")
    shot("inter-form")
    page.click("button[type=submit]:not(.default-submit):has-text('提交')")

    # The server's clock is Friday 17:30 too: it planned the reservation from it.
    expect(page.locator("body")).to_contain_text("预约至2026年11月30日09:00后汇出")
    expect(page.locator("body")).to_contain_text("人民币陆万元整")
    shot("inter-confirm-reserved")
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")
    expect(page.locator("body")).to_contain_text("预约成功")
    shot("inter-result-reserved")

    transfer = Transfer.objects.get()
    assert transfer.status == TransferStatus.RESERVED
    page.click(".side-menu summary:has-text('转账汇款')")
    page.click(".side-menu a:has-text('预约交易管理')")
    row = page.locator("#reserved-list tbody tr", has_text=transfer.number)
    expect(row).to_contain_text("2026-11-30 09:00")
    expect(row).to_contain_text("60,000.00")
    expect(row).to_contain_text("预约")
    shot("reserved-list")
    row.locator("a:has-text('详情')").click()
    expect(page.locator("#reserved-status")).to_have_text("预约")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#reserved-delete-form button:has-text('删除')")
    expect(page.locator(".messages")).to_contain_text(f"预约交易{transfer.number}已删除")
    shot("reserved-deleted")

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DELETED
    assert DueWork.objects.get(kind=DUE_EXECUTE, key=transfer.number).status == \
        DueWorkStatus.CANCELLED
