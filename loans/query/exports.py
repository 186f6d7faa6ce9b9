"""A 借据's 还款计划 as a PDF (WeasyPrint, the system's Noto CJK fonts, as accounts/receipts/pdf.py
and the credit card statements) and as an Excel workbook (openpyxl): the same figures as the
page. The repayment account is masked: the files leave the bank's pages."""

from io import BytesIO

from django.conf import settings
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ebank.core.excel import text_only

from .selectors import LoanDocument

SCHEDULE_HEADERS = ("期次", "应还日", "应还本金", "应还利息", "应还合计", "罚息", "复利", "已还",
                    "剩余本金", "状态")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def schedule_filename(document: LoanDocument, extension: str) -> str:
    return f"loan-{document.loan.number}-schedule.{extension}"


def schedule_html(document: LoanDocument) -> str:
    return render_to_string("loans/query/schedule_pdf.html", {
        "document": document, "iou": document.iou, "bank_name": settings.BANK_NAME,
        "bank_full_name": settings.BANK_FULL_NAME})


def schedule_pdf(document: LoanDocument) -> bytes:
    # Imported here: WeasyPrint loads pango at import, which only the PDF download needs.
    from weasyprint import HTML

    return HTML(string=schedule_html(document)).write_pdf()


def schedule_xlsx(document: LoanDocument) -> bytes:
    """Two sheets: 还款计划 (a header row, then one row per period) and 电子借据 (its elements)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "还款计划"
    sheet.append(list(SCHEDULE_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for line in document.periods:
        sheet.append([line.number, line.due_date, line.principal, line.interest, line.payment,
                      line.penalty, line.compound, line.paid, line.balance_after, line.status])
        row = sheet.max_row
        sheet.cell(row=row, column=2).number_format = "yyyy-mm-dd"
        for column in range(3, 10):
            sheet.cell(row=row, column=column).number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGHIJ", (8, 12, 14, 12, 14, 10, 10, 14, 14, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    elements = workbook.create_sheet("电子借据")
    elements.append([f"{settings.BANK_FULL_NAME} 电子借据"])
    elements["A1"].font = Font(bold=True, size=12)
    for label, value in document.iou.elements():
        elements.append([label, value])
    elements.column_dimensions["A"].width = 18
    elements.column_dimensions["B"].width = 40
    for each in (sheet, elements):
        for cells in each.iter_rows():
            for cell in cells:
                text_only(cell)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
