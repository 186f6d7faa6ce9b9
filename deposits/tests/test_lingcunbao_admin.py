"""零存宝设置 (the monthly cap, a setting) in the staff admin: head office adds a row in force from
tomorrow at the earliest and corrects it until then; a row in force is history; other staff
read; every write audited."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from deposits.lingcunbao.services import monthly_cap_on
from deposits.models import LingcunbaoSetting
from ebank.core.models import AuditEvent
from security.tests import test_counter_fixtures as fx
from security.tests.test_counter_fixtures import otp_login

pytestmark = pytest.mark.django_db
bank, hq, teller_hf, tools = fx.bank, fx.hq, fx.teller_hf, fx.tools


def test_head_office_sets_a_new_cap_from_tomorrow_and_never_today(client, hq):
    today = timezone.localdate()
    otp_login(client, hq)
    add = reverse("admin:deposits_lingcunbaosetting_add")
    page = client.post(add, {"monthly_cap": "10000.00", "effective_from": today.isoformat()})
    assert page.status_code == 200 and "生效日期须晚于今天" in page.content.decode()
    tomorrow = today + timedelta(days=1)
    assert client.post(add, {"monthly_cap": "10000.00",
                             "effective_from": tomorrow.isoformat()}).status_code == 302
    row = LingcunbaoSetting.objects.get()
    assert row.created_by_id == hq.pk
    assert monthly_cap_on(today) == Decimal("20000.00")
    assert monthly_cap_on(tomorrow) == Decimal("10000.00")
    assert AuditEvent.objects.filter(action="deposits.lcb_setting_add").count() == 1
    # In force: read-only (a change is a new row).
    LingcunbaoSetting.objects.filter(pk=row.pk).update(effective_from=today)
    change = reverse("admin:deposits_lingcunbaosetting_change", args=[row.pk])
    assert client.post(change, {"monthly_cap": "1.00",
                                "effective_from": tomorrow.isoformat()}).status_code == 403
    row.refresh_from_db()
    assert row.monthly_cap == Decimal("10000.00")


def test_a_teller_reads_the_setting_and_changes_nothing(client, teller_hf):
    otp_login(client, teller_hf)
    assert client.get(reverse("admin:deposits_lingcunbaosetting_changelist")).status_code == 200
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert client.post(reverse("admin:deposits_lingcunbaosetting_add"), {
        "monthly_cap": "1.00", "effective_from": tomorrow.isoformat()}).status_code == 403
    assert not LingcunbaoSetting.objects.exists()
