"""limit_consume / limit_check / limit_release: worked examples, messages, business day, cost."""

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone

from ebank.core.clock import business_day
from ebank.core.errors import BusinessError, LimitExceeded
from ebank.limits.engine import LimitSubject
from ebank.limits.models import DailyLimitUsage, LimitKind, LimitLevel
from ebank.limits.selectors import effective_limits, limit_check, limit_usage
from ebank.limits.services import limit_consume, limit_release

from .helpers import ALICE, DAY, TOOLLESS_BOB, D, policy

pytestmark = pytest.mark.django_db


def consume(subject, amount, **kwargs):
    with transaction.atomic():
        limit_consume(subject=subject, amount=D(amount), on=DAY, **kwargs)


def usage(subject, channel="transfer", day=DAY):
    return DailyLimitUsage.objects.get(customer_id=subject.customer_id, day=day, channel=channel)


@pytest.fixture
def bank_branch_customer():
    policy(LimitLevel.BANK, "500000.00", "2000000.00")
    policy(LimitLevel.BRANCH, "200000.00", "1000000.00", scope="3401")
    policy(LimitLevel.CUSTOMER, "10000.00", "30000.00", scope=str(ALICE.customer_id))


def test_customer_set_limit_binds_and_the_message_points_to_limit_management(
        bank_branch_customer):
    consume(ALICE, "10000.00")
    consume(ALICE, "10000.00")
    with pytest.raises(LimitExceeded) as refused:
        consume(ALICE, "10000.01")
    assert (refused.value.level, refused.value.kind) == (LimitLevel.CUSTOMER, LimitKind.SINGLE)
    assert "您自设的单笔转账限额¥10,000.00" in refused.value.message
    assert "安全中心 › 限额管理" in refused.value.message
    assert "返回" in refused.value.message

    with pytest.raises(LimitExceeded) as refused:
        consume(ALICE, "10000.00")
        consume(ALICE, "0.01")
    assert (refused.value.level, refused.value.kind) == (LimitLevel.CUSTOMER, LimitKind.DAILY)
    assert "您自设的当日累计转账限额¥30,000.00" in refused.value.message
    assert "剩余可用¥0.00" in refused.value.message
    assert "限额管理" in refused.value.message
    assert usage(ALICE).used == D("30000.00")
    assert usage(ALICE).count == 3


def test_bank_limit_asks_to_lower_the_amount_and_does_not_offer_limit_management():
    policy(LimitLevel.BANK, "50000.00", "100000.00")
    with pytest.raises(LimitExceeded) as refused:
        consume(ALICE, "50000.01")
    assert (refused.value.level, refused.value.kind) == (LimitLevel.BANK, LimitKind.SINGLE)
    assert refused.value.message == (
        "单笔转账金额超过我行设定的单笔转账限额¥50,000.00。"
        "请点击“返回”按钮返回转账页面调低转账金额后完成本次转账。")
    assert "限额管理" not in refused.value.message
    assert refused.value.code == "limit_exceeded"


def test_branch_limit_is_named_as_the_branch():
    policy(LimitLevel.BANK, None, "100000.00")
    policy(LimitLevel.BRANCH, None, "60000.00", scope="3401")
    consume(ALICE, "50000.00")
    with pytest.raises(LimitExceeded) as refused:
        consume(ALICE, "10000.01")
    assert (refused.value.level, refused.value.kind) == (LimitLevel.BRANCH, LimitKind.DAILY)
    assert "开户行社设定的当日累计转账限额¥60,000.00（今日已用¥50,000.00，剩余可用¥10,000.00）" \
        in refused.value.message
    assert refused.value.remaining == D("10000.00")


def test_a_bank_limit_is_named_when_both_it_and_the_customers_own_are_broken():
    # Raising one's own limit could not help here, so the customer is told to lower the amount.
    policy(LimitLevel.BANK, "20000.00", "50000.00")
    policy(LimitLevel.CUSTOMER, "5000.00", None, scope=str(ALICE.customer_id))
    with pytest.raises(LimitExceeded) as refused:
        consume(ALICE, "20000.01")
    assert refused.value.level == LimitLevel.BANK
    assert "限额管理" not in refused.value.message


def test_equal_customer_and_branch_limits_name_the_branch():
    policy(LimitLevel.BRANCH, "8000.00", None, scope="3401")
    policy(LimitLevel.CUSTOMER, "8000.00", None, scope=str(ALICE.customer_id))
    limits = effective_limits(subject=ALICE)
    assert (limits.single, limits.single_level) == (D("8000.00"), LimitLevel.BRANCH)
    assert limits.set_at(LimitLevel.CUSTOMER, LimitKind.SINGLE) == D("8000.00")


