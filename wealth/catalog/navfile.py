"""The fund company's 净值 file (``manage.py publish_nav FILE``): UTF-8 CSV with the header

    产品代码,净值日期,单位净值,万份收益,七日年化收益率

(the last two only for 薪加利). Every line is checked before anything is written; each problem
names its line (the header is line 1).
"""

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from ..models import NAV, RATE, Nav, Product
from .rules import nav_differs, nav_rules_check, nav_used
from .services import NavLine

HEADER = ["产品代码", "净值日期", "单位净值", "万份收益", "七日年化收益率"]
# The header without the 薪加利 columns is accepted too: a file of other products only.
SHORT_HEADER = HEADER[:3]
# The columns' sizes (wealth.models NAV and RATE).
NAV_FIGURE = {"places": NAV["decimal_places"], "digits": NAV["max_digits"]}
RATE_FIGURE = {"places": RATE["decimal_places"], "digits": RATE["max_digits"]}


class NavFileError(Exception):
    """The file cannot be published: ``problems`` are the Chinese lines to print."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _decimal(text: str, places: int, digits: int) -> Decimal | None:
    """A figure with at most ``places`` decimals that fits a column of ``digits`` digits; None
    for an empty cell; ValueError if bad (a figure too large for the book is a bad line, not a
    database error at writing time)."""
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or value.as_tuple().exponent < -places \
            or abs(value) >= Decimal(10) ** (digits - places):
        raise ValueError
    return value.quantize(Decimal(1).scaleb(-places))


def nav_file_read(raw: bytes) -> list[NavLine]:
    """The file's rows, each checked (NavFileError with every problem found)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NavFileError(["文件不是UTF-8编码"]) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [cell.strip() for cell in rows[0]] not in (HEADER, SHORT_HEADER):
        raise NavFileError([f"第1行：表头须为 {','.join(HEADER)}"])
    products = {product.code: product for product in Product.objects.all()}
    problems: list[str] = []
    lines: list[NavLine] = []
    seen: dict[tuple[str, date], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row] + [""] * (len(HEADER) - len(row))
        if len(row) > len(HEADER):
            problems.append(f"第{number}行：列数多于表头")
            continue
        code, day_text, nav_text, income_text, yield_text = cells[:5]
        product = products.get(code)
        if product is None:
            problems.append(f"第{number}行：产品代码 {code or '（空）'} 不存在")
            continue
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            problems.append(f"第{number}行：净值日期 {day_text or '（空）'} 无效，格式为YYYY-MM-DD")
            continue
        try:
            nav = _decimal(nav_text, **NAV_FIGURE)
        except ValueError:
            problems.append(f"第{number}行：单位净值 {nav_text} 无效（最多四位小数）")
            continue
        if nav is None or nav <= 0:
            problems.append(f"第{number}行：单位净值须大于零")
            continue
        try:
            income = _decimal(income_text, **NAV_FIGURE)
            seven_day = _decimal(yield_text, **RATE_FIGURE)
        except ValueError:
            problems.append(f"第{number}行：万份收益或七日年化收益率无效（最多四位小数）")
            continue
        errors = nav_rules_check(product=product, day=day, nav=nav, income_per_10k=income,
                                 seven_day_yield=seven_day)
        if errors:
            problems.append(f"第{number}行：{'；'.join(errors.values())}")
            continue
        key = (code, day)
        if key in seen:
            problems.append(f"第{number}行：{code} {day:%Y-%m-%d} 与第{seen[key]}行重复")
            continue
        seen[key] = number
        stored = Nav.objects.filter(product=product, date=day).first()
        if stored is not None and nav_differs(stored, nav, income, seven_day) \
                and nav_used(product, day):
            problems.append(f"第{number}行：{code} {day:%Y-%m-%d} 的净值已用于确认交易或收益，"
                            f"不能修改")
            continue
        lines.append(NavLine(number, product, day, nav, income, seven_day))
    if problems:
        raise NavFileError(problems)
    if not lines:
        raise NavFileError(["文件没有净值数据"])
    return lines
