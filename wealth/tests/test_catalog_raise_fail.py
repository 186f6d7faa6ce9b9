"""募集失败: head office declares that a product in its 募集期 will not be established — every
认购 still 待确认 fails and its hold is released at once, the product leaves 网银销售; refused once
the product has started or a 认购 was confirmed; audited. Before this, such holds stayed frozen
for ever (撤单 closes at 15:00 of the 募集期's last day)."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse

from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.models import HoldStatus, LedgerAccount
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff, otp_login
from wealth.catalog.services import raise_fail
from wealth.models import Order, OrderKind, OrderStatus
from wealth.placing import order_place
from wealth.settle.services import orders_confirm

from .conftest import MONDAY, assess, shanghai

pytestmark = pytest.mark.django_db


def _available(sub_account):
    account = LedgerAccount.objects.get(pk=sub_account.ledger_account_id)
    return account.balance - account.held


@pytest.fixture
def subscribed(world, shelf):
    assess(world.zhang_customer, "C3")
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        return order_place(customer=world.zhang_customer, payer=world.main(world.zhang_card),
                           product=shelf.closed, kind=OrderKind.SUBSCRIBE,
                           amount=D("10000.00"))


def test_head_office_fails_the_raise_and_the_money_is_free_again(world, shelf, subscribed):
    payer = world.main(world.zhang_card)
    before = _available(payer)
    client = Client()
    with time_machine.travel(shanghai(date(2026, 6, 12), 17), tick=False):
        otp_login(client, make_staff("hq_raise", "340000", role=Role.HEAD_OFFICE))
        page = client.post(reverse("admin:wealth_product_changelist"),
                           {"action": "raise_fail_action", "_selected_action": [shelf.closed.pk],
                            "index": 0}, follow=True).content.decode()
    assert "募集失败，1笔认购已失败，解冻¥10,000.00" in page
    subscribed.refresh_from_db()
    assert subscribed.status == OrderStatus.FAILED and "募集失败" in subscribed.failure_reason
    assert subscribed.hold.status == HoldStatus.RELEASED
    assert _available(payer) == before + D("10000.00")
    shelf.closed.refresh_from_db()
    assert not shelf.closed.on_sale
    assert AuditEvent.objects.filter(action="wealth.raise_fail").count() == 1
    # The night before the 成立日 confirms nothing of it.
    with time_machine.travel(shanghai(date(2026, 6, 15), 0, 30), tick=False):
        assert orders_confirm(business_date=date(2026, 6, 14)) == 0


def test_refused_once_started_or_confirmed(world, shelf, subscribed):
    with time_machine.travel(shanghai(date(2026, 6, 15), 0, 30), tick=False):
        assert orders_confirm(business_date=date(2026, 6, 14)) == 1
    with pytest.raises(BusinessError, match="已有认购确认"), transaction.atomic():
        raise_fail(staff=None, product=shelf.closed, on=date(2026, 6, 14))
    with pytest.raises(BusinessError, match="成立日"), transaction.atomic():
        raise_fail(staff=None, product=shelf.closed, on=date(2026, 6, 15))
    with pytest.raises(BusinessError, match="没有募集期"), transaction.atomic():
        raise_fail(staff=None, product=shelf.open_r2, on=date(2026, 6, 14))
    assert Order.objects.get(pk=subscribed.pk).status == OrderStatus.CONFIRMED


def test_a_teller_has_no_such_action(world, shelf, subscribed):
    client = Client()
    with time_machine.travel(shanghai(date(2026, 6, 12), 17), tick=False):
        otp_login(client, make_staff("teller_raise", "340101"))
        page = client.get(reverse("admin:wealth_product_changelist")).content.decode()
    assert "raise_fail_action" not in page