def test_customer_who_set_nothing_gets_the_branch_else_the_bank(bank_branch_customer):
    carol = LimitSubject(customer_id=1003, branch_code="3401", has_security_tool=True)
    dave = LimitSubject(customer_id=1004, branch_code="3499", has_security_tool=True)
    assert (effective_limits(subject=carol).single, effective_limits(subject=carol).single_level) \
        == (D("200000.00"), LimitLevel.BRANCH)
    assert (effective_limits(subject=dave).daily, effective_limits(subject=dave).daily_level) \
        == (D("2000000.00"), LimitLevel.BANK)


def test_nothing_set_means_no_limit_for_a_customer_with_a_tool():
    limits = effective_limits(subject=ALICE)
    assert (limits.single, limits.daily) == (None, None)
    consume(ALICE, "12345678.90")
    assert limit_check(subject=ALICE, amount=D("1.00"), on=DAY).remaining is None


def test_toolless_customer_is_capped_at_the_default_5000_a_day():
    policy(LimitLevel.BANK, "500000.00", "2000000.00")
    limits = effective_limits(subject=TOOLLESS_BOB)
    assert (limits.single, limits.daily) == (D("5000.00"), D("5000.00"))
    assert limits.daily_level == LimitLevel.TOOLLESS
    consume(TOOLLESS_BOB, "3000.00")
    with pytest.raises(LimitExceeded) as refused:
        consume(TOOLLESS_BOB, "2000.01")
    assert (refused.value.level, refused.value.kind) == (LimitLevel.TOOLLESS, LimitKind.DAILY)
    assert "未使用安全工具" in refused.value.message
    assert "申领USBKey或数字令牌" in refused.value.message
    consume(TOOLLESS_BOB, "2000.00")


def test_toolless_row_overrides_the_default_and_single_falls_back_to_daily():
    policy(LimitLevel.TOOLLESS, None, "3000.00")
    limits = effective_limits(subject=TOOLLESS_BOB)
    assert (limits.single, limits.daily) == (D("3000.00"), D("3000.00"))
    policy(LimitLevel.TOOLLESS, "1000.00", "3000.00", channel="quickpay")
    assert effective_limits(subject=ALICE).daily is None


def test_channel_limits_count_on_their_own_counter():
    policy(LimitLevel.BANK, None, "10000.00")
    policy(LimitLevel.CHANNEL, "500.00", "1000.00", channel="quickpay")
    consume(ALICE, "9000.00")
    consume(ALICE, "500.00", channel="quickpay")
    consume(ALICE, "500.00", channel="quickpay")
    with pytest.raises(LimitExceeded) as refused:
        consume(ALICE, "0.01", channel="quickpay")
    assert (refused.value.level, refused.value.kind) == (LimitLevel.CHANNEL, LimitKind.DAILY)
    assert "快捷支付" in refused.value.message
    assert "交易" in refused.value.message
    assert usage(ALICE).used == D("9000.00")
    assert usage(ALICE, "quickpay").used == D("1000.00")


def test_a_refusal_inside_the_posting_transaction_takes_nothing():
    policy(LimitLevel.BANK, None, "1000.00")
    consume(ALICE, "600.00")
    with pytest.raises(LimitExceeded):
        consume(ALICE, "600.00")
    assert usage(ALICE).used == D("600.00")
    assert usage(ALICE).count == 1


def test_consume_refuses_to_run_outside_a_transaction():
    # pytest-django wraps every test in a transaction, so pretend the caller forgot its own.
    with mock.patch("ebank.limits.services.transaction.get_connection") as get_connection:
        get_connection.return_value.in_atomic_block = False
        with pytest.raises(transaction.TransactionManagementError):
            limit_consume(subject=ALICE, amount=D("1.00"))


@pytest.mark.parametrize("amount", [D("0"), D("-1.00"), D("1.001"), 1.5, D("NaN")])
def test_bad_amounts_are_refused(amount):
    with pytest.raises(BusinessError), transaction.atomic():
        limit_consume(subject=ALICE, amount=amount)


