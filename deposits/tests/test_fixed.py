"""整存整取 (DEP-FIX, DEP-BOOK): the manual's notes by name, DOMAIN-RULES §2's worked examples by
figure, X-CONFIRM with a tool, receipts and the interest line, the nightly maturity step."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Receipt, ReceiptDirection, SubAccountKind, SubAccountStatus
from deposits import fixed
from deposits.fixed import fixed_open, fixed_withdraw
from deposits.models import Deposit, DepositRate, DepositStatus, MaturityOption, Product
from deposits.operations import fixed_open_start, fixed_withdraw_start
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType, Entry, Posting
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.models import OperationStatus

from .conftest import balance, confirm

pytestmark = pytest.mark.django_db

OPENED = date(2026, 3, 2)


def at(day: date, hour: int = 2):
    """10:00 Asia/Shanghai of ``day``."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC),
                               tick=False)


def open_deposit(world, amount="10000.00", term=12, option=MaturityOption.HOLD, key="t:open",
                 user=None, source=None, book=None):
    user = user or world.zhang
    source = source or world.main(world.zhang_card)
    return fixed_open(user=user, from_sub_account_id=source.pk, fixed_book_id=book,
                      term_months=term, amount=Decimal(amount), maturity_option=option,
                      idempotency_key=key).deposit


def interest_entries() -> list[Entry]:
    book = bank_book_id(BankBook.INTEREST_EXPENSE)
    return list(Entry.objects.filter(business_type=BusinessType.INTEREST,
                                     postings__account_id=book).order_by("pk"))


# --- DOMAIN-RULES §2 worked examples -------------------------------------------------------------


def test_domain_example_10000_one_year_at_1_20_earns_120_00_not_by_days(world):
    card = world.main(world.zhang_card)
    with at(OPENED):
        deposit = open_deposit(world)
    assert deposit.matures_on == date(2027, 3, 2) and deposit.annual_rate == Decimal("1.2000")
    assert balance(card) == Decimal("70000.00")
    with at(date(2027, 3, 2)):
        done = fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="10000.00",
                              idempotency_key="t:w")
    assert done.quote.interest == Decimal("120.00") and done.quote.kind_label == "到期支取"
    assert balance(card) == Decimal("80120.00")


def _fifty_thousand(world):
    with at(OPENED):
        deposit = open_deposit(world, amount="50000.00")
    with at(date(2026, 9, 1)):  # 183 days after 2026-03-02
        part = fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="20000.00",
                              idempotency_key="t:part")
    return deposit, part


def test_domain_example_20000_taken_after_183_days_earns_10_17_at_current(world):
    deposit, part = _fifty_thousand(world)
    assert part.quote.days == 183 and part.quote.current_rate == Decimal("0.1000")
    assert part.quote.interest == Decimal("10.17")
    deposit.refresh_from_db()
    # The rest keeps its rate and maturity.
    assert balance(deposit.sub_account) == Decimal("30000.00")
    assert deposit.status == DepositStatus.OPEN and deposit.annual_rate == Decimal("1.2000")
    assert deposit.matures_on == date(2027, 3, 2)


def test_domain_example_the_other_30000_at_maturity_earns_360_00(world):
    deposit, _ = _fifty_thousand(world)
    with at(date(2027, 3, 2)):
        done = fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="30000.00",
                              idempotency_key="t:rest")
    assert done.quote.regular == Decimal("360.00") and done.quote.overdue == Decimal("0.00")


def test_domain_example_taken_30_days_after_maturity_overdue_interest_2_50(world):
    deposit, _ = _fifty_thousand(world)
    with at(date(2027, 4, 1)):  # 30 days after 2027-03-02
        done = fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="30000.00",
                              idempotency_key="t:late")
    assert done.quote.regular == Decimal("360.00")
    assert done.quote.overdue == Decimal("2.50")
    assert done.quote.interest == Decimal("362.50")


def test_overdue_days_earn_the_current_rate_posted_on_the_withdrawal_day(world):
    with at(OPENED):
        deposit = open_deposit(world)
    DepositRate.objects.create(product=Product.CURRENT, term_months=0,
                               annual_rate=Decimal("0.20"), effective_from=date(2027, 3, 20))
    with at(date(2027, 4, 1)):
        done = fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="10000.00",
                              idempotency_key="t:late")
    assert done.quote.overdue == Decimal("1.67")  # 10,000 × 0.20% / 360 × 30


# --- the manual's notes --------------------------------------------------------------------------


