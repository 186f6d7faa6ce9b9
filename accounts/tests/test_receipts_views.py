"""电子回单查询, the receipt page, PDF, Excel and 电子回单校验 as a customer uses them."""

import subprocess
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts.models import ReceiptDirection
from accounts.receipts.services import receipt_time_text
from ebank.core.masking import mask_account_number
from tests.test_access_matrix import db_fingerprint

from . import test_receipts_support as support
from .test_receipts_support import POSTED_AT, issue, main_account

people = support.people
users = support.users
pytestmark = pytest.mark.django_db

# The receipts are posted on 2026-11-20; "today" is two days later.
TODAY = POSTED_AT + timedelta(days=2)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def receipts(people):
    zhang, li = people["张伟"], people["李娜"]
    return {
        "card": issue(main_account(zhang, 0), amount="1234.56"),
        "passbook": issue(main_account(zhang, 1), amount="88.00",
                          direction=ReceiptDirection.CREDIT),
        "old": issue(main_account(zhang, 0), amount="5.00",
                     posted_at=POSTED_AT - timedelta(days=60)),
        "li": issue(main_account(li), amount="777.00", purpose="=HYPERLINK(\"http://x\")"),
    }


# --- 电子回单查询 ---------------------------------------------------------------------------------


def test_the_list_shows_the_customers_receipts_of_the_period_masked(users, receipts):
    response = _client(users["张伟"]).get(reverse("accounts:receipts"))
    assert response.status_code == 200
    body = response.content.decode()
    for key in ("card", "passbook"):
        assert receipts[key].number in body
    assert receipts["old"].number not in body  # outside the default month
    assert receipts["li"].number not in body  # another customer's
    assert "1,234.56" in body
    counterparty = receipts["card"].payee_account
    assert counterparty not in body and mask_account_number(counterparty) in body
    assert receipts["card"].payer_account not in body  # own account masked too
    assert reverse("accounts:receipts_excel") in body


def test_the_list_filters_by_account_and_custom_period(users, receipts, people):
    client = _client(users["张伟"])
    passbook = main_account(people["张伟"], 1)
    body = client.get(reverse("accounts:receipts"), {"account": passbook.pk}).content.decode()
    assert receipts["passbook"].number in body and receipts["card"].number not in body
    body = client.get(reverse("accounts:receipts"), {
        "period": "custom", "date_from": "2026-09-01", "date_to": "2026-11-30"}).content.decode()
    assert all(receipts[key].number in body for key in ("card", "passbook", "old"))
    body = client.get(reverse("accounts:receipts"), {"period": "today"}).content.decode()
    assert "该期间没有电子回单" in body


@pytest.mark.parametrize(("query", "message"), [
    ({"period": "custom"}, "自定义期间请输入起始日期和终止日期"),
    ({"period": "custom", "date_from": "2026-11-20", "date_to": "2026-11-01"}, "起始日期不能晚于终止日期"),
    ({"period": "custom", "date_from": "2024-01-01", "date_to": "2026-11-01"}, "查询区间最长为一年"),
    ({"period": "custom", "date_from": "2026-13-45", "date_to": "2026-11-01"}, "请输入正确的起始日期"),
    ({"period": "forever"}, "请选择查询期间"),
])
def test_a_bad_query_is_a_message_with_the_query_kept(users, receipts, query, message):
    response = _client(users["张伟"]).get(reverse("accounts:receipts"), query)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and receipts["card"].number not in body
    if "date_from" in query:
        assert query["date_from"] in body


def test_another_customers_account_cannot_be_chosen(users, receipts, people):
    li_account = main_account(people["李娜"])
    for name in ("accounts:receipts", "accounts:receipts_excel"):
        response = _client(users["张伟"]).get(reverse(name), {"account": li_account.pk})
        assert response.status_code == 200
        body = response.content.decode()
        assert "请选择您的网银账户" in body and receipts["li"].number not in body


# --- the receipt page and PDF -----------------------------------------------------------------


