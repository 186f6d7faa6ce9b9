"""批量行内转账 in Chromium: 张伟 uploads an XLSX with three bad rows, reads the per-row report,
removes them, confirms with the USBKey, watches the progress bar reach 100% and downloads the
result file, read back with openpyxl."""

import io
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect

from ebank.core.clock import SHANGHAI
from ebank.duework.services import dispatch_due
from security.tools import services as tool_services
from tests.browser.support import login
from tests.customer_world import CERT_PASSWORD, DEMO_PIN, World
from transfers.batch import files, services
from transfers.models import BatchStatus, TransferBatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOON = datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def bank(settings, tmp_path):
    with time_machine.travel(NOON, tick=True):
        settings.BANK_CA_DIR = tmp_path / "bank-ca"
        settings.BANK_CA_PASSPHRASE = "test-only-ca-passphrase"
        tool_services.bank_ca_ensure()
        world = World()
        world.usbkey_give(world.zhang)
        yield world


def workbook(bank) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(files.HEADERS["intra"]))
    sheet.append([bank.li_card.number, "李娜", "100.00", "工资"])
    sheet.append([bank.li_card.number, "李四", "50.00", "名字不符"])  # bad
    sheet.append([bank.wang_card.number, "王芳", "200.00", "货款"])
    sheet.append(["6200000000000000000", "某人", "10.00", ""])  # bad: unknown account
    sheet.append([bank.li_onebook.number, "李娜", "abc", ""])  # bad: amount
    sheet.append([bank.li_onebook.number, "李娜", "30.00", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_fix_confirm_progress_and_result(page: Page, live_server, bank, shot,
                                                monkeypatch):
    monkeypatch.setattr(services, "CHUNK_SIZE", 1)
    base = live_server.url
    login(page, base, bank.zhang.username)
    page.goto(f"{base}/transfers/batch/intra")
    expect(page.locator("h1")).to_have_text("批量行内转账")
    page.select_option("#up_payer", str(World.main(bank.zhang_card).pk))
    page.set_input_files("#up_file", files=[{
        "name": "工资.xlsx", "buffer": workbook(bank),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("button:has-text('上传并校验')")

    expect(page.locator(".batch-check-summary")).to_have_text("通过 3 笔，未通过 3 笔")
    rows = page.locator(".batch-rows tbody tr.row-invalid")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("收款人名称与收款人账号不符")
    expect(rows.nth(1)).to_contain_text("收款人账号不存在")
    expect(rows.nth(2)).to_contain_text("金额")
    shot("batch-report")
    page.click("button:has-text('删除错误明细')")
    expect(page.locator(".batch-check-summary")).to_have_text("通过 3 笔，未通过 0 笔")
    page.click("button:has-text('提交')")

    expect(page.locator("body")).to_contain_text("¥330.00")
    expect(page.locator("body")).to_contain_text("3笔")
    page.fill("#id_pin", DEMO_PIN)
    page.check("input[name=method][value=usbkey]")
    page.fill("#id_credential", CERT_PASSWORD)
    page.click("button[type=submit]:has-text('确认')")
    expect(page.locator(".result-title")).to_have_text("批量转账已受理，正在逐笔执行")

    batch = TransferBatch.objects.get()
    page.goto(f"{base}/transfers/batch/list/{batch.number}")
    expect(page.locator("#batch-percent")).to_have_text("0%")
    dispatch_due(limit=1)  # one row: the bar moves without a reload
    expect(page.locator("#batch-finished")).to_have_text("1")
    dispatch_due(limit=10)
    expect(page.locator("#batch-percent")).to_have_text("100%")
    expect(page.locator("#batch-status")).to_have_text("已完成")
    assert page.locator("#batch-progress-bar").evaluate("el => el.value") == 3
    shot("batch-progress-done")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.done_count == 3

    with page.expect_download() as info:
        page.click("#batch-result-xlsx")
    path = info.value.path()
    values = list(load_workbook(io.BytesIO(Path(path).read_bytes())).active.values)
    assert values[0][0] == "行号"
    assert [row[5] for row in values[1:]] == ["成功", "成功", "成功"]
    assert all(row[6].startswith("TR") for row in values[1:])

    # 390 px wide: the pages fit, wide tables scroll inside their own box.
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (f"{base}/transfers/batch/list/{batch.number}", f"{base}/transfers/batch/intra",
                f"{base}/transfers/batch/list"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    shot("batch-detail-390")
