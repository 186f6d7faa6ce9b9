"""``manage.py verify_wealth``: silent (exit 0) on sound books, each planted problem named
(exit 1)."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from ebank.ledger.models import Hold
from ebank.ledger.services import hold_release
from wealth.book import issuance_account, share_account_for, share_post
from wealth.models import Order, OrderKind, OrderStatus, ShareAccount
from wealth.placing import order_place

from .conftest import MONDAY, assess, shanghai

pytestmark = pytest.mark.django_db


def verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_wealth", stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def placed(world, shelf):
    """张伟 holds 1,000 shares of LC2001, has a 申购 of 2,000 and a 赎回 of 300 pending."""
    zhang = world.zhang_customer
    assess(zhang, "C3")
    account = share_account_for(product=shelf.open_r2, customer=zhang)
    share_post(idempotency_key="held", business_type="test", reference="held",
               moves=[(issuance_account(shelf.open_r2), Decimal("-1000")),
                      (account, Decimal("1000"))])
    payer = world.main(world.zhang_card)
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        buy = order_place(customer=zhang, payer=payer, product=shelf.open_r2,
                          kind=OrderKind.PURCHASE, amount=Decimal("2000.00"))
        sell = order_place(customer=zhang, payer=payer, product=shelf.open_r2,
                           kind=OrderKind.REDEEM, shares=Decimal("300"))
    return buy, sell, account


def test_sound_books_pass(placed):
    code, out = verify()
    assert code == 0 and out.strip() == "理财核对一致：份额账、资金冻结与冻结份额均无问题"


def test_a_released_hold_of_a_pending_order_is_found(placed):
    buy, _sell, _account = placed
    hold_release(hold=buy.hold)
    code, out = verify()
    assert code == 1
    assert f"LC2001 交易 {buy.number}：待确认交易的资金冻结状态为已解冻" in out


def test_a_hold_of_another_amount_and_a_cancelled_order_still_holding_are_found(placed):
    buy, _sell, _account = placed
    Hold.objects.filter(pk=buy.hold_id).update(amount=Decimal("1999.99"))
    code, out = verify()
    assert code == 1 and "冻结金额 1999.99 ≠ 申请金额 2000.00" in out
    Order.objects.filter(pk=buy.pk).update(status=OrderStatus.CANCELLED)
    code, out = verify()
    assert f"LC2001 交易 {buy.number}：已撤单的交易仍有资金冻结" in out


def test_frozen_shares_that_no_pending_redemption_explains_are_found(placed):
    _buy, sell, account = placed
    Order.objects.filter(pk=sell.pk).update(status=OrderStatus.CANCELLED)
    code, out = verify()
    assert code == 1
    assert f"LC2001 份额账户 {account.pk}：冻结份额 300.0000 ≠ 待确认赎回份额 0" in out


def test_a_share_balance_that_its_postings_do_not_explain_is_found(placed):
    _buy, _sell, account = placed
    ShareAccount.objects.filter(pk=account.pk).update(shares=Decimal("1000.0001"))
    code, out = verify()
    assert code == 1
    assert f"份额账户 {account.pk}: 余额 1000.0001 ≠ 明细合计 1000.0000" in out


def test_orders_the_night_confirmed_pass(placed, shelf):
    from wealth.settle.services import orders_confirm

    from .conftest import nav_publish

    buy, sell, _account = placed
    nav_publish(shelf.open_r2, MONDAY, "1.0234")
    with time_machine.travel(shanghai(MONDAY + timedelta(days=1), 0, 10), tick=False):
        assert orders_confirm(business_date=MONDAY) == 2
    code, out = verify()
    assert code == 0, out


def test_an_order_marked_confirmed_without_its_money_or_shares_is_found(placed):
    """A 申购 said 已确认 whose hold is still active and whose shares never moved, and a 赎回
    said 已确认 whose share entry moved other shares."""
    buy, sell, account = placed
    Order.objects.filter(pk=buy.pk).update(status=OrderStatus.CONFIRMED,
                                           confirmed_shares=Decimal("1954.2700"))
    Order.objects.filter(pk=sell.pk).update(status=OrderStatus.CONFIRMED)
    ShareAccount.objects.filter(pk=account.pk).update(frozen=Decimal("0"))
    share_post(idempotency_key=f"wealth:confirm:{sell.number}", business_type="wealth_redeem",
               reference=sell.number,
               moves=[(account, Decimal("-30")), (issuance_account(account.product),
                                                  Decimal("30"))])
    code, out = verify()
    assert code == 1
    assert f"LC2001 交易 {buy.number}：已确认的申购资金冻结状态为冻结中，未扣款" in out
    assert f"LC2001 交易 {buy.number}：已确认的申购没有份额分录" in out
    assert f"LC2001 交易 {sell.number}：已确认的赎回份额分录 -30.0000 ≠ 应变动份额 -300.0000" \
        in out