def test_the_receipt_page_is_the_owners_document(users, receipts):
    receipt = receipts["card"]
    response = _client(users["张伟"]).get(reverse("accounts:receipt_detail", args=[receipt.number]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("电子回单", receipt.number, receipt.payer_account, receipt.payee_account,
                 "¥1,234.56", "人民币壹仟贰佰叁拾肆元伍角陆分", receipt.verification_code,
                 receipt_time_text(receipt.posted_at), "个人网银", "跨行转账", "货款",
                 "js/receipt-print.js", "css/receipts.css"):
        assert text in body, text
    assert "<script>" not in body and "onclick" not in body and "style=" not in body


@pytest.mark.parametrize("name", ["accounts:receipt_detail", "accounts:receipt_pdf"])
def test_another_customers_receipt_is_404_and_writes_nothing(users, receipts, name):
    client = _client(users["张伟"])
    url = reverse(name, args=[receipts["li"].number])
    before = db_fingerprint()
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 405
    assert client.get(reverse(name, args=["HD-no-such"])).status_code == 404
    assert db_fingerprint() == before


def test_pages_need_a_login(receipts):
    for url in (reverse("accounts:receipts"), reverse("accounts:receipt_verify"),
                reverse("accounts:receipt_detail", args=[receipts["card"].number])):
        response = Client().get(url)
        assert response.status_code == 302 and reverse("security:login") in response["Location"]


def test_the_pdf_prints_the_receipt(users, receipts, tmp_path):
    receipt = receipts["card"]
    response = _client(users["张伟"]).get(reverse("accounts:receipt_pdf", args=[receipt.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"receipt-{receipt.number}.pdf" in response["Content-Disposition"]
    path = tmp_path / "receipt.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,  # noqa: S607
                          check=True, text=True).stdout
    for expected in ("电子回单", receipt.number, "壹仟贰佰叁拾肆元伍角陆分", "¥1,234.56",
                     receipt.verification_code, receipt.payer_account):
        assert expected in text, expected


# --- Excel ------------------------------------------------------------------------------------------


def test_the_excel_holds_the_listed_receipts(users, receipts):
    response = _client(users["李娜"]).get(reverse("accounts:receipts_excel"),
                                           {"period": "week"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "回单编号"
    data = rows[2:]
    assert len(data) == 1
    receipt = receipts["li"]
    assert data[0][0] == receipt.number and Decimal(str(data[0][3])) == Decimal("777.00")
    assert data[0][4] == mask_account_number(receipt.payer_account)
    # A 用途 typed as a formula stays text.
    assert data[0][7] == receipt.purpose
    assert sheet.cell(row=3, column=8).data_type == "s"


def test_the_excel_follows_the_query(users, receipts):
    client = _client(users["张伟"])
    response = client.get(reverse("accounts:receipts_excel"), {
        "period": "custom", "date_from": "2026-09-01", "date_to": "2026-11-30"})
    numbers = [row[0] for row in
               load_workbook(BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True)]
    assert sorted(numbers) == sorted(receipts[key].number for key in ("card", "passbook", "old"))


# --- 电子回单校验 ---------------------------------------------------------------------------------


def _typed(receipt, **changes) -> dict:
    return {"number": receipt.number, "posted_at": receipt_time_text(receipt.posted_at),
            "payer_account": receipt.payer_account, "payer_name": receipt.payer_name,
            "payee_account": receipt.payee_account, "payee_name": receipt.payee_name,
            "amount": f"{receipt.amount:,.2f}", "purpose": receipt.purpose,
            "verification_code": receipt.verification_code, **changes}


def test_verify_says_genuine_for_the_printed_elements(users, receipts):
    # Anyone logged in checks any receipt: 张伟 checks the one 李娜 showed him.
    receipt = receipts["li"]
    client = _client(users["张伟"])
    before = db_fingerprint()
    body = client.post(reverse("accounts:receipt_verify"), _typed(receipt)).content.decode()
    assert "验证通过：该回单由本行出具" in body and "本行记录中有此编号" in body
    assert db_fingerprint() == before


@pytest.mark.parametrize("field", ["amount", "payer_account", "posted_at", "payee_name",
                                   "verification_code"])
def test_verify_fails_on_one_change_and_keeps_what_was_typed(users, receipts, field):
    receipt = receipts["card"]
    changes = {"amount": "1,234.57", "payer_account": receipt.payer_account[:-1] + "0",
               "posted_at": receipt_time_text(receipt.posted_at)[:-1] + "0",
               "payee_name": "赵七",
               "verification_code": "AAAA-AAAA-AAAA-AAAA-AAAA"}
    response = _client(users["张伟"]).post(reverse("accounts:receipt_verify"),
                                           _typed(receipt, **{field: changes[field]}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "验证失败：回单要素与验证码不符" in body and "验证通过" not in body
    assert f'value="{changes[field]}"' in body


def test_verify_of_an_unknown_number_says_so(users, receipts):
    body = _client(users["张伟"]).post(reverse("accounts:receipt_verify"), _typed(
        receipts["card"], number="HD202611209999999999")).content.decode()
    assert "验证失败" in body and "未查到此编号" in body


def test_verify_form_errors_are_messages(users):
    response = _client(users["张伟"]).post(reverse("accounts:receipt_verify"), {
        "number": "HD1", "posted_at": "昨天下午", "amount": "-5", "verification_code": "ABC"})
    body = response.content.decode()
    for message in ("请按 年-月-日 时:分:秒 输入交易时间", "金额必须大于零", "验证码为 20 位字母和数字",
                    "请输入付款人账号", "请输入收款人户名"):
        assert message in body, message
    assert "验证通过" not in body and "验证失败" not in body


def test_verify_without_csrf_token_is_refused(users, receipts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["张伟"])
    assert client.post(reverse("accounts:receipt_verify"), _typed(receipts["card"])).status_code == 403


@hypothesis_settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])
@given(data=st.fixed_dictionaries({}, optional={
    name: st.text(max_size=80) for name in (
        "number", "posted_at", "payer_account", "payer_name", "payee_account", "payee_name",
        "amount", "purpose", "verification_code")}))
def test_fuzzed_verify_form_never_500_and_writes_nothing(users, data):
    client = _client(users["张伟"])
    before = db_fingerprint()
    response = client.post(reverse("accounts:receipt_verify"), data)
    assert response.status_code == 200
    assert db_fingerprint() == before


@pytest.mark.parametrize("name", ["accounts:receipts", "accounts:receipts_excel",
                                  "accounts:receipt_verify"])
def test_gets_change_nothing(users, receipts, name):
    client = _client(users["张伟"])
    before = db_fingerprint()
    assert client.get(reverse(name), {"period": "quarter"}).status_code == 200
    assert client.get(reverse("accounts:receipt_detail", args=[receipts["card"].number])
                      ).status_code == 200
    assert db_fingerprint() == before


def test_dates_are_business_days_in_shanghai(users, people):
    # Posted 2026-11-22 00:30 in Shanghai (16:30 UTC the day before): "today" lists it.
    receipt = issue(main_account(people["张伟"]), posted_at=POSTED_AT.replace(day=22, hour=0, minute=30))
    body = _client(users["张伟"]).get(reverse("accounts:receipts"), {"period": "today"}).content.decode()
    assert date(2026, 11, 22).isoformat() in body and receipt.number in body
