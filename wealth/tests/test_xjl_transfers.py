"""薪加利 转入 and 转出 (FND-XJL): money and shares at once, the 实时转出 daily cap (a setting),
普通转出 arriving the next working day."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import time_machine

from ebank.core.errors import BusinessError
from ebank.duework.models import DueWork
from ebank.duework.services import dispatch_due
from ebank.limits.models import LimitChannel, LimitLevel
from ebank.limits.services import limit_policy_set
from tests.customer_world import balance
from wealth.book import share_book_check
from wealth.models import Order, OrderKind, OrderStatus
from wealth.suitability import SuitabilityRefused
from wealth.xjl import services

from .conftest import DRAGON_BOAT, MONDAY, assess, shanghai
from .xjl_support import shares_of, transfer_in, transfer_out

pytestmark = pytest.mark.django_db

CAP_MESSAGE = "当日累计交易金额超过我行对"


@pytest.fixture
def zhang_holds(world, shelf):
    assess(world.zhang_customer, "C1")
    with time_machine.travel(shanghai(MONDAY - timedelta(days=3), 10), tick=False):
        transfer_in(world, shelf.xjl, "30000.00")
    return shelf.xjl


def test_transfer_in_moves_money_and_shares_at_once(world, shelf):
    assess(world.zhang_customer, "C1")
    before = balance(world.zhang_card)
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        result = transfer_in(world, shelf.xjl, "12345.67")
    assert result.status == "executed"
    assert balance(world.zhang_card) == before - D("12345.67")
    assert shares_of(shelf.xjl, world.zhang_customer) == D("12345.6700")
    order = Order.objects.get(customer=world.zhang_customer, kind=OrderKind.XJL_IN)
    assert order.status == OrderStatus.CONFIRMED
    assert (order.confirmed_shares, order.confirmed_amount) == (D("12345.6700"), D("12345.67"))
    assert order.entry_id is not None
    assert world.main(world.zhang_card).receipts.filter(entry_id=order.entry_id).exists()
    shelf.xjl.ledger_account.refresh_from_db()
    assert shelf.xjl.ledger_account.balance == D("12345.67")
    assert share_book_check() == []


def test_transfer_in_needs_an_assessment_and_the_minimum(world, shelf):
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        with pytest.raises(SuitabilityRefused):
            transfer_in(world, shelf.xjl, "100.00")
        assess(world.zhang_customer, "C1")
        with pytest.raises(BusinessError, match="转入金额不能低于起购金额"):
            transfer_in(world, shelf.xjl, "0.50")


def test_a_product_stopped_between_submit_and_confirm_moves_nothing(world, shelf):
    from tests.customer_world import confirm

    assess(world.zhang_customer, "C1")
    before = balance(world.zhang_card)
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        operation = services.xjl_in_start(user=world.zhang, product_id=shelf.xjl.pk,
                                          sub_account_id=world.main(world.zhang_card).pk,
                                          amount="100.00")
        shelf.xjl.on_sale = False
        shelf.xjl.save(update_fields=["on_sale"])
        with pytest.raises(BusinessError, match="已停止网银销售"):
            confirm(operation, user=world.zhang)
    assert balance(world.zhang_card) == before
    assert not Order.objects.filter(kind=OrderKind.XJL_IN).exists()


def test_lina_without_a_tool_cannot_start(world, shelf):
    assess(world.li_customer, "C3")
    with (time_machine.travel(shanghai(MONDAY, 10), tick=False),
          pytest.raises(BusinessError, match="USBKey|数字令牌|安全工具")):
        services.xjl_in_start(user=world.li, product_id=shelf.xjl.pk,
                              sub_account_id=world.main(world.li_card).pk, amount="100.00")


def test_instant_cap_across_two_redemptions(world, zhang_holds):
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        transfer_out(world, zhang_holds, "6000.00")
        with pytest.raises(BusinessError, match=CAP_MESSAGE):
            transfer_out(world, zhang_holds, "4000.01")
        transfer_out(world, zhang_holds, "4000.00")
        with pytest.raises(BusinessError, match="剩余可用¥0.00"):
            transfer_out(world, zhang_holds, "0.01")
    assert shares_of(zhang_holds, world.zhang_customer) == D("20000.0000")
    assert Order.objects.filter(kind=OrderKind.XJL_OUT_INSTANT).count() == 2


def test_instant_10000_01_refused_with_the_limits_message(world, zhang_holds):
    with (time_machine.travel(shanghai(MONDAY, 10), tick=False),
          pytest.raises(BusinessError) as refused):
        transfer_out(world, zhang_holds, "10000.01")
    assert "薪加利" in refused.value.message and "10,000.00" in refused.value.message
    assert not Order.objects.filter(kind=OrderKind.XJL_OUT_INSTANT).exists()


def test_the_cap_is_consumed_at_execution_too(world, zhang_holds):
    """Two operations started within the quota, confirmed one after the other: the second is
    refused under the lock with the limit's message and nothing moves."""
    before = balance(world.zhang_card)
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        ops = [services.xjl_out_start(user=world.zhang, product_id=zhang_holds.pk,
                                      mode="instant", sub_account_id=world.main(world.zhang_card).pk,
                                      amount="6000.00") for _ in range(2)]
        from tests.customer_world import confirm
        confirm(ops[0], user=world.zhang)
        with pytest.raises(BusinessError, match=CAP_MESSAGE):
            confirm(ops[1], user=world.zhang)
    assert balance(world.zhang_card) == before + D("6000.00")


