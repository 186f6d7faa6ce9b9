"""活期 积数 and quarterly settlement through the nightly steps (DOMAIN-RULES §2 "活期 settlement",
"Nightly"): the closing balance of each business date once, missed days filled from the postings,
interest = 积数 × rate / 360 on the four 结息日 only, with its entry and 电子回单, the next period
starting fresh; the set-based PostgreSQL path against the portable one."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction

from accounts.models import Receipt
from accounts.receipts.services import receipt_verify
from deposits import current
from deposits.business_types import DepositBusinessType
from deposits.current import (
    AccrualGapError,
    RateMissing,
    accrual_run,
    is_settlement_date,
    last_settlement_before,
    settlement_run,
)
from deposits.models import CurrentAccrual
from ebank.core.clock import SHANGHAI
from ebank.duework.nightly import registered_steps
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import Entry, LedgerAccount, Posting
from ebank.ledger.selectors import ledger_violations

from .current_support import at, balance, current_account, move, rate, run_step

pytestmark = pytest.mark.django_db

SETTLE = date(2026, 3, 20)


def _accrual(account) -> CurrentAccrual:
    return CurrentAccrual.objects.get(sub_account=account)


def test_the_steps_are_registered_in_the_interest_band_accrual_first():
    steps = {step.name: step for step in registered_steps()}
    assert (steps["current_accrual"].order, steps["current_accrual"].label) == (100, "活期积数累计")
    assert (steps["current_settlement"].order, steps["current_settlement"].label) == (110, "活期结息")


def test_settlement_dates_are_the_20th_of_the_quarters_last_months():
    assert [d for d in (date(2026, m, 20) for m in range(1, 13)) if is_settlement_date(d)] == [
        date(2026, 3, 20), date(2026, 6, 20), date(2026, 9, 20), date(2026, 12, 20)]
    assert not is_settlement_date(date(2026, 3, 21))
    assert last_settlement_before(date(2026, 3, 20)) == date(2025, 12, 20)
    assert last_settlement_before(date(2026, 3, 21)) == date(2026, 3, 20)
    assert last_settlement_before(date(2026, 1, 1)) == date(2025, 12, 20)


def test_domain_example_accrual_1148000_at_0_10_settles_3_19_through_the_steps():
    rate("0.10")
    account = current_account(opened_on=date(2025, 11, 1))
    move(account, "10000.00", at(date(2025, 11, 1)))
    # The quarter so far (21 Dec – 19 Mar), then the 20th's closing balance by the step.
    CurrentAccrual.objects.create(sub_account=account, period_start=date(2025, 12, 21),
                                  accrued_through=date(2026, 3, 19),
                                  accrued=Decimal("1138000.00"))
    assert run_step("current_accrual", SETTLE)
    assert _accrual(account).accrued == Decimal("1148000.00")
    assert run_step("current_settlement", SETTLE)

    entry = Entry.objects.get(business_type=DepositBusinessType.CURRENT_INTEREST)
    assert entry.idempotency_key == f"current_interest:{account.pk}:20260320"
    legs = {(p.account_id, p.side, p.amount) for p in entry.postings.all()}
    assert legs == {(bank_book_id(BankBook.INTEREST_EXPENSE), "D", Decimal("3.19")),
                    (account.ledger_account_id, "C", Decimal("3.19"))}
    assert balance(account) == Decimal("10003.19")
    row = _accrual(account)
    assert (row.period_start, row.accrued) == (date(2026, 3, 21), Decimal("0.00"))
    assert ledger_violations() == []


def test_the_interest_receipt_line_is_there_and_verifies():
    rate("0.10")
    account = current_account(name="李娜", opened_on=date(2025, 11, 1))
    CurrentAccrual.objects.create(sub_account=account, period_start=date(2025, 12, 21),
                                  accrued_through=date(2026, 3, 19),
                                  accrued=Decimal("1148000.00"))
    run_step("current_accrual", SETTLE)  # balance 0: the 积数 stays 1,148,000
    run_step("current_settlement", SETTLE)
    receipt = Receipt.objects.get(sub_account=account)
    entry = Entry.objects.get(business_type=DepositBusinessType.CURRENT_INTEREST)
    assert (receipt.entry_id, receipt.direction, receipt.amount) == (entry.pk, "credit",
                                                                     Decimal("3.19"))
    assert (receipt.payer_name, receipt.payee_name, receipt.business) == (
        "本行利息支出", "李娜", "活期结息")
    assert receipt.payee_account == account.medium.number
    assert "2026-03-20" in receipt.purpose
    assert receipt.customer_id == account.medium.customer_id
    assert receipt_verify(number=receipt.number, posted_at=receipt.posted_at,
                          payer_account=receipt.payer_account, payer_name=receipt.payer_name,
                          payee_account=receipt.payee_account, payee_name=receipt.payee_name,
                          amount=receipt.amount, purpose=receipt.purpose,
                          verification_code=receipt.verification_code)


def test_accrual_adds_the_closing_balance_once_per_date_and_a_rerun_adds_nothing():
    account = current_account(opened_on=date(2026, 1, 5))
    move(account, "1000.00", at(date(2026, 1, 5)))
    assert run_step("current_accrual", date(2026, 1, 5))
    assert _accrual(account).accrued == Decimal("1000.00")
    # The step again for the date is skipped; the function again adds nothing.
    assert not run_step("current_accrual", date(2026, 1, 5))
    with time_machine.travel(at(date(2026, 1, 6), 0, 20)):
        assert accrual_run(date(2026, 1, 5)) == 0
    row = _accrual(account)
    assert (row.accrued, row.accrued_through, row.period_start) == (
        Decimal("1000.00"), date(2026, 1, 5), date(2026, 1, 5))
    move(account, "-300.00", at(date(2026, 1, 6)))
    run_step("current_accrual", date(2026, 1, 6))
    assert _accrual(account).accrued == Decimal("1700.00")


def test_postings_after_midnight_do_not_count_in_the_days_closing_balance():
    account = current_account(opened_on=date(2026, 1, 5))
    move(account, "1000.00", at(date(2026, 1, 5), 23, 59))
    move(account, "500.00", at(date(2026, 1, 6), 0, 0))  # the next business day already
    move(account, "-200.00", at(date(2026, 1, 6), 0, 5))
    run_step("current_accrual", date(2026, 1, 5), clock=at(date(2026, 1, 6), 0, 10))
    assert _accrual(account).accrued == Decimal("1000.00")
    run_step("current_accrual", date(2026, 1, 6))
    assert _accrual(account).accrued == Decimal("2300.00")


def test_missed_days_add_each_days_closing_balance_from_the_postings():
    """The batch did not run for 7–9 Jan: the run for the 10th adds those three days too, each
    at its own closing balance (decision: fill the gap rather than skip it)."""
    account = current_account(opened_on=date(2026, 1, 5))
    move(account, "1000.00", at(date(2026, 1, 5)))
    run_step("current_accrual", date(2026, 1, 6))  # first run: 5th and 6th → 2,000
    assert _accrual(account).accrued == Decimal("2000.00")
    move(account, "100.00", at(date(2026, 1, 8), 9))         # closing 7th 1000, 8th 1100
    move(account, "-50.00", at(date(2026, 1, 9), 18))        # 9th 1050
    move(account, "25.00", at(date(2026, 1, 10), 23, 59))    # 10th 1075
    move(account, "9999.00", at(date(2026, 1, 11), 0, 1))    # after the end of the 10th
    run_step("current_accrual", date(2026, 1, 10), clock=at(date(2026, 1, 11), 0, 10))
    row = _accrual(account)
    assert row.accrued == Decimal("2000.00") + Decimal("1000") + Decimal("1100") + \
        Decimal("1050") + Decimal("1075")
    assert row.accrued_through == date(2026, 1, 10)


def test_a_new_row_starts_after_the_last_settlement_or_on_the_opening_day():
    old = current_account(opened_on=date(2025, 6, 1))
    move(old, "100.00", at(date(2025, 12, 30)))
    new = current_account(opened_on=date(2026, 1, 3))
    move(new, "10.00", at(date(2026, 1, 3)))
    run_step("current_accrual", date(2026, 1, 4))
    # 21 Dec – 4 Jan: 15 days, the balance 100 from the 30th (6 days).
    assert (_accrual(old).period_start, _accrual(old).accrued) == (date(2025, 12, 21),
                                                                   Decimal("600.00"))
    assert (_accrual(new).period_start, _accrual(new).accrued) == (date(2026, 1, 3),
                                                                   Decimal("20.00"))


def test_accounts_opened_after_the_date_or_closed_get_no_accrual():
    later = current_account(opened_on=date(2026, 1, 7))
    closed = current_account(opened_on=date(2026, 1, 2))
    closed.status = "closed"
    closed.save(update_fields=["status"])
    run_step("current_accrual", date(2026, 1, 6))
    assert not CurrentAccrual.objects.filter(sub_account__in=[later, closed]).exists()


def test_a_gap_across_an_unsettled_settlement_date_is_refused():
    rate("0.35")
    account = current_account(opened_on=date(2026, 3, 1))
    move(account, "1000.00", at(date(2026, 3, 1)))
    run_step("current_accrual", date(2026, 3, 18))
    with pytest.raises(AccrualGapError, match="2026-03-20"):
        run_step("current_accrual", date(2026, 3, 22))
    # The 20th's batch first (积数 19th–20th, then settlement), then the 22nd resumes.
    run_step("current_accrual", SETTLE)
    run_step("current_settlement", SETTLE)
    assert run_step("current_accrual", date(2026, 3, 22))
    row = _accrual(account)
    paid = Entry.objects.get(business_type=DepositBusinessType.CURRENT_INTEREST)
    assert paid.postings.get(side="C").amount == Decimal("0.19")  # 20 × 1000 × 0.35 % / 360
    assert (row.period_start, row.accrued) == (date(2026, 3, 21), Decimal("2000.38"))


def test_settlement_runs_only_on_the_four_dates():
    rate("0.35")
    account = current_account(opened_on=date(2026, 1, 2))
    move(account, "100000.00", at(date(2026, 1, 2)))
    for day in (date(2026, 3, 19), date(2026, 4, 20), date(2026, 5, 20)):
        CurrentAccrual.objects.update_or_create(
            sub_account=account, defaults={"period_start": date(2026, 1, 2),
                                           "accrued_through": day,
                                           "accrued": Decimal("5000000.00")})
        with time_machine.travel(at(day + timedelta(days=1), 0, 10)):
            assert settlement_run(day) == 0
    assert not Entry.objects.filter(business_type=DepositBusinessType.CURRENT_INTEREST).exists()
    CurrentAccrual.objects.filter(sub_account=account).update(accrued_through=date(2026, 6, 20))
    with time_machine.travel(at(date(2026, 6, 21), 0, 10)):
        assert settlement_run(date(2026, 6, 20)) == 1
    assert Entry.objects.filter(business_type=DepositBusinessType.CURRENT_INTEREST).count() == 1


def test_the_next_period_starts_fresh_and_counts_the_interest_from_the_21st():
    rate("0.10")
    account = current_account(opened_on=date(2025, 11, 1))
    move(account, "10000.00", at(date(2025, 11, 1)))
    CurrentAccrual.objects.create(sub_account=account, period_start=date(2025, 12, 21),
                                  accrued_through=date(2026, 3, 19),
                                  accrued=Decimal("1138000.00"))
    run_step("current_accrual", SETTLE)
    run_step("current_settlement", SETTLE)  # 00:10 on the 21st: 3.19 credited
    run_step("current_accrual", date(2026, 3, 21))
    row = _accrual(account)
    assert (row.period_start, row.accrued_through, row.accrued) == (
        date(2026, 3, 21), date(2026, 3, 21), Decimal("10003.19"))
    assert ledger_violations() == []


def test_zero_interest_posts_nothing_and_still_restarts_the_period():
    rate("0.10")
    account = current_account(opened_on=date(2026, 3, 20))
    move(account, "1.00", at(date(2026, 3, 20)))
    run_step("current_accrual", SETTLE)
    assert run_step("current_settlement", SETTLE)
    assert not Entry.objects.filter(business_type=DepositBusinessType.CURRENT_INTEREST).exists()
    assert not Receipt.objects.exists()
    row = _accrual(account)
    assert (row.period_start, row.accrued) == (date(2026, 3, 21), Decimal("0.00"))


def test_settlement_without_a_current_rate_fails_the_step():
    account = current_account(opened_on=date(2026, 3, 1))
    move(account, "1000.00", at(date(2026, 3, 1)))
    run_step("current_accrual", SETTLE)
    with pytest.raises(RateMissing):
        run_step("current_settlement", SETTLE)
    assert _accrual(account).accrued == Decimal("20000.00")  # rolled back whole


def test_the_rate_in_force_on_the_settlement_day_is_used():
    rate("0.35", date(2025, 1, 1))
    rate("0.10", SETTLE)
    rate("0.05", date(2026, 3, 21))
    account = current_account(opened_on=date(2025, 11, 1))
    CurrentAccrual.objects.create(sub_account=account, period_start=date(2025, 12, 21),
                                  accrued_through=SETTLE, accrued=Decimal("1148000.00"))
    with time_machine.travel(at(date(2026, 3, 21), 0, 10)):
        settlement_run(SETTLE)
    assert balance(account) == Decimal("3.19")


def test_a_rerun_of_the_settlement_replays_by_the_key_and_posts_nothing_twice():
    rate("0.10")
    accounts = [current_account(opened_on=date(2025, 11, 1)) for _ in range(3)]
    for account in accounts:
        CurrentAccrual.objects.create(sub_account=account, period_start=date(2025, 12, 21),
                                      accrued_through=SETTLE, accrued=Decimal("1148000.00"))
    with time_machine.travel(at(date(2026, 3, 21), 0, 10)):
        assert settlement_run(SETTLE) == 3
        # As if the 积数 had not been reset (a resume that finds the entries already posted):
        CurrentAccrual.objects.update(accrued=Decimal("1148000.00"), period_start=date(2025, 12, 21))
        assert settlement_run(SETTLE) == 0
    assert Entry.objects.filter(business_type=DepositBusinessType.CURRENT_INTEREST).count() == 3
    assert Receipt.objects.count() == 3
    assert [balance(a) for a in accounts] == [Decimal("3.19")] * 3
    assert ledger_violations() == []


def test_settlement_in_chunks_keeps_the_bank_books_running_balance(monkeypatch):
    rate("0.35")
    monkeypatch.setattr(current, "SETTLEMENT_CHUNK", 2)
    accounts = [current_account(opened_on=date(2026, 1, 1)) for _ in range(5)]
    for i, account in enumerate(accounts):
        move(account, f"{(i + 1) * 1000}.00", at(date(2026, 1, 1)))
    run_step("current_accrual", SETTLE)
    seen = []
    with time_machine.travel(at(date(2026, 3, 21), 0, 10)):
        assert settlement_run(SETTLE, chunk_done=seen.append) == 5
    assert seen == [2, 4, 5]
    book = LedgerAccount.objects.get(code=BankBook.INTEREST_EXPENSE)
    # 79 days (1 Jan – 20 Mar): k × 79,000 × 0.35 % / 360 → 0.77, 1.54, 2.30, 3.07, 3.84.
    paid = [balance(a) - (i + 1) * 1000 for i, a in enumerate(accounts)]
    assert paid == [Decimal(x) for x in ("0.77", "1.54", "2.30", "3.07", "3.84")]
    assert book.balance == sum(paid)
    afters = list(Posting.objects.filter(account=book).order_by("id")
                  .values_list("amount", "balance_after"))
    running = Decimal("0.00")
    for amount, after in afters:
        running += amount
        assert after == running
    assert ledger_violations() == []


# --- the PostgreSQL path against the portable one ---------------------------------------------


def _scenario():
    rate("0.35")
    accounts = [current_account(opened_on=date(2025, 12, 1 + i)) for i in range(4)]
    move(accounts[0], "1000.00", at(date(2025, 12, 1)))
    move(accounts[1], "2500.50", at(date(2026, 1, 9)))
    move(accounts[1], "-500.25", at(date(2026, 2, 9)))
    move(accounts[2], "0.10", at(date(2026, 3, 1)))
    move(accounts[3], "888.88", at(date(2026, 3, 20), 23, 59))
    move(accounts[3], "7777.00", at(date(2026, 3, 21), 0, 1))
    move(accounts[0], "-1.00", at(date(2026, 3, 21), 0, 2))
    return accounts


def _snapshot(accounts):
    rows = {a.pk: (r.period_start, r.accrued_through, r.accrued)
            for a in accounts for r in [_accrual(a)]}
    interest = sorted(
        (e.idempotency_key, e.fingerprint, e.business_type, e.reference, e.memo,
         tuple(sorted((p.account_id, p.side, p.amount, p.balance_after) for p in e.postings.all())))
        for e in Entry.objects.filter(business_type=DepositBusinessType.CURRENT_INTEREST))
    receipts = sorted(
        (r.sub_account_id, r.entry_id in set(Entry.objects.values_list("id", flat=True)),
         r.direction, r.amount, r.payer_name, r.payer_account, r.payer_bank, r.payee_name,
         r.payee_account, r.payee_bank, r.purpose, r.business, r.channel)
        for r in Receipt.objects.all())
    balances = sorted(LedgerAccount.objects.values_list("code", "balance"))
    return rows, interest, receipts, balances


@pytest.mark.postgres
def test_the_set_based_sql_and_the_portable_path_give_the_same_rows(monkeypatch):
    accounts = _scenario()
    results = []
    for vendor in ("postgresql", "python"):
        with transaction.atomic():
            if vendor == "python":
                monkeypatch.setattr(current, "_accrual_pg", current._accrual_python)
                monkeypatch.setattr(current, "_settle_pg", current._settle_python)
            with time_machine.travel(datetime(2026, 3, 21, 0, 10, tzinfo=SHANGHAI), tick=False):
                accrual_run(date(2026, 3, 10))
                accrual_run(SETTLE)
                settlement_run(SETTLE)
            results.append(_snapshot(accounts))
            transaction.set_rollback(True)
    assert connection.vendor == "postgresql"
    assert results[0] == results[1]
    rows, interest, receipts, _ = results[0]
    assert len(interest) == 3 and len(receipts) == 3  # 0.10 for 20 days earns 0.00
    assert rows[accounts[3].pk] == (date(2026, 3, 21), SETTLE, Decimal("0.00"))