def test_card_fixed_note_4_lump_sum_minimum_is_50(world):
    with at(OPENED), pytest.raises(BusinessError, match=fixed.OPEN_NOTE_4):
        open_deposit(world, amount="49.99")
    with at(OPENED):
        assert open_deposit(world, amount="50.00").principal == Decimal("50.00")


def test_card_fixed_note_3_only_the_cards_current_main_account_pays(world):
    fixed_sub = world.zhang_fixed_book.sub_accounts.get(kind=SubAccountKind.FIXED_LUMP_SUM)
    with at(OPENED), pytest.raises(BusinessError, match=fixed.BOOK_NOTE_3):
        open_deposit(world, source=fixed_sub)


def test_book_note_1_a_passbook_pays_only_into_a_fixed_onebook(world):
    passbook = world.main(world.zhang_passbook)
    with at(OPENED), pytest.raises(BusinessError, match=fixed.PASSBOOK_TO_BOOK):
        open_deposit(world, source=passbook)
    with at(OPENED), pytest.raises(BusinessError, match=fixed.BOOK_NOTE_1):
        open_deposit(world, source=passbook, book=world.zhang_card.pk)
    with at(OPENED):
        deposit = open_deposit(world, source=passbook, book=world.zhang_fixed_book.pk, amount="100.00")
    assert deposit.sub_account.medium_id == world.zhang_fixed_book.pk
    assert deposit.interest_account_id == passbook.pk


def test_card_withdraw_note_4_partial_leaving_less_than_50_tells_to_close(world):
    with at(OPENED):
        deposit = open_deposit(world, amount="100.00")
    with at(date(2026, 4, 1)), pytest.raises(BusinessError) as caught:
        fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="60.00",
                       idempotency_key="t:w")
    assert "部分支取后的余额不能小于50元" in caught.value.message
    assert "销户" in caught.value.message
    assert balance(deposit.sub_account) == Decimal("100.00")


def test_card_withdraw_note_4_several_partial_withdrawals_are_allowed(world):
    with at(OPENED):
        deposit = open_deposit(world, amount="1000.00")
    with at(date(2026, 4, 1)):
        fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="300.00",
                       idempotency_key="t:1")
        fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="650.00",
                       idempotency_key="t:2")
    assert balance(deposit.sub_account) == Decimal("50.00")


def test_card_withdraw_note_5_no_partial_withdrawal_on_the_opening_day(world):
    with at(OPENED):
        deposit = open_deposit(world)
        with pytest.raises(BusinessError, match=fixed.WITHDRAW_NOTE_5):
            fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="100.00",
                           idempotency_key="t:w")
        # A full one is allowed and earns nothing.
        done = fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="10000.00",
                              idempotency_key="t:full")
    assert done.quote.interest == Decimal("0.00") and done.interest_receipt is None
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED
    assert deposit.sub_account.status == SubAccountStatus.CLOSED
    assert balance(world.main(world.zhang_card)) == Decimal("80000.00")


def test_card_withdraw_note_2_early_full_withdrawal_earns_current_interest(world):
    with at(OPENED):
        deposit = open_deposit(world)
    with at(date(2026, 6, 10)):  # 100 days
        done = fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="10000.00",
                              idempotency_key="t:w")
    assert done.quote.kind_label == "销户（提前全部支取）"
    assert done.quote.interest == Decimal("2.78")  # 10,000 × 0.10% / 360 × 100


def test_card_withdraw_note_3_closing_less_than_10_days_before_maturity_is_warned(world):
    with at(OPENED):
        deposit = open_deposit(world)
    with at(date(2027, 2, 25)):
        operation = fixed_withdraw_start(user=world.zhang, deposit_id=deposit.pk, full=True,
                                         amount=None)
    assert ["注意", fixed.WITHDRAW_NOTE_3] in operation.payload["_summary"]
    with at(date(2027, 1, 2)):
        operation = fixed_withdraw_start(user=world.zhang, deposit_id=deposit.pk, full=True,
                                         amount=None)
    assert ["注意", fixed.WITHDRAW_NOTE_3] not in operation.payload["_summary"]


def test_a_matured_deposit_is_taken_whole(world):
    with at(OPENED):
        deposit = open_deposit(world)
    with at(date(2027, 3, 5)), pytest.raises(BusinessError, match=fixed.MATURED_FULL_ONLY):
        fixed_withdraw(user=world.zhang, deposit_id=deposit.pk, amount="100.00",
                       idempotency_key="t:w")


