"""The pages of 自助缴费 and 缴费记录查询: two steps on one page, what was typed kept, the fixed
amount never taken from the form, the records' filters, and another customer's payment a 404."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ebank.billers.models import SimBehaviour
from ebank.billers.simulator import sim_mode_set
from payments.models import BillKind, BillPayment, BillPaymentStatus
from security.models import PendingOperation
from tests.customer_world import LOGIN_PASSWORD, balance  # noqa: F401

from .conftest import HEAT_NO, POWER_NO, TAX_NO, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(world):
    client = Client()
    client.force_login(world.zhang)
    return client


def page(kind):
    return reverse("payments:pay", args=[kind])


def query(client, kind, number):
    return client.post(page(kind), {"step": "query", "customer_no": number})


def test_each_kind_has_its_page_titled_by_its_label_with_its_number_label(client):
    for kind, label in [(BillKind.WATER, "户号"), (BillKind.TAX, "缴税凭证号"),
                        (BillKind.MOBILE, "手机号码"), (BillKind.TELECOM, "电话号码")]:
        body = client.get(page(kind) + "?no=12345678").content.decode()
        assert f"<h1>{BillKind(kind).label}</h1>" in body and label in body
        assert 'value="12345678"' in body
    assert client.get("/payments/pay/lottery/").status_code == 404


def test_an_unknown_number_is_said_on_the_same_page_with_the_number_kept(client):
    response = query(client, BillKind.POWER, "3400999999")
    body = response.content.decode()
    assert response.status_code == 200
    assert "缴费号码不存在，请核对后重新输入" in body and 'value="3400999999"' in body


def test_a_closed_biller_is_said_with_the_number_kept(client):
    sim_mode_set("POWER01", SimBehaviour.UNAVAILABLE)
    body = query(client, BillKind.POWER, POWER_NO).content.decode()
    assert "暂停服务" in body and f'value="{POWER_NO}"' in body


def test_step_two_shows_the_billers_answer_and_the_amount_field(client):
    body = query(client, BillKind.POWER, POWER_NO).content.decode()
    assert "张*" in body or "*伟" in body
    assert "¥218.65" in body and "2026年11月" in body
    assert 'name="amount"' in body and 'name="account"' in body


def test_tax_shows_the_voucher_and_no_amount_field(client):
    body = query(client, BillKind.TAX, TAX_NO).content.decode()
    for text in ("税种明细笔数", "国库申报序号", "3401002611000001", "个人所得税", "¥1,320.00",
                 "缴税成功次日可至我行任意网点申请打印缴税凭证"):
        assert text in body
    assert 'name="amount"' not in body


def test_the_fixed_amount_cannot_be_changed_by_the_form(client, world):
    query(client, BillKind.HEATING, HEAT_NO)
    response = client.post(page(BillKind.HEATING), {
        "step": "pay", "customer_no": HEAT_NO, "account": world.main(world.zhang_card).pk,
        "amount": "0.01"})
    assert response.status_code == 302
    operation = PendingOperation.objects.get()
    assert operation.payload["amount"] == "1860.00"


def test_pay_without_a_query_or_for_another_number_asks_to_query_again(client, world):
    account = world.main(world.zhang_card).pk
    body = client.post(page(BillKind.POWER), {"step": "pay", "customer_no": POWER_NO,
                                              "account": account, "amount": "10"}
                       ).content.decode()
    assert "缴费信息已失效，请重新查询" in body
    query(client, BillKind.POWER, POWER_NO)
    body = client.post(page(BillKind.POWER), {"step": "pay", "customer_no": "3400000000",
                                              "account": account, "amount": "10"}
                       ).content.decode()
    assert "缴费信息已失效，请重新查询" in body
    assert not PendingOperation.objects.exists()


@pytest.mark.parametrize("typed, message", [("1.234", "缴费金额最多两位小数"),
                                            ("abc", "请输入正确的缴费金额"),
                                            ("", "请输入缴费金额")])
def test_a_wrong_amount_is_said_at_the_field_with_what_was_typed_kept(client, world, typed,
                                                                       message):
    query(client, BillKind.POWER, POWER_NO)
    response = client.post(page(BillKind.POWER), {
        "step": "pay", "customer_no": POWER_NO, "account": world.main(world.zhang_card).pk,
        "amount": typed})
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert f'value="{typed}"' in body or not typed
    assert "¥218.65" in body  # the biller's answer still shown
    assert not PendingOperation.objects.exists()


def test_a_good_step_two_goes_to_the_confirmation_with_the_manuals_title(client, world):
    query(client, BillKind.POWER, POWER_NO)
    response = client.post(page(BillKind.POWER), {
        "step": "pay", "customer_no": POWER_NO, "account": world.main(world.zhang_card).pk,
        "amount": "100.00"})
    operation = PendingOperation.objects.get()
    assert response.url == reverse("security:confirm", args=[operation.public_id])
    body = client.get(response.url).content.decode()
    assert "电费缴费" in body and "¥100.00" in body


# --- 缴费记录查询 ----------------------------------------------------------------------------------


def test_records_list_filter_and_detail(client, world, django_capture_on_commit_callbacks):
    pay(world.zhang, BillKind.POWER, POWER_NO, amount="18.65",
        capture=django_capture_on_commit_callbacks)
    sim_mode_set("POWER01", SimBehaviour.FAIL_AFTER_DEBIT, "户号已销户")
    pay(world.zhang, BillKind.POWER, POWER_NO, amount="20.00",
        capture=django_capture_on_commit_callbacks)
    body = client.get(reverse("payments:records")).content.decode()
    for text in ("电费缴费", "国网安徽省电力有限公司", POWER_NO, "¥18.65", "¥20.00", "缴费成功",
                 "已冲正", "户号已销户"):
        assert text in body
    body = client.get(reverse("payments:records"), {"status": "reversed"}).content.decode()
    assert "¥20.00" in body and "¥18.65" not in body
    body = client.get(reverse("payments:records"), {"kind": "water"}).content.decode()
    assert "查询期间内没有缴费记录" in body
    paid = BillPayment.objects.get(status=BillPaymentStatus.PAID)
    body = client.get(reverse("payments:record", args=[paid.number])).content.decode()
    assert "查看电子回单" in body and paid.number in body
    reversed_ = BillPayment.objects.get(status=BillPaymentStatus.REVERSED)
    body = client.get(reverse("payments:record", args=[reversed_.number])).content.decode()
    assert "缴费失败，款项已退回：户号已销户" in body and "查看电子回单" not in body


def test_records_range_at_most_a_year_and_in_order(client):
    today = timezone.localdate()
    body = client.get(reverse("payments:records"), {
        "date_from": (today - timedelta(days=400)).isoformat(),
        "date_to": today.isoformat()}).content.decode()
    assert "查询区间不能超过一年" in body
    body = client.get(reverse("payments:records"), {
        "date_from": today.isoformat(),
        "date_to": (today - timedelta(days=1)).isoformat()}).content.decode()
    assert "起始日期不能晚于终止日期" in body


def test_records_default_to_the_last_month(client, world, django_capture_on_commit_callbacks):
    pay(world.zhang, BillKind.POWER, POWER_NO, amount="18.65",
        capture=django_capture_on_commit_callbacks)
    BillPayment.objects.update(submitted_at=timezone.now() - timedelta(days=40))
    assert "¥18.65" not in client.get(reverse("payments:records")).content.decode()
    today = timezone.localdate()
    body = client.get(reverse("payments:records"), {
        "date_from": (today - timedelta(days=60)).isoformat()}).content.decode()
    assert "¥18.65" in body


def test_another_customers_payment_is_404(world, django_capture_on_commit_callbacks):
    pay(world.zhang, BillKind.POWER, POWER_NO, amount="18.65",
        capture=django_capture_on_commit_callbacks)
    number = BillPayment.objects.get().number
    other = Client()
    other.force_login(world.li)
    assert other.get(reverse("payments:record", args=[number])).status_code == 404
    assert number not in other.get(reverse("payments:records")).content.decode()


def test_the_result_page_says_what_happened(client, world):
    query(client, BillKind.POWER, POWER_NO)
    client.post(page(BillKind.POWER), {"step": "pay", "customer_no": POWER_NO,
                                       "account": world.main(world.zhang_card).pk,
                                       "amount": "18.65"})
    operation = PendingOperation.objects.get()
    from tests.customer_world import confirm
    confirm(operation, user=world.zhang)
    body = client.get(reverse("security:confirm_result", args=[operation.public_id])
                      ).content.decode()
    # In a test transaction the after-commit write-off has not run: 处理中 is what is true.
    assert "处理中" in body and "缴费记录查询" in body
    assert Decimal("79981.35") == balance(world.zhang_card)


# --- review fixes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1e30", "99999999999999999999999999999", "1E+28"])
def test_a_huge_amount_is_said_at_the_field_not_a_500(client, world, typed):
    """Past Decimal's 28 digits quantize() raised InvalidOperation: the maximum is said."""
    query(client, BillKind.POWER, POWER_NO)
    response = client.post(page(BillKind.POWER), {
        "step": "pay", "customer_no": POWER_NO, "account": world.main(world.zhang_card).pk,
        "amount": typed})
    body = response.content.decode()
    assert response.status_code == 200 and "缴费金额不能超过¥50,000.00" in body
    assert f'value="{typed}"' in body
    assert not PendingOperation.objects.exists()


