"""Excel cells that are never formulas.

openpyxl stores any string that begins with ``=`` as a formula, so an alias, a 用途 or a payee
name typed as ``=HYPERLINK("http://…")`` would become a live link (or worse) in the customer's
Excel. Every exporter writes its strings through these helpers: a string stays a string cell.
"""

from openpyxl.cell import WriteOnlyCell


def text_only(cell):
    """Mark an already written cell as text when its value is a string; returns the cell."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def write_only_cell(sheet, value, *, number_format: str | None = None, font=None):
    """A cell for a write-only sheet: strings as text, with an optional format and font."""
    cell = text_only(WriteOnlyCell(sheet, value=value))
    if number_format:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell
