"""自助缴费 in the staff admin: 缴费记录 read-only with the 人工核查 filter; billers registered
by head office through biller_register (ledger books opened), a teller cannot."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ebank.core.models import AuditEvent
from ebank.ledger.models import LedgerAccount
from payments.models import Biller, BillKind, BillPayment, BillPaymentStatus
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff, otp_login

from .conftest import POWER_NO, pay

pytestmark = pytest.mark.django_db


def head_office_staff():
    """Head office staff are superusers (security.staff.roles: the role groups name no menu
    app's models; the lead grants payments' to the groups at merge if wanted)."""
    return make_staff("hq_bill", "340000", role=Role.HEAD_OFFICE, is_superuser=True)


def test_head_office_registers_a_biller_with_its_ledger_books_and_a_teller_cannot(world):
    client = Client()
    otp_login(client, make_staff("teller_bill", "340101"))
    url = reverse("admin:payments_biller_add")
    assert client.get(url).status_code == 403
    otp_login(client, head_office_staff())
    response = client.post(url, {"code": "WATER02", "kind": BillKind.WATER,
                                 "name": "芜湖供水", "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    biller = Biller.objects.get(code="WATER02")
    assert biller.settlement_account == LedgerAccount.objects.get(code="BILLER:WATER02:SETTLE")
    assert biller.collection_account == LedgerAccount.objects.get(code="BILLER:WATER02:ACCT")
    assert AuditEvent.objects.filter(action="admin_add",
                                     object_ref=f"payments.biller:{biller.pk}").exists()


def test_payments_are_read_only_and_long_processing_ones_are_flagged(
        world, django_capture_on_commit_callbacks):
    pay(world.zhang, BillKind.POWER, POWER_NO, amount="18.65",
        capture=django_capture_on_commit_callbacks)
    stuck = BillPayment.objects.get()
    BillPayment.objects.filter(pk=stuck.pk).update(
        status=BillPaymentStatus.PROCESSING, submitted_at=timezone.now() - timedelta(hours=3))
    pay(world.zhang, BillKind.POWER, POWER_NO, amount="10.00",
        capture=django_capture_on_commit_callbacks)
    fresh = BillPayment.objects.exclude(pk=stuck.pk).get()
    client = Client()
    otp_login(client, head_office_staff())
    changelist = reverse("admin:payments_billpayment_changelist")
    body = client.get(changelist).content.decode()
    assert "¥18.65" in body and "¥10.00" in body
    body = client.get(changelist, {"review": "yes"}).content.decode()
    assert stuck.number in body and fresh.number not in body
    assert client.get(reverse("admin:payments_billpayment_add")).status_code == 403
    client.post(reverse("admin:payments_billpayment_change", args=[fresh.pk]),
                {"amount": "1.00"})
    fresh.refresh_from_db()
    assert fresh.amount == Decimal("10.00")
