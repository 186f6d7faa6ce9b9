"""短信服务 balance alerts (sms_balance_alerts_send) and 网银日志查询 (ACC-LOG)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import SubAccountKind
from accounts.services import funds_move
from ebank.core.audit import audit_record
from ebank.core.models import AuditEvent, AuditOutcome
from security.center.testing import personas
from security.models import SmsMessage, SmsSubscription
from security.tools import alerts
from transfers.models import TransferBusinessType

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return personas()


def _main(customer, index=0):
    medium = customer.media.order_by("id")[index]
    return medium, medium.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)


def test_an_entry_without_subscriptions_costs_one_statement_and_both_sides_are_found(people):
    alice, bob = people["alice"], people["bob"]
    _card, alice_main = _main(alice.customer)
    _card, bob_main = _main(bob.customer)
    entry = funds_move(debit_ledger_id=alice_main.ledger_account_id,
                       credit_ledger_id=bob_main.ledger_account_id, amount=Decimal("1.00"),
                       idempotency_key="test:one", business_type=TransferBusinessType.INTRA_TRANSFER,
                       reference="test:one")
    # Run after every posted movement, most often finding nothing: then one statement.
    with CaptureQueriesContext(connection) as queries:
        assert alerts.sms_balance_alerts_send(entry_id=entry.entry_id) == 0
    assert len(queries) == 1
    SmsSubscription.objects.create(user=alice, sub_account=alice_main,
                                   threshold="1.00", phone="13811112222")
    SmsSubscription.objects.create(user=bob, sub_account=bob_main,
                                   threshold="1.00", phone="13911112222")
    entry = funds_move(debit_ledger_id=alice_main.ledger_account_id,
                       credit_ledger_id=bob_main.ledger_account_id, amount=Decimal("1.00"),
                       idempotency_key="test:two", business_type=TransferBusinessType.INTRA_TRANSFER,
                       reference="test:two")
    assert alerts.sms_balance_alerts_send(entry_id=entry.entry_id) == 2
    assert sorted(SmsMessage.objects.values_list("phone", flat=True)) == [
        "13811112222", "13911112222"]


@time_machine.travel("2026-11-23 18:20 +0800", tick=False)
def test_alerts_go_to_subscribed_accounts_at_or_above_threshold(people):
    alice, bob = people["alice"], people["bob"]
    alice_card, alice_main = _main(alice.customer)
    bob_card, bob_main = _main(bob.customer)
    _passbook, alice_passbook_main = _main(alice.customer, 1)
    SmsSubscription.objects.create(user=alice, sub_account=alice_main, threshold="1000.00",
                                   phone="13811112222")
    # Subscribed, but not part of the entry: gets nothing.
    SmsSubscription.objects.create(user=alice, sub_account=alice_passbook_main,
                                   threshold="1.00", phone="13811113333")
    # Bob's subscription is closed: gets nothing.
    SmsSubscription.objects.create(user=bob, sub_account=bob_main, threshold="1.00",
                                   phone="13911112222", active=False)

    entry = funds_move(debit_ledger_id=alice_main.ledger_account_id,
                       credit_ledger_id=bob_main.ledger_account_id, amount=Decimal("1000.00"),
                       idempotency_key="test:alert:1",
                       business_type=TransferBusinessType.INTRA_TRANSFER,
                       reference="test:alert:1")
    assert alerts.sms_balance_alerts_send(entry_id=entry.entry_id) == 1
    message = SmsMessage.objects.get(phone="13811112222")
    assert message.text == (f"【安徽农金】您尾号{alice_card.number[-4:]}的账户于11月23日18:20转出"
                            "人民币1,000.00元，余额79,000.00元。")
    assert not SmsMessage.objects.filter(phone__in=["13811113333", "13911112222"]).exists()
    # A retried task sends nothing twice.
    assert alerts.sms_balance_alerts_send(entry_id=entry.entry_id) == 0

    # Incoming money on a subscribed account reads 转入; below the threshold nothing is sent.
    SmsSubscription.objects.filter(sub_account=bob_main).update(active=True, threshold="0.50")
    entry = funds_move(debit_ledger_id=alice_main.ledger_account_id,
                       credit_ledger_id=bob_main.ledger_account_id, amount=Decimal("0.99"),
                       idempotency_key="test:alert:2",
                       business_type=TransferBusinessType.INTRA_TRANSFER,
                       reference="test:alert:2")
    assert alerts.sms_balance_alerts_send(entry_id=entry.entry_id) == 1
    text = SmsMessage.objects.get(phone="13911112222").text
    assert f"尾号{bob_card.number[-4:]}" in text and "转入人民币0.99元，余额21,000.99元" in text
    assert SmsMessage.objects.filter(phone="13811112222").count() == 1  # 0.99 < 1,000


def test_alerts_for_an_entry_without_subscriptions(people):
    _card, alice_main = _main(people["alice"].customer)
    _bcard, bob_main = _main(people["bob"].customer)
    entry = funds_move(debit_ledger_id=alice_main.ledger_account_id,
                       credit_ledger_id=bob_main.ledger_account_id, amount=Decimal("5.00"),
                       business_type=TransferBusinessType.INTRA_TRANSFER,
                       idempotency_key="test:alert:3", reference="test:alert:3")
    assert alerts.sms_balance_alerts_send(entry_id=entry.entry_id) == 0
    assert alerts.sms_balance_alerts_send(entry_id=99999999) == 0


# --- 网银日志查询 ----------------------------------------------------------------------------------


def test_audit_log_shows_own_rows_with_labels_default_30_days(people):
    alice, bob = people["alice"], people["bob"]
    audit_record(action="login", actor=alice, customer_id=alice.customer_id,
                 ip_address="10.1.2.3")
    audit_record(action="login_failed", outcome=AuditOutcome.FAILURE,
                 customer_id=alice.customer_id, ip_address="10.1.2.4")
    audit_record(action="password_change", actor=alice, customer_id=alice.customer_id)
    audit_record(action="login", actor=bob, customer_id=bob.customer_id, ip_address="10.9.9.9")
    old = audit_record(action="logout", actor=alice, customer_id=alice.customer_id,
                       ip_address="10.7.7.7")
    AuditEvent.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - timedelta(days=31))
    client = Client()
    client.force_login(alice)
    body = client.get(reverse("security:audit_log")).content.decode()
    for text in ("登录", "登录失败", "登录密码修改", "10.1.2.3", "10.1.2.4", "网上银行", "失败"):
        assert text in body
    assert "10.9.9.9" not in body  # bob's
    assert "10.7.7.7" not in body  # older than 30 days
    past = (timezone.localdate() - timedelta(days=40)).isoformat()
    body = client.get(reverse("security:audit_log"), {"date_from": past}).content.decode()
    assert "10.7.7.7" in body and "登出" in body
    body = client.get(reverse("security:audit_log"),
                      {"date_from": "2026-02-01", "date_to": "2026-01-01"}).content.decode()
    assert "起始日期不能晚于终止日期" in body


def test_audit_log_is_paginated_by_20(people):
    alice = people["alice"]
    AuditEvent.objects.filter(customer_id=alice.customer_id).delete()
    for n in range(45):
        audit_record(action="login", actor=alice, customer_id=alice.customer_id,
                     ip_address=f"10.0.0.{n}")
    client = Client()
    client.force_login(alice)
    first = client.get(reverse("security:audit_log")).content.decode()
    assert first.count("<tr><td>") == 20
    assert "第 1 / 3 页" in first and "page=2" in first
    last = client.get(reverse("security:audit_log"), {"page": 3}).content.decode()
    assert last.count("<tr><td>") == 5
    assert "10.0.0.0<" in last  # the oldest is on the last page


def test_audit_log_day_bounds_are_shanghai_days(people):
    alice = people["alice"]
    event = audit_record(action="login", actor=alice, customer_id=alice.customer_id,
                         ip_address="10.3.3.3")
    # 2026-11-10 00:30 in Shanghai is 2026-11-09 16:30 UTC: it belongs to the 10th.
    shanghai = timezone.get_default_timezone()
    AuditEvent.objects.filter(pk=event.pk).update(
        occurred_at=datetime(2026, 11, 10, 0, 30, tzinfo=shanghai))
    client = Client()
    client.force_login(alice)
    body = client.get(reverse("security:audit_log"),
                      {"date_from": "2026-11-10", "date_to": "2026-11-10"}).content.decode()
    assert "10.3.3.3" in body
    body = client.get(reverse("security:audit_log"),
                      {"date_from": "2026-11-09", "date_to": "2026-11-09"}).content.decode()
    assert "10.3.3.3" not in body
