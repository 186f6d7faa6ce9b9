"""The listed 电子回单 as an Excel workbook (openpyxl), one row per receipt.

Account numbers are masked as in the list: the file leaves the bank's pages and travels by
e-mail; the full numbers are on each receipt's own page and PDF. Every text cell is written as
text, so a name or 用途 typed as ``=HYPERLINK(...)`` by a counterparty is never a formula.
"""

from collections.abc import Iterable
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from accounts.models import Receipt
from ebank.core.excel import text_only

from .selectors import receipt_row
from .services import receipt_time_text

HEADERS = ("回单编号", "交易时间", "收付方向", "金额（元）", "本方账号", "对方户名", "对方账号",
           "用途", "业务种类", "交易渠道", "验证码")
WIDTHS = (24, 20, 9, 14, 22, 18, 22, 24, 14, 10, 28)


def receipts_workbook(*, receipts: Iterable[Receipt], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "电子回单"
    sheet.append([title])
    text_only(sheet["A1"])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for receipt in receipts:
        row = receipt_row(receipt)
        sheet.append([receipt.number, receipt_time_text(receipt.posted_at),
                      receipt.get_direction_display(), receipt.amount, row.own_account,
                      row.counterparty_name, row.counterparty_account, receipt.purpose,
                      receipt.business, receipt.channel, receipt.verification_code])
        for cell in sheet[sheet.max_row]:
            text_only(cell)  # never a formula, whatever was typed
        sheet.cell(row=sheet.max_row, column=4).number_format = "#,##0.00"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    sheet.freeze_panes = "A3"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