def test_a_changed_channel_policy_is_respected(world, zhang_holds):
    limit_policy_set(level=LimitLevel.CHANNEL, channel=LimitChannel.XJL_REDEEM,
                     single_limit=None, daily_limit=D("15000.00"))
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        transfer_out(world, zhang_holds, "12000.00")
        with pytest.raises(BusinessError, match="15,000.00"):
            transfer_out(world, zhang_holds, "3000.01")


def test_the_quota_starts_again_the_next_day(world, zhang_holds):
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        transfer_out(world, zhang_holds, "10000.00")
    with time_machine.travel(shanghai(MONDAY + timedelta(days=1), 10), tick=False):
        transfer_out(world, zhang_holds, "10000.00")


def test_normal_redemption_is_not_capped_and_arrives_the_next_working_day(world, zhang_holds,
                                                                          dragon_boat):
    thursday = DRAGON_BOAT - timedelta(days=1)
    before = balance(world.zhang_card)
    with time_machine.travel(shanghai(thursday, 16), tick=False):
        transfer_out(world, zhang_holds, "25000.00", mode="normal")
    order = Order.objects.get(kind=OrderKind.XJL_OUT)
    # 端午节 Friday, then the weekend: Monday 2026-06-22.
    assert order.pay_on == date(2026, 6, 22)
    assert order.status == OrderStatus.CONFIRMED
    assert shares_of(zhang_holds, world.zhang_customer) == D("5000.0000")
    assert balance(world.zhang_card) == before
    with time_machine.travel(shanghai(date(2026, 6, 21), 23, 59), tick=False):
        dispatch_due()
    assert balance(world.zhang_card) == before
    with time_machine.travel(shanghai(date(2026, 6, 22), 0, 5), tick=False):
        dispatch_due()
        dispatch_due()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.entry_id is not None
    assert balance(world.zhang_card) == before + D("25000.00")
    assert DueWork.objects.get(kind=services.PAYOUT_KIND).status == "done"
    assert world.main(world.zhang_card).receipts.filter(entry_id=order.entry_id).exists()
    assert share_book_check() == []


def test_more_than_available_is_refused(world, zhang_holds):
    with (time_machine.travel(shanghai(MONDAY, 10), tick=False),
          pytest.raises(BusinessError, match="可用份额")):
        transfer_out(world, zhang_holds, "30000.01", mode="normal")


def _normal_out_then_pay(world, product, change):
    """A 普通转出 on Monday 10:00, ``change`` applied to the 到账账户, then Tuesday's dispatch."""
    before = balance(world.zhang_card)
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        transfer_out(world, product, "5000.00", mode="normal")
    change(world.main(world.zhang_card))
    with time_machine.travel(shanghai(MONDAY + timedelta(days=1), 0, 5), tick=False):
        dispatch_due()
        dispatch_due()
    return before, Order.objects.get(kind=OrderKind.XJL_OUT)


def test_normal_out_to_a_closed_account_is_not_paid_into_it(world, zhang_holds):
    """The 到账账户 closed before the payment day: the money stays in the product's cash book
    (the order unpaid, the due row failed with the reason for staff), never into a closed one."""
    from accounts.models import SubAccountStatus
    from ebank.ledger.models import LedgerAccount

    def close(account):
        account.status = SubAccountStatus.CLOSED
        account.save(update_fields=["status"])

    cash_before = LedgerAccount.objects.get(pk=zhang_holds.ledger_account_id).balance
    before, order = _normal_out_then_pay(world, zhang_holds, close)
    assert order.status == OrderStatus.CONFIRMED and order.entry_id is None
    assert balance(world.zhang_card) == before
    assert LedgerAccount.objects.get(pk=zhang_holds.ledger_account_id).balance == cash_before
    work = DueWork.objects.get(kind=services.PAYOUT_KIND)
    assert work.status == "failed" and "销户" in work.last_error
    assert share_book_check() == []


def test_normal_out_to_a_lost_card_is_still_paid(world, zhang_holds):
    """挂失 stops money going out of the card, not coming in: the payment arrives once."""
    from accounts.models import MediumStatus

    def lose(account):
        account.medium.status = MediumStatus.ORAL_LOSS
        account.medium.save(update_fields=["status"])

    before, order = _normal_out_then_pay(world, zhang_holds, lose)
    assert order.status == OrderStatus.PAID
    assert balance(world.zhang_card) == before + D("5000.00")