def test_release_gives_back_and_never_goes_below_zero():
    policy(LimitLevel.BANK, None, "1000.00")
    consume(ALICE, "800.00")
    limit_release(subject=ALICE, amount=D("300.00"), day=DAY)
    assert (usage(ALICE).used, usage(ALICE).count) == (D("500.00"), 0)
    consume(ALICE, "500.00")
    limit_release(subject=ALICE, amount=D("5000.00"), day=DAY)
    assert usage(ALICE).used == D("0.00")
    assert usage(ALICE).count == 0
    # A day with nothing consumed has nothing to give back.
    limit_release(subject=ALICE, amount=D("1.00"), day=DAY.replace(day=3))
    assert not DailyLimitUsage.objects.filter(day=DAY.replace(day=3)).exists()


def test_release_returns_to_the_day_it_was_taken_on_not_today():
    policy(LimitLevel.BANK, None, "1000.00")
    consume(ALICE, "1000.00")
    other_day = DAY.replace(day=1)
    with transaction.atomic():
        limit_consume(subject=ALICE, amount=D("1000.00"), on=other_day)
    limit_release(subject=ALICE, amount=D("1000.00"), day=other_day)
    assert usage(ALICE).used == D("1000.00")
    assert usage(ALICE, day=other_day).used == D("0.00")


def test_business_day_is_the_shanghai_date():
    # 2026-03-02 16:30 UTC is 2026-03-03 00:30 in Shanghai: already the next day's limit.
    with mock.patch.object(timezone, "now", return_value=datetime(2026, 3, 2, 16, 30, tzinfo=UTC)):
        assert business_day().isoformat() == "2026-03-03"
        policy(LimitLevel.BANK, None, "100.00")
        with transaction.atomic():
            limit_consume(subject=ALICE, amount=D("100.00"))
        assert limit_usage(subject=ALICE) == D("100.00")
    assert usage(ALICE, day=DAY.replace(day=3)).used == D("100.00")


def test_check_is_read_only_and_agrees_with_consume(bank_branch_customer):
    decision = limit_check(subject=ALICE, amount=D("10000.00"), on=DAY)
    assert decision.allowed and decision.remaining == D("30000.00")
    assert not DailyLimitUsage.objects.exists()
    consume(ALICE, "10000.00")
    decision = limit_check(subject=ALICE, amount=D("10000.01"), on=DAY)
    assert not decision.allowed
    assert (decision.stopped_by, decision.kind) == (LimitLevel.CUSTOMER, LimitKind.SINGLE)
    assert decision.remaining == D("20000.00")


def test_consume_costs_two_queries_first_movement_or_not(bank_branch_customer,
                                                         django_assert_num_queries):
    # PostgreSQL: one statement takes the usage row and reads the policies; SQLite needs two.
    with transaction.atomic(), django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        limit_consume(subject=ALICE, amount=D("1.00"), on=DAY)
    with transaction.atomic(), django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        limit_consume(subject=ALICE, amount=D("1.00"), on=DAY)


# --- levels=: only some levels decide (自助缴费 by SMS: the tool-less cap alone) -------------------


def test_levels_restricts_which_caps_decide_and_the_usage_is_shared():
    """A tool-less customer's customer-set ¥1,000 daily limit does not stop a bill paid by SMS
    (only the tool-less cap decides), yet the bill's amount is in the one shared counter: the
    tool-less cap then stops what goes over it, whichever path consumed the rest."""
    policy(LimitLevel.CUSTOMER, "1000.00", "1000.00", scope=str(TOOLLESS_BOB.customer_id))
    toolless = (LimitLevel.TOOLLESS,)
    consume(TOOLLESS_BOB, "3000.00", levels=toolless)
    assert limit_check(subject=TOOLLESS_BOB, amount=D("2000.00"), on=DAY,
                       levels=toolless).allowed
    # Without the keyword every level decides: the customer's own ¥1,000 refuses.
    assert not limit_check(subject=TOOLLESS_BOB, amount=D("500.00"), on=DAY).allowed
    with pytest.raises(LimitExceeded) as refused:
        consume(TOOLLESS_BOB, "2000.01", levels=toolless)
    assert refused.value.level == LimitLevel.TOOLLESS
    consume(TOOLLESS_BOB, "2000.00", levels=toolless)
    assert usage(TOOLLESS_BOB).used == D("5000.00")


def test_levels_without_a_cap_at_that_level_allows():
    """A tool holder has no tool-less cap: restricted to it, nothing stops the amount."""
    policy(LimitLevel.BANK, "100.00", "100.00")
    consume(ALICE, "900.00", levels=(LimitLevel.TOOLLESS,))
    assert usage(ALICE).used == D("900.00")
