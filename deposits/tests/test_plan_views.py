"""The pages of 卡内预约转存: the list with each plan's facts, 新增 keeping what was typed with
Chinese messages, the confirmation reached, 执行记录, 撤销 by POST, another customer's plan a
404."""

from datetime import date

import pytest
from django.urls import reverse

from deposits import plan_services as ps
from deposits.models import PlanRun, PlanStatus
from security.models import PendingOperation

from .conftest import LOGIN_PASSWORD
from .test_fixed import at, batch_run
from .test_plan_services import TODAY, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_zhang(client, world):
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    return client


def test_list_shows_each_plan(client_zhang, world):
    make_plan(world, amount="1234.50", run_day=31, starts_on=date(2026, 4, 1))
    make_plan(world, frequency="weekly", run_day=5)
    with at(TODAY):
        body = client_zhang.get(reverse("deposits:plans")).content.decode()
    for text in (world.zhang_card.masked_number, "¥1,234.50", "一年", "每月31日（小月为月末）",
                 "每周五", "2026-04-30", "2026-03-06", "生效", "撤销", "新增"):
        assert text in body, text
    assert world.zhang_card.number not in body


def test_new_form_errors_keep_what_was_typed(client_zhang, world):
    with at(TODAY):
        response = client_zhang.post(reverse("deposits:plan_new"), {
            "medium": world.zhang_card.pk, "amount": "30", "term_months": "12",
            "frequency": "monthly", "month_day": "31", "weekday": "",
            "starts_on": "2026-04-01", "ends_on": ""})
        body = response.content.decode()
        assert response.status_code == 200 and ps.AMOUNT_MINIMUM in body
        assert 'value="30"' in body and 'value="2026-04-01"' in body
        assert not PendingOperation.objects.exists()
        body = client_zhang.post(reverse("deposits:plan_new"), {
            "medium": world.zhang_card.pk, "amount": "100", "term_months": "12",
            "frequency": "weekly", "starts_on": "2026-03-02"}).content.decode()
        assert "请选择每周转存日" in body and 'value="100"' in body
        body = client_zhang.post(reverse("deposits:plan_new"), {
            "medium": world.zhang_card.pk, "amount": "100", "term_months": "12",
            "frequency": "weekly", "weekday": "3", "starts_on": "2026-03-02"}).content.decode()
        assert ps.START_TOO_EARLY in body
        body = client_zhang.post(reverse("deposits:plan_new"), {"starts_on": "2026-13-40"}
                                 ).content.decode()
    for text in ("请选择借记卡", "请输入每次转存金额", "请选择存期", "请按年-月-日输入开始日期",
                 'value="2026-13-40"'):
        assert text in body, text


def test_new_form_reaches_the_confirmation(client_zhang, world):
    with at(TODAY):
        response = client_zhang.post(reverse("deposits:plan_new"), {
            "medium": world.zhang_card.pk, "amount": "100", "term_months": "6",
            "frequency": "weekly", "weekday": "5", "starts_on": "2026-03-03",
            "ends_on": "2026-06-30"})
        operation = PendingOperation.objects.get()
        assert response.status_code == 302 and operation.public_id in response["Location"]
        page = client_zhang.get(response["Location"]).content.decode()
        assert "每周五" in page and "2026-03-06" in page
        back = client_zhang.get(reverse("deposits:plan_new") + f"?from={operation.public_id}")
    assert 'value="2026-06-30"' in back.content.decode()


def test_runs_page_and_cancel(client_zhang, world):
    plan = make_plan(world, run_day=15)
    failing = make_plan(world, amount="90000.00", run_day=15)
    batch_run(date(2026, 3, 15))
    with at(date(2026, 3, 16)):
        body = client_zhang.get(reverse("deposits:plan_runs", args=[plan.pk])).content.decode()
        assert "2026-03-15" in body and "成功" in body
        deposit = PlanRun.objects.get(plan=plan).deposit
        assert reverse("deposits:detail", args=[deposit.pk]) in body
        body = client_zhang.get(reverse("deposits:plan_runs", args=[failing.pk])).content.decode()
        assert "失败" in body and "可用余额不足" in body
        assert client_zhang.get(reverse("deposits:plan_cancel", args=[plan.pk])).status_code == 405
        response = client_zhang.post(reverse("deposits:plan_cancel", args=[plan.pk]), follow=True)
    assert "卡内预约转存已撤销" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED


def test_another_customers_plan_is_404(client, world):
    plan = make_plan(world)
    client.login(username=world.li.username, password=LOGIN_PASSWORD)
    with at(TODAY):
        assert client.get(reverse("deposits:plan_runs", args=[plan.pk])).status_code == 404
        assert client.post(reverse("deposits:plan_cancel", args=[plan.pk])).status_code == 404
        assert world.zhang_card.masked_number not in client.get(
            reverse("deposits:plans")).content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
