"""A statement as a PDF (WeasyPrint, the system's Noto CJK fonts, as accounts/receipts/pdf.py)
and as an Excel workbook (openpyxl), both from :class:`StatementDocument`: the same figures as
the page. The card number is masked: the files leave the bank's pages."""

from datetime import date
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ebank.core.excel import text_only

from .selectors import StatementDocument, card_label

LINE_HEADERS = ("交易日", "记账日", "交易摘要", "商户", "类型", "金额（元）")


def statement_filename(document: StatementDocument, extension: str) -> str:
    statement = document.statement
    return (f"statement-{statement.card.medium.number[-4:]}-"
            f"{statement.statement_date:%Y%m%d}.{extension}")


def statement_html(document: StatementDocument) -> str:
    return render_to_string("creditcard/account/statement_pdf.html",
                            {"document": document, "card_label": card_label(document.statement.card),
                             "bank_name": settings.BANK_NAME,
                             "bank_full_name": settings.BANK_FULL_NAME})


def statement_pdf(document: StatementDocument) -> bytes:
    # Imported here: WeasyPrint loads pango at import, which only the PDF download needs.
    from weasyprint import HTML

    return HTML(string=statement_html(document)).write_pdf()


def statement_xlsx(document: StatementDocument) -> bytes:
    statement = document.statement
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "信用卡账单"
    sheet.append([f"信用卡账单 {card_label(statement.card)} {statement.statement_date:%Y年%m月}"])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([])
    sheet.append(["账单周期", f"{statement.period_start:%Y-%m-%d} 至 {statement.statement_date:%Y-%m-%d}"])
    for label, value in document.summary():
        sheet.append([label, value])
        cell = sheet.cell(row=sheet.max_row, column=2)
        if isinstance(value, Decimal):
            cell.number_format = "#,##0.00"
        elif isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
    sheet.append([])
    sheet.append(list(LINE_HEADERS))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for line in document.lines:
        sheet.append([line.txn_date, line.posted_on, line.description, line.merchant, line.kind,
                      line.amount])
        row = sheet.max_row
        sheet.cell(row=row, column=1).number_format = "yyyy-mm-dd"
        sheet.cell(row=row, column=2).number_format = "yyyy-mm-dd"
        sheet.cell(row=row, column=6).number_format = "#,##0.00"
    for label, value in (("借方合计", document.totals.debits),
                         ("贷方合计", document.totals.credits_negated),
                         ("合计", document.totals.net)):
        sheet.append([label, None, None, None, None, value])
        sheet.cell(row=sheet.max_row, column=6).number_format = "#,##0.00"
    for row in sheet.iter_rows():
        for cell in row:
            text_only(cell)  # a merchant's name is never a formula
    for letter, width in zip("ABCDEF", (14, 14, 30, 24, 12, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
