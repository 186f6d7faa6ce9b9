"""Writes to the clearing reference data: the holiday calendar and the 联行号 table.

Both loaders validate every row before writing any, then upsert in one transaction, so a file
with one bad line changes nothing and a file loaded twice changes nothing the second time.
"""

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .calendar import calendar_invalidate
from .models import BankCode, Holiday, HolidayKind

DATA_DIR = Path(__file__).resolve().parent / "data"
BUILTIN_HOLIDAY_FILES = (DATA_DIR / "holidays_2026.csv", DATA_DIR / "holidays_2027.csv")
SAMPLE_BANK_CODES_FILE = DATA_DIR / "bank_codes_sample.csv"

BANK_CODE_RE = re.compile(r"^[0-9]{12}$")
_BATCH = 1000

Rows = Iterable[Mapping[str, str]]


class ClearingDataError(Exception):
    """A file that cannot be loaded; ``problems`` lists every bad line, not just the first."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems[:20]) + ("……" if len(problems) > 20 else ""))


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line in the file (the header is line 1), or the row's 1-based index
    message: str

    def __str__(self) -> str:
        return f"第{self.line}行：{self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        text = f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}"
        if self.deleted:
            text += f"，删除 {self.deleted}"
        if self.errors:
            text += f"，错误 {len(self.errors)}"
        return text


# --- holidays -------------------------------------------------------------------------------------

_KIND_ALIASES = {
    HolidayKind.HOLIDAY.value: HolidayKind.HOLIDAY,
    HolidayKind.HOLIDAY.label: HolidayKind.HOLIDAY,
    HolidayKind.MAKEUP_WORKDAY.value: HolidayKind.MAKEUP_WORKDAY,
    HolidayKind.MAKEUP_WORKDAY.label: HolidayKind.MAKEUP_WORKDAY,
}


@dataclass(frozen=True)
class HolidayRow:
    date: date
    kind: HolidayKind
    name: str
    source: str


def holiday_rows_read(path: Path | str) -> list[HolidayRow]:
    """Parse and validate one holidays CSV (columns date,kind,name[,source]).

    ``source`` defaults to the file name. Raises ``ClearingDataError`` listing every bad line.
    """
    path = Path(path)
    rows, problems = [], []
    for line, raw in _read_csv(path, required=("date", "kind", "name")):
        try:
            rows.append(_holiday_row(raw, default_source=path.name))
        except ValueError as exc:
            problems.append(f"{path.name} {RowError(line, str(exc))}")
    if problems:
        raise ClearingDataError(problems)
    return rows


def _holiday_row(raw: Mapping[str, str], *, default_source: str) -> HolidayRow:
    try:
        day = date.fromisoformat((raw.get("date") or "").strip())
    except ValueError:
        raise ValueError(f"日期格式应为 YYYY-MM-DD：{raw.get('date')!r}") from None
    kind = _KIND_ALIASES.get((raw.get("kind") or "").strip())
    if kind is None:
        raise ValueError(f"类型应为 HOLIDAY 或 MAKEUP_WORKDAY：{raw.get('kind')!r}")
    name = (raw.get("name") or "").strip()
    if not name:
        raise ValueError("节日名称不能为空")
    # A make-up working day only means something on a weekend; on a weekday it is a typo that
    # would silently do nothing.
    if kind == HolidayKind.MAKEUP_WORKDAY and day.weekday() < 5:
        raise ValueError(f"{day} 是工作日，不能登记为调休工作日")
    source = (raw.get("source") or "").strip() or default_source
    return HolidayRow(day, kind, name, source)


@transaction.atomic(durable=True)
def holidays_load(*, paths: Iterable[Path | str], replace: bool = False) -> ImportResult:
    """Upsert the holidays of the given files.

    With ``replace``, a year that appears in the files is taken as complete: that year's rows not
    in the files are deleted (how the provisional 2027 days give way to the State Council's
    notice).
    """
    rows: list[HolidayRow] = []
    problems: list[str] = []
    for path in paths:
        try:
            rows.extend(holiday_rows_read(path))
        except ClearingDataError as exc:
            problems.extend(exc.problems)
    seen: dict[date, HolidayRow] = {}
    for row in rows:
        if row.date in seen:
            problems.append(f"{row.date} 重复登记（{seen[row.date].name} / {row.name}）")
        seen[row.date] = row
    if problems:
        raise ClearingDataError(problems)

    result = ImportResult()
    existing = {h.date: h for h in Holiday.objects.select_for_update().filter(date__in=seen)}
    for row in rows:
        holiday = existing.get(row.date)
        if holiday is None:
            Holiday.objects.create(date=row.date, kind=row.kind, name=row.name, source=row.source)
            result.created += 1
        elif (holiday.kind, holiday.name, holiday.source) != (row.kind, row.name, row.source):
            holiday.kind, holiday.name, holiday.source = row.kind, row.name, row.source
            holiday.save(update_fields=["kind", "name", "source", "updated_at"])
            result.updated += 1
        else:
            result.unchanged += 1
    if replace:
        years = {day.year for day in seen}
        stale = Holiday.objects.filter(date__year__in=years).exclude(date__in=seen)
        result.deleted, _ = stale.delete()
    if result.created or result.updated or result.deleted:
        # After commit: a process that rebuilt between the bump and the commit would cache the
        # old rows under the new version.
        transaction.on_commit(calendar_invalidate)
    return result


# --- bank codes -----------------------------------------------------------------------------------

_BANK_CODE_FIELDS = ("name", "bank_name", "city", "clearing_code")


@transaction.atomic(durable=True)
def bank_codes_import(*, rows_or_path: Rows | Path | str, skip_invalid: bool = False) -> ImportResult:
    """Upsert 联行号 rows (columns code,name,bank_name,city[,clearing_code]).

    Every row is validated first. With errors and without ``skip_invalid`` nothing is written and
    the result lists the errors; with ``skip_invalid`` the good rows are imported and the bad
    ones reported. Rows absent from the input are left alone (a partial file is a correction,
    not a new table).
    """
    if isinstance(rows_or_path, str | Path):
        numbered = _read_csv(Path(rows_or_path), required=("code", "name", "bank_name"))
    else:
        numbered = enumerate(rows_or_path, start=1)

    result = ImportResult()
    wanted: dict[str, dict[str, str]] = {}
    for line, raw in numbered:
        try:
            code, values = _bank_code_row(raw)
        except ValueError as exc:
            result.errors.append(RowError(line, str(exc)))
            continue
        if code in wanted:
            result.errors.append(RowError(line, f"联行号 {code} 重复"))
            continue
        wanted[code] = values
    if result.errors and not skip_invalid:
        return result

    now = timezone.now()
    codes = list(wanted)
    to_create, to_update = [], []
    for start in range(0, len(codes), _BATCH):
        chunk = codes[start:start + _BATCH]
        existing = {b.code: b for b in BankCode.objects.filter(code__in=chunk)}
        for code in chunk:
            values = wanted[code]
            bank_code = existing.get(code)
            if bank_code is None:
                to_create.append(BankCode(code=code, updated_at=now, **values))
            elif any(getattr(bank_code, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(bank_code, name, value)
                bank_code.updated_at = now  # bulk_update does not apply auto_now
                to_update.append(bank_code)
            else:
                result.unchanged += 1
    BankCode.objects.bulk_create(to_create, batch_size=_BATCH)
    BankCode.objects.bulk_update(to_update, [*_BANK_CODE_FIELDS, "updated_at"], batch_size=_BATCH)
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _bank_code_row(raw: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    code = (raw.get("code") or "").strip()
    if not BANK_CODE_RE.match(code):
        raise ValueError(f"联行号应为12位数字：{code!r}")
    values = {name: (raw.get(name) or "").strip() for name in _BANK_CODE_FIELDS}
    if not values["name"]:
        raise ValueError("行名不能为空")
    if not values["bank_name"]:
        raise ValueError("所属银行不能为空")
    if values["clearing_code"] and not BANK_CODE_RE.match(values["clearing_code"]):
        raise ValueError(f"清算行行号应为12位数字：{values['clearing_code']!r}")
    limits = {"name": 128, "bank_name": 64, "city": 32}
    for name, limit in limits.items():
        if len(values[name]) > limit:
            raise ValueError(f"{BankCode._meta.get_field(name).verbose_name}超过{limit}个字")
    return code, values


# --- files ----------------------------------------------------------------------------------------

def _read_csv(path: Path, *, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs. ``utf-8-sig`` because Excel saves CSV with a BOM."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in required if name not in header]
            if missing:
                raise ClearingDataError([f"{path.name} 缺少列：{', '.join(missing)}"])
            reader.fieldnames = header
            return [(reader.line_num, row) for row in reader
                    if any((value or "").strip() for value in row.values() if isinstance(value, str))]
    except FileNotFoundError:
        raise ClearingDataError([f"找不到文件：{path}"]) from None
    except UnicodeDecodeError:
        raise ClearingDataError([f"{path.name} 不是 UTF-8 编码（请另存为 UTF-8 CSV）"]) from None
