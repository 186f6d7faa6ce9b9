"""信用卡 账户管理's query pages: 信用额度查询, 未出账单查询, 已出账单查询 and a statement's page,
PDF and Excel — the figures, another customer's card or statement, and the query budgets."""

import subprocess
from datetime import date, datetime
from decimal import Decimal as D
from io import BytesIO

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from creditcard import selectors
from creditcard.account.views import NO_CARD
from creditcard.models import ItemKind
from ebank.core.clock import SHANGHAI
from tests.customer_world import LOGIN_PASSWORD

from .account_support import linked_card_for, statement_make
from .conftest import charge, repay

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def zhang(client, world):
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    return client


@pytest.fixture
def cc(world):
    with time_machine.travel(datetime(2026, 1, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        return linked_card_for(world.zhang_customer)


def page(client, name, *args, **params):
    with time_machine.travel(TODAY, tick=False):
        return client.get(reverse(f"creditcard:{name}", args=args), params)


def billed_card(cc):
    """1,000.00 bought on 6 Jan and 3,000.00 cash on 10 Jan, billed on 5 Feb (minimum 3,100.00),
    500.00 repaid on 10 Feb (it pays the cash first: the repayment order)."""
    charge(cc, "1000.00", date(2026, 1, 6), merchant="合肥百货")
    charge(cc, "3000.00", date(2026, 1, 10), kind=ItemKind.CASH, merchant="")
    statement = statement_make(cc, on=date(2026, 2, 5), minimum_payment="3100.00")
    repay(cc, "500.00", date(2026, 2, 10))
    return statement


# --- 信用额度查询 ----------------------------------------------------------------------------


def test_limit_shows_the_cards_limits_and_what_the_last_statement_still_owes(zhang, cc):
    statement = billed_card(cc)
    body = page(zhang, "limit").content.decode()
    # owed 4,000.00 − 500.00 = 3,500.00 → 可用额度 46,500.00; the 500.00 paid the cash first,
    # so 2,500.00 cash is out → 可用取现额度 25,000.00 − 2,500.00.
    for text in (cc.medium.masked_number, "安徽农金信用卡", "¥50,000.00", "¥46,500.00",
                 "¥25,000.00", "¥22,500.00", "每月5日", "2026-02-25", "¥4,000.00",
                 "¥3,500.00", "¥3,100.00", "¥2,600.00"):
        assert text in body, text
    assert cc.medium.number not in body
    assert selectors.statement_unpaid(statement) == D("3500.00")
    assert selectors.minimum_unpaid(statement) == D("2600.00")


def test_limit_before_any_statement_says_none_yet_and_shows_the_overpayment(zhang, cc):
    repay(cc, "120.00", date(2026, 1, 8))
    body = page(zhang, "limit").content.decode()
    assert "尚未出账单" in body
    assert "¥50,120.00" in body  # 可用额度 includes the 溢缴款
    assert "<dt>溢缴款</dt><dd class=\"num\">¥120.00</dd>" in body


def test_a_customer_without_a_card_is_told_so_on_every_page(client, world):
    client.login(username=world.li.username, password=LOGIN_PASSWORD)
    for name in ("limit", "unbilled", "statements", "info"):
        response = page(client, name)
        assert response.status_code == 200
        assert NO_CARD in response.content.decode(), name


def test_the_second_card_is_chosen_and_another_customers_card_is_refused(zhang, cc, world):
    with time_machine.travel(datetime(2026, 1, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        second = linked_card_for(world.zhang_customer, credit_limit="8000.00")
        theirs = linked_card_for(world.li_customer, credit_limit="9900.00")
    body = page(zhang, "limit", card=second.pk).content.decode()
    assert "¥8,000.00" in body and "¥50,000.00" not in body
    body = page(zhang, "limit", card=theirs.pk).content.decode()
    assert "请选择您本人的信用卡" in body and "¥9,900.00" not in body
    assert page(zhang, "limit", card="x").status_code == 200


# --- 未出账单查询 ----------------------------------------------------------------------------


def test_unbilled_lists_what_no_statement_holds_yet_oldest_first_with_totals(zhang, cc):
    charge(cc, "100.00", date(2026, 1, 6), merchant="已出账单商户")
    statement_make(cc, on=date(2026, 2, 5))
    charge(cc, "200.00", date(2026, 2, 8), merchant="乙商户")
    repay(cc, "50.00", date(2026, 2, 9))
    charge(cc, "300.00", date(2026, 2, 7), merchant="甲商户")
    body = page(zhang, "unbilled").content.decode()
    assert "已出账单商户" not in body
    table = body[body.index('id="unbilled-lines"'):]
    assert table.index("甲商户") < table.index("乙商户") < table.index("信用卡还款")
    assert "<td class=\"num\">-50.00</td>" in table
    assert "<td class=\"num\">500.00</td>" in table       # 借方合计
    assert "<td class=\"num\">450.00</td>" in table       # 合计
    assert "2026-02-07" in table


def test_unbilled_with_nothing_says_so(zhang, cc):
    assert "暂无未出账单交易" in page(zhang, "unbilled").content.decode()


# --- 已出账单查询 ----------------------------------------------------------------------------


def months_of_statements(cc):
    charge(cc, "1000.00", date(2026, 1, 6), merchant="一月商户")
    february = statement_make(cc, on=date(2026, 2, 5), minimum_payment="100.00")
    repay(cc, "300.00", date(2026, 2, 20))
    charge(cc, "200.00", date(2026, 2, 21), merchant="二月商户")
    march = statement_make(cc, on=date(2026, 3, 5), previous_balance="1000.00",
                           minimum_payment="90.00")
    return february, march


def test_statements_of_the_last_12_months_by_default_with_what_each_still_owes(zhang, cc):
    old = statement_make(cc, on=date(2025, 5, 5))
    february, march = months_of_statements(cc)
    body = page(zhang, "statements").content.decode()
    assert "2025-07-01 至 2026-06-30" in body
    assert 'value="2025-07"' in body and 'value="2026-06"' in body
    assert reverse("creditcard:statement", args=[old.pk]) not in body
    table = body[body.index('id="statement-list"'):]
    assert table.index("2026-03-05") < table.index("2026-02-05")
    # February: 1,000.00 less 300.00 repaid; March: that and 200.00 more.
    assert ">700.00<" in table and ">900.00<" in table and ">1,000.00<" in table
    assert selectors.statement_unpaid(february) == D("700.00")
    assert selectors.statement_unpaid(march) == D("900.00")


def test_on_a_phone_the_statement_date_opens_the_statement_and_the_card_is_shown_whole(zhang,
                                                                                       cc):
    """At 390 px the list scrolls sideways and 账单明细 is off screen: the 账单日 is a link too;
    the card select is as wide as the whole masked number (account-select), not cut to 001."""
    february, _march = months_of_statements(cc)
    body = page(zhang, "statements").content.decode()
    detail = reverse("creditcard:statement", args=[february.pk])
    assert f'<a href="{detail}">2026-02-05</a>' in body
    select = body[body.rindex("<select", 0, body.index('id="id_card"')):body.index('id="id_card"')]
    assert 'class="account-select"' in select


def test_statements_of_a_chosen_month_range(zhang, cc):
    old = statement_make(cc, on=date(2025, 5, 5))
    months_of_statements(cc)
    body = page(zhang, "statements", card=cc.pk, month_from="2025-04",
                month_to="2025-05").content.decode()
    assert reverse("creditcard:statement", args=[old.pk]) in body
    assert "2026-02-05" not in body


@pytest.mark.parametrize("params, message", [
    ({"month_from": "2026-05", "month_to": "2026-01"}, "起始月份不能晚于终止月份"),
    ({"month_from": "2026-13", "month_to": "2026-01"}, "请输入正确的起始月份"),
    ({"month_from": "2023-01", "month_to": "2026-01"}, "查询区间最长为24个月"),
    # The month after 9999-12 is no date: a 500 before.
    ({"month_from": "9999-12", "month_to": "9999-12"}, "请输入正确的起始月份"),
])
def test_a_wrong_month_range_is_said_with_what_was_typed_kept(zhang, cc, params, message):
    body = page(zhang, "statements", **params).content.decode()
    assert message in body
    assert f'value="{params["month_from"]}"' in body
    assert "请修改查询条件后重新查询" in body


# --- a statement: page, PDF, Excel --------------------------------------------------------------


def detailed_statement(cc):
    charge(cc, "1280.50", date(2026, 1, 6), merchant="合肥百货")
    charge(cc, "66.00", date(2026, 1, 20), merchant="徽州书店")
    repay(cc, "100.00", date(2026, 1, 25))
    return statement_make(cc, on=date(2026, 2, 5), minimum_payment="124.65", interest="12.34",
                          late_fee="10.00", instalments="88.00", points_earned=1346,
                          points_balance=2000)


def test_a_statement_page_shows_its_summary_and_every_line(zhang, cc):
    statement = detailed_statement(cc)
    body = page(zhang, "statement", statement.pk).content.decode()
    for text in ("2026年02月账单", "2026-02-25", "¥1,346.50", "¥100.00", "¥1,246.50", "¥124.65",
                 "¥12.34", "¥10.00", "¥88.00", "1346", "2000", "合肥百货", "徽州书店",
                 "-100.00", "2026-01-06 至 2026-02-05"):
        assert text in body, text
    assert reverse("creditcard:statement_pdf", args=[statement.pk]) in body
    assert reverse("creditcard:statement_xlsx", args=[statement.pk]) in body


def test_another_customers_statement_is_404_on_every_statement_url(zhang, world):
    with time_machine.travel(datetime(2026, 1, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        theirs = linked_card_for(world.li_customer)
    statement = statement_make(theirs)
    for name in ("statement", "statement_pdf", "statement_xlsx"):
        assert page(zhang, name, statement.pk).status_code == 404
    assert page(zhang, "statement", 999999).status_code == 404


def test_the_pdf_holds_the_same_figures(zhang, cc):
    statement = detailed_statement(cc)
    response = page(zhang, "statement_pdf", statement.pk)
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content,  # noqa: S607
                          capture_output=True, check=True).stdout.decode()
    for figure in (settings.BANK_FULL_NAME, "信用卡对账单", cc.medium.masked_number, "¥1,346.50", "¥1,246.50", "¥124.65",
                   "¥12.34", "¥88.00", "2026-02-25", "合肥百货", "1,280.50", "-100.00"):
        assert figure in text, figure
    assert cc.medium.number not in text


def test_the_excel_reads_back_with_the_same_figures(zhang, cc):
    statement = detailed_statement(cc)
    response = page(zhang, "statement_xlsx", statement.pk)
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    summary = {row[0]: row[1] for row in rows if row and row[0] and len(row) > 1}
    assert D(str(summary["本期应还金额"])) == D("1246.50")
    assert D(str(summary["最低还款额"])) == D("124.65")
    assert D(str(summary["利息"])) == D("12.34")
    assert summary["本期积分"] == 1346
    lines = [row for row in rows if row[2] in ("消费 合肥百货", "消费 徽州书店", "信用卡还款")]
    assert [D(str(row[5])) for row in lines] == [D("1280.50"), D("66.00"), D("-100.00")]
    assert lines[0][0].date() == date(2026, 1, 6)


def test_a_merchant_name_never_becomes_a_formula_in_the_excel(zhang, cc):
    charge(cc, "10.00", date(2026, 1, 6), merchant='=HYPERLINK("http://x")')
    statement = statement_make(cc)
    content = page(zhang, "statement_xlsx", statement.pk).content
    sheet = load_workbook(BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == '=HYPERLINK("http://x")']
    assert cells and all(cell.data_type == "s" for cell in cells)


# --- query budgets: no query per line ----------------------------------------------------------


def _count(client, name, *args, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert page(client, name, *args, **params).status_code == 200
    return len(queries)


def test_the_pages_do_no_query_per_line(zhang, cc):
    small = statement_make(cc, on=date(2026, 2, 5))
    for day in range(6, 28):
        charge(cc, "10.00", date(2026, 2, day), merchant=f"商户{day}")
        repay(cc, "1.00", date(2026, 2, day))
    big = statement_make(cc, on=date(2026, 3, 5))
    page(zhang, "limit")  # the session's first request does its own bookkeeping
    assert (_count(zhang, "statement", small.pk)
            == _count(zhang, "statement", big.pk))
    unbilled_few = _count(zhang, "unbilled")
    for day in range(6, 20):
        charge(cc, "10.00", date(2026, 3, day), merchant=f"新商户{day}")
    assert _count(zhang, "unbilled") == unbilled_few
    list_two = _count(zhang, "statements")
    for month in range(4, 7):
        statement_make(cc, on=date(2026, month, 5))
    assert _count(zhang, "statements") == list_two




def test_the_pdf_and_excel_carry_the_pages_total_and_period(zhang, cc):
    # The page's lines end with 合计 (借方 − 贷方) and its summary names the 账单周期: the files
    # a customer keeps show the same.
    statement = detailed_statement(cc)
    body = page(zhang, "statement", statement.pk).content.decode()
    assert "合计" in body and "1,246.50" in body and "2026-01-06 至 2026-02-05" in body
    pdf = page(zhang, "statement_pdf", statement.pk).content
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf,  # noqa: S607
                          capture_output=True, check=True).stdout.decode()
    totals = [line.split() for line in text.splitlines() if line.strip().startswith("合计")]
    assert totals == [["合计", "1,246.50"]], totals
    sheet = load_workbook(BytesIO(page(zhang, "statement_xlsx", statement.pk).content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert ["合计", None, None, None, None, 1246.5] in rows
    summary = {row[0]: row[1] for row in rows if row and row[0] and len(row) > 1}
    assert summary["账单周期"] == "2026-01-06 至 2026-02-05"


def test_a_statement_without_credits_shows_a_credit_total_of_0_00_not_minus(zhang, cc):
    charge(cc, "66.00", date(2026, 1, 20), merchant="徽州书店")
    statement = statement_make(cc)
    body = page(zhang, "statement", statement.pk).content.decode()
    assert "-0.00" not in body and "贷方合计" in body
    pdf = page(zhang, "statement_pdf", statement.pk).content
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf,  # noqa: S607
                          capture_output=True, check=True).stdout.decode()
    assert "-0.00" not in text


def test_a_line_names_its_kind_only_when_the_description_does_not():
    from creditcard.account.selectors import CardLine
    line = CardLine(txn_date=date(2026, 1, 6), posted_on=date(2026, 1, 6),
                    description="消费 合肥百货大楼", merchant="合肥百货大楼", kind="消费",
                    amount=D("10.00"), order=())
    assert line.kind_shown == ""
    other = CardLine(txn_date=date(2026, 1, 6), posted_on=date(2026, 1, 6),
                     description="分期提前终止 剩余本金", merchant="", kind="分期本金",
                     amount=D("10.00"), order=())
    assert other.kind_shown == "分期本金"
