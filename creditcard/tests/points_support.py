"""Helpers of the points tests: a business day, lots, gifts and a confirmed redemption."""

from datetime import date, datetime

import time_machine

from creditcard.models import Gift, PointsSource
from creditcard.points import book, services
from ebank.core.clock import SHANGHAI
from security.confirm.services import operation_confirm
from tests.customer_world import CERT_PASSWORD

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
TODAY = date(2026, 6, 15)
RECIPIENT = {"recipient": "张伟", "phone": "13955110001", "address": "合肥市蜀山区长江西路100号",
             "postcode": "230000"}


def earn(customer, points, on=date(2026, 1, 10), ref=None):
    return book.points_earn(customer=customer, points=points, source=PointsSource.EBANK,
                            earned_on=on, reference=ref or f"T-{customer.pk}-{on}-{points}",
                            description="测试积分")


def gift(code="GT01", points=1000, stock=10, active=True):
    return Gift.objects.create(code=code, name=f"礼品{code}", points=points, stock=stock,
                               active=active)


def redeem(user, the_gift, quantity=1, **recipient):
    """Start and confirm with the USBKey's 证书密码 (no 交易密码: the kind asks none)."""
    operation = services.redemption_start(user=user, gift=the_gift, quantity=quantity,
                                          **{**RECIPIENT, **recipient})
    return operation_confirm(user=user, public_id=operation.public_id, pin=None,
                             method="usbkey", credential=CERT_PASSWORD)


def at_now():
    return time_machine.travel(NOW, tick=False)
