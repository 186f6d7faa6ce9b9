"""Every Excel export writes what a customer or a counterparty typed as text, never a formula.

openpyxl turns any string beginning with "=" into a formula; an alias, a 摘要 memo or a payee
name typed as =HYPERLINK(...) must reach the customer's Excel as the characters typed.
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import MediumKind
from accounts.receipts.excel import receipts_workbook

from . import test_pages_support as support
from .test_pages_history import _receipt
from .test_pages_support import deposit, withdraw

pytestmark = pytest.mark.django_db

alice_client = support.alice_client
bank = support.bank

FORMULA = '=HYPERLINK("http://x.cn","领奖")'
# Every module that writes a workbook, and the test below that covers it.
EXPORTERS = {"accounts/pages/exports.py", "accounts/receipts/excel.py", "ebank/core/excel.py",
             "transfers/batch/files.py",  # TRF-BATCH: test_batch_files_write_typed_text_as_text
             # CC-BILLED: test_a_merchant_name_never_becomes_a_formula_in_the_excel
             "creditcard/account/exports.py",
             # LN-QUERY: loans/tests/test_query_excel_text.py
             "loans/query/exports.py"}


def _cells(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_no_formula(workbook, *typed: str):
    cells = list(_cells(workbook))
    formulas = [(cell.coordinate, cell.value) for cell in cells if cell.data_type == "f"]
    assert formulas == []
    values = [cell.value for cell in cells]
    for text in typed:
        assert any(isinstance(v, str) and text in v for v in values), text


def test_every_module_that_writes_a_workbook_is_covered_here():
    root = Path(settings.BASE_DIR)
    writers = set()
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "bench/", "tests/")) or "/tests/" in relative:
            continue
        if re.search(r"^\s*(from|import) openpyxl", path.read_text(encoding="utf-8"), re.M):
            writers.add(relative)
    assert writers == EXPORTERS


def test_history_export_keeps_alias_memo_and_payee_as_text(alice_client, bank):
    main = bank.main(bank.alice)
    link = bank.link(bank.alice, MediumKind.DEBIT_CARD)
    link.alias = FORMULA
    link.save(update_fields=["alias"])
    deposit(main, "1.00", key="xl:d1", memo="=1+2")
    _receipt(bank, main, withdraw(main, "50.00", key="xl:w1"), number="R-XL-1",
             payee_name="=CMD|' /C calc'!A0")
    response = alice_client.get(reverse("accounts:history_export"),
                                {"account": main.pk, "period": "today"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    _assert_no_formula(workbook, FORMULA, "=1+2", "=CMD|' /C calc'!A0")
    sheet = workbook["交易明细"]
    assert sheet["B3"].value == FORMULA and sheet["B3"].data_type == "s"


def test_receipts_export_keeps_payee_and_purpose_as_text(bank):
    main = bank.main(bank.alice)
    receipt = _receipt(bank, main, withdraw(main, "50.00", key="xl:w2"), number="R-XL-2",
                       payee_name=FORMULA)
    receipt.purpose = "=SUM(1,2)"
    receipt.save(update_fields=["purpose"])
    content = receipts_workbook(receipts=[receipt], title="=电子回单")
    _assert_no_formula(load_workbook(io.BytesIO(content)), FORMULA, "=SUM(1,2)", "=电子回单")


# --- TRF-BATCH ----------------------------------------------------------------------------------


def test_batch_files_write_typed_text_as_text():
    """批量转账's 校验报告 / 执行结果 workbooks and template: a payee name typed as a formula is
    text (transfers/batch/files.py)."""
    from transfers.batch import files

    data = files.xlsx_bytes(title="执行结果", headers=["收款人名称", "用途"],
                            rows=[[FORMULA, "=1+1"]])
    _assert_no_formula(load_workbook(io.BytesIO(data)), FORMULA, "=1+1")
    _assert_no_formula(load_workbook(io.BytesIO(files.template_xlsx("inter"))), "收款行行号")
# --- end TRF-BATCH
