"""积分礼品兑换 on PostgreSQL with real threads: the customer's lots serialise their redemptions
and the gift row its stock — never overspent, the book still balanced."""

import pytest
import time_machine

from creditcard.models import Gift, Redemption
from creditcard.points import book, services
from ebank.core.errors import BusinessError
from security.confirm.services import operation_confirm
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import CERT_PASSWORD, world_build

from .points_support import NOW, RECIPIENT, earn, gift

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(settings, tmp_path):
    world = world_build(settings, tmp_path)
    with time_machine.travel(NOW, tick=False):
        yield world


def _confirm(world, operation):
    return operation_confirm(user=world.zhang, public_id=operation.public_id, pin=None,
                             method="usbkey", credential=CERT_PASSWORD)


@pytest.mark.parametrize("round_", range(2))
def test_two_redemptions_at_once_never_overspend_the_points(bank, round_):
    customer = bank.zhang_customer
    earn(customer, 1200, ref=f"R{round_}-a")
    earn(customer, 300, ref=f"R{round_}-b")
    first, second = gift("GA", points=1000), gift("GB", points=1000)
    operations = [services.redemption_start(user=bank.zhang, gift=g, quantity=1, **RECIPIENT)
                  for g in (first, second)]
    results = run_concurrently(lambda i: _confirm(bank, operations[i]), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1 and "积分不足" in refused[0].message, results
    assert Redemption.objects.count() == 1
    assert book.points_balance(customer) == 500 and book.points_verify(customer)


def test_two_customers_racing_for_the_last_gift_get_it_once(bank):
    the_gift = gift(points=100, stock=1)
    bank.usbkey_give(bank.li)
    earn(bank.zhang_customer, 500, ref="Z")
    earn(bank.li_customer, 500, ref="L")
    users = (bank.zhang, bank.li)
    operations = [services.redemption_start(user=u, gift=the_gift, quantity=1, **RECIPIENT)
                  for u in users]
    results = run_concurrently(lambda i: operation_confirm(
        user=users[i], public_id=operations[i].public_id, pin=None, method="usbkey",
        credential=CERT_PASSWORD), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1 and "礼品库存不足" in refused[0].message, results
    assert Gift.objects.get(pk=the_gift.pk).stock == 0 and Redemption.objects.count() == 1
    assert book.points_verify(bank.zhang_customer) and book.points_verify(bank.li_customer)
    assert book.points_balance(bank.zhang_customer) + book.points_balance(bank.li_customer) == 900
