"""账单分期 and 灵活分期 applied and 提前终止 through X-CONFIRM (creditcard/instal/services.py):
the plan, the conversion paying the purchases oldest first, the ledger invariant, the refusals."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine

from creditcard.engine import card_balance, card_verify, item_add
from creditcard.instal import services
from creditcard.models import (
    CardBusinessType,
    CardCredit,
    CardItem,
    CreditKind,
    InstalmentKind,
    InstalmentPlan,
    InstalmentRate,
    InstalmentStatus,
    ItemKind,
)
from creditcard.selectors import last_statement
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.models import Entry
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.confirm.services import SUMMARY_KEY
from tests.customer_world import confirm

from .conftest import charge, repay
from .instal_support import APPLY_AT, at_apply, bill_start, billed_card, card_linked, rates  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rates", "at_apply")]


def _sound(card):
    balance, items = card_verify(card)
    assert balance == items


def test_a_bill_instalment_of_12000_in_12_periods_converts_the_statements_purchases(world):
    card = billed_card(world.zhang_customer)
    entries = Entry.objects.count()
    operation = bill_start(world.zhang, card)
    assert ["年化利率", "13.03%"] in operation.payload[SUMMARY_KEY]
    done = confirm(operation, user=world.zhang)
    assert done.result["message"] == services.APPLIED_MESSAGE
    plan = InstalmentPlan.objects.get()
    assert (plan.kind, plan.statement, plan.principal, plan.periods) == (
        InstalmentKind.BILL, last_statement(card), D("12000.00"), 12)
    assert (plan.fee_rate, plan.period_principal, plan.period_fee, plan.apr) == (
        D("0.006000"), D("1000.00"), D("72.00"), D("13.03"))
    assert plan.unbilled_principal == D("12000.00") and plan.status == InstalmentStatus.ACTIVE
    assert plan.applied_on == date(2026, 2, 10) and plan.reference.startswith("FQ20260210")
    assert set(CardItem.objects.values_list("outstanding", flat=True)) == {D("0.00")}
    conversion = CardCredit.objects.get(kind=CreditKind.CONVERSION)
    assert conversion.amount == D("12000.00") and conversion.unapplied == D("0.00")
    assert conversion.entry_id is None and Entry.objects.count() == entries
    assert card_balance(card) == D("12000.00")
    _sound(card)
    audit = AuditEvent.objects.get(action=services.APPLY_ACTION)
    assert audit.actor == world.zhang and audit.detail["apr"] == "13.03"


def test_part_of_a_statement_pays_the_oldest_purchase_first(world):
    card = billed_card(world.zhang_customer)
    confirm(bill_start(world.zhang, card, amount="10000.00", periods=6), user=world.zhang)
    older, newer = CardItem.objects.order_by("posted_on")
    assert (older.outstanding, newer.outstanding) == (D("0.00"), D("2000.00"))
    plan = InstalmentPlan.objects.get()
    assert plan.period_fee == D("70.00") and plan.apr == D("14.26")
    _sound(card)


def test_a_statement_is_split_once(world):
    card = billed_card(world.zhang_customer)
    second = bill_start(world.zhang, card, amount="500.00", periods=3)
    confirm(bill_start(world.zhang, card, amount="6000.00", periods=3), user=world.zhang)
    with pytest.raises(BusinessError) as refused:
        bill_start(world.zhang, card, amount="500.00", periods=3)
    assert refused.value.message == services.ALREADY_SPLIT
    # One started before the first was confirmed is refused at its confirmation.
    with pytest.raises(BusinessError) as refused:
        confirm(second, user=world.zhang)
    assert refused.value.message == services.ALREADY_SPLIT
    assert InstalmentPlan.objects.count() == 1
    _sound(card)


def test_more_than_the_purchases_still_owe_is_refused(world):
    card = billed_card(world.zhang_customer)
    with pytest.raises(BusinessError) as refused:
        bill_start(world.zhang, card, amount="12000.01")
    assert "可分期金额¥12,000.00" in refused.value.message
    repay(card, "3000.00", date(2026, 2, 8))
    with pytest.raises(BusinessError) as refused:
        bill_start(world.zhang, card, amount="9000.01")
    assert "可分期金额¥9,000.00" in refused.value.message
    confirm(bill_start(world.zhang, card, amount="9000.00"), user=world.zhang)
    assert InstalmentPlan.objects.get().principal == D("9000.00")
    _sound(card)


def test_less_than_500_or_more_than_two_places_is_refused(world):
    card = billed_card(world.zhang_customer)
    with pytest.raises(BusinessError, match="分期金额不能低于¥500.00"):
        bill_start(world.zhang, card, amount="499.99")
    with pytest.raises(BusinessError, match="最多两位小数"):
        services.amount_parse("600.001")
    assert services.amount_parse("1,000.5") == D("1000.50")


def test_on_or_after_the_due_date_a_statement_cannot_be_split(world):
    card = billed_card(world.zhang_customer)
    # Started at 23:59 on the day before the due date (Shanghai), confirmed just after midnight.
    with time_machine.travel(datetime(2026, 2, 24, 15, 59, tzinfo=UTC), tick=False):
        operation = bill_start(world.zhang, card)
    with time_machine.travel(datetime(2026, 2, 24, 16, 0, 30, tzinfo=UTC), tick=False):
        with pytest.raises(BusinessError) as refused:
            bill_start(world.zhang, card)
        assert refused.value.message == services.PAST_DUE
        with pytest.raises(BusinessError) as refused:
            confirm(operation, user=world.zhang)
        assert refused.value.message == services.PAST_DUE
    assert not InstalmentPlan.objects.exists()


def test_a_card_without_a_statement_is_refused(world):
    card = card_linked(world.zhang_customer)
    charge(card, "800.00", date(2026, 2, 6))
    with pytest.raises(BusinessError) as refused:
        services.bill_instal_start(user=world.zhang, card=card, statement=None,
                                   principal=D("800.00"), periods=3)
    assert refused.value.message == services.NO_STATEMENT


def test_a_rate_changed_before_the_confirmation_is_refused(world):
    card = billed_card(world.zhang_customer)
    operation = bill_start(world.zhang, card)
    InstalmentRate.objects.create(periods=12, rate=D("0.0065"), effective_from=date(2026, 2, 10))
    with pytest.raises(BusinessError) as refused:
        confirm(operation, user=world.zhang)
    assert refused.value.message == services.RATE_CHANGED
    assert not InstalmentPlan.objects.exists()


def test_a_flex_instalment_converts_one_purchase_billed_or_not(world):
    card = billed_card(world.zhang_customer)
    fresh = charge(card, "3600.00", date(2026, 2, 8), merchant="家电商城")
    assert fresh in services.flex_items(card)
    confirm(services.flex_instal_start(user=world.zhang, card=card, item=fresh, periods=3),
            user=world.zhang)
    plan = InstalmentPlan.objects.get()
    assert (plan.kind, plan.item, plan.principal, plan.period_principal, plan.period_fee) == (
        InstalmentKind.FLEX, fresh, D("3600.00"), D("1200.00"), D("27.00"))
    fresh.refresh_from_db()
    assert fresh.outstanding == D("0.00")
    assert CardItem.objects.filter(outstanding=0).count() == 1  # only that purchase
    assert fresh not in services.flex_items(card)
    with pytest.raises(BusinessError) as refused:
        services.flex_instal_start(user=world.zhang, card=card, item=fresh, periods=3)
    assert refused.value.message == services.FLEX_TAKEN
    _sound(card)


def test_flex_refuses_a_refunded_or_small_purchase(world):
    from creditcard.engine import credit_post
    from creditcard.models import CardBook
    from ebank.ledger.bank_books import bank_book_id

    card = card_linked(world.zhang_customer)
    small = charge(card, "499.99", date(2026, 2, 6))
    refunded = charge(card, "2000.00", date(2026, 2, 7))
    credit_post(card=card, kind=CreditKind.REFUND, amount=D("100.00"),
                business_type=CardBusinessType.REFUND,
                debit_ledger_id=bank_book_id(CardBook.ACQUIRER), txn_date=date(2026, 2, 8),
                posted_on=date(2026, 2, 8), reference="RF1", description="退货",
                refund_of=refunded)
    refunded.refresh_from_db()
    assert services.flex_items(card) == []
    for item in (small, refunded):
        with pytest.raises(BusinessError):
            services.flex_instal_start(user=world.zhang, card=card, item=item, periods=3)


def _bill_one_period(plan):
    """What the statement run does for one period (another area's code; here by hand)."""
    card = plan.card
    item_add(card=card, kind=ItemKind.INSTALMENT, amount=plan.period_principal,
             txn_date=date(2026, 3, 5), posted_on=date(2026, 3, 5),
             reference=f"{plan.reference}-1", description="分期本金 第1期", instalment=plan,
             period=1)
    plan.unbilled_principal -= plan.period_principal
    plan.periods_billed = 1
    plan.save(update_fields=["unbilled_principal", "periods_billed"])


def test_terminate_bills_the_remaining_principal_at_once_and_no_future_fee(world):
    card = billed_card(world.zhang_customer)
    confirm(bill_start(world.zhang, card), user=world.zhang)
    plan = InstalmentPlan.objects.get()
    _bill_one_period(plan)
    _sound(card)
    entries = Entry.objects.count()
    with time_machine.travel(datetime(2026, 3, 9, 2, 0, tzinfo=UTC), tick=False):
        operation = services.instal_terminate_start(user=world.zhang, plan=plan)
        assert ["不再收取的手续费", "¥792.00"] in operation.payload[SUMMARY_KEY]
        done = confirm(operation, user=world.zhang)
    assert done.result["message"] == services.TERMINATED_MESSAGE
    plan.refresh_from_db()
    assert plan.status == InstalmentStatus.TERMINATED and plan.unbilled_principal == D("0.00")
    assert plan.terminated_on == date(2026, 3, 9)
    rest = CardItem.objects.get(reference=f"{plan.reference}-END")
    assert (rest.kind, rest.amount, rest.posted_on, rest.statement) == (
        ItemKind.INSTALMENT, D("11000.00"), date(2026, 3, 9), None)
    assert not CardItem.objects.filter(kind=ItemKind.INSTALMENT_FEE).exists()
    assert Entry.objects.count() == entries and card_balance(card) == D("12000.00")
    _sound(card)
    assert AuditEvent.objects.filter(action=services.TERMINATE_ACTION).count() == 1
    with pytest.raises(BusinessError) as refused:
        services.instal_terminate_start(user=world.zhang, plan=plan)
    assert refused.value.message == services.NOT_ACTIVE


def test_terminate_needs_a_security_tool(world):
    card = billed_card(world.li_customer)
    confirm(bill_start(world.li, card, amount="6000.00", periods=3), user=world.li)  # by SMS
    plan = InstalmentPlan.objects.get()
    with pytest.raises(BusinessError) as refused:
        services.instal_terminate_start(user=world.li, plan=plan)
    assert refused.value.message == TOOL_REQUIRED_MESSAGE
    plan.refresh_from_db()
    assert plan.status == InstalmentStatus.ACTIVE


def test_the_demo_rates_and_the_trial_at_them():
    trial = services.instal_trial(principal=D("12000.00"), periods=12)
    assert trial.fee_rate == D("0.006000") and trial.apr == D("13.03")
    assert services.instal_trial(principal=D("12000.00"), periods=3).fee_rate == D("0.007500")
    assert APPLY_AT.date() == date(2026, 2, 10)


def test_a_purchase_partly_converted_by_a_bill_instalment_is_not_split_again_by_flex(world):
    # 8,000 (6 Jan) + 4,000 (20 Jan) billed; 账单分期 of 10,000 pays the 8,000 and 2,000 of the
    # 4,000: the 4,000 purchase is (partly) converted, so 灵活分期 may not convert it again.
    card = billed_card(world.zhang_customer)
    confirm(bill_start(world.zhang, card, amount="10000.00", periods=6), user=world.zhang)
    newer = CardItem.objects.get(amount=D("4000.00"))
    assert newer.outstanding == D("2000.00")
    assert newer not in services.flex_items(card)
    with pytest.raises(BusinessError) as refused:
        services.flex_instal_start(user=world.zhang, card=card, item=newer, periods=3)
    assert refused.value.message == services.ALREADY_CONVERTED
    assert InstalmentPlan.objects.count() == 1
    _sound(card)
