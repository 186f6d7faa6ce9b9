"""``manage.py publish_nav FILE``: every line checked first, all written or none, the same file
again a no-op."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from ebank.core.models import AuditEvent
from wealth.models import Nav, Order, OrderKind, OrderStatus

from .conftest import FRIDAY_BEFORE, MONDAY, shanghai

pytestmark = pytest.mark.django_db

HEADER = "产品代码,净值日期,单位净值,万份收益,七日年化收益率\n"


def publish(tmp_path, text: str, *, encoding="utf-8", err=None) -> str:
    path = tmp_path / "nav.csv"
    path.write_bytes(text.encode(encoding))
    out = StringIO()
    with time_machine.travel(shanghai(MONDAY, 20), tick=False):
        call_command("publish_nav", str(path), stdout=out, stderr=err or StringIO())
    return out.getvalue()


def refused(tmp_path, text: str, *, encoding="utf-8") -> tuple[str, str]:
    """The command's error and the problems it printed."""
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        publish(tmp_path, text, encoding=encoding, err=err)
    return raised.value.args[0], err.getvalue()


GOOD = (HEADER + "LC2001,2026-06-08,1.0012,,\n"
        "XJL001,2026-06-07,1.0000,0.4500,1.6000\n"
        "LC3001,2026-06-08,0.9987,,\n")


def test_a_good_file_is_published_and_the_same_file_again_changes_nothing(world, shelf,
                                                                          tmp_path):
    out = publish(tmp_path, GOOD)
    assert out.strip() == "已发布净值 3 条，未变 0 条"
    assert Nav.objects.get(product=shelf.open_r2, date=MONDAY).nav == Decimal("1.0012")
    xjl = Nav.objects.get(product=shelf.xjl, date=date(2026, 6, 7))
    assert (xjl.income_per_10k, xjl.seven_day_yield) == (Decimal("0.4500"), Decimal("1.6000"))
    assert AuditEvent.objects.filter(action="wealth.nav_publish").count() == 1
    out = publish(tmp_path, GOOD)
    assert out.strip() == "已发布净值 0 条，未变 3 条"
    assert AuditEvent.objects.filter(action="wealth.nav_publish").count() == 1
    # A correction of a 净值 nothing used yet goes through.
    out = publish(tmp_path, HEADER + "LC2001,2026-06-08,1.0013,,\n")
    assert out.strip() == "已发布净值 1 条，未变 0 条"
    assert Nav.objects.get(product=shelf.open_r2, date=MONDAY).nav == Decimal("1.0013")


def test_every_bad_line_is_named_and_nothing_is_written(world, shelf, tmp_path):
    Order.objects.create(number="LC-USED", customer=world.zhang_customer,
                         medium=world.zhang_card, product=shelf.open_r2,
                         kind=OrderKind.PURCHASE, status=OrderStatus.CONFIRMED,
                         amount=Decimal("1000"), placed_at=shanghai(FRIDAY_BEFORE, 10),
                         trade_date=FRIDAY_BEFORE)
    text = (HEADER
            + "LC2001,2026-06-08,1.0012,,\n"        # 2: good, yet not written
            + "LC9999,2026-06-08,1.0000,,\n"        # 3: unknown product
            + "LC3001,2026-6-31,1.0000,,\n"         # 4: bad date
            + "LC3001,2026-06-08,0,,\n"             # 5: not positive
            + "LC2001,2026-06-08,1.0012,,\n"        # 6: duplicate of line 2
            + "LC2001,2026-06-05,1.0100,,\n"        # 7: used 净值 changed
            + "XJL001,2026-06-07,1.0100,0.45,1.6\n"  # 8: 薪加利 not 1.0000
            + "LC3001,2026-06-06,1.0000,,\n"        # 9: a Saturday
            + "LC3001,2026-06-05,1.0000,0.45,\n"    # 10: 万份收益 on another product
            + "SM3001,2026-06-05,1.0000,,\n")       # 11: as published: fine
    message, err = refused(tmp_path, text)
    assert "8处错误，未发布任何净值" in message
    for expected in ("第3行：产品代码 LC9999 不存在", "第4行：净值日期 2026-6-31 无效",
                     "第5行：单位净值须大于零", "第6行：LC2001 2026-06-08 与第2行重复",
                     "第7行：LC2001 2026-06-05 的净值已用于确认交易或收益，不能修改",
                     "第8行：薪加利的单位净值固定为1.0000", "第9行：开放式产品的净值日期须为交易日",
                     "第10行：只有薪加利填写万份收益"):
        assert expected in err, expected
    assert "第2行" not in err.replace("与第2行", "") and "第11行" not in err
    assert not Nav.objects.filter(date=MONDAY).exists()
    assert Nav.objects.get(product=shelf.open_r2, date=FRIDAY_BEFORE).nav == Decimal("1.0000")
    assert not AuditEvent.objects.filter(action="wealth.nav_publish").exists()


def test_a_file_that_is_not_the_fund_companys_is_refused(world, shelf, tmp_path):
    cases = (
        ("code,date,nav\nLC2001,2026-06-08,1.0\n", "utf-8",
         "第1行：表头须为 产品代码,净值日期,单位净值,万份收益,七日年化收益率"),
        (GOOD, "gbk", "文件不是UTF-8编码"),
        (HEADER, "utf-8", "文件没有净值数据"),
        (HEADER + "XJL001,2026-06-07,1.0000,,\n", "utf-8",
         "第2行：薪加利须填写万份收益；薪加利须填写七日年化收益率"),
        (HEADER + "LC2001,2026-06-09,1.0000,,\n", "utf-8", "第2行：不能发布未来日期的净值"),
        (HEADER + "LC2001,2026-06-08,1.00001,,\n", "utf-8", "第2行：单位净值 1.00001 无效"),
    )
    for text, encoding, problem in cases:
        assert problem in refused(tmp_path, text, encoding=encoding)[1], problem
    with pytest.raises(CommandError, match="无法读取净值文件"):
        call_command("publish_nav", str(tmp_path / "missing.csv"))
    assert Nav.objects.count() == 4   # the shelf's own


@pytest.mark.parametrize(("line", "problem"), [
    ("LC2001,2026-06-08,123456789,,", "第2行：单位净值 123456789 无效"),
    ("LC2001,2026-06-08,1e30,,", "第2行：单位净值 1e30 无效"),
    ("XJL001,2026-06-08,1.0000,0.4500,12345", "第2行：万份收益或七日年化收益率无效"),
])
def test_a_figure_too_large_for_the_book_is_a_named_line_not_a_crash(world, shelf, tmp_path,
                                                                      line, problem):
    message, problems = refused(tmp_path, HEADER + line + "\n" + "LC3001,2026-06-08,1.0001,,\n")
    assert "未发布任何净值" in message and problem in problems
    assert not Nav.objects.filter(date=MONDAY).exists()
