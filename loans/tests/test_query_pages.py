"""个人贷款查询 (LN-QUERY): every 借据 with what falls due next, one 借据 in full (电子借据,
schedule with each period's state, repayments with their 回单, nightly deductions, the periods a
prepayment retired), its schedule as PDF and Excel, another customer's 借据 a 404, and the list
page's statement budget."""

import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from ebank.core.web import url_or_none
from loans.book import dues_pay, loan_lock, prepay_apply, prepay_quote
from loans.models import Deduction, DeductionStatus, RepaymentKind
from loans.schedule import PrepayMode

from .nightly_support import balance_set, night
from .support import application_approved, loan_drawn, shanghai

pytestmark = pytest.mark.django_db

D = Decimal
DRAWN = date(2026, 1, 21)


@pytest.fixture
def loan(world):
    application = application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                       product=world.product)
    return loan_drawn(application=application, on=DRAWN)


def _at(day):
    return time_machine.travel(shanghai(day), tick=False)


def _pay_due(loan, on):
    with _at(on), transaction.atomic():
        locked = loan_lock(loan.pk)
        return dues_pay(loan=locked, account=locked.repayment_account, on=on, amount=None,
                        kind=RepaymentKind.INSTALMENT, idempotency_key=f"test-pay:{loan.pk}:{on}")


def _detail(loan):
    return reverse("loans:detail", kwargs={"pk": loan.pk})


def test_the_list_shows_every_iou_with_what_falls_due_next(client, world, loan):
    with _at(date(2026, 2, 1)):
        client.force_login(world.zhang)
        body = client.get(reverse("loans:list")).content.decode()
    for text in (loan.number, "个人消费贷款", "¥100,000.00", "3.60%", "2026-01-21",
                 "2027-01-21", "正常", "2026-02-21<br>¥8,496.73", _detail(loan)):
        assert text in body, text
    if url_or_none("loans:applications") is None:
        assert 'id="loans-applications-link"' not in body


def test_the_next_due_is_what_the_period_still_owes(client, world, loan):
    _pay_due(loan, date(2026, 2, 21))
    with _at(date(2026, 2, 22)):
        client.force_login(world.zhang)
        body = client.get(reverse("loans:list")).content.decode()
    assert "2026-03-21<br>¥8,496.73" in body and "¥91,803.27" in body


def test_an_empty_list_says_so(client, world):
    with _at(DRAWN):
        client.force_login(world.li)
        body = client.get(reverse("loans:list")).content.decode()
    assert "您没有贷款借据" in body


def test_the_detail_shows_the_iou_schedule_and_history(client, world, loan):
    repayment = _pay_due(loan, date(2026, 2, 21))
    Deduction.objects.create(loan=loan, business_date=date(2026, 2, 21), wanted=D("8496.73"),
                             paid=D("8496.73"), status=DeductionStatus.PAID, note="测试扣款")
    with _at(date(2026, 4, 1)):
        client.force_login(world.zhang)
        body = client.get(_detail(loan)).content.decode()
    for text in ("电子借据", loan.number, "张伟", "¥100,000.00", "3.60%", "等额本息", "12个月",
                 "2027-01-21", "每月21日", world.zhang_card.masked_number, "第12期",
                 "已结清", "逾期", "未到期", "归还到期款项", repayment.receipt_number,
                 reverse("accounts:receipt_detail", args=[repayment.receipt_number]),
                 "测试扣款", "扣款成功", "放款电子回单",
                 reverse("loans:schedule_pdf", kwargs={"pk": loan.pk}),
                 reverse("loans:schedule_xlsx", kwargs={"pk": loan.pk})):
        assert text in body, text
    assert 'id="loans-retired"' not in body


def test_a_partly_paid_period_says_so(client, world, loan):
    with _at(date(2026, 2, 21)), transaction.atomic():
        locked = loan_lock(loan.pk)
        dues_pay(loan=locked, account=locked.repayment_account, on=date(2026, 2, 21),
                 amount=D("100.00"), kind=RepaymentKind.INSTALMENT, idempotency_key="part")
    with _at(date(2026, 2, 21)):
        client.force_login(world.zhang)
        body = client.get(_detail(loan)).content.decode()
    assert "部分还款" in body


