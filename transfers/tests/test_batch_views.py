# ruff: noqa: F811 - pytest fixtures imported from the shared world
"""TRF-BATCH pages: upload → report → remove bad rows → submit → confirm → progress → result."""

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ebank.duework.services import dispatch_due
from transfers.batch import files
from transfers.models import BatchStatus, TransferBatch

from .test_batch_services import NOON, csv_bytes, xlsx_bytes
from .test_inter_support import (
    World,
    confirm,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zclient(client, world):
    with time_machine.travel(NOON, tick=True):
        client.force_login(world.zhang)
        yield client


def upload(client, world, data, name="batch.xlsx", kind="intra"):
    url = reverse(f"transfers:batch_{kind}")
    return client.post(url, {"action": "upload", "payer": World.main(world.zhang_card).pk,
                             "file": SimpleUploadedFile(name, data)})


def test_the_pages_render(zclient):
    for name in ("transfers:batch_intra", "transfers:batch_inter", "transfers:batch_list"):
        body = zclient.get(reverse(name)).content.decode()
        assert "批量" in body
    assert "不超过5万元" in zclient.get(reverse("transfers:batch_inter")).content.decode()


def test_templates_download_and_read_back(zclient):
    for kind in ("intra", "inter"):
        response = zclient.get(reverse("transfers:batch_template"), {"kind": kind,
                                                                      "format": "xlsx"})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert tuple(next(sheet.values)) == files.HEADERS[kind]
        csv = zclient.get(reverse("transfers:batch_template"), {"kind": kind, "format": "csv"})
        assert csv.content.decode("utf-8-sig").startswith(",".join(files.HEADERS[kind]))
    assert zclient.get(reverse("transfers:batch_template"), {"kind": "x"}).status_code == 404


def test_upload_report_remove_submit_confirm_run_result(zclient, world):
    rows = [[world.li_card.number, "李娜", "10.00", "a"], [world.li_card.number, "王五", "1", ""],
            [world.wang_card.number, "王芳", "20.00", "b"]]
    response = upload(zclient, world, xlsx_bytes(files.HEADERS["intra"], rows))
    assert response.status_code == 302
    batch = TransferBatch.objects.get()
    page = zclient.get(response.url).content.decode()
    assert "未通过 1 笔" in page and "收款人名称与收款人账号不符" in page
    assert 'action="/transfers/batch/' in page and "提交</button>" not in page
    report = zclient.get(reverse("transfers:batch_report_file", args=[batch.number]))
    values = list(load_workbook(io.BytesIO(report.content)).active.values)
    assert values[2][0] == 3 and "不符" in values[2][-1] and values[1][-1] == "通过"
    zclient.post(reverse("transfers:batch_remove_invalid", args=[batch.number]))
    page = zclient.get(reverse("transfers:batch_draft", args=[batch.number])).content.decode()
    assert "全部明细校验通过" in page
    response = zclient.post(reverse("transfers:batch_submit", args=[batch.number]))
    assert "/confirm/" in response.url
    batch.refresh_from_db()
    confirm(batch.operation, user=world.zhang)
    result = zclient.get(reverse("security:confirm_result", args=[batch.operation.public_id]))
    assert "批量转账已受理，正在逐笔执行" in result.content.decode()
    progress = zclient.get(reverse("transfers:batch_progress", args=[batch.number])).json()
    assert progress["status"] == BatchStatus.RUNNING and progress["finished"] == 0
    detail = zclient.get(reverse("transfers:batch_detail", args=[batch.number])).content.decode()
    assert "<progress" in detail and "batch-progress.js" in detail
    dispatch_due(limit=10)
    progress = zclient.get(reverse("transfers:batch_progress", args=[batch.number])).json()
    assert progress == {**progress, "percent": 100, "done": 2, "failed": 0, "complete": True}
    result = zclient.get(reverse("security:confirm_result", args=[batch.operation.public_id]))
    assert "批量转账已完成：成功2笔，失败0笔" in result.content.decode()
    result = zclient.get(reverse("transfers:batch_result_file", args=[batch.number, "xlsx"]))
    values = list(load_workbook(io.BytesIO(result.content)).active.values)
    assert [v[5] for v in values[1:]] == ["成功", "成功"]
    csv = zclient.get(reverse("transfers:batch_result_file", args=[batch.number, "csv"]))
    assert "成功" in csv.content.decode("utf-8-sig")
    listing = zclient.get(reverse("transfers:batch_list"), {"date_from": "2026-11-24",
                                                             "date_to": "2026-11-24"})
    assert batch.number in listing.content.decode()


def test_refused_files_say_why_on_the_page(zclient, world):
    header = files.HEADERS["intra"]
    cases = [
        (xlsx_bytes(header, [["1", "a", "=1+1", ""]]), "含有公式"),
        (csv_bytes(header, [["1", "a", "1", ""], ["", "", "", ""], ["2", "b", "1", ""]]),
         "第3行为空行"),
        (csv_bytes(header, [["1", "a", "1", ""]] * 10_001), "超过单批10,000行"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "文件格式不正确"),
    ]
    for data, message in cases:
        response = upload(zclient, world, data, name="f.csv")
        assert response.status_code == 200 and message in response.content.decode()
    assert not TransferBatch.objects.exists()


def test_a_50_mb_upload_is_a_message_not_a_500(zclient, world):
    big = b"a" * (50 * 1024 * 1024)
    response = upload(zclient, world, big, name="big.csv")
    assert response.status_code == 200
    assert "文件超过5MB" in response.content.decode()
    assert not TransferBatch.objects.exists()


def test_manual_entry_keeps_what_was_typed(zclient, world):
    url = reverse("transfers:batch_intra")
    data = {"action": "manual", "payer": "", "rows": "10",
            "payee_account_1": world.li_card.number, "payee_name_1": "李娜", "amount_1": "5"}
    body = zclient.post(url, data).content.decode()
    assert "请选择转出账户" in body and world.li_card.number in body
    data["payer"] = World.main(world.zhang_card).pk
    response = zclient.post(url, data)
    batch = TransferBatch.objects.get()
    assert response.status_code == 302 and batch.count == 1 and batch.invalid_count == 0
    assert "录入行" in zclient.get(url, {"rows": "20"}).content.decode()


def test_another_customers_batch_is_404_on_every_page(client, world):
    with time_machine.travel(NOON, tick=True):
        client.force_login(world.zhang)
        upload(client, world, csv_bytes(files.HEADERS["intra"],
                                        [[world.li_card.number, "李娜", "1", ""]]), name="a.csv")
        number = TransferBatch.objects.get().number
        client.force_login(world.li)
        for name in ("batch_draft", "batch_detail", "batch_progress", "batch_report_file"):
            assert client.get(reverse(f"transfers:{name}", args=[number])).status_code == 404
        assert client.post(reverse("transfers:batch_submit", args=[number])).status_code == 404
