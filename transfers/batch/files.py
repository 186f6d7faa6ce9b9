"""Reading an uploaded batch file (CSV or XLSX) into raw rows, and writing the templates, the
check report and the result file.

A file is refused whole — a :class:`BusinessError` with a message for the customer — when it is
too big, not a spreadsheet, in an unknown encoding, has a formula, an empty row between data
rows, a header that is not the template's, or more than :data:`MAX_ROWS` rows. Nothing is
stored before the whole file has been read, so nothing is ever half-imported. Cell values come
back as text: amounts are checked (and turned into Decimal) by the row checks, never floats.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from ebank.core.errors import BusinessError
from ebank.core.excel import write_only_cell

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024  # 5 MB: 10,000 rows of the template are well under 1 MB
MAX_BYTES_TEXT = "5MB"
# An XLSX is a zip: what it unpacks to is capped too (10,000 template rows unpack to ~3 MB).
XLSX_MAX_UNCOMPRESSED = 30 * 1024 * 1024
XLSX_MAX_RATIO = 100  # a real sheet compresses 5-20 times; a zip bomb thousands of times
XLSX_RATIO_FROM = 1024 * 1024  # small members (styles, themes) may compress well

INTRA = "intra"
INTER = "inter"
HEADERS = {
    INTRA: ("收款人账号", "收款人名称", "金额", "用途"),
    INTER: ("收款人账号", "收款人名称", "收款行行号", "金额", "用途"),
}
FIELDS = {
    INTRA: ("payee_account", "payee_name", "amount", "purpose"),
    INTER: ("payee_account", "payee_name", "bank_code", "amount", "purpose"),
}
TEXT_COLUMNS = {"payee_account", "bank_code"}
# Free text the result files carry back to a spreadsheet: a leading + - @ is a formula there
# too (an amount's leading minus is only an invalid amount, said by the amount check).
TEXT_FIELDS = {"payee_name", "purpose", "bank_code"}
FORMULA_STARTS_TEXT = ("=", "+", "-", "@")

TOO_BIG = f"文件超过{MAX_BYTES_TEXT}，请拆分后分批上传"
XLSX_TOO_BIG = "XLSX文件解压后内容过大，请按模板填写（不要加入图片等其他内容）后重新上传"
NOT_SPREADSHEET = "仅支持CSV或XLSX格式的文件，请下载模板填写后上传"
XLS_OLD = "不支持Excel 97-2003（.xls）格式：请在Excel中另存为XLSX或CSV后上传"
ENCODING = "无法识别文件编码：请将CSV另存为UTF-8或GBK编码后上传"
EMPTY_FILE = "文件中没有转账明细，请按模板填写后上传"
HEADER = "文件表头与模板不符：第1行应为“{}”，请下载模板填写"
EMPTY_ROW = "第{}行为空行，请删除空行后重新上传"
FORMULA = "第{}行第{}列含有公式，请将公式转为数值后重新上传"
TOO_MANY = f"文件共{{}}行转账明细，超过单批{MAX_ROWS:,}行的上限，请拆分后分批上传"
TOO_MANY_CUT = f"文件超过{MAX_ROWS:,}行转账明细，超过单批{MAX_ROWS:,}行的上限，请拆分后分批上传"


@dataclass(frozen=True)
class RawRow:
    line_no: int  # the line in the file (the header is line 1)
    values: dict[str, str]


def rows_read(*, kind: str, name: str, data: bytes) -> list[RawRow]:
    """The data rows of an uploaded file; BusinessError refusing the file whole."""
    if len(data) > MAX_BYTES:
        raise BusinessError(TOO_BIG, code="file_too_big")
    if not data.strip():
        raise BusinessError(EMPTY_FILE, code="file_empty")
    # Decided by the name's extension and by the content: an XLSX is a zip, a CSV must decode
    # as UTF-8/GBK text; a .txt, .pdf, .docx… is refused as such, never as a wrong header.
    extension = name.rsplit(".", 1)[1].lower() if "." in name else ""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or extension == "xls":
        raise BusinessError(XLS_OLD, code="file_xls")
    if extension not in ("", "csv", "xlsx"):
        raise BusinessError(NOT_SPREADSHEET, code="file_type")
    if extension == "xlsx" and data[:4] != b"PK\x03\x04":
        raise BusinessError(NOT_SPREADSHEET, code="file_type")
    if data[:4] == b"PK\x03\x04":
        # Read up to one row too many: the count in the refusal is "more than 10,000".
        return _rows(kind, _xlsx_table(data, width=len(HEADERS[kind])), counted=False)
    return _rows(kind, _csv_table(_csv_text(data)))


def _csv_text(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Excel's "Unicode 文本" (UTF-16, tab-separated): not what the template asks for.
        raise BusinessError(ENCODING, code="file_encoding")
    if b"\x00" in data:
        # UTF-16 or a binary file (a PDF, an image, an archive): not a CSV we can read.
        raise BusinessError(NOT_SPREADSHEET, code="file_type")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        # Excel on a Chinese Windows saves "CSV" as GBK (GB18030 is its superset): accepted.
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text):
            raise BusinessError(NOT_SPREADSHEET, code="file_type")
        return text
    raise BusinessError(ENCODING, code="file_encoding")


def _csv_table(text: str) -> list[tuple[int, list[str]]]:
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        return [(index, list(row)) for index, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise BusinessError(NOT_SPREADSHEET, code="file_type") from exc


def _xlsx_table(data: bytes, *, width: int) -> list[tuple[int, list]]:
    """The first sheet's rows, read within limits: the zip members' declared sizes and their
    compression ratio are checked before openpyxl sees the file (a zip bomb within the upload
    cap), the sheet's declared dimension is ignored (``A1:XFD1048576`` would make every row
    16,384 cells), only the template's columns plus two are read, and reading stops after
    :data:`MAX_ROWS` + 1 data rows. Any failure to parse is "not a spreadsheet", never a 500."""
    _xlsx_sizes_check(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()
            table = []
            for index, row in enumerate(sheet.iter_rows(max_col=width + 2), start=1):
                cells = []
                for column, cell in enumerate(row, start=1):
                    if getattr(cell, "data_type", None) == "f":
                        raise BusinessError(FORMULA.format(index, column), code="file_formula")
                    cells.append(cell.value)
                table.append((index, cells))
                if len(table) > MAX_ROWS + 1:
                    break  # the header and one row too many: enough to refuse
            return table
        finally:
            book.close()
    except BusinessError:
        raise
    except Exception as exc:  # noqa: BLE001 - a truncated XML, a zip without sheets, ...
        raise BusinessError(NOT_SPREADSHEET, code="file_type") from exc


def _xlsx_sizes_check(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BusinessError(NOT_SPREADSHEET, code="file_type") from exc
    total = 0
    for info in members:
        total += info.file_size
        if total > XLSX_MAX_UNCOMPRESSED:
            raise BusinessError(XLSX_TOO_BIG, code="file_too_big")
        if (info.file_size > XLSX_RATIO_FROM
                and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1)):
            raise BusinessError(XLSX_TOO_BIG, code="file_too_big")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value, field: str) -> str:
    """A cell as the row checks read it: text, never a float."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if field in TEXT_COLUMNS and abs(value) >= 1e15:
            # Excel keeps 15 significant digits: a 19-digit card number typed into a number
            # cell has already lost its last digits. The row check says so.
            return f"#NUMBER:{value!r}"
        if value.is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _rows(kind: str, table: list[tuple[int, list]], *, counted: bool = True) -> list[RawRow]:
    headers, fields = HEADERS[kind], FIELDS[kind]
    # Trailing blank lines (Excel's formatted empty rows, a CSV's last newline) are not rows.
    while table and all(_blank(value) for value in table[-1][1]):
        table.pop()
    if not table:
        raise BusinessError(EMPTY_FILE, code="file_empty")
    header = [_text(value, "") for value in table[0][1]]
    if tuple(h.strip() for h in header[:len(headers)]) != headers:
        raise BusinessError(HEADER.format("、".join(headers)), code="file_header")
    body = table[1:]
    if not body:
        raise BusinessError(EMPTY_FILE, code="file_empty")
    if len(body) > MAX_ROWS:
        raise BusinessError(TOO_MANY.format(f"{len(body):,}") if counted else TOO_MANY_CUT,
                            code="file_too_many")
    rows = []
    for line_no, cells in body:
        if all(_blank(value) for value in cells):
            raise BusinessError(EMPTY_ROW.format(line_no), code="file_empty_row")
        for column, value in enumerate(cells, start=1):
            field = fields[column - 1] if column <= len(fields) else ""
            starts = FORMULA_STARTS_TEXT if field in TEXT_FIELDS else ("=",)
            if isinstance(value, str) and value.lstrip().startswith(starts):
                raise BusinessError(FORMULA.format(line_no, column), code="file_formula")
        values = {field: _text(cells[i] if i < len(cells) else None, field)
                  for i, field in enumerate(fields)}
        rows.append(RawRow(line_no, values))
    return rows


