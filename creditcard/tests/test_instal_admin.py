"""分期手续费率 in the staff admin (head office adds; a rate in force is never edited) and the demo
rates (seed_demo part 51, idempotent)."""

from datetime import UTC, date, datetime
from decimal import Decimal as D
from io import StringIO

import pytest
import time_machine
from django.core.management.base import OutputWrapper
from django.test import Client
from django.urls import reverse

from creditcard.instal.demo import demo_seed
from creditcard.models import InstalmentRate
from creditcard.settings import instalment_rate_on
from ebank.core.demo import demo_parts
from ebank.core.models import AuditEvent
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff, otp_login

pytestmark = pytest.mark.django_db


class _Out(OutputWrapper):
    def success(self, text):
        self.write(text)

    def line(self, text):
        self.write(text)


def test_the_demo_rates_are_seeded_once_and_registered_at_51(world):
    out = _Out(StringIO())
    demo_seed(out)
    demo_seed(out)
    assert InstalmentRate.objects.count() == 4
    assert instalment_rate_on(3, date(2026, 2, 10)) == D("0.007500")
    assert instalment_rate_on(24, date(2026, 2, 10)) == D("0.006000")
    assert demo_seed in demo_parts()


@time_machine.travel(datetime(2026, 2, 10, 2, 0, tzinfo=UTC), tick=False)
def test_head_office_adds_a_rate_a_teller_cannot_and_a_rate_in_force_is_not_edited(world):
    demo_seed(_Out(StringIO()))
    client = Client()
    otp_login(client, make_staff("teller_instal", "340101"))
    add = reverse("admin:creditcard_instalmentrate_add")
    assert client.get(add).status_code == 403
    assert client.get(reverse("admin:creditcard_instalmentrate_changelist")).status_code == 200
    otp_login(client, make_staff("hq_instal", "340000", role=Role.HEAD_OFFICE,
                                 is_superuser=True))
    response = client.post(add, {"periods": "12", "rate": "0.0055",
                                 "effective_from": "2026-02-09"})
    assert "生效日期不能早于今天" in response.content.decode()
    response = client.post(add, {"periods": "12", "rate": "0.0055",
                                 "effective_from": "2026-03-01"})
    assert response.status_code == 302
    row = InstalmentRate.objects.get(effective_from=date(2026, 3, 1))
    assert AuditEvent.objects.filter(action="admin_add",
                                     object_ref=f"creditcard.instalmentrate:{row.pk}").exists()
    assert instalment_rate_on(12, date(2026, 3, 1)) == D("0.005500")
    in_force = InstalmentRate.objects.get(periods=12, effective_from=date(2020, 1, 1))
    response = client.post(reverse("admin:creditcard_instalmentrate_change", args=[in_force.pk]),
                           {"periods": "12", "rate": "0.0001", "effective_from": "2020-01-01"})
    in_force.refresh_from_db()
    assert in_force.rate == D("0.006000") and response.status_code == 403
    body = client.get(reverse("admin:creditcard_instalmentrate_changelist")).content.decode()
    assert "执行中" in body and "未生效" in body and "0.60%" in body


@time_machine.travel(datetime(2026, 2, 10, 2, 0, tzinfo=UTC), tick=False)
def test_the_rate_list_does_no_query_per_row(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    demo_seed(_Out(StringIO()))
    client = Client()
    otp_login(client, make_staff("hq_rates", "340000", role=Role.HEAD_OFFICE, is_superuser=True))
    url = reverse("admin:creditcard_instalmentrate_changelist")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for year in (2021, 2022, 2023, 2024):
        for periods in (3, 6, 12, 24):
            InstalmentRate.objects.create(periods=periods, rate=D("0.0060"),
                                          effective_from=date(year, 1, 1))
    assert count() == few
    body = client.get(url).content.decode()
    assert body.count("已调整") == 16 and body.count("执行中") == 4