def test_a_stale_answer_is_asked_again(client, world):
    """The biller's answer is kept for a quarter of an hour: a step 2 sent later (the tab left
    while the customer works in another, the amount owed may have changed since) asks to query
    again, nothing started."""
    import time_machine

    from payments.bills.views import QUOTE_TTL

    query(client, BillKind.HEATING, HEAT_NO)
    form = {"step": "pay", "customer_no": HEAT_NO, "account": world.main(world.zhang_card).pk}
    queried = timezone.now()
    # Busy elsewhere: a click every four minutes keeps the session (5 minutes idle) alive.
    for minutes in range(4, int(QUOTE_TTL.total_seconds() // 60) + 1, 4):
        with time_machine.travel(queried + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("payments:records")).status_code == 200
    with time_machine.travel(queried + QUOTE_TTL + timedelta(seconds=5), tick=False):
        body = client.post(page(BillKind.HEATING), form).content.decode()
    assert "缴费信息已失效，请重新查询" in body
    assert not PendingOperation.objects.exists()
    # Queried again, it goes.
    query(client, BillKind.HEATING, HEAT_NO)
    assert client.post(page(BillKind.HEATING), form).status_code == 302
    assert PendingOperation.objects.get().payload["amount"] == "1860.00"


def test_two_tabs_with_two_numbers_pay_only_the_number_last_queried(client, world):
    """Tab 1 queries one 户号, tab 2 another: tab 1's 提交 is refused (its answer is gone),
    tab 2's goes with its own number and amount."""
    from ebank.billers.simulator import sim_bill_put

    sim_bill_put("POWER01", "3400654321", name="王芳", amount_owed="55.00", period="2026年11月")
    query(client, BillKind.POWER, POWER_NO)
    query(client, BillKind.POWER, "3400654321")
    account = world.main(world.zhang_card).pk
    body = client.post(page(BillKind.POWER), {"step": "pay", "customer_no": POWER_NO,
                                              "account": account, "amount": "10.00"}
                       ).content.decode()
    assert "缴费信息已失效，请重新查询" in body
    assert client.post(page(BillKind.POWER), {"step": "pay", "customer_no": "3400654321",
                                              "account": account, "amount": "10.00"}
                       ).status_code == 302
    assert PendingOperation.objects.get().payload["customer_no"] == "3400654321"


def test_records_cost_the_same_queries_for_one_payment_or_many(
        client, world, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pay(world.zhang, BillKind.POWER, POWER_NO, amount="1.00",
        capture=django_capture_on_commit_callbacks)
    client.get(reverse("payments:records"))  # the session's first request does more
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("payments:records")).status_code == 200
    for amount in ("2.00", "3.00", "4.00"):
        pay(world.zhang, BillKind.POWER, POWER_NO, amount=amount,
            capture=django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("payments:records")).content.decode()
    assert "¥4.00" in body and len(many) == len(one)
