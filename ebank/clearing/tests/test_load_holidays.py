from datetime import date

import pytest
from django.core.management import CommandError, call_command

from ebank.clearing.calendar import WorkCalendar
from ebank.clearing.models import Holiday, HolidayKind
from ebank.clearing.services import ClearingDataError, holidays_load

pytestmark = pytest.mark.django_db
d = date.fromisoformat


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("load_holidays", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_files_load_once_then_change_nothing():
    out, _ = run("--builtin")
    assert "新增 52" in out
    assert Holiday.objects.count() == 52
    national_day = Holiday.objects.get(date=d("2026-10-01"))
    assert (national_day.kind, national_day.name) == (HolidayKind.HOLIDAY, "国庆节")
    assert "2026年部分节假日安排" in national_day.source
    assert Holiday.objects.get(date=d("2026-10-10")).kind == HolidayKind.MAKEUP_WORKDAY
    assert "暂定" in Holiday.objects.get(date=d("2027-02-05")).source

    out, _ = run("--builtin")
    assert "新增 0，更新 0，未变 52" in out
    assert Holiday.objects.count() == 52


def test_a_file_with_bad_rows_loads_nothing_and_names_every_bad_line(tmp_path):
    path = write(tmp_path, "bad.csv", "date,kind,name\n"
                 "2026-10-01,HOLIDAY,国庆节\n"
                 "2026-13-01,HOLIDAY,国庆节\n"
                 "2026-10-02,DAY_OFF,国庆节\n"
                 "2026-10-03,HOLIDAY,\n"
                 "2026-10-09,MAKEUP_WORKDAY,国庆节\n")  # a Friday: cannot be a make-up day
    with pytest.raises(CommandError, match="4 处错误"):
        run(str(path))
    assert not Holiday.objects.exists()


def test_problems_say_which_line(tmp_path):
    path = write(tmp_path, "bad.csv", "date,kind,name\n2026-10-01,HOLIDAY,国庆节\n2026-10-02,X,国庆节\n")
    with pytest.raises(ClearingDataError) as caught:
        holidays_load(paths=[path])
    assert caught.value.problems == ["bad.csv 第3行：类型应为 HOLIDAY 或 MAKEUP_WORKDAY：'X'"]


def test_missing_columns_and_missing_files_are_reported(tmp_path):
    path = write(tmp_path, "cols.csv", "day,kind\n2026-10-01,HOLIDAY\n")
    with pytest.raises(CommandError):
        run(str(path))
    with pytest.raises(CommandError):
        run(str(tmp_path / "nope.csv"))
    with pytest.raises(CommandError, match="--builtin"):
        run()


def test_chinese_kinds_excel_bom_and_source_default(tmp_path):
    path = tmp_path / "ops.csv"
    path.write_text("date,kind,name\n2028-01-01,法定节假日,元旦\n2028-01-08,调休工作日,元旦\n",
                    encoding="utf-8-sig")
    out, _ = run(str(path))
    assert "新增 2" in out
    rows = {h.date: h for h in Holiday.objects.all()}
    assert rows[d("2028-01-01")].kind == HolidayKind.HOLIDAY
    assert rows[d("2028-01-08")].kind == HolidayKind.MAKEUP_WORKDAY
    assert rows[d("2028-01-08")].source == "ops.csv"


def test_duplicate_dates_across_files_are_refused(tmp_path):
    a = write(tmp_path, "a.csv", "date,kind,name\n2026-10-01,HOLIDAY,国庆节\n")
    b = write(tmp_path, "b.csv", "date,kind,name\n2026-10-01,HOLIDAY,国庆\n")
    with pytest.raises(CommandError):
        run(str(a), str(b))
    assert not Holiday.objects.exists()


def test_upsert_updates_changed_rows(tmp_path):
    run("--builtin")
    path = write(tmp_path, "fix.csv", "date,kind,name,source\n2026-10-01,HOLIDAY,国庆节,更正\n")
    out, _ = run(str(path))
    assert "更新 1" in out
    assert Holiday.objects.get(date=d("2026-10-01")).source == "更正"


def test_replace_drops_the_provisional_days_of_a_year(tmp_path, django_capture_on_commit_callbacks):
    run("--builtin")
    official = write(tmp_path, "holidays_2027_official.csv", "date,kind,name\n"
                     "2027-01-01,HOLIDAY,元旦\n2027-02-06,HOLIDAY,春节\n2027-02-20,MAKEUP_WORKDAY,春节\n")
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run(str(official), "--replace")
    assert "删除 11" in out
    assert set(Holiday.objects.filter(date__year=2027).values_list("date", flat=True)) == {
        d("2027-01-01"), d("2027-02-06"), d("2027-02-20")}
    assert Holiday.objects.filter(date__year=2026).count() == 39  # other years untouched
    assert WorkCalendar.load().is_working_day(d("2027-02-05"))