# --- writing ------------------------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOLD = Font(bold=True)


def template_xlsx(kind: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "转账明细"
    sheet.append(list(HEADERS[kind]))
    for cell in sheet[1]:
        cell.font = BOLD
    # Account numbers and bank codes as text cells, so Excel keeps every digit.
    for column, field in enumerate(FIELDS[kind], start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = 24
        if field in TEXT_COLUMNS:
            for row in range(2, 1002):
                sheet.cell(row=row, column=column).number_format = "@"
    notes = book.create_sheet("填写说明")
    for line in template_notes(kind):
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(kind: str) -> bytes:
    return ("\ufeff" + ",".join(HEADERS[kind]) + "\r\n").encode("utf-8")


def template_notes(kind: str) -> list[str]:
    lines = [
        "第1行为表头，请勿修改；从第2行起每行一笔转账，中间不要留空行。",
        f"单批最多{MAX_ROWS:,}笔，文件不超过{MAX_BYTES_TEXT}；请勿使用公式。",
        "金额以元为单位，最多两位小数，如 1234.56。",
        "收款人账号请填写完整数字账号（单元格已设为文本格式）。",
    ]
    if kind == INTRA:
        lines.append("收款人名称须与收款账户户名一致；收款账户须为我行借记卡、活期存折或活期一本通（结算户）。")
    else:
        lines.append("收款行行号为12位联行号，可在“联行号查询”中查找；单笔金额不超过5万元（经网银互联7×24小时汇出）。")
    return lines


def xlsx_bytes(*, title: str, headers: list[str], rows) -> bytes:
    """A one-sheet workbook written row by row (write-only: 10,000 rows stay cheap); strings
    are always text cells, never formulas (ebank.core.excel)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([write_only_cell(sheet, h, font=BOLD) for h in headers])
    for row in rows:
        sheet.append([write_only_cell(sheet, value,
                                      number_format="#,##0.00" if isinstance(value, Decimal)
                                      else None)
                      for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(*, headers: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        # A leading = + - @ (or a tab / carriage return before one) would be a formula when
        # Excel opens the file: prefix a quote.
        writer.writerow([_csv_safe(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_safe(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
