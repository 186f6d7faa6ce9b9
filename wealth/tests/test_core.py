"""The contract every area of wealth builds on: the share book, trading days and the cut-off,
suitability, and 薪加利实时转出's daily default on the limit engine's channel."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from ebank.limits.engine import LimitSubject
from ebank.limits.models import LimitChannel, LimitLevel
from ebank.limits.selectors import effective_limits
from ebank.limits.services import limit_policy_set
from wealth.book import (
    ShareBookError,
    SharesInsufficient,
    issuance_account,
    share_account_for,
    share_book_check,
    share_freeze,
    share_post,
    share_unfreeze,
)
from wealth.models import ShareAccount, ShareEntry
from wealth.suitability import SuitabilityRefused, suitability_check
from wealth.trading import confirm_date_for, is_trading_day, next_trading_day, trade_date_for

from .conftest import DRAGON_BOAT, MONDAY, assess, shanghai

pytestmark = pytest.mark.django_db


def _buy(product, customer, shares, key):
    account = share_account_for(product=product, customer=customer)
    share_post(idempotency_key=key, business_type="test", reference=key,
               moves=[(issuance_account(product), -Decimal(shares)), (account, Decimal(shares))])
    return account


def test_share_entry_moves_once_and_balances(world, shelf):
    account = _buy(shelf.open_r2, world.zhang_customer, "1000.1234", "k1")
    _buy(shelf.open_r2, world.zhang_customer, "1000.1234", "k1")  # a replay
    account.refresh_from_db()
    assert account.shares == Decimal("1000.1234")
    assert ShareEntry.objects.count() == 1
    assert issuance_account(shelf.open_r2).shares == Decimal("-1000.1234")
    assert share_book_check() == []


def test_shares_never_below_frozen(world, shelf):
    account = _buy(shelf.open_r2, world.zhang_customer, "500", "k1")
    share_freeze(account=account, shares=Decimal("300"))
    with pytest.raises(SharesInsufficient), transaction.atomic():
        share_freeze(account=account, shares=Decimal("200.0001"))
    with pytest.raises(SharesInsufficient), transaction.atomic():
        share_post(idempotency_key="k2", business_type="test", reference="k2",
                   moves=[(account, Decimal("-200.0001")),
                          (issuance_account(shelf.open_r2), Decimal("200.0001"))])
    # Confirming the frozen 300 takes them out of both figures.
    share_post(idempotency_key="k3", business_type="test", reference="k3",
               moves=[(account, Decimal("-300")), (issuance_account(shelf.open_r2), Decimal("300"))],
               unfreeze=Decimal("300"))
    account.refresh_from_db()
    assert (account.shares, account.frozen) == (Decimal("200.0000"), Decimal("0.0000"))
    share_freeze(account=account, shares=Decimal("50"))
    share_unfreeze(account=account, shares=Decimal("50"))
    assert account.available == Decimal("200.0000")
    assert share_book_check() == []


def test_unbalanced_entry_refused(world, shelf):
    account = share_account_for(product=shelf.open_r2, customer=world.zhang_customer)
    with pytest.raises(ShareBookError), transaction.atomic():
        share_post(idempotency_key="k", business_type="test", reference="k",
                   moves=[(account, Decimal("1")), (issuance_account(shelf.open_r2), Decimal("-2"))])


def test_database_refuses_negative_customer_shares(world, shelf):
    account = share_account_for(product=shelf.open_r2, customer=world.zhang_customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShareAccount.objects.filter(pk=account.pk).update(shares=Decimal("-1"))


def test_cut_off_on_each_side_of_15(world):
    assert trade_date_for(shanghai(MONDAY, 14, 59)) == MONDAY
    assert trade_date_for(shanghai(MONDAY, 15, 0)) == MONDAY + timedelta(days=1)
    saturday = MONDAY + timedelta(days=5)
    assert trade_date_for(shanghai(saturday, 10)) == MONDAY + timedelta(days=7)
    assert confirm_date_for(MONDAY) == MONDAY + timedelta(days=1)


def test_cut_off_across_a_holiday(world, dragon_boat):
    thursday = DRAGON_BOAT - timedelta(days=1)
    assert not is_trading_day(DRAGON_BOAT)
    assert trade_date_for(shanghai(thursday, 15, 30)) == date(2026, 6, 22)
    assert confirm_date_for(thursday) == date(2026, 6, 22)
    assert next_trading_day(date(2026, 6, 18)) == date(2026, 6, 22)


def test_a_weekend_makeup_workday_is_no_trading_day(world):
    from ebank.clearing.calendar import calendar_invalidate
    from ebank.clearing.models import Holiday, HolidayKind
    sunday = date(2026, 9, 27)
    Holiday.objects.create(date=sunday, kind=HolidayKind.MAKEUP_WORKDAY, name="国庆调休")
    calendar_invalidate()
    assert not is_trading_day(sunday)
    calendar_invalidate()


def test_suitability(world, shelf):
    with pytest.raises(SuitabilityRefused) as missing:
        suitability_check(world.zhang_customer, shelf.open_r2, MONDAY)
    assert missing.value.needs_assessment
    assess(world.zhang_customer, "C2")
    assert suitability_check(world.zhang_customer, shelf.open_r2, MONDAY).level == "C2"
    with pytest.raises(SuitabilityRefused) as above:
        suitability_check(world.zhang_customer, shelf.open_r3, MONDAY)
    assert "R3" in above.value.message and "C2" in above.value.message
    # Valid through the day before its anniversary (taken 2026-06-01).
    assert suitability_check(world.zhang_customer, shelf.open_r2, date(2027, 5, 31))
    with pytest.raises(SuitabilityRefused):
        suitability_check(world.zhang_customer, shelf.open_r2, date(2027, 6, 1))


def test_xjl_redeem_cap_defaults_to_10000_and_is_a_setting(world):
    subject = LimitSubject(customer_id=world.zhang_customer.pk, branch_code="340101",
                           has_security_tool=True)
    limits = effective_limits(subject=subject, channel=LimitChannel.XJL_REDEEM)
    assert limits.daily == Decimal("10000.00")
    limit_policy_set(level=LimitLevel.CHANNEL, channel=LimitChannel.XJL_REDEEM,
                     single_limit=None, daily_limit=Decimal("20000.00"))
    limits = effective_limits(subject=subject, channel=LimitChannel.XJL_REDEEM)
    assert limits.daily == Decimal("20000.00")
    # The transfer channel is untouched.
    assert effective_limits(subject=subject, channel=LimitChannel.TRANSFER).daily != Decimal("10000.00")


def test_xjl_redeem_channel_row_without_a_daily_keeps_the_10000_daily_cap(world):
    """A 产品/渠道 row for 薪加利实时赎回 that sets only a single limit does not lift the day's
    cap (the 2021 rule): its daily figure falls back to the 10,000.00 default."""
    subject = LimitSubject(customer_id=world.zhang_customer.pk, branch_code="340101",
                           has_security_tool=True)
    limit_policy_set(level=LimitLevel.CHANNEL, channel=LimitChannel.XJL_REDEEM,
                     single_limit=Decimal("5000.00"), daily_limit=None)
    limits = effective_limits(subject=subject, channel=LimitChannel.XJL_REDEEM)
    assert limits.single == Decimal("5000.00")
    assert limits.daily == Decimal("10000.00")
