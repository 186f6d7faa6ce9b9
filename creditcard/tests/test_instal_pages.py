"""The pages of 账单分期管理: 试算, 申请 (the table and the APR before X-CONFIRM), 提前终止 and
查询; what was typed kept with the refusal; another customer's plan a 404."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from creditcard.engine import item_add
from creditcard.instal import services
from creditcard.models import CardStatus, InstalmentPlan, InstalmentStatus, ItemKind
from security.models import PendingOperation
from tests.customer_world import confirm

from .conftest import charge
from .instal_support import at_apply, bill_start, billed_card, card_linked, rates  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rates", "at_apply")]


@pytest.fixture
def client(world):
    client = Client()
    client.force_login(world.zhang)
    return client


def test_the_trial_shows_the_whole_table_and_the_apr(client):
    body = client.get(reverse("creditcard:instal_trial"),
                      {"amount": "12000", "periods": "12"}).content.decode()
    assert body.count("¥1,072.00") >= 12 and "第12期" in body
    assert "13.03%" in body and "0.60%" in body and "¥864.00" in body  # 手续费总额


def test_the_trial_says_what_is_wrong_and_keeps_what_was_typed(client):
    body = client.get(reverse("creditcard:instal_trial"),
                      {"amount": "12abc", "periods": "12"}).content.decode()
    assert "请输入正确的分期金额" in body and 'value="12abc"' in body
    body = client.get(reverse("creditcard:instal_trial"),
                      {"amount": "300", "periods": "5"}).content.decode()
    assert "分期期数只能为3、6、12或24期" in body and 'value="300"' in body


def test_bill_instalment_shows_the_table_and_apr_first_then_confirms(client, world):
    card = billed_card(world.zhang_customer)
    page = reverse("creditcard:bill_instal")
    body = client.get(page).content.decode()
    assert "可分期金额" in body and "¥12,000.00" in body and "2026-02-25" in body
    response = client.post(page, {"step": "quote", "card": card.pk, "amount": "12000",
                                  "periods": "12"})
    body = response.content.decode()
    assert "13.03%" in body and body.count("¥1,072.00") >= 12 and 'value="apply"' in body
    assert not PendingOperation.objects.exists()
    response = client.post(page, {"step": "apply", "card": card.pk, "amount": "12000.00",
                                  "periods": "12"})
    operation = PendingOperation.objects.get()
    assert response.status_code == 302 and operation.public_id in response["Location"]
    confirm(operation, user=world.zhang)
    assert InstalmentPlan.objects.get().principal == D("12000.00")
    body = client.get(page).content.decode()
    assert "每期账单只能分期一次" in body


def test_more_than_is_owed_is_said_on_the_page_with_the_amount_kept(client, world):
    card = billed_card(world.zhang_customer)
    body = client.post(reverse("creditcard:bill_instal"), {
        "step": "quote", "card": card.pk, "amount": "12000.01", "periods": "12"}
    ).content.decode()
    assert "分期金额不能超过本期账单可分期金额¥12,000.00" in body and 'value="12000.01"' in body
    assert not PendingOperation.objects.exists()


def test_flex_instalment_lists_the_purchases_and_starts_the_confirmation(client, world):
    card = card_linked(world.zhang_customer)
    item = charge(card, "3600.00", date(2026, 2, 8), merchant="家电商城")
    charge(card, "120.00", date(2026, 2, 8), merchant="便利店")
    page = reverse("creditcard:flex_instal")
    body = client.get(page).content.decode()
    assert "家电商城" in body and "便利店" not in body
    body = client.post(page, {"step": "quote", "card": card.pk, "item": item.pk,
                              "periods": "3"}).content.decode()
    assert "¥1,227.00" in body and "13.45%" in body
    response = client.post(page, {"step": "apply", "card": card.pk, "item": item.pk,
                                  "periods": "3"})
    assert response.status_code == 302
    assert PendingOperation.objects.get().payload["amount"] == "3600.00"


def test_terminate_list_plan_page_and_the_confirmation(client, world):
    card = billed_card(world.zhang_customer)
    confirm(bill_start(world.zhang, card), user=world.zhang)
    plan = InstalmentPlan.objects.get()
    body = client.get(reverse("creditcard:bill_instal_terminate")).content.decode()
    assert plan.reference in body
    assert plan.reference not in client.get(
        reverse("creditcard:flex_instal_terminate")).content.decode()
    response = client.get(reverse("creditcard:bill_instal_terminate"), {"plan": plan.pk})
    assert response["Location"] == reverse("creditcard:instal_terminate_plan", args=[plan.pk])
    body = client.get(response["Location"]).content.decode()
    assert "剩余未入账本金" in body and "¥12,000.00" in body and "手续费不再收取" in body
    assert "¥864.00" in body
    response = client.post(reverse("creditcard:instal_terminate_plan", args=[plan.pk]))
    assert response.status_code == 302
    confirm(PendingOperation.objects.get(kind="creditcard.bill_instal_terminate"),
            user=world.zhang)
    plan.refresh_from_db()
    assert plan.status == InstalmentStatus.TERMINATED


def test_the_query_pages_and_a_plans_schedule(client, world):
    card = billed_card(world.zhang_customer)
    confirm(bill_start(world.zhang, card, amount="6000.00", periods=6), user=world.zhang)
    plan = InstalmentPlan.objects.get()
    body = client.get(reverse("creditcard:bill_instal_list")).content.decode()
    assert plan.reference in body and "分期中" in body and "0.70%" in body
    assert plan.reference not in client.get(reverse("creditcard:flex_instal_list"),
                                            ).content.decode()
    body = client.get(reverse("creditcard:bill_instal_list"),
                      {"status": "terminated"}).content.decode()
    assert plan.reference not in body
    body = client.get(reverse("creditcard:instal_plan", args=[plan.pk])).content.decode()
    assert "第6期" in body and "¥1,042.00" in body and "未入账" in body and "14.26%" in body


def test_another_customers_plan_is_a_404(world):
    card = billed_card(world.zhang_customer)
    confirm(bill_start(world.zhang, card), user=world.zhang)
    plan = InstalmentPlan.objects.get()
    client = Client()
    client.force_login(world.li)
    for name in ("creditcard:instal_plan", "creditcard:instal_terminate_plan"):
        assert client.get(reverse(name, args=[plan.pk])).status_code == 404
    assert client.post(reverse("creditcard:instal_terminate_plan",
                               args=[plan.pk])).status_code == 404
    assert client.get(reverse("creditcard:bill_instal_terminate"),
                      {"plan": plan.pk}).status_code == 404
    assert client.get(reverse("creditcard:bill_instal"), {"card": card.pk}).status_code == 404
    assert not PendingOperation.objects.filter(user=world.li).exists()


def test_the_confirmation_page_shows_the_apr_and_asks_no_pin(client, world):
    card = billed_card(world.zhang_customer)
    operation = bill_start(world.zhang, card)
    body = client.get(reverse("security:confirm", args=[operation.public_id])).content.decode()
    assert "账单分期申请" in body and "13.03%" in body and "¥12,000.00" in body
    assert 'name="pin"' not in body


@pytest.mark.parametrize("typed", ["1e30", "1E400"])
def test_an_amount_in_exponent_form_is_refused_in_chinese_not_a_500(client, world, typed):
    body = client.get(reverse("creditcard:instal_trial"),
                      {"amount": typed, "periods": "12"}).content.decode()
    assert "分期金额" in body and f'value="{typed}"' in body
    card = billed_card(world.zhang_customer)
    response = client.post(reverse("creditcard:bill_instal"),
                           {"card": card.pk, "amount": typed, "periods": "12"})
    assert response.status_code == 200 and f'value="{typed}"' in response.content.decode()
    assert not PendingOperation.objects.exists()


def test_a_customer_without_a_card_posting_a_bill_instalment_gets_the_page_not_a_500(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.li)  # no credit card
    response = client.post(reverse("creditcard:bill_instal"),
                           {"amount": "600.00", "periods": "3", "step": "apply"})
    assert response.status_code == 200
    assert not PendingOperation.objects.exists()


def test_a_terminated_plans_totals_count_only_the_fees_charged(client, world):
    # 12,000 × 12 at 0.60%: one period billed (fee 72.00), then 提前终止 — the other 11 fees
    # (792.00) are never charged, so the plan's 合计 is 72.00 of fees and 12,072.00 in all.
    card = billed_card(world.zhang_customer)
    confirm(bill_start(world.zhang, card), user=world.zhang)
    plan = InstalmentPlan.objects.get()
    # The statement run bills period 1 (its principal; the fee is an entry of its own).
    item_add(card=card, kind=ItemKind.INSTALMENT, amount=D("1000.00"), txn_date=date(2026, 3, 5),
             posted_on=date(2026, 3, 5), reference=f"{plan.reference}-1",
             description="分期本金 第1期", instalment=plan, period=1)
    plan.periods_billed, plan.unbilled_principal = 1, D("11000.00")
    plan.save(update_fields=["periods_billed", "unbilled_principal"])
    confirm(services.instal_terminate_start(user=world.zhang, plan=plan), user=world.zhang)
    body = client.get(reverse("creditcard:instal_plan", args=[plan.pk])).content.decode()
    footer = body.split("<tfoot>")[1].split("</tfoot>")[0]
    assert "¥72.00" in footer and "¥12,072.00" in footer and "¥864.00" not in footer, footer


def test_the_plans_of_a_closed_card_are_found_by_choosing_it_in_the_query(client, world):
    # The query offers the customer's closed cards too (their plans are still his to read).
    card = billed_card(world.zhang_customer)
    confirm(bill_start(world.zhang, card, amount="6000.00", periods=6), user=world.zhang)
    plan = InstalmentPlan.objects.get()
    card.status = CardStatus.CLOSED
    card.save(update_fields=["status"])
    for name in ("creditcard:bill_instal_list", "creditcard:bill_instal_terminate"):
        response = client.get(reverse(name), {"card": card.pk})
        assert response.status_code == 200, name
    body = client.get(reverse("creditcard:bill_instal_list"), {"card": card.pk}).content.decode()
    assert plan.reference in body
