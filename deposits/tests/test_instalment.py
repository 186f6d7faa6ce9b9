"""零存整取 (DEP-LCZQ, DEP-FIX's 零存整取 half): the manual's notes by name, DOMAIN-RULES §2's
worked example (1,000 a month, 12 months, 0.85 % → 55.25) end to end through the services,
补存 and 违约, 销户 / 到期支取, X-CONFIRM with a tool, receipts, the nightly 违约 check and
its rerun, the 账户总览 facts."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from accounts.models import Receipt, ReceiptDirection, SubAccountKind, SubAccountStatus
from accounts.receipts.services import ReceiptChannel
from deposits.fixed import WITHDRAW_NOTE_2, WITHDRAW_NOTE_3
from deposits.instalment import operations as ops
from deposits.instalment import services as svc
from deposits.instalment.services import instalment_open, instalment_top_up, instalment_withdraw
from deposits.interest import add_months
from deposits.models import Deposit, DepositRate, DepositStatus, Instalment, Product
from deposits.rates import rate_on
from deposits.selectors import deposit_facts
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.models import BusinessType, Entry
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.models import OperationStatus

from .conftest import RATES_FROM, balance, confirm
from .test_fixed import at, batch_run

pytestmark = pytest.mark.django_db

OPENED = date(2026, 3, 2)
MATURES = date(2027, 3, 2)
INSTALMENT_RATES = {12: "0.85", 36: "1.05", 60: "1.05"}  # DOMAIN-RULES §1


def instalment_rates_seed(on: date = RATES_FROM) -> None:
    for months, rate in INSTALMENT_RATES.items():
        DepositRate.objects.get_or_create(product=Product.INSTALMENT, term_months=months,
                                          effective_from=on,
                                          defaults={"annual_rate": Decimal(rate)})


@pytest.fixture(autouse=True)
def _rates(world):
    instalment_rates_seed()


def open_on(world, day=OPENED, monthly="1000.00", term=12, user=None, card=None, key="t:open"):
    user = user or world.zhang
    card = card or world.zhang_card
    with at(day):
        return instalment_open(user=user, from_sub_account_id=world.main(card).pk,
                               term_months=term, amount=monthly, idempotency_key=key).deposit


def top_up_on(world, deposit, day, amount=None, source=None, passbook=False, user=None):
    user = user or world.zhang
    source = source or world.main(deposit.sub_account.medium)
    with at(day):
        return instalment_top_up(user=user, deposit_id=deposit.pk, from_sub_account_id=source.pk,
                                 amount=amount or deposit.monthly_amount,
                                 idempotency_key=f"t:top:{deposit.pk}:{day}", passbook=passbook)


def open_on_passbook(world, day=OPENED, monthly="200.00"):
    """零存整取 held on 张伟's 活期存折 (opened at the counter, as the demo does)."""
    book = world.zhang_passbook
    source = world.main(book)
    with at(day), transaction.atomic():
        plan = svc.OpenPlan(source, 12, Decimal(monthly),
                            rate_on(product=Product.INSTALMENT, term_months=12, day=day))
        return svc.open_post(user=None, plan=plan, idempotency_key="t:book", on=day, target=book,
                             channel=ReceiptChannel.COUNTER).deposit


def summary(operation) -> list[tuple[str, str]]:
    """The confirmation page's lines (security.confirm: the payload's summary)."""
    from security.confirm.services import SUMMARY_KEY
    return [tuple(line) for line in operation.payload[SUMMARY_KEY]]


def every_month(world, deposit, months=range(1, 12), day_of_month=2):
    for k in months:
        top_up_on(world, deposit, add_months(OPENED, k).replace(day=day_of_month))


# --- DOMAIN-RULES §2 worked example --------------------------------------------------------------


def test_domain_example_1000_a_month_12_months_at_0_85_earns_55_25(world):
    card = world.main(world.zhang_card)
    deposit = open_on(world)
    assert (deposit.annual_rate, deposit.matures_on) == (Decimal("0.8500"), MATURES)
    every_month(world, deposit)
    deposit.refresh_from_db()
    assert deposit.instalments_made == 12 and balance(deposit.sub_account) == Decimal("12000.00")
    assert balance(card) == Decimal("68000.00")
    with at(MATURES):
        done = instalment_withdraw(user=world.zhang, deposit_id=deposit.pk, idempotency_key="t:w")
    assert done.quote.kind_label == "到期支取" and done.quote.full_term
    assert done.quote.interest == Decimal("55.25")
    assert balance(card) == Decimal("80055.25")
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED and deposit.interest_paid == Decimal("55.25")
    assert deposit.sub_account.status == SubAccountStatus.CLOSED