def test_a_prepayment_retires_periods_shown_apart(client, world, loan):
    for month in range(2, 8):
        _pay_due(loan, date(2026, month, 21))
    on = date(2026, 7, 21)
    with _at(on), transaction.atomic():
        locked = loan_lock(loan.pk)
        quote = prepay_quote(loan=locked, on=on, prepaid=D("20000.00"), mode=PrepayMode.SHORTEN)
        prepay_apply(loan=locked, account=locked.repayment_account, quote=quote,
                     idempotency_key="prepay")
    with _at(date(2026, 7, 22)):
        client.force_login(world.zhang)
        body = client.get(_detail(loan)).content.decode()
    assert 'id="loans-retired"' in body and "已调整" in body and "部分提前还款" in body
    retired = body.split('id="loans-retired"')[1]
    assert retired.count("<tr><td>第") == 6
    current = body.split('id="loans-periods"')[1].split("</table>")[0]
    assert current.count("<tr><td>第") == 6 + 4   # six paid, then 3 × 8,496.73 and the last


def test_the_schedule_pdf_holds_the_text(client, world, loan, tmp_path):
    with _at(DRAWN):
        client.force_login(world.zhang)
        response = client.get(reverse("loans:schedule_pdf", kwargs={"pk": loan.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "schedule.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,  # noqa: S607
                          capture_output=True, text=True).stdout
    for words in ("个人贷款还款计划", loan.number, "等额本息", "第12期", "8,496.73", "2027-01-21"):
        assert words in text, words


def test_the_schedule_xlsx_has_a_row_per_month(client, world, loan):
    with _at(DRAWN):
        client.force_login(world.zhang)
        response = client.get(reverse("loans:schedule_xlsx", kwargs={"pk": loan.pk}))
    assert f"loan-{loan.number}-schedule.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook["还款计划"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 12
    assert rows[0][0] == 1 and rows[-1][0] == 12
    assert D(str(rows[0][4])) == D("8496.73") and rows[-1][8] == 0
    elements = dict(workbook["电子借据"].iter_rows(min_row=2, values_only=True))
    assert elements["借据号"] == loan.number and elements["借款金额"] == "¥100,000.00"


def test_another_customers_iou_is_404(client, world, loan):
    with _at(DRAWN):
        client.force_login(world.li)
        for name in ("loans:detail", "loans:schedule_pdf", "loans:schedule_xlsx"):
            assert client.get(reverse(name, kwargs={"pk": loan.pk})).status_code == 404, name
        assert loan.number not in client.get(reverse("loans:list")).content.decode()


def test_an_overdue_iou_shows_its_penalty_rounded_once(client, world, loan):
    """Two nights unpaid (02-21, 02-22): 罚息 accrued unrounded 2 × 1.2295095 = 2.459019 and 复利
    2 × 0.045 = 0.09; the pages show them to the fen (2.46, 0.09), what falls due next is
    8,496.73 + 2.46 + 0.09 = 8,499.28, and neither page nor file fails on the unrounded figures."""
    balance_set(loan, "0.00")
    night(date(2026, 2, 21))
    night(date(2026, 2, 22))
    with _at(date(2026, 2, 23)):
        client.force_login(world.zhang)
        listed = client.get(reverse("loans:list"))
        detail = client.get(_detail(loan))
        workbook = client.get(reverse("loans:schedule_xlsx", kwargs={"pk": loan.pk}))
        pdf = client.get(reverse("loans:schedule_pdf", kwargs={"pk": loan.pk}))
    assert listed.status_code == 200
    assert "2026-02-21<br>¥8,499.28" in listed.content.decode()
    assert detail.status_code == 200
    first = detail.content.decode().split('id="loans-periods"')[1].split("</tr>")[1]
    assert "<td class=\"num\">2.46</td><td class=\"num\">0.09</td>" in first, first
    assert pdf.status_code == 200
    row = next(load_workbook(BytesIO(workbook.content))["还款计划"].iter_rows(
        min_row=2, values_only=True))
    assert (D(str(row[5])), D(str(row[6]))) == (D("2.46"), D("0.09"))


def test_a_period_due_today_says_so_and_overdue_the_day_after(client, world, loan):
    first = reverse("loans:detail", kwargs={"pk": loan.pk})
    for day, word in ((date(2026, 2, 20), "未到期"), (date(2026, 2, 21), "今日应还"),
                      (date(2026, 2, 22), "逾期")):
        with _at(day):
            client.force_login(world.zhang)
            body = client.get(first).content.decode()
        row = body[body.index("第1期"):]
        row = row[:row.index("</tr>")]
        assert word in row, (day, row)
