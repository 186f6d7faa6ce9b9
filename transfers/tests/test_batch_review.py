# ruff: noqa: F811 - pytest fixtures imported from the shared world
"""批量转账, the review's fixes: the payer checked at execution for both kinds, the 处理中 rows,
the XLSX reading limits, broken files, formula-like cells and the views' messages."""


import io
import time
import zipfile

import pytest

from accounts.models import Medium, MediumStatus, SubAccountStatus
from ebank.core.errors import BusinessError
from transfers.batch import files, services
from transfers.models import BatchRowStatus, BatchStatus, Transfer

from .test_batch_services import _clock, create, intra_rows, run_all, submit_and_confirm  # noqa: F401
from .test_inter_support import (
    ICBC_HEFEI,
    World,
    balance,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db

OK = "6212261302001230001"


# --- 1. the payer at execution ------------------------------------------------------------------

@pytest.mark.parametrize("status, reason", [(MediumStatus.ORAL_LOSS, "转出账户已口头挂失"),
                                            (MediumStatus.FROZEN, "转出账户已冻结")])
def test_an_inter_batch_stops_when_the_payer_card_is_reported_lost(inter, status, reason):
    batch = create(inter, "inter", [[OK, "赵敏", ICBC_HEFEI, f"{i + 1}.00", ""] for i in range(3)])
    submit_and_confirm(inter, batch)
    Medium.objects.filter(pk=inter.zhang_card.pk).update(status=status)
    before = balance(inter.zhang_card)
    run_all()
    batch.refresh_from_db()
    assert (batch.status, batch.done_count, batch.failed_count) == (BatchStatus.DONE, 0, 3)
    assert set(batch.rows.values_list("failure_reason", flat=True)) == {reason}
    assert balance(inter.zhang_card) == before
    assert not Transfer.objects.filter(operation=batch.operation).exists()


def test_a_closed_payer_sub_account_stops_an_intra_batch(world):
    batch = create(world, "intra", intra_rows(world, 1) + intra_rows(world, 1, amount="2.00"))
    submit_and_confirm(world, batch)
    payer = World.main(world.zhang_card)
    type(payer).objects.filter(pk=payer.pk).update(status=SubAccountStatus.CLOSED)
    run_all()
    batch.refresh_from_db()
    assert batch.failed_count == 2
    assert set(batch.rows.values_list("failure_reason", flat=True)) == {"转出账户已销户"}


# --- 3, 4. XLSX reading limits, broken files --------------------------------------------------

def _refused(data: bytes, match: str) -> float:
    started = time.monotonic()
    with pytest.raises(BusinessError, match=match):
        files.rows_read(kind="intra", name="a.xlsx", data=data)
    return time.monotonic() - started


def _xlsx_with_sheet(sheet_xml: bytes, *, sheets: bool = True) -> bytes:
    """A minimal XLSX written by hand (what openpyxl reads), with the given sheet XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType'
            '="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + ('<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
               'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' if sheets else "")
            + "</Types>"))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats'
            '.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets>'
            + ('<sheet name="s" sheetId="1" r:id="rId1"/>' if sheets else "")
            + "</sheets></workbook>"))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            + ('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
               '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' if sheets else "")
            + "</Relationships>"))
        if sheets:
            z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
              b'openxmlformats.org/spreadsheetml/2006/main">')


def _row(n: int, values: list[str]) -> bytes:
    cells = b"".join(b'<c t="inlineStr"><is><t>' + v.encode() + b"</t></is></c>"
                     for v in values)
    return f'<row r="{n}">'.encode() + cells + b"</row>"


def test_a_tiny_file_declaring_a1_xfd10001_is_read_fast():
    sheet = (SHEET_HEAD + b'<dimension ref="A1:XFD10001"/><sheetData>'
             + _row(1, list(files.HEADERS["intra"]))
             + b"".join(_row(n, ["6217", "李娜", f"{n}.00", ""]) for n in range(2, 2002))
             + b"</sheetData></worksheet>")
    data = _xlsx_with_sheet(sheet)
    assert len(data) < 20_000
    started = time.monotonic()
    rows = files.rows_read(kind="intra", name="a.xlsx", data=data)
    assert time.monotonic() - started < 3
    assert len(rows) == 2000 and rows[0].values["payee_name"] == "李娜"


def test_more_than_10000_xlsx_rows_stop_reading_at_one_too_many():
    body = b"".join(_row(n, ["6217", "李娜", "1.00", ""]) for n in range(2, 20_002))
    sheet = SHEET_HEAD + b"<sheetData>" + _row(1, list(files.HEADERS["intra"])) + body + \
        b"</sheetData></worksheet>"
    assert _refused(_xlsx_with_sheet(sheet), "超过10,000行转账明细") < 5


def test_a_zip_bomb_within_the_upload_cap_is_refused_fast():
    sheet = SHEET_HEAD + b"<sheetData>" + b" " * (200 * 1024 * 1024) + b"</sheetData></worksheet>"
    data = _xlsx_with_sheet(sheet)
    assert len(data) < files.MAX_BYTES
    assert _refused(data, "解压后内容过大") < 2


def test_a_highly_compressed_member_under_the_total_cap_is_refused():
    sheet = SHEET_HEAD + b"<sheetData>" + b" " * (20 * 1024 * 1024) + b"</sheetData></worksheet>"
    assert _refused(_xlsx_with_sheet(sheet), "解压后内容过大") < 2


def test_a_truncated_sheet_or_a_zip_without_sheets_is_not_a_spreadsheet():
    sheet = SHEET_HEAD + b"<sheetData>" + _row(1, list(files.HEADERS["intra"])) + b"<row r="
    _refused(_xlsx_with_sheet(sheet), "仅支持CSV或XLSX格式")
    _refused(_xlsx_with_sheet(b"", sheets=False), "仅支持CSV或XLSX格式")


# --- 5. formula-like text -----------------------------------------------------------------------

@pytest.mark.parametrize("cells, column", [
    (["6217", "+李娜", "1.00", ""], 2),
    (["6217", "李娜", "1.00", "-cmd"], 4),
    (["6217", "李娜", "1.00", "@SUM(A1)"], 4),
    (["6217", "=HYPERLINK(\"http://x\")", "1.00", ""], 2),
])
def test_formula_like_text_is_refused(cells, column):
    from .test_batch_services import INTRA_H, csv_bytes
    with pytest.raises(BusinessError, match=f"第2行第{column}列含有公式"):
        files.rows_read(kind="intra", name="a.csv", data=csv_bytes(INTRA_H, [cells]))


def test_a_negative_amount_is_an_invalid_amount_not_a_formula(world):
    batch = create(world, "intra", [[world.li_card.number, "李娜", "-5.00", ""]])
    assert batch.invalid_count == 1
    assert "公式" not in batch.rows.get().error


def test_the_csv_result_prefixes_every_formula_start():
    out = files.csv_bytes(headers=["a"], rows=[[v] for v in
                                               ("=1", "+1", "-1", "@1", "\t=1", "\r=1", "x")])
    lines = out.decode("utf-8-sig").splitlines()
    assert lines[1:5] == ["'=1", "'+1", "'-1", "'@1"]
    assert lines[-1] == "x"
    assert "'\t=1" in out.decode("utf-8-sig")


# --- 8. views: refusals said, audit rows ------------------------------------------------------

def test_remove_invalid_refused_shows_its_message_and_actions_are_audited(client, world):
    from django.urls import reverse

    from ebank.core.models import AuditEvent
    from transfers.batch.services import NOT_EDITABLE

    batch = create(world, "intra", intra_rows(world, 1) + [["1", "王五", "1.00", ""]])
    client.force_login(world.zhang)
    client.post(reverse("transfers:batch_remove_invalid", kwargs={"kind": batch.kind, "number": batch.number}))
    services.batch_submit(user=world.zhang, number=batch.number)
    actions = list(AuditEvent.objects.filter(object_ref=f"batch:{batch.number}")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["transfers.batch_create", "transfers.batch_invalid_removed",
                       "transfers.batch_submit"]
    type(batch).objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING)
    response = client.post(reverse("transfers:batch_remove_invalid", kwargs={"kind": batch.kind, "number": batch.number}),
                           follow=True)
    assert NOT_EDITABLE in response.content.decode()


# --- 7. 网银互联 maintenance -----------------------------------------------------------------------

def test_ibps_closed_past_the_last_attempt_fails_every_remaining_row(inter, monkeypatch):
    from django.utils import timezone

    from ebank.clearing.adapters import CHANNEL_CLOSED_MESSAGE, get_clearing_adapter
    from ebank.clearing.routing import Channel
    from ebank.duework.models import DueWork
    from ebank.duework.services import dispatch_due

    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    batch = create(inter, "inter", [[OK, "赵敏", ICBC_HEFEI, f"{i + 1}.00", ""] for i in range(5)])
    submit_and_confirm(inter, batch)
    assert dispatch_due(limit=1) == 1  # chunk 0 goes while the channel is open
    sim = get_clearing_adapter()
    sim.set_maintenance(Channel.IBPS, True)
    for _ in range(20):  # chunk 1 retried with backoff until its last attempt
        DueWork.objects.filter(kind=services.DUE_KIND, finished_at__isnull=True).update(
            due_at=timezone.now())
        dispatch_due(limit=1)
        if batch.rows.filter(line_no=4).exclude(status=BatchRowStatus.PENDING).exists():
            break
    sim.set_maintenance(Channel.IBPS, False)  # reopened: nothing of this batch goes any more
    run_all()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    reasons = dict(batch.rows.values_list("line_no", "failure_reason"))
    assert [reasons[n] for n in (2, 3)] == ["", ""]
    assert [reasons[n] for n in (4, 5, 6)] == [CHANNEL_CLOSED_MESSAGE] * 3
    assert services.batch_counts(batch)["failed"] == 3


# --- 2. 处理中 on the pages ---------------------------------------------------------------------

def test_the_pages_say_processing_for_a_row_waiting_for_the_other_bank(client, inter):
    from django.urls import reverse

    from ebank.clearing.adapters import get_clearing_adapter
    from ebank.clearing.simulator import SimOutcome

    slow = "6212261302001239999"
    get_clearing_adapter().script(slow, SimOutcome.TIMEOUT)
    batch = create(inter, "inter", [[OK, "赵敏", ICBC_HEFEI, "1.00", ""],
                                    [slow, "周某", ICBC_HEFEI, "2.00", ""]])
    submit_and_confirm(inter, batch)
    run_all()
    client.force_login(inter.zhang)
    detail = reverse("transfers:batch_detail", args=[batch.number])
    body = client.get(detail).content.decode()
    assert "<td>处理中</td>" in body and "<td>成功</td>" in body
    only = client.get(detail, {"status": "processing"}).content.decode()
    assert "周某" in only and "赵敏" not in only
    progress = client.get(reverse("transfers:batch_progress", args=[batch.number])).json()
    assert (progress["done"], progress["processing"], progress["finished"]) == (1, 1, 2)
    listing = client.get(reverse("transfers:batch_list")).content.decode()
    assert "成功1笔，处理中1笔，失败0笔" in listing
    csv = client.get(reverse("transfers:batch_result_file", args=[batch.number, "csv"]))
    assert ",处理中," in csv.content.decode("utf-8-sig")