def test_matured_and_taken_30_days_later_adds_overdue_days_at_current(world):
    deposit = open_on(world)
    every_month(world, deposit)
    with at(date(2027, 4, 1)):  # 30 days after 2027-03-02
        done = instalment_withdraw(user=world.zhang, deposit_id=deposit.pk, idempotency_key="t:w")
    # 12,000 × 0.10 % / 360 × 30 = 1.00
    assert (done.quote.regular, done.quote.overdue) == (Decimal("55.25"), Decimal("1.00"))


# --- 卡内活期转定期 notes --------------------------------------------------------------------------


def test_notice_open_note_1_instalment_is_a_kind_of_time_deposit_on_the_card(world):
    deposit = open_on(world, monthly="5.00", term=36)
    assert deposit.product == Product.INSTALMENT and deposit.monthly_amount == Decimal("5.00")
    assert deposit.sub_account.kind == SubAccountKind.FIXED_INSTALMENT
    assert deposit.sub_account.medium_id == world.zhang_card.pk
    assert deposit.matures_on == date(2029, 3, 2) and deposit.annual_rate == Decimal("1.0500")
    (first,) = Instalment.objects.filter(deposit=deposit)
    assert (first.month, first.paid_on, first.amount) == (1, OPENED, Decimal("5.00"))


def test_notice_open_note_2_top_up_picks_an_instalment_already_on_this_card(world):
    deposit = open_on(world)
    # From the 活期存折 (not this card's 活期主账号) the card's 续存 is refused …
    with pytest.raises(BusinessError, match=svc.CARD_ONLY):
        top_up_on(world, deposit, date(2026, 4, 2), source=world.main(world.zhang_passbook))
    # … and a 零存整取 on a passbook is not one of the card's.
    booked = open_on_passbook(world)
    with pytest.raises(BusinessError, match=svc.NOT_ON_CARD):
        top_up_on(world, booked, date(2026, 4, 2), source=world.main(world.zhang_card))
    top_up_on(world, deposit, date(2026, 4, 2))
    assert deposit.instalments.count() == 2


def test_notice_open_note_3_only_the_cards_current_main_account(world):
    with at(OPENED), pytest.raises(BusinessError, match=svc.CARD_ONLY):
        instalment_open(user=world.zhang, from_sub_account_id=world.main(world.zhang_passbook).pk,
                        term_months=12, amount="100", idempotency_key="t:o")
    assert not Deposit.objects.exists()


def test_notice_open_note_4_minimum_5(world):
    with pytest.raises(BusinessError, match=svc.OPEN_NOTE_4):
        open_on(world, monthly="4.99")
    with pytest.raises(BusinessError, match=svc.TERM_UNKNOWN):
        open_on(world, term=24)  # 零存整取: 一年、三年、五年 only
    assert not Deposit.objects.exists()


def test_top_up_is_exactly_the_monthly_amount_once_a_month(world):
    deposit = open_on(world)
    with pytest.raises(BusinessError, match="须与每月存额¥1,000.00一致"):
        top_up_on(world, deposit, date(2026, 4, 2), amount="999.99")
    with pytest.raises(BusinessError, match=svc.TOP_UP_PAID):
        top_up_on(world, deposit, date(2026, 3, 20))  # month 1 is paid by the opening
    top_up_on(world, deposit, date(2026, 4, 2))
    with pytest.raises(BusinessError, match=svc.TOP_UP_PAID):
        top_up_on(world, deposit, date(2026, 5, 1))
    assert balance(deposit.sub_account) == Decimal("2000.00")


def test_a_missed_month_may_be_made_up_in_the_next_month(world):
    deposit = open_on(world)
    # April's month (2026-04-02 … 05-01) missed; in May's both months may be paid.
    first = top_up_on(world, deposit, date(2026, 5, 10)).instalment
    second = top_up_on(world, deposit, date(2026, 5, 11)).instalment
    assert (first.month, first.made_up, second.month, second.made_up) == (2, True, 3, False)
    with pytest.raises(BusinessError, match=svc.TOP_UP_PAID):
        top_up_on(world, deposit, date(2026, 5, 12))


