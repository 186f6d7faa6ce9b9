# ruff: noqa: F811 - pytest fixtures imported from the shared world
"""TRF-BATCH services: every row rule, duplicates, the file refusals, a row failing while the
others post, exactly once after a crash mid-chunk, another customer's batch → 404."""

import io
from decimal import Decimal

import pytest
import time_machine
from django.http import Http404
from openpyxl import Workbook, load_workbook

from accounts.models import MediumStatus
from ebank.core.errors import BusinessError
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due
from ebank.ledger.models import Entry
from ebank.ledger.selectors import ledger_violations
from ebank.limits.models import LimitLevel
from ebank.limits.services import limit_policy_set
from security.models import OperationStatus, SmsMessage, SmsSubscription
from transfers.batch import files, services
from transfers.models import (
    BatchRowStatus,
    BatchStatus,
    Transfer,
    TransferBatch,
    TransferKind,
    TransferStatus,
)

from .test_inter_support import (
    ICBC_HEFEI,
    PAYEE_ACCOUNT,
    World,
    at,
    balance,
    confirm,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db

NOON = at(2026, 11, 24, 12, 0)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOON, tick=True):
        yield


def csv_bytes(header, rows, encoding="utf-8") -> bytes:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


INTRA_H = files.HEADERS["intra"]
INTER_H = files.HEADERS["inter"]


def intra_rows(bank, n=1, amount="10.00"):
    return [[bank.li_card.number, "李娜", amount, f"工资{i}"] for i in range(n)]


def create(bank, kind, rows, *, user=None, payer=None):
    user = user or bank.zhang
    data = csv_bytes(INTRA_H if kind == "intra" else INTER_H, rows)
    raw = files.rows_read(kind=kind, name="a.csv", data=data)
    return services.batch_create(user=user, kind=kind,
                                 payer_id=World.main(payer or bank.zhang_card).pk, raw_rows=raw)


def run_all():
    while dispatch_due(limit=1000):
        pass


