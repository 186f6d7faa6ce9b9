"""交易明细 as an Excel workbook (ACC-HISTORY export).

The workbook is written row by row (openpyxl write-only mode) while the postings are read a
chunk at a time along the same index as the page, into a spooled temporary file that the
response then streams: a long history never sits in memory as Python objects. Amounts are
numbers with a two-decimal format (a customer sums them in Excel); times are Asia/Shanghai.
The file name carries the last four digits only, never the card number.
"""

import tempfile
from datetime import date

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from ebank.core.clock import SHANGHAI
from ebank.core.excel import write_only_cell

from .selectors import HistoryAccount, history_rows_iter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT_FORMAT = "#,##0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
COLUMNS = [("交易时间", 20), ("摘要", 28), ("收入（元）", 16), ("支出（元）", 16),
           ("余额（元）", 18), ("对方户名", 18), ("对方账号", 24)]
# Beyond this the customer is asked to narrow the period (Excel itself stops at ~1M rows).
EXPORT_MAX_ROWS = 100_000
SPOOL_BYTES = 8 * 1024 * 1024


def history_filename(*, account: HistoryAccount, start: date, end: date) -> str:
    return f"交易明细_尾号{account.number_tail}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx"


def history_workbook_write(*, target, account: HistoryAccount, start: date, end: date,
                           max_rows: int = EXPORT_MAX_ROWS) -> int:
    """Write the workbook to the file object ``target``; returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("交易明细")
    for index, (_title, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)

    def cell(value, *, number_format: str | None = None, font: Font | None = None):
        # Strings as text: an alias, 摘要 or 对方户名 typed as "=HYPERLINK(...)" is no formula.
        return write_only_cell(sheet, value, number_format=number_format, font=font)

    def row(*values) -> None:
        sheet.append([cell(value) for value in values])

    sheet.append([cell("交易明细", font=Font(bold=True, size=14))])
    row("户名", account.holder_name)
    row("账户名称", account.name)
    row("卡号/账号", account.masked_number)
    row("子账户", f"{account.seq:04d} {account.kind_label}")
    row("查询区间", f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}")
    row("币种", "人民币")
    row("导出时间", timezone.localtime(timezone=SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"))
    sheet.append([])
    sheet.append([cell(title, font=bold) for title, _width in COLUMNS])
    count = 0
    for posting in history_rows_iter(account=account, start=start, end=end, limit=max_rows + 1):
        if count == max_rows:
            row(f"记录超过{max_rows}条，以上为最近的{max_rows}条，请缩小查询区间后分次导出")
            break
        posted_at = timezone.localtime(posting.posted_at, timezone=SHANGHAI).replace(tzinfo=None)
        sheet.append([
            cell(posted_at, number_format=TIME_FORMAT),
            cell(posting.summary),
            cell(posting.income, number_format=AMOUNT_FORMAT),
            cell(posting.expense, number_format=AMOUNT_FORMAT),
            cell(posting.balance_after, number_format=AMOUNT_FORMAT),
            cell(posting.counterparty_name),
            cell(posting.counterparty_account),
        ])
        count += 1
    workbook.save(target)
    return count


def history_export_response(*, account: HistoryAccount, start: date, end: date) -> FileResponse:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    history_workbook_write(target=spool, account=account, start=start, end=end)
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, content_type=XLSX,
                            filename=history_filename(account=account, start=start, end=end))
    response["Cache-Control"] = "no-store"
    return response