def test_two_consecutive_misses_are_default_no_further_deposits_interest_by_days(world):
    card = world.main(world.zhang_card)
    deposit = open_on(world)
    # Months 2 (04-02 … 05-01) and 3 (05-02 … 06-01) both unpaid: 违约 from 2026-06-02.
    batch_run(date(2026, 5, 31))
    deposit.refresh_from_db()
    assert not deposit.defaulted
    batch_run(date(2026, 6, 1))
    deposit.refresh_from_db()
    assert deposit.defaulted
    assert AuditEvent.objects.filter(action="deposits.instalment_defaulted").count() == 1
    batch_run(date(2026, 6, 1))  # a rerun changes nothing
    assert AuditEvent.objects.filter(action="deposits.instalment_defaulted").count() == 1
    with pytest.raises(BusinessError, match=svc.TOP_UP_DEFAULTED):
        top_up_on(world, deposit, date(2026, 6, 2))
    with at(MATURES):
        done = instalment_withdraw(user=world.zhang, deposit_id=deposit.pk, idempotency_key="t:w")
    # The one deposit earns 0.85 % for its 365 days: 1,000 × 0.85 % / 360 × 365 = 8.618… → 8.62
    assert not done.quote.full_term and done.quote.interest == Decimal("8.62")
    assert balance(card) == Decimal("80008.62")


def test_default_is_seen_by_the_service_before_the_nightly_marks_it(world):
    deposit = open_on(world)
    with pytest.raises(BusinessError, match=svc.TOP_UP_DEFAULTED):
        top_up_on(world, deposit, date(2026, 6, 2))
    top_up_on(world, deposit, date(2026, 6, 1))  # the day before: month 2 made up in month 3
    assert deposit.instalments.get(month=2).made_up


def test_missed_months_at_maturity_each_deposit_earns_by_its_days_rounded_once(world):
    deposit = open_on(world)
    every_month(world, deposit, months=range(1, 11))  # month 12 never paid
    with at(MATURES):
        done = instalment_withdraw(user=world.zhang, deposit_id=deposit.pk, idempotency_key="t:w")
    rows = [(i.paid_on, i.amount) for i in deposit.instalments.all()]
    expected = sum(a * Decimal("0.85") / 100 / 360 * (MATURES - d).days for d, a in rows)
    assert not done.quote.full_term
    assert done.quote.interest == expected.quantize(Decimal("0.01"))


def test_no_top_up_at_or_after_maturity(world):
    deposit = open_on(world)
    every_month(world, deposit, months=range(1, 11))
    with pytest.raises(BusinessError, match=svc.TOP_UP_MATURED):
        top_up_on(world, deposit, MATURES)


# --- 卡内定期转活期 notes --------------------------------------------------------------------------


def test_withdraw_note_1_no_partial_withdrawal_for_instalment(world):
    deposit = open_on(world)
    top_up_on(world, deposit, date(2026, 4, 2))
    with at(date(2026, 5, 2)):
        operation = ops.withdraw_start(user=world.zhang, deposit_id=deposit.pk)
    # Always the whole balance: the page has no amount to type.
    assert operation.payload["amount"] == "2000.00"
    assert ("支取方式", "销户（提前全部支取）") in summary(operation)


