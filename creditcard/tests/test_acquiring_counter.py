"""信用卡发卡 at the counter (the teller workstation): the form refuses bad input in Chinese and
keeps what was typed, the card is opened with the teller's id, linked to the customer's
e-banking when they have it, the 业务受理单 printed and the action audited."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from accounts.models import LinkedMedium, MediumKind
from accounts.services import pin_matches
from creditcard.acquiring.counter import CardCounterAction, counter_card_issue
from creditcard.models import AutoRepayMode, Card
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from security.models import CounterReceipt
from security.staff.counter.actions import COUNTER_ACTIONS
from security.tests.test_counter_fixtures import ident, make_staff, otp_login
from tests.customer_world import DEMO_PIN

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
PIN = "135790"


@pytest.fixture
def teller(world):
    return make_staff("teller_hf", "340101", first_name="陈静")


def form_data(name="张伟", **overrides):
    return {**ident(name), "credit_limit": "30,000", "cash_limit": "", "statement_day": "8",
            "pin": PIN, "pin_again": PIN, "autorepay_mode": AutoRepayMode.NONE,
            "autorepay_medium": "", **overrides}


def action_url(customer):
    return reverse("admin:counter_action", kwargs={"customer_id": customer.pk,
                                                   "action": "card_issue"})


def test_the_action_is_registered_with_its_label_and_offered_to_every_customer(world):
    from security.staff.counter.state import customer_state_read

    spec = COUNTER_ACTIONS["card_issue"]
    assert spec.label == "信用卡发卡" and CardCounterAction.ISSUE == "card_issue"
    # with or without e-banking (王芳 has none): a card needs only the customer's ID
    assert spec.applies(customer_state_read(customer=world.zhang_customer))
    assert spec.applies(customer_state_read(customer=world.wang_customer))


def test_the_teller_issues_a_card_on_the_counter_page(world, teller, client):
    otp_login(client, teller)
    url = action_url(world.zhang_customer)
    with time_machine.travel(NOON, tick=False):
        page = client.get(url).content.decode()
        assert "信用卡发卡" in page and "信用额度" in page and "账单日" in page
        done = client.post(url, form_data(autorepay_mode=AutoRepayMode.FULL,
                                          autorepay_medium=world.zhang_card.pk))
        printed = client.get(done.url)
    assert done.status_code == 302 and printed.status_code == 200
    card = Card.objects.get(customer=world.zhang_customer)
    assert (card.credit_limit, card.cash_limit, card.statement_day, card.issued_by_id) == (
        D("30000.00"), D("15000.00"), 8, teller.pk)
    assert card.issued_on == NOON.date() and card.medium.kind == MediumKind.CREDIT_CARD
    assert (card.autorepay_mode, card.autorepay_medium) == (AutoRepayMode.FULL, world.zhang_card)
    assert pin_matches(medium=card.medium, pin=PIN)
    # linked to 张伟's e-banking, after his other accounts
    link = LinkedMedium.objects.get(medium=card.medium)
    assert link.customer == world.zhang_customer
    assert link.position == LinkedMedium.objects.filter(customer=world.zhang_customer).count()
    slip = CounterReceipt.objects.get()
    assert done.url == reverse("admin:counter_receipt", kwargs={"number": slip.number})
    assert slip.action == "card_issue" and slip.get_action_display() == "信用卡发卡"
    items = dict(slip.detail["items"])
    assert items["信用额度"] == "¥30,000.00" and items["取现额度"] == "¥15,000.00"
    assert items["账单日"] == "每月8日" and items["网上银行"].startswith("已关联网上银行")
    assert items["自动还款"].startswith("全额还款（借记卡")
    assert card.medium.number not in str(slip.detail)
    event = AuditEvent.objects.get(action="counter_card_issue")
    assert event.actor_id == teller.pk and event.customer_id == world.zhang_customer.pk
    assert "信用卡发卡" in printed.content.decode() and "¥30,000.00" in printed.content.decode()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"credit_limit": ""}, "credit_limit", "请输入信用额度"),
    ({"credit_limit": "abc"}, "credit_limit", "请输入正确的金额"),
    ({"credit_limit": "30050"}, "credit_limit", "信用额度须为100元的整数倍"),
    ({"cash_limit": "15000.01"}, "cash_limit", "取现额度不能超过信用额度的50%"),
    ({"statement_day": "29"}, "statement_day", "账单日须为每月1日至28日"),
    ({"statement_day": "0"}, "statement_day", "账单日须为每月1日至28日"),
    ({"pin": "12345", "pin_again": "12345"}, "pin", "交易密码应为6位数字"),
    ({"pin_again": "135791"}, "pin_again", "两次输入的交易密码不一致"),
    ({"autorepay_mode": AutoRepayMode.MINIMUM}, "autorepay_medium",
     "设置自动还款须选择客户本人的借记卡"),
])
def test_bad_input_is_refused_in_chinese_keeping_what_was_typed(world, teller, client, overrides,
                                                                field, message):
    otp_login(client, teller)
    with time_machine.travel(NOON, tick=False):
        response = client.post(action_url(world.zhang_customer), form_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in "".join(form.errors[field])
    page = response.content.decode()
    assert message in page
    assert 'value="8"' in page or field == "statement_day"   # what was typed is kept
    assert PIN not in page                                      # the PIN is never rendered back
    assert not Card.objects.exists() and not CounterReceipt.objects.exists()


def test_another_customers_debit_card_cannot_be_the_autorepay_card(world, teller, client):
    otp_login(client, teller)
    with time_machine.travel(NOON, tick=False):
        response = client.post(action_url(world.zhang_customer), form_data(
            autorepay_mode=AutoRepayMode.FULL, autorepay_medium=world.li_card.pk))
    assert response.status_code == 200 and "autorepay_medium" in response.context["form"].errors
    assert not Card.objects.exists()


def test_a_customer_without_e_banking_gets_the_card_unlinked(world):
    teller = make_staff("teller_wh", "340201")
    with time_machine.travel(NOON, tick=False):
        slip = counter_card_issue(acting_user=teller, customer=world.wang_customer,
                                  **ident("王芳"), credit_limit=D("10000"), cash_limit=None,
                                  statement_day=15, pin=DEMO_PIN)
    card = Card.objects.get(customer=world.wang_customer)
    assert not LinkedMedium.objects.filter(medium=card.medium).exists()
    assert dict(slip.detail["items"])["网上银行"] == "客户未开通网上银行"


def test_a_wrong_id_or_another_branchs_customer_is_refused_and_nothing_opened(world, teller):
    with time_machine.travel(NOON, tick=False), pytest.raises(BusinessError, match="证件"):
        counter_card_issue(acting_user=teller, customer=world.zhang_customer, **ident("李娜"),
                           credit_limit=D("10000"), cash_limit=None, statement_day=5, pin=PIN)
    from django.core.exceptions import PermissionDenied
    with time_machine.travel(NOON, tick=False), pytest.raises(PermissionDenied):
        counter_card_issue(acting_user=teller, customer=world.wang_customer, **ident("王芳"),
                           credit_limit=D("10000"), cash_limit=None, statement_day=5, pin=PIN)
    assert not Card.objects.exists() and not CounterReceipt.objects.exists()