def test_another_customers_deposit_is_unknown(world):
    with at(OPENED):
        deposit = open_deposit(world)
    with at(date(2026, 4, 1)), pytest.raises(BusinessError, match=fixed.DEPOSIT_UNKNOWN):
        fixed_withdraw(user=world.li, deposit_id=deposit.pk, amount="10000.00",
                       idempotency_key="t:w")


# --- X-CONFIRM, receipts, audit ------------------------------------------------------------------


def test_opening_through_the_confirmation_posts_once_with_receipts_on_both_sides(world):
    card = world.main(world.zhang_card)
    with at(OPENED):
        operation = fixed_open_start(user=world.zhang, from_sub_account_id=card.pk,
                                     fixed_book_id=None, term_months=12,
                                     amount=Decimal("10000.00"),
                                     maturity_option=MaturityOption.ROLL_ALL)
        operation = confirm(operation, user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    deposit = Deposit.objects.get()
    assert deposit.sub_account.kind == SubAccountKind.FIXED_LUMP_SUM
    assert deposit.sub_account.medium_id == world.zhang_card.pk
    assert (deposit.value_date, deposit.matures_on) == (OPENED, date(2027, 3, 2))
    assert deposit.auto_rollover and deposit.rollover_with_interest
    entry = Entry.objects.get(idempotency_key=operation.idempotency_key)
    assert entry.business_type == "deposit_open"
    receipts = Receipt.objects.filter(entry_id=entry.pk)
    assert {(r.sub_account_id, r.direction) for r in receipts} == {
        (card.pk, ReceiptDirection.DEBIT), (deposit.sub_account_id, ReceiptDirection.CREDIT)}
    assert AuditEvent.objects.filter(action="deposits.fixed_open").count() == 1


def test_the_manual_asks_for_a_security_tool_so_sms_is_refused(world):
    with at(OPENED), pytest.raises(BusinessError, match=TOOL_REQUIRED_MESSAGE):
        fixed_open_start(user=world.li, from_sub_account_id=world.main(world.li_card).pk,
                         fixed_book_id=None, term_months=12, amount=Decimal("1000.00"),
                         maturity_option=MaturityOption.HOLD)


def test_withdrawal_posts_interest_from_the_interest_expense_book_with_its_own_receipt(world):
    card = world.main(world.zhang_card)
    with at(OPENED):
        deposit = open_deposit(world)
    with at(date(2027, 3, 2)):
        operation = fixed_withdraw_start(user=world.zhang, deposit_id=deposit.pk, full=True,
                                         amount=None)
        operation = confirm(operation, user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    (entry,) = interest_entries()
    legs = {p.account_id: p for p in Posting.objects.filter(entry=entry)}
    assert set(legs) == {bank_book_id(BankBook.INTEREST_EXPENSE), card.ledger_account_id}
    receipt = Receipt.objects.get(entry_id=entry.pk)
    assert receipt.sub_account_id == card.pk and receipt.amount == Decimal("120.00")
    assert receipt.business == "利息" and receipt.payer_name == fixed.INTEREST_PAYER
    assert balance(card) == Decimal("80120.00")


# --- the nightly step ----------------------------------------------------------------------------


def batch_run(day: date) -> None:
    with at(day, hour=17):  # 01:00 Asia/Shanghai the next day
        call_command("run_nightly_batch", "--date", day.isoformat())


def test_nightly_rolls_principal_and_interest_at_the_rate_of_the_rollover_day(world):
    with at(OPENED):
        deposit = open_deposit(world, option=MaturityOption.ROLL_ALL)
    DepositRate.objects.create(product=Product.FIXED, term_months=12,
                               annual_rate=Decimal("1.10"), effective_from=date(2027, 1, 1))
    batch_run(date(2027, 3, 1))
    deposit.refresh_from_db()
    assert deposit.rollovers == 0
    batch_run(date(2027, 3, 2))
    deposit.refresh_from_db()
    assert deposit.rollovers == 1 and deposit.status == DepositStatus.OPEN
    assert deposit.value_date == date(2027, 3, 2) and deposit.matures_on == date(2028, 3, 2)
    assert deposit.annual_rate == Decimal("1.1000")
    assert balance(deposit.sub_account) == Decimal("10120.00") == deposit.principal
    (entry,) = interest_entries()
    assert Receipt.objects.get(entry_id=entry.pk).sub_account_id == deposit.sub_account_id


def test_nightly_rolls_the_principal_and_pays_the_interest_to_current(world):
    card = world.main(world.zhang_card)
    with at(OPENED):
        deposit = open_deposit(world, option=MaturityOption.ROLL_PRINCIPAL)
    batch_run(date(2027, 3, 2))
    deposit.refresh_from_db()
    assert deposit.rollovers == 1 and balance(deposit.sub_account) == Decimal("10000.00")
    assert balance(card) == Decimal("70120.00")


def test_nightly_pays_out_to_current_and_closes(world):
    card = world.main(world.zhang_card)
    with at(OPENED):
        deposit = open_deposit(world, option=MaturityOption.TO_CURRENT)
    batch_run(date(2027, 3, 5))  # a batch that runs late still pays the maturity once
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED and deposit.closed_on == date(2027, 3, 2)
    assert balance(card) == Decimal("80120.00")


def test_nightly_leaves_a_deposit_without_rollover_until_it_is_taken(world):
    with at(OPENED):
        deposit = open_deposit(world, option=MaturityOption.HOLD)
    batch_run(date(2027, 3, 2))
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.OPEN and deposit.rollovers == 0
    assert not interest_entries()


def test_nightly_rerun_and_resume_post_nothing_twice(world):
    with at(OPENED):
        a = open_deposit(world, option=MaturityOption.ROLL_ALL, key="t:a")
        b = open_deposit(world, option=MaturityOption.TO_CURRENT, key="t:b")
    batch_run(date(2027, 3, 2))
    entries = Entry.objects.count()
    batch_run(date(2027, 3, 2))  # the step is DONE: skipped
    # Run the work itself again (a resume after a kill would find it rolled back whole, or
    # done): nothing matures twice.
    with at(date(2027, 3, 3)):
        from django.db import transaction
        with transaction.atomic():
            assert fixed.fixed_maturities_run(date(2027, 3, 2)) == 0
    assert Entry.objects.count() == entries
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.rollovers == 1 and b.status == DepositStatus.CLOSED


def test_a_batch_behind_by_several_terms_rolls_each_once(world):
    with at(OPENED):
        deposit = open_deposit(world, term=3, option=MaturityOption.ROLL_PRINCIPAL)
    batch_run(date(2026, 9, 3))  # maturities 06-02 and 09-02
    deposit.refresh_from_db()
    assert deposit.rollovers == 2 and deposit.matures_on == date(2026, 12, 2)
    assert len(interest_entries()) == 2


def test_nightly_killed_half_way_rolls_back_whole_and_the_resume_posts_each_once(world,
                                                                                 monkeypatch):
    with at(OPENED):
        a = open_deposit(world, option=MaturityOption.ROLL_ALL, key="t:a")
        b = open_deposit(world, option=MaturityOption.TO_CURRENT, key="t:b")
    entries = Entry.objects.count()
    real = fixed._mature_once

    def dies_on_b(deposit, run=None):
        if deposit.pk == b.pk:
            raise RuntimeError("killed")  # after a's rollover was posted in the same step
        return real(deposit, run)

    monkeypatch.setattr(fixed, "_mature_once", dies_on_b)
    with pytest.raises(Exception, match="killed"):
        batch_run(date(2027, 3, 2))
    assert Entry.objects.count() == entries  # a's postings went with the step
    a.refresh_from_db()
    assert a.rollovers == 0
    monkeypatch.setattr(fixed, "_mature_once", real)
    batch_run(date(2027, 3, 2))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.rollovers == 1 and b.status == DepositStatus.CLOSED
    assert len(interest_entries()) == 2
    assert Entry.objects.count() == entries + 3  # a's interest, b's principal and interest


def test_a_rate_changed_between_submit_and_confirm_refuses_the_opening(world):
    # 提交 at 23:58 (Asia/Shanghai) shows 1.20 %; a new row takes effect at midnight; 确认 at
    # 00:01 would keep 1.30 % — not what was shown: refused, nothing opened or moved.
    DepositRate.objects.create(product=Product.FIXED, term_months=12,
                               annual_rate=Decimal("1.30"), effective_from=date(2026, 3, 3))
    card = world.main(world.zhang_card)
    before = balance(card)
    with time_machine.travel(datetime(2026, 3, 2, 15, 58, tzinfo=UTC), tick=False):
        operation = fixed_open_start(user=world.zhang, from_sub_account_id=card.pk,
                                     fixed_book_id=None, term_months=12,
                                     amount=Decimal("10000.00"),
                                     maturity_option=MaturityOption.ROLL_ALL)
    with time_machine.travel(datetime(2026, 3, 2, 16, 1, tzinfo=UTC), tick=False), \
            pytest.raises(BusinessError, match="利率已调整"):
        confirm(operation, user=world.zhang)
    assert not Deposit.objects.exists() and balance(card) == before
