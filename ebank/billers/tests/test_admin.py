"""The simulator's staff admin: the behaviour switch is edited there; bills and payments are
the billers' books, read only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ebank.billers.models import SimBehaviour, SimBiller
from ebank.billers.simulator import sim_bill_put, sim_payment_plant

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    bill = sim_bill_put("WATER01", "1001234501", name="张伟", amount_owed="86.40")
    payment = sim_payment_plant("WATER01", "XX1", customer_no="1001234501", amount="8.00")
    return bill, payment


def test_the_lists_show(admin_client, books):
    for name in ("simbiller", "simbill", "simpayment"):
        response = admin_client.get(reverse(f"admin:billers_{name}_changelist"))
        assert response.status_code == 200
    assert "¥86.40" in admin_client.get(reverse("admin:billers_simbill_changelist")).text


def test_the_behaviour_is_switched_in_the_admin(admin_client, books):
    biller = SimBiller.objects.get(code="WATER01")
    response = admin_client.post(reverse("admin:billers_simbiller_change", args=[biller.pk]),
                                 {"behaviour": SimBehaviour.REFUSE, "reason": "系统维护"})
    assert response.status_code == 302
    biller.refresh_from_db()
    assert (biller.behaviour, biller.reason, biller.name) == ("refuse", "系统维护", "合肥供水集团")


def test_bills_and_payments_are_read_only(admin_client, books):
    bill, payment = books
    url = reverse("admin:billers_simbill_change", args=[bill.pk])
    admin_client.post(url, {"amount_owed": "0.00"})
    bill.refresh_from_db()
    assert bill.amount_owed == Decimal("86.40")
    assert admin_client.get(reverse("admin:billers_simpayment_add")).status_code == 403
