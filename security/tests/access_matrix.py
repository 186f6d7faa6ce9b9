"""The access matrix's factories for security's object URLs (tests/test_access_matrix.py).

Each makes the object for ``owner`` (a User) and returns the URL's kwargs.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import SubAccountKind
from security.models import CustomerMessage, PendingOperation, SmsSubscription


def _message(owner):
    return {"pk": CustomerMessage.objects.create(
        user=owner, subject="对账单", content="请问如何打印对账单",
        due_date=timezone.localdate() + timedelta(days=2)).pk}


def _sms_subscription(owner):
    sub_account = owner.customer.media.first().sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)
    return {"pk": SmsSubscription.objects.create(
        user=owner, sub_account=sub_account, threshold=Decimal("100.00"),
        phone=owner.customer.phone).pk}


def _operation(owner):
    operation = PendingOperation.objects.create(
        public_id=f"matrix-{owner.pk}", user=owner, kind="security.limit_change",
        payload={"single_limit": "100.00", "daily_limit": "200.00"}, payload_digest="0" * 64,
        nonce="1" * 32, expires_at=timezone.now() + timedelta(minutes=5))
    return {"public_id": operation.public_id}


OBJECT_URLS = {
    "security:message_detail": _message,
    "security:message_done": _message,
    "security:sms_unsubscribe": _sms_subscription,
    "security:confirm": _operation,
    "security:confirm_sms": _operation,
    "security:confirm_result": _operation,
}
