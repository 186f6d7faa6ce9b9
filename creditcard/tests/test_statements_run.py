"""The statement run end to end (DOMAIN-RULES §3): statements, interest, 容时/容差, 违约金,
instalments, idempotency. After every scenario the card's ledger invariant holds."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.db import transaction

from creditcard.engine import card_lock, card_verify, conversion_add, money
from creditcard.models import (
    Card,
    CardCredit,
    CardItem,
    CardSetting,
    InstalmentKind,
    InstalmentPlan,
    InstalmentStatus,
    InterestMethod,
    ItemKind,
    Statement,
)
from creditcard.selectors import minimum_unpaid
from creditcard.statements.run import statement_run

from .conftest import charge, repay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cards_stay_sound(db):
    yield
    for card in Card.objects.select_related("sub_account"):
        balance, items = card_verify(card)
        assert balance == items, f"card {card.pk}: ledger {balance} ≠ items {items}"


def run(day: date) -> int:
    """The nightly run of ``day`` (just after midnight of the next day)."""
    with time_machine.travel(datetime.combine(day + timedelta(1), time(0, 30), UTC), tick=False):
        return statement_run(day)


def statement(card, day: date) -> Statement:
    return Statement.objects.get(card=card, statement_date=day)


def interest_items(card):
    return list(CardItem.objects.filter(card=card, kind=ItemKind.INTEREST)
                .order_by("posted_on").values_list("posted_on", "amount"))


def late_fees(card):
    return list(CardItem.objects.filter(card=card, kind=ItemKind.LATE_FEE)
                .order_by("posted_on").values_list("posted_on", "amount"))


# --- the statement ------------------------------------------------------------------------------


def test_the_first_statement_bills_the_period(card):
    charge(card, "1200.00", date(2026, 1, 10))
    cash = charge(card, "500.00", date(2026, 1, 20), kind=ItemKind.CASH)
    repay(card, "200.00", date(2026, 1, 25))
    charge(card, "99.00", date(2026, 2, 6))                       # after the statement day
    assert run(date(2026, 2, 5)) == 1
    s = statement(card, date(2026, 2, 5))
    assert (s.period_start, s.due_date) == (date(2026, 1, 2), date(2026, 2, 25))
    assert s.previous_balance == D("0.00")
    # Cash earns from its posting day: 500 × 0.05% × 16 days (20 Jan – 4 Feb) less the 200 repaid
    # on 25 Jan (the repayment pays the cash first): 500×5 + 300×11 days.
    interest = money(D("0.0005") * (500 * 5 + 300 * 11))
    assert s.interest == interest == D("2.90")
    assert s.new_debits == D("1700.00") + interest and s.new_credits == D("200.00")
    assert s.balance == s.new_debits - s.new_credits
    assert (s.purchases, s.cash) == (D("1200.00"), D("500.00"))
    # 10% of 1,200 + 100% of cash and interest.
    assert s.minimum_payment == D("120.00") + D("500.00") + interest
    assert s.points_earned == 1200 and s.credit_limit == D("50000.00")
    assert s.interest_method == InterestMethod.FULL_BALANCE
    assert CardItem.objects.filter(card=card, statement=s).count() == 3
    assert CardItem.objects.filter(card=card, statement__isnull=True).count() == 1
    assert CardCredit.objects.get(card=card).statement == s
    card.refresh_from_db()
    cash.refresh_from_db()
    assert card.last_statement_on == date(2026, 2, 5)
    assert cash.interest_through == date(2026, 2, 5)


def test_free_period_is_51_days(card):
    """Purchase 6 Jan, statement 5 Feb, due 25 Feb: paid in full on the due date, no interest."""
    charge(card, "3000.00", date(2026, 1, 6))
    run(date(2026, 2, 5))
    s = statement(card, date(2026, 2, 5))
    assert s.due_date == date(2026, 2, 25)
    assert (s.due_date - date(2026, 1, 6)).days + 1 == 51
    repay(card, "3000.00", date(2026, 2, 25))
    run(date(2026, 3, 5))
    assert interest_items(card) == [] and late_fees(card) == []
    march = statement(card, date(2026, 3, 5))
    assert march.balance == D("0.00") and march.minimum_payment == D("0.00")
    assert march.previous_balance == D("3000.00") and march.new_credits == D("3000.00")


def test_idempotency_run_twice_makes_one_statement(card):
    charge(card, "100.00", date(2026, 1, 10))
    assert run(date(2026, 2, 5)) == 1
    assert run(date(2026, 2, 5)) == 0
    # Even with the cursor lost (a crash between the two writes cannot happen: one transaction),
    # the unique statement per card and day is the fence.
    Card.objects.filter(pk=card.pk).update(last_statement_on=None)
    assert run(date(2026, 2, 5)) == 0
    assert Statement.objects.filter(card=card).count() == 1


def test_only_cards_of_the_day_active_or_frozen_and_issued_before(world, card):
    from .conftest import card_for
    other_day = card_for(world.li_customer, statement_day=6)
    late = card_for(world.wang_customer, issued_on=date(2026, 2, 5))
    closed = card_for(world.liu_customer)
    Card.objects.filter(pk=closed.pk).update(status="closed")
    Card.objects.filter(pk=card.pk).update(status="frozen")
    assert run(date(2026, 2, 5)) == 1
    assert list(Statement.objects.values_list("card_id", flat=True)) == [card.pk]
    assert not Statement.objects.filter(card__in=[other_day, late, closed]).exists()


# --- interest -----------------------------------------------------------------------------------


def _example_purchase(card):
    """DOMAIN-RULES §3: 10,000 posted 15 days before the statement date (21 Jan → 5 Feb)."""
    charge(card, "10000.00", date(2026, 1, 21))
    run(date(2026, 2, 5))
    assert statement(card, date(2026, 2, 5)).due_date == date(2026, 2, 25)   # day 35


def test_interest_217_50_full_balance(card):
    _example_purchase(card)
    repay(card, "5000.00", date(2026, 2, 25))                 # day 35: the due date
    run(date(2026, 3, 5))
    # 10,000 × 35 days + 5,000 × 8 days (25 Feb – 4 Mar).
    assert interest_items(card) == [(date(2026, 3, 5), D("195.00"))]
    march = statement(card, date(2026, 3, 5))
    assert late_fees(card) == []                              # the minimum 1,000 was paid
    # The 5,000 carried beyond the (paid) minimum counts like purchases: 500 + interest 195.
    assert march.minimum_payment == D("695.00") and march.previous_minimum_unpaid == D("0.00")
    repay(card, "5000.00", date(2026, 3, 14))                 # day 52
    repay(card, "195.00", date(2026, 3, 20))                  # March's interest, on time
    run(date(2026, 4, 5))
    # The rest: 5,000 × 9 days (5 – 13 Mar).
    assert interest_items(card)[1] == (date(2026, 4, 5), D("22.50"))
    assert sum(amount for _, amount in interest_items(card)) == D("217.50")
    assert statement(card, date(2026, 4, 5)).balance == D("22.50")


def test_interest_130_00_unpaid_part(card):
    CardSetting.objects.create(effective_from=date(2026, 1, 1),
                               interest_method=InterestMethod.UNPAID_PART)
    _example_purchase(card)
    assert statement(card, date(2026, 2, 5)).interest_method == InterestMethod.UNPAID_PART
    repay(card, "5000.00", date(2026, 2, 25))
    run(date(2026, 3, 5))
    # Only the 5,000 unpaid at the due date, from the posting day: 5,000 × 43 days.
    assert interest_items(card) == [(date(2026, 3, 5), D("107.50"))]
    repay(card, "5000.00", date(2026, 3, 14))
    repay(card, "107.50", date(2026, 3, 20))
    run(date(2026, 4, 5))
    assert sum(amount for _, amount in interest_items(card)) == D("130.00")


def test_grace_days_a_repayment_on_the_due_date_plus_3_is_on_time(card):
    _example_purchase(card)
    repay(card, "10000.00", date(2026, 2, 28))                # 25 Feb + 3 (容时)
    run(date(2026, 3, 5))
    assert interest_items(card) == [] and late_fees(card) == []


def test_grace_days_a_repayment_on_the_fourth_day_is_late(card):
    _example_purchase(card)
    repay(card, "10000.00", date(2026, 3, 1))
    run(date(2026, 3, 5))
    # 10,000 × 39 days (21 Jan – 28 Feb); 违约金 5% of the 1,000 minimum.
    assert interest_items(card) == [(date(2026, 3, 5), D("195.00"))]
    assert late_fees(card) == [(date(2026, 3, 5), D("50.00"))]


def test_tolerance_short_by_10_counts_as_paid_in_full(card):
    _example_purchase(card)
    repay(card, "9990.00", date(2026, 2, 25))
    run(date(2026, 3, 5))
    assert interest_items(card) == [] and late_fees(card) == []
    assert statement(card, date(2026, 3, 5)).balance == D("10.00")


def test_tolerance_short_by_10_01_is_not_paid_in_full(card):
    _example_purchase(card)
    repay(card, "9989.99", date(2026, 2, 25))
    run(date(2026, 3, 5))
    # 10,000 × 35 days + 10.01 × 8 days = 175 + 0.04.
    assert interest_items(card) == [(date(2026, 3, 5), D("175.04"))]
    assert late_fees(card) == []


def test_tolerance_minimum_short_by_10_counts_as_the_minimum_paid(card):
    _example_purchase(card)
    repay(card, "990.00", date(2026, 2, 25))
    run(date(2026, 3, 5))
    assert late_fees(card) == []
    assert len(interest_items(card)) == 1                     # not paid in full: interest


def test_late_fee_5_percent_of_the_unpaid_minimum(card):
    _example_purchase(card)
    run(date(2026, 3, 5))                                     # nothing paid
    assert late_fees(card) == [(date(2026, 3, 5), D("50.00"))]
    march = statement(card, date(2026, 3, 5))
    feb = statement(card, date(2026, 2, 5))
    assert march.previous_minimum_unpaid == D("1000.00") == minimum_unpaid(feb, as_of=date(2026, 3, 5))
    assert march.late_fee == D("50.00")
    # 10 × 0.05% × 43 days on 10,000 = 215.00; minimum: 1,000 unpaid + 10% of the other 9,000
    # + interest + 违约金.
    assert march.interest == D("215.00")
    assert march.minimum_payment == D("1000.00") + D("900.00") + D("215.00") + D("50.00")


def test_late_fee_is_at_least_10(card):
    charge(card, "1000.00", date(2026, 1, 21))
    run(date(2026, 2, 5))
    repay(card, "40.00", date(2026, 2, 20))                   # minimum 100: 60 short → 3.00
    run(date(2026, 3, 5))
    assert late_fees(card) == [(date(2026, 3, 5), D("10.00"))]


def test_interest_compounding_on_unpaid_billed_interest(card):
    charge(card, "1000.00", date(2026, 1, 21))
    run(date(2026, 2, 5))
    run(date(2026, 3, 5))                                     # nothing paid: 1,000 × 43 days
    assert interest_items(card) == [(date(2026, 3, 5), D("21.50"))]
    run(date(2026, 4, 5))
    # 1,000 × 31 days (5 Mar – 4 Apr) + the unpaid 21.50 from March's statement on:
    # 15.50 + 0.33325 = 15.83 (15.50 without compounding). No interest on the 违约金.
    assert interest_items(card)[1] == (date(2026, 4, 5), D("15.83"))
    april = statement(card, date(2026, 4, 5))
    march = statement(card, date(2026, 3, 5))
    assert april.previous_minimum_unpaid == minimum_unpaid(march, as_of=date(2026, 4, 5))
    # March's minimum 100 (Feb unpaid) + 90 + 21.50 + 10.00 = 221.50 → 违约金 5% = 11.08.
    assert march.minimum_payment == D("221.50")
    assert late_fees(card)[1] == (date(2026, 4, 5), D("11.08"))


def test_cash_interest_3000_for_30_days_is_45_00(card):
    charge(card, "3000.00", date(2026, 1, 6), kind=ItemKind.CASH)
    repay(card, "3000.00", date(2026, 2, 5))                  # 30 days: 6 Jan – 4 Feb
    run(date(2026, 2, 5))
    assert interest_items(card) == [(date(2026, 2, 5), D("45.00"))]
    repay(card, "45.00", date(2026, 2, 20))
    run(date(2026, 3, 5))
    assert len(interest_items(card)) == 1                     # nothing more: repaid in full


# --- instalments --------------------------------------------------------------------------------


def _flex_plan(card, amount, periods, rate, *, on):
    purchase = charge(card, amount, on)
    principal = D(amount)
    with transaction.atomic():
        card = card_lock(card.pk)
        conversion_add(card=card, amount=principal, items=[purchase], posted_on=on,
                       reference=f"flex-{purchase.pk}", description="灵活分期")
        return InstalmentPlan.objects.create(
            card=card, kind=InstalmentKind.FLEX, item=purchase, principal=principal,
            periods=periods, fee_rate=D(rate), period_principal=money(principal / periods),
            period_fee=money(principal * D(rate)), apr=D("13.03"), applied_on=on,
            unbilled_principal=principal, reference=f"FLEX{purchase.pk}")


def test_instalment_12000_by_12_at_0_60_bills_1072_a_month(card):
    plan = _flex_plan(card, "12000.00", 12, "0.006", on=date(2026, 1, 10))
    day = date(2026, 2, 5)
    for period in range(1, 13):
        run(day)
        s = statement(card, day)
        assert s.instalments == D("1072.00"), period
        assert s.minimum_payment == D("1072.00")
        repay(card, str(s.balance), s.due_date)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 5)
    plan.refresh_from_db()
    assert (plan.periods_billed, plan.unbilled_principal) == (12, D("0.00"))
    assert plan.status == InstalmentStatus.COMPLETED
    run(day)
    assert statement(card, day).instalments == D("0.00")
    assert interest_items(card) == [] and late_fees(card) == []


def test_instalment_last_period_takes_the_remainder(card):
    plan = _flex_plan(card, "1000.00", 3, "0.0088", on=date(2026, 1, 10))
    principals = []
    for day in (date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 5)):
        run(day)
        principals.append(CardItem.objects.get(statement=statement(card, day),
                                                kind=ItemKind.INSTALMENT).amount)
        assert CardItem.objects.get(statement=statement(card, day),
                                    kind=ItemKind.INSTALMENT_FEE).amount == D("8.80")
    assert principals == [D("333.33"), D("333.33"), D("333.34")]
    plan.refresh_from_db()
    assert plan.status == InstalmentStatus.COMPLETED


def test_instalment_first_period_on_the_first_statement_after_applying(card):
    _flex_plan(card, "600.00", 3, "0.0088", on=date(2026, 2, 5))   # on the statement day
    run(date(2026, 2, 5))
    assert statement(card, date(2026, 2, 5)).instalments == D("0.00")
    run(date(2026, 3, 5))
    assert statement(card, date(2026, 3, 5)).instalments == D("200.00") + D("5.28")


# --- more of the statement's figures ------------------------------------------------------------


def test_a_refund_nets_the_purchases_in_the_minimum_and_overpayment_owes_nothing(card):
    from creditcard.engine import credit_post
    from creditcard.models import CardBook, CardBusinessType, CreditKind
    from ebank.ledger.bank_books import bank_book_id

    purchase = charge(card, "2000.00", date(2026, 1, 10))
    credit_post(card=card, kind=CreditKind.REFUND, amount=D("500.00"),
                business_type=CardBusinessType.REFUND,
                debit_ledger_id=bank_book_id(CardBook.ACQUIRER), txn_date=date(2026, 1, 12),
                posted_on=date(2026, 1, 12), reference="REF-1", description="退货",
                refund_of=purchase)
    run(date(2026, 2, 5))
    s = statement(card, date(2026, 2, 5))
    assert (s.purchases, s.new_credits, s.balance) == (D("2000.00"), D("500.00"), D("1500.00"))
    assert s.minimum_payment == D("150.00")                    # 10% of 2,000 − 500
    repay(card, "1600.00", date(2026, 2, 20))                  # 100 more than owed: 溢缴款
    run(date(2026, 3, 5))
    march = statement(card, date(2026, 3, 5))
    assert march.balance == D("-100.00") and march.minimum_payment == D("0.00")


def test_a_residual_within_tolerance_earns_interest_only_once_its_next_statement_is_unpaid(card):
    charge(card, "10000.00", date(2026, 1, 21))
    run(date(2026, 2, 5))
    repay(card, "9995.00", date(2026, 2, 25))                  # short 5: paid in full (容差)
    charge(card, "1000.00", date(2026, 2, 10))
    run(date(2026, 3, 5))
    assert interest_items(card) == []
    run(date(2026, 4, 5))                                      # March (1,005) left unpaid
    # The 1,000 from its posting (10 Feb – 4 Apr: 54 days) = 27.00; only the 5 carried from
    # February's statement, from March's period start (6 Feb – 4 Apr: 58 days) = 0.145.
    assert interest_items(card) == [(date(2026, 4, 5), D("27.15"))]


def test_chunks_report_progress_and_each_card_gets_its_own_statement(world, card):
    from .conftest import card_for
    other = card_for(world.li_customer)
    charge(card, "10.00", date(2026, 1, 10))
    charge(other, "20.00", date(2026, 1, 11))
    progress = []
    with time_machine.travel(datetime(2026, 2, 6, 0, 30, tzinfo=UTC), tick=False):
        assert statement_run(date(2026, 2, 5), chunk_done=progress.append, chunk_size=1) == 2
    assert progress == [1, 2]
    assert statement(card, date(2026, 2, 5)).balance == D("10.00")
    assert statement(other, date(2026, 2, 5)).balance == D("20.00")


@pytest.mark.parametrize(("method", "expected"), [
    # 3,000 × 46 days (10 Jan – 24 Feb) + 7,000 × 35 days + 5,000 × 8 days (25 Feb – 4 Mar).
    (InterestMethod.FULL_BALANCE, D("211.50")),
    # The 5,000 repaid by the due date settles the oldest posting first (the 3,000 whole, 2,000
    # of the 7,000): only the 5,000 left of the 21 Jan purchase earns, 43 days from its posting.
    (InterestMethod.UNPAID_PART, D("107.50")),
])
def test_unpaid_part_repayments_settle_the_oldest_posting_first(card, method, expected):
    CardSetting.objects.create(effective_from=date(2026, 1, 1), interest_method=method)
    charge(card, "3000.00", date(2026, 1, 10))
    charge(card, "7000.00", date(2026, 1, 21))
    run(date(2026, 2, 5))
    repay(card, "5000.00", date(2026, 2, 25))
    run(date(2026, 3, 5))
    assert interest_items(card) == [(date(2026, 3, 5), expected)]


def test_a_refund_of_an_older_statements_purchase_does_not_lower_this_periods_base(card):
    """The refund lowers what February's statement still owes (``carried``), not March's 10%."""
    from creditcard.engine import credit_post
    from creditcard.models import CardBook, CardBusinessType, CreditKind
    from ebank.ledger.bank_books import bank_book_id

    older = charge(card, "1000.00", date(2026, 1, 10))
    run(date(2026, 2, 5))
    assert statement(card, date(2026, 2, 5)).minimum_payment == D("100.00")
    repay(card, "100.00", date(2026, 2, 20))                  # the minimum, 900 carried
    charge(card, "2000.00", date(2026, 2, 21))
    credit_post(card=card, kind=CreditKind.REFUND, amount=D("400.00"),
                business_type=CardBusinessType.REFUND,
                debit_ledger_id=bank_book_id(CardBook.ACQUIRER), txn_date=date(2026, 2, 22),
                posted_on=date(2026, 2, 22), reference="REF-OLD", description="退货",
                refund_of=older)
    run(date(2026, 3, 5))
    march = statement(card, date(2026, 3, 5))
    # 10% of March's own 2,000 = 200, the interest (24.15) and 10% of what February's statement
    # still owes (1,000 − 100 − the 400 refund = 500 → 50): the refund of February's purchase
    # came off that 500, not off March's 200 (before: 160 + 24.15 + 50 = 234.15).
    assert march.purchases == D("2000.00") and march.interest == D("24.15")
    assert march.minimum_payment == D("200.00") + D("24.15") + D("50.00")
