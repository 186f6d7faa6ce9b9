# ruff: noqa: F811 - pytest fixtures imported from the shared world
"""TRF-BATCH pages: upload → report → remove bad rows → submit → confirm → progress → result."""

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
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


def draft_kw(batch):
    return {"kind": batch.kind, "number": batch.number}


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
    report = zclient.get(reverse("transfers:batch_report_file", kwargs=draft_kw(batch)))
    values = list(load_workbook(io.BytesIO(report.content)).active.values)
    assert values[2][0] == 3 and "不符" in values[2][-1] and values[1][-1] == "通过"
    zclient.post(reverse("transfers:batch_remove_invalid", kwargs=draft_kw(batch)))
    page = zclient.get(reverse("transfers:batch_draft", kwargs=draft_kw(batch))).content.decode()
    assert "全部明细校验通过" in page
    response = zclient.post(reverse("transfers:batch_submit", kwargs=draft_kw(batch)))
    assert "/confirm/" in response.url
    batch.refresh_from_db()
    confirm(batch.operation, user=world.zhang)
    result = zclient.get(reverse("security:confirm_result", args=[batch.operation.public_id]))
    assert "批量转账已受理，正在逐笔执行" in result.content.decode()
    progress = zclient.get(reverse("transfers:batch_progress", args=[batch.number])).json()
    assert progress["status"] == BatchStatus.RUNNING and progress["finished"] == 0
    assert progress["finished_at"] == ""
    detail = zclient.get(reverse("transfers:batch_detail", args=[batch.number])).content.decode()
    assert "<progress" in detail and "batch-progress.js" in detail
    # Running when the page loaded: the reload link is there, hidden until the JS sees 已完成.
    assert 'class="batch-reload hidden" id="batch-complete"' in detail
    dispatch_due(limit=10)
    progress = zclient.get(reverse("transfers:batch_progress", args=[batch.number])).json()
    assert progress == {**progress, "percent": 100, "done": 2, "failed": 0, "complete": True}
    batch.refresh_from_db()
    # The JS writes 完成时间 from the JSON: the same text the page prints after a reload.
    assert progress["finished_at"] == timezone.localtime(batch.finished_at).strftime(
        "%Y-%m-%d %H:%M:%S")
    detail = zclient.get(reverse("transfers:batch_detail", args=[batch.number])).content.decode()
    # Every row's final result already on the page: nothing to refresh for.
    assert "执行完成，刷新查看每笔结果" not in detail and "batch-complete" not in detail
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
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "仅支持CSV或XLSX格式"),
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
        for name in ("batch_detail", "batch_progress"):
            assert client.get(reverse(f"transfers:{name}", args=[number])).status_code == 404
        for name in ("batch_draft", "batch_report_file"):
            assert client.get(reverse(f"transfers:{name}", kwargs={
                "kind": "intra", "number": number})).status_code == 404
        assert client.post(reverse("transfers:batch_submit", kwargs={
            "kind": "intra", "number": number})).status_code == 404
        client.force_login(world.zhang)
        # The owner's batch under the other kind's page is not a page either.
        assert client.get(reverse("transfers:batch_draft", kwargs={
            "kind": "inter", "number": number})).status_code == 404


def _active_leaf(body: str) -> list[str]:
    import re
    return re.findall(r'class="active" aria-current="page">([^<]+)</a>', body)


def test_batch_pages_light_their_menu_leaf(zclient, world):
    upload(zclient, world, csv_bytes(files.HEADERS["intra"],
                                     [[world.li_card.number, "李娜", "1", ""]]), name="a.csv")
    batch = TransferBatch.objects.get()
    draft = zclient.get(reverse("transfers:batch_draft", kwargs=draft_kw(batch)))
    assert draft.request["PATH_INFO"].startswith("/transfers/batch/intra/")
    assert _active_leaf(draft.content.decode()) == ["批量行内转账"]
    detail = zclient.get(reverse("transfers:batch_detail", args=[batch.number]))
    assert detail.request["PATH_INFO"].startswith("/transfers/batch/list/")
    assert _active_leaf(detail.content.decode()) == ["批量转账查询"]
    inter = reverse("transfers:batch_draft", kwargs={"kind": "inter", "number": "X"})
    assert inter == "/transfers/batch/inter/X/draft"
    assert reverse("transfers:batch_progress", args=["X"]) == "/transfers/batch/list/X/progress"


def test_a_manual_report_says_return_to_edit_and_brings_the_rows_back(zclient, world):
    url = reverse("transfers:batch_inter")
    response = zclient.post(url, {
        "action": "manual", "payer": World.main(world.zhang_card).pk, "rows": "10",
        "payee_account_1": "6222000000000001", "payee_name_1": "赵六", "bank_code_1": "1",
        "amount_1": "99999999", "purpose_1": "货款"})
    assert response.status_code == 302
    batch = TransferBatch.objects.get()
    page = zclient.get(response.url).content.decode()
    assert "请删除错误明细后提交，或返回修改" in page and "重新上传" not in page
    assert "修改文件" not in page and "¥99,999,999.00" in page
    assert f'href="{url}?edit={batch.number}#manual">返回修改</a>' in page
    again = zclient.get(url, {"edit": batch.number}).content.decode()
    assert 'value="6222000000000001"' in again and 'value="99999999"' in again
    assert 'value="货款"' in again
    # Another kind's page does not take the batch.
    assert "6222000000000001" not in zclient.get(
        reverse("transfers:batch_intra"), {"edit": batch.number}).content.decode()


def test_inter_notes_state_the_50000_rule_once(zclient):
    body = zclient.get(reverse("transfers:batch_inter")).content.decode()
    notes = body[body.index("注意事项"):]
    assert notes.count("5万元") == 1


def test_an_empty_manual_submit_marks_the_fields(zclient):
    body = zclient.post(reverse("transfers:batch_intra"),
                        {"action": "manual", "payer": "", "rows": "10"}).content.decode()
    assert 'id="mn_payer_error"' in body and "请选择转出账户" in body
    assert 'id="mn_payee_account_1_error"' in body and "请至少录入一笔转账明细" in body
    assert "error-summary" in body


def test_a_txt_or_other_file_is_refused_as_not_csv_or_xlsx(zclient, world):
    text = "收款人账号,收款人名称,金额,用途\r\n".encode()
    for name, data in (("list.txt", text), ("a.docx", b"PK\x03\x04xx"), ("a.xlsx", text),
                       ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00")):
        body = upload(zclient, world, data, name=name).content.decode()
        assert "仅支持CSV或XLSX格式的文件，请下载模板填写后上传" in body, name
        assert "表头与模板不符" not in body
    assert not TransferBatch.objects.exists()