def submit_and_confirm(bank, batch):
    operation = services.batch_submit(user=bank.zhang, number=batch.number)
    confirm(operation, user=bank.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.EXECUTED
    return operation


# --- row rules ----------------------------------------------------------------------------------


def test_intra_rows_each_rule_with_its_reason(world):
    rows = [
        [world.li_card.number, "李娜", "100.00", "工资"],  # 2 ok
        [world.li_card.number, "李四", "100.50", ""],  # 3 name mismatch
        ["6200000000000000000", "某人", "1.00", ""],  # 4 unknown account
        [world.liu_passbook.number, "刘洋", "1.00", ""],  # 5 not a settlement passbook
        [world.li_card.number, "李娜", "abc", ""],  # 6 amount
        [world.li_card.number, "李娜", "0", ""],  # 7 amount zero
        ["", "", "1.00", ""],  # 8 account, name
        [world.zhang_card.number, "张伟", "5.00", ""],  # 9 the payer itself
        [world.li_card.number, "李娜", "100.00", "工资"],  # 10 duplicate of line 2
        [world.li_card.number, "李娜", "1.234", ""],  # 11 three decimals
        [world.zhang_fixed_book.number, "张伟", "1.00", ""],  # 12 a 定期一本通
    ]
    batch = create(world, "intra", rows)
    errors = dict(batch.rows.values_list("line_no", "error"))
    assert errors[2] == ""
    assert "收款人名称与收款人账号不符" in errors[3]
    assert "收款人账号不存在" in errors[4]
    assert "结算户" in errors[5]
    assert "正确的金额" in errors[6]
    assert "大于零" in errors[7]
    assert "请填写收款人账号" in errors[8] and "请填写收款人名称" in errors[8]
    assert "转入账户与转出账户不能相同" in errors[9]
    assert errors[10] == "与第2行重复（收款人账号、金额相同）"
    assert "两位小数" in errors[11]
    assert "借记卡、活期存折或活期一本通" in errors[12]
    assert batch.count == 11 and batch.invalid_count == 10
    with pytest.raises(BusinessError, match="未通过校验"):
        services.batch_submit(user=world.zhang, number=batch.number)


def test_a_closed_or_frozen_payee_is_refused_at_the_check(world):
    world.li_card.status = MediumStatus.FROZEN
    world.li_card.save(update_fields=["status"])
    batch = create(world, "intra", intra_rows(world))
    assert batch.rows.get().error == "收款账户已冻结，不能转入"


def test_inter_rows_bank_code_and_the_50000_cap(inter):
    rows = [
        [PAYEE_ACCOUNT, "赵敏", ICBC_HEFEI, "50000.00", "货款"],  # ok: 网银互联 cap included
        [PAYEE_ACCOUNT, "赵敏", ICBC_HEFEI, "50000.01", ""],  # above the cap
        [PAYEE_ACCOUNT, "赵敏", "999999999999", "1.00", ""],  # unknown code
        [PAYEE_ACCOUNT, "赵敏", "10236", "2.00", ""],  # not 12 digits
        [PAYEE_ACCOUNT, "赵敏", "", "3.00", ""],  # missing
        [PAYEE_ACCOUNT, "赵敏", "402361000214", "4.00", ""],  # our own bank (肥西农商行)
        [inter.li_card.number, "李娜", ICBC_HEFEI, "5.00", ""],  # our own customer's card
    ]
    batch = create(inter, "inter", rows)
    errors = dict(batch.rows.values_list("line_no", "error"))
    assert errors[2] == ""
    assert batch.rows.get(line_no=2).bank_name.startswith("中国工商银行")
    assert "不能超过5万元" in errors[3]
    assert "行号不存在" in errors[4]
    assert "12位数字" in errors[5]
    assert "请填写收款行行号" in errors[6]
    assert "请使用“批量行内转账”" in errors[7] and "收款行为" in errors[7]
    assert "请使用“批量行内转账”" in errors[8] and "收款账户为" in errors[8]


def test_the_check_is_bulk_not_a_query_per_row(world, django_assert_max_num_queries):
    rows = [[world.li_card.number, "李娜", f"{i + 1}.00", ""] for i in range(300)]
    raw = files.rows_read(kind="intra", name="a.csv", data=csv_bytes(INTRA_H, rows))
    with django_assert_max_num_queries(12):
        services.batch_create(user=world.zhang, kind="intra",
                              payer_id=World.main(world.zhang_card).pk, raw_rows=raw)


# --- file refusals ------------------------------------------------------------------------------


def refused(kind, data, match):
    with pytest.raises(BusinessError, match=match):
        files.rows_read(kind=kind, name="x", data=data)


def test_a_gbk_csv_from_excel_is_accepted():
    raw = files.rows_read(kind="intra", name="a.csv",
                          data=csv_bytes(INTRA_H, [["6217000000000000001", "李娜", "1.00", "工资"]],
                                         encoding="gbk"))
    assert raw[0].values["payee_name"] == "李娜" and raw[0].values["purpose"] == "工资"


def test_xlsx_is_read_amounts_never_float():
    raw = files.rows_read(kind="intra", name="a.xlsx",
                          data=xlsx_bytes(INTRA_H, [["6217000000000000001", "李娜", 1234.5, "x"],
                                                    ["6217000000000000002", "李娜", 7, ""]]))
    assert [r.values["amount"] for r in raw] == ["1234.5", "7"]
    assert raw[0].line_no == 2


def test_file_refusals():
    refused("intra", xlsx_bytes(INTRA_H, [["6217", "李娜", "=1+1", ""]]), "第2行第3列含有公式")
    refused("intra", csv_bytes(INTRA_H, [["6217", "李娜", "=SUM(A1)", ""]]), "含有公式")
    refused("intra", csv_bytes(INTRA_H, [["1", "a", "1", ""], ["", "", "", ""],
                                         ["2", "b", "2", ""]]), "第3行为空行")
    refused("intra", csv_bytes(INTRA_H, [["1", "a", "1", ""]] * 10_001), "超过单批10,000行")
    refused("intra", b"%PDF-1.4\x00\x01binary", "仅支持CSV或XLSX格式")
    refused("intra", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, r"\.xls")
    refused("intra", b"PK\x03\x04garbage", "仅支持CSV或XLSX格式")
    refused("intra", csv_bytes(["账号", "名字"], [["1", "a"]]), "表头与模板不符")
    refused("intra", csv_bytes(INTRA_H, []), "没有转账明细")
    refused("intra", b"\xff\xfe\x81\x30\x81" * 10, "仅支持CSV或XLSX格式|无法识别文件编码")
    refused("intra", "收款人账号\t收款人名称".encode("utf-16"), "无法识别文件编码")
    refused("intra", b"x" * (files.MAX_BYTES + 1), "超过5MB")
    # 10,000 rows are fine; trailing blank lines are not rows.
    assert len(files.rows_read(kind="intra", name="a", data=csv_bytes(
        INTRA_H, [["1", "a", "1", ""]] * 10_000) + b",,,\r\n")) == 10_000


def test_nothing_is_half_imported(world):
    before = TransferBatch.objects.count()
    with pytest.raises(BusinessError):
        create(world, "intra", intra_rows(world) + [["", "", "", ""], *intra_rows(world)])
    assert TransferBatch.objects.count() == before


# --- submit, confirm, run -----------------------------------------------------------------------


def test_remove_invalid_rows_then_submit_confirm_and_run(world):
    rows = intra_rows(world, 3) + [[world.li_card.number, "李四", "5.00", ""]]
    rows[1][2] = "20.00"
    rows[2][2] = "30.00"
    batch = create(world, "intra", rows)
    assert services.batch_invalid_rows_remove(user=world.zhang, number=batch.number) == 1
    batch.refresh_from_db()
    assert (batch.count, batch.total, batch.invalid_count) == (3, Decimal("60.00"), 0)
    zhang, li = balance(world.zhang_card), balance(world.li_card)
    operation = submit_and_confirm(world, batch)
    assert operation.payload["count"] == 3 and operation.payload["amount"] == "60.00"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RUNNING
    assert balance(world.zhang_card) == zhang  # nothing posts in the confirmation
    run_all()
    batch.refresh_from_db()
    assert (batch.status, batch.done_count, batch.failed_count) == (BatchStatus.DONE, 3, 0)
    assert balance(world.zhang_card) == zhang - Decimal("60.00")
    assert balance(world.li_card) == li + Decimal("60.00")
    assert Transfer.objects.filter(kind=TransferKind.INTRA,
                                   status=TransferStatus.SUCCEEDED).count() == 3
    assert not ledger_violations()


def test_the_signature_binds_the_rows(world):
    batch = create(world, "intra", intra_rows(world, 1, amount="1.00") + [
        [world.li_card.number, "李娜", "2.00", ""]])
    operation = services.batch_submit(user=world.zhang, number=batch.number)
    # A row changed behind the confirmation page: the executor refuses it.
    batch.rows.filter(line_no=2).update(payee_name="李娜 ")
    with pytest.raises(BusinessError, match="批次内容已变更"):
        confirm(operation, user=world.zhang)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PENDING
    assert not DueWork.objects.filter(kind=services.DUE_KIND).exists()


def test_a_tool_less_customer_cannot_confirm_a_batch(world):
    batch = services.batch_create(
        user=world.li, kind="intra", payer_id=World.main(world.li_card).pk,
        raw_rows=[files.RawRow(2, {"payee_account": world.zhang_card.number,
                                   "payee_name": "张伟", "amount": "1.00", "purpose": ""})])
    with pytest.raises(BusinessError, match="USBKey"):
        services.batch_submit(user=world.li, number=batch.number)


@pytest.mark.parametrize("forecast", ["read", "wrong"])
def test_one_row_failing_never_stops_the_others(world, monkeypatch, forecast,
                                                django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    SmsSubscription.objects.create(user=world.zhang, sub_account=World.main(world.zhang_card),
                                   phone=world.zhang_customer.phone, threshold=Decimal("0.00"))
    if forecast == "wrong":
        # The balance moved after the forecast: every row "should" go, one is refused by the
        # ledger, the chunk is rolled back and run again row by row — same outcome.
        monkeypatch.setattr(services, "_forecast",
                            lambda batch, rows, subject: {row.pk: True for row in rows})
    rows = [[world.li_card.number, "李娜", "100.00", "a"],
            [world.wang_card.number, "王芳", "90000.00", "b"],  # more than the balance
            [world.li_onebook.number, "李娜", "30.00", "c"],  # payee closed after the check
            [world.li_card.number, "李娜", "200.00", "d"]]
    batch = create(world, "intra", rows)
    submit_and_confirm(world, batch)
    world.li_onebook.status = MediumStatus.CLOSED
    world.li_onebook.save(update_fields=["status"])
    zhang = balance(world.zhang_card)
    with django_capture_on_commit_callbacks(execute=True):
        run_all()
    batch.refresh_from_db()
    texts = list(SmsMessage.objects.filter(purpose=services.PURPOSE_BATCH_FAILURES)
                 .values_list("text", flat=True))
    assert len(texts) == 1 and "成功2笔，失败2笔" in texts[0] and batch.number in texts[0]
    result = {r.line_no: (r.status, r.failure_reason) for r in batch.rows.all()}
    assert result[2] == (BatchRowStatus.SUCCEEDED, "")
    assert result[3] == (BatchRowStatus.FAILED, "账户余额不足")
    assert result[4][0] == BatchRowStatus.FAILED and "销户" in result[4][1]
    assert result[5] == (BatchRowStatus.SUCCEEDED, "")
    assert (batch.status, batch.done_count, batch.failed_count) == (BatchStatus.DONE, 2, 2)
    assert balance(world.zhang_card) == zhang - Decimal("300.00")
    assert DueWork.objects.filter(kind=services.DUE_KIND, status=DueWorkStatus.DONE).count() == 2


def test_the_daily_limit_is_taken_row_by_row(world):
    customer = world.zhang_customer
    limit_policy_set(level=LimitLevel.CUSTOMER, scope=str(customer.pk),
                     branch_code=customer.branch.code, single_limit=Decimal("200.00"),
                     daily_limit=Decimal("250.00"))
    rows = [[world.li_card.number, "李娜", f"{a}.00", ""] for a in (100, 101, 102)]
    batch = create(world, "intra", rows)
    submit_and_confirm(world, batch)
    run_all()
    statuses = dict(batch.rows.values_list("line_no", "status"))
    assert statuses == {2: "succeeded", 3: "succeeded", 4: "failed"}
    assert "限额" in batch.rows.get(line_no=4).failure_reason


def test_inter_batch_runs_through_ibps_and_a_refused_row_gets_its_money_back(inter):
    rows = [[PAYEE_ACCOUNT, "赵敏", ICBC_HEFEI, "100.00", "货款"],
            ["6212261302001234444", "钱某", ICBC_HEFEI, "50.00", ""]]  # the simulator refuses
    batch = create(inter, "inter", rows)
    zhang = balance(inter.zhang_card)
    submit_and_confirm(inter, batch)
    run_all()
    batch.refresh_from_db()
    rows = {r.line_no: r for r in batch.rows.select_related("transfer")}
    assert rows[2].status == BatchRowStatus.SUCCEEDED
    assert rows[2].transfer.channel == "IBPS"
    assert rows[3].status == BatchRowStatus.FAILED and rows[3].failure_reason
    assert rows[3].transfer.status == TransferStatus.FAILED
    assert balance(inter.zhang_card) == zhang - Decimal("100.00")
    assert not ledger_violations()


def test_exactly_once_after_a_crash_mid_chunk(world, monkeypatch):
    """A worker dying in the middle of a chunk rolls the whole chunk back; the rerun posts
    every row once (the bench kills a real subprocess; here the crash is an exception that
    escapes the dispatcher's transaction as a SIGKILL would end it)."""
    monkeypatch.setattr(services, "CHUNK_SIZE", 3)
    batch = create(world, "intra", [[world.li_card.number, "李娜", f"{i + 1}.00", ""]
                                    for i in range(7)])
    submit_and_confirm(world, batch)
    real = services._row_run
    calls = {"n": 0}

    class Killed(BaseException):
        pass

    def dying(batch_, row, now, subject=None, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:  # the second row of the second chunk
            raise Killed
        return real(batch_, row, now, subject, **kwargs)

    monkeypatch.setattr(services, "_row_run", dying)
    entries_before = Entry.objects.count()
    with pytest.raises(Killed):
        run_all()
    batch.refresh_from_db()
    assert batch.done_count == 3  # the first chunk committed, the second rolled back
    assert Entry.objects.count() == entries_before + 3
    monkeypatch.setattr(services, "_row_run", real)
    run_all()
    batch.refresh_from_db()
    assert (batch.status, batch.done_count) == (BatchStatus.DONE, 7)
    assert Entry.objects.count() == entries_before + 7
    assert Transfer.objects.filter(operation=batch.operation).count() == 7
    assert not ledger_violations()


def test_another_customers_batch_is_a_404(world):
    batch = create(world, "intra", intra_rows(world))
    with pytest.raises(Http404):
        services.batch_get(customer=world.li_customer, number=batch.number)
    with pytest.raises(Http404):
        services.batch_submit(user=world.li, number=batch.number)


def test_the_result_file_has_every_row(world):
    batch = create(world, "intra", intra_rows(world, 1, amount="1.00") + [
        [world.li_card.number, "李娜", "2.00", "x"]])
    # A formula can no longer be typed in; a value that is one must still come back as text.
    formula = '=HYPERLINK("http://evil.example/","点此")'
    batch.rows.filter(line_no=3).update(purpose=formula)
    submit_and_confirm(world, batch)
    run_all()
    content = files.xlsx_bytes(title="r", headers=services.RESULT_HEADERS["intra"],
                               rows=services.result_rows(batch))
    sheet = load_workbook(io.BytesIO(content)).active
    values = list(sheet.values)
    assert values[0][0] == "行号" and len(values) == 3
    assert values[1][5] == "成功" and values[1][6].startswith("TR")
    assert values[2][4] == formula  # a text cell, never a formula
    assert sheet.cell(row=3, column=5).data_type == "s"
    text = files.csv_bytes(headers=services.RESULT_HEADERS["intra"],
                           rows=services.result_rows(batch)).decode("utf-8-sig")
    assert "'=HYPERLINK(" in text
