"""大额存单产品 in the admin: head office publishes and raises an issue; staff read it."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from deposits.models import LargeCDProduct
from security.tests import test_counter_fixtures as fx
from security.tests.test_counter_fixtures import otp_login

pytestmark = pytest.mark.django_db
bank, hq, teller_hf, tools = fx.bank, fx.hq, fx.teller_hf, fx.tools

ISSUE = {"code": "CD2026007", "name": "2026年第7期三年期大额存单", "term_months": "36",
         "annual_rate": "1.80", "minimum": "200000.00", "quota": "50000000.00",
         "sale_from": "2026-06-01", "sale_to": "2026-06-30"}


def test_head_office_publishes_an_issue_and_cannot_cut_the_quota_below_what_is_sold(client,
                                                                                   hq):
    otp_login(client, hq)
    assert client.post(reverse("admin:deposits_largecdproduct_add"), ISSUE).status_code == 302
    product = LargeCDProduct.objects.get(code="CD2026007")
    LargeCDProduct.objects.filter(pk=product.pk).update(sold=Decimal("30000000.00"))
    page = client.post(reverse("admin:deposits_largecdproduct_change", args=[product.pk]),
                       {**ISSUE, "quota": "20000000.00"})
    assert page.status_code == 200 and "发行额度不得低于已售额度" in page.content.decode()
    listing = client.get(reverse("admin:deposits_largecdproduct_changelist")).content.decode()
    assert "¥20,000,000.00" in listing and "¥30,000,000.00" in listing  # left and sold


def test_a_teller_reads_the_issues_and_changes_none(client, teller_hf):
    product = LargeCDProduct.objects.create(
        code="CD2026008", name="一年期大额存单", term_months=12, annual_rate=Decimal("1.40"),
        quota=Decimal("1000000.00"), sale_from=date(2026, 6, 1), sale_to=date(2026, 6, 30))
    otp_login(client, teller_hf)
    assert client.get(reverse("admin:deposits_largecdproduct_changelist")).status_code == 200
    assert client.post(reverse("admin:deposits_largecdproduct_add"), ISSUE).status_code == 403
    assert client.post(reverse("admin:deposits_largecdproduct_change", args=[product.pk]),
                       {**ISSUE, "quota": "9.00"}).status_code == 403
    product.refresh_from_db()
    assert product.quota == Decimal("1000000.00")