def test_withdraw_note_2_early_close_earns_current_by_days_for_each_deposit(world):
    card = world.main(world.zhang_card)
    deposit = open_on(world)
    top_up_on(world, deposit, date(2026, 4, 2))
    with at(date(2026, 9, 1)):
        operation = ops.withdraw_start(user=world.zhang, deposit_id=deposit.pk)
        assert ("提示", WITHDRAW_NOTE_2) in summary(operation)
        operation = confirm(operation, user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    # 1,000 × 183 days + 1,000 × 152 days at 活期 0.10 % / 360, rounded once → 0.93
    assert balance(card) == Decimal("80000.93")
    interest = Entry.objects.get(business_type=BusinessType.INTEREST,
                                 reference=f"deposit:{deposit.pk}")
    receipt = Receipt.objects.get(entry_id=interest.pk)
    assert receipt.amount == Decimal("0.93") and receipt.sub_account_id == card.pk


def test_withdraw_note_3_close_warned_under_10_days_to_maturity(world):
    deposit = open_on(world)
    with at(date(2027, 2, 21)):  # 9 days before 2027-03-02
        warned = ops.withdraw_start(user=world.zhang, deposit_id=deposit.pk)
    with at(date(2027, 2, 20)):  # 10 days
        not_warned = ops.withdraw_start(user=world.zhang, deposit_id=deposit.pk)
    assert ("注意", WITHDRAW_NOTE_3) in summary(warned)
    assert ("注意", WITHDRAW_NOTE_3) not in summary(not_warned)


# --- X-CONFIRM, receipts, audit -----------------------------------------------------------------


def test_opening_and_top_up_through_the_confirmation_post_once_with_receipts(world):
    card = world.main(world.zhang_card)
    with at(OPENED):
        operation = ops.open_start(user=world.zhang, from_sub_account_id=card.pk, term_months=12,
                                   amount=Decimal("1000.00"))
        operation = confirm(operation, user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    deposit = Deposit.objects.get()
    entry = Entry.objects.get(idempotency_key=operation.idempotency_key)
    assert entry.business_type == "deposit_open"
    sides = set(Receipt.objects.filter(entry_id=entry.pk).values_list("sub_account_id",
                                                                        "direction"))
    assert sides == {(card.pk, ReceiptDirection.DEBIT),
                     (deposit.sub_account_id, ReceiptDirection.CREDIT)}
    with at(date(2026, 4, 3)):
        operation = ops.top_up_start(user=world.zhang, deposit_id=deposit.pk,
                                     from_sub_account_id=card.pk, amount=Decimal("1000"),
                                     passbook=False)
        operation = confirm(operation, user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    assert Entry.objects.get(idempotency_key=operation.idempotency_key).business_type == \
        "deposit_top_up"
    assert balance(card) == Decimal("78000.00")
    assert set(AuditEvent.objects.filter(action__startswith="deposits.instalment").values_list(
        "action", flat=True)) == {"deposits.instalment_open", "deposits.instalment_top_up"}


def test_the_manual_asks_for_a_security_tool_so_sms_is_refused(world):
    with at(OPENED), pytest.raises(BusinessError, match=TOOL_REQUIRED_MESSAGE):
        ops.open_start(user=world.li, from_sub_account_id=world.main(world.li_card).pk,
                       term_months=12, amount=Decimal("100.00"))


def test_passbook_top_up_from_any_linked_current_account(world):
    booked = open_on_passbook(world)
    card = world.main(world.zhang_card)
    top_up_on(world, booked, date(2026, 4, 2), source=card, passbook=True)
    assert balance(booked.sub_account) == Decimal("400.00")
    assert balance(card) == Decimal("79800.00")
    card_deposit = open_on(world, key="t:o2")
    with pytest.raises(BusinessError, match=svc.NOT_ON_PASSBOOK):
        top_up_on(world, card_deposit, date(2026, 4, 2), passbook=True)


def test_another_customers_instalment_is_unknown(world):
    deposit = open_on(world)
    with at(date(2026, 4, 2)), pytest.raises(BusinessError, match=svc.DEPOSIT_UNKNOWN):
        ops.withdraw_start(user=world.li, deposit_id=deposit.pk)


# --- 账户总览 facts --------------------------------------------------------------------------------


def test_overview_facts_show_monthly_amount_instalments_and_default(world):
    deposit = open_on(world)
    top_up_on(world, deposit, date(2026, 4, 2))
    facts = deposit_facts(sub_account_ids=[deposit.sub_account_id], on=date(2026, 5, 2))
    fact = facts[deposit.sub_account_id]
    lines = dict(fact.lines)
    assert fact.title == "零存整取"
    assert lines["每月存额"] == "¥1,000.00" and lines["已存期数"] == "2/12期"
    # 利息（至今日）: each deposit at 0.85 % for its days (61 + 30) → 2.15
    assert lines["利息（至今日）"] == "¥2.15"
    # Months 3 (05-02 … 06-01) and 4 (06-02 … 07-01) unpaid: the night of 07-01 marks 违约.
    batch_run(date(2026, 6, 30))
    assert "违约" not in dict(deposit_facts(sub_account_ids=[deposit.sub_account_id],
                                          on=date(2026, 7, 1))[deposit.sub_account_id].lines)
    batch_run(date(2026, 7, 1))
    facts = deposit_facts(sub_account_ids=[deposit.sub_account_id], on=date(2026, 7, 2))
    assert "已违约" in dict(facts[deposit.sub_account_id].lines)["违约"]


def test_the_demo_gives_zhang_wei_a_passbook_instalment_once(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # twice: nothing doubled
    deposit = Deposit.objects.get(product=Product.INSTALMENT)
    assert deposit.sub_account.medium.kind == "current_passbook"
    assert deposit.sub_account.medium.customer.name == "张伟"
    assert (deposit.monthly_amount, deposit.term_months, deposit.annual_rate) == (
        Decimal("500.00"), 12, Decimal("0.8500"))
    assert deposit.instalments.count() == 1
