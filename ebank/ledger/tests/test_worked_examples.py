"""Worked examples of the books: every posting of every entry asserted (the hordak habit)."""

from decimal import Decimal

import pytest
from django.db import transaction

from ebank.core.errors import IdempotencyConflict, InsufficientFunds
from ebank.ledger.models import BusinessType, Entry, Hold, HoldStatus, Posting
from ebank.ledger.selectors import ledger_violations
from ebank.ledger.services import (
    LedgerError,
    Leg,
    entry_post,
    hold_capture,
    hold_place,
    hold_release,
)
from transfers.models import TransferBusinessType

from .factories import BankLedgerAccountFactory, CustomerLedgerAccountFactory

pytestmark = pytest.mark.django_db
D = Decimal


def postings_of(entry_id):
    return [
        (p.account_id, p.side, p.amount, p.balance_after)
        for p in Posting.objects.filter(entry_id=entry_id).order_by("id")
    ]


@pytest.fixture
def books():
    cash = BankLedgerAccountFactory(code="T:CASH", name="库存现金")
    fee = BankLedgerAccountFactory(code="T:FEE", name="手续费收入", normal_side="C")
    clearing = BankLedgerAccountFactory(code="T:IBPS", name="网银互联清算往来")
    alice = CustomerLedgerAccountFactory(code="T:ALICE")
    bob = CustomerLedgerAccountFactory(code="T:BOB")
    return cash, fee, clearing, alice, bob


def deposit(cash, account, amount, key):
    return entry_post(idempotency_key=key, business_type=BusinessType.CASH_DEPOSIT,
                      reference=f"test:{key}", legs=[Leg.debit(cash.pk, D(amount)),
                                                    Leg.credit(account.pk, D(amount))])


def test_cash_deposit_then_transfer_then_fee(books):
    cash, fee, _clearing, alice, bob = books

    opening = deposit(cash, alice, "1000.00", "dep-1")
    assert postings_of(opening.entry_id) == [
        (cash.pk, "D", D("1000.00"), D("1000.00")),
        (alice.pk, "C", D("1000.00"), D("1000.00")),
    ]

    transfer = entry_post(
        idempotency_key="trf-1", business_type=TransferBusinessType.INTRA_TRANSFER,
        reference="trf:1",
        legs=[Leg.debit(alice.pk, D("300.00")), Leg.credit(bob.pk, D("300.00"))],
    )
    assert postings_of(transfer.entry_id) == [
        (alice.pk, "D", D("300.00"), D("700.00")),
        (bob.pk, "C", D("300.00"), D("300.00")),
    ]

    # A transfer with a fee: three legs, still balanced.
    with_fee = entry_post(
        idempotency_key="trf-2", business_type=TransferBusinessType.INTER_TRANSFER,
        reference="trf:2",
        legs=[Leg.debit(alice.pk, D("105.00")), Leg.credit(bob.pk, D("100.00")),
              Leg.credit(fee.pk, D("5.00"))],
    )
    assert postings_of(with_fee.entry_id) == [
        (alice.pk, "D", D("105.00"), D("595.00")),
        (bob.pk, "C", D("100.00"), D("400.00")),
        (fee.pk, "C", D("5.00"), D("5.00")),
    ]
    for account, balance in ((alice, "595.00"), (bob, "400.00"), (fee, "5.00"), (cash, "1000.00")):
        account.refresh_from_db()
        assert account.balance == D(balance)
    assert ledger_violations() == []


def test_overdraft_is_refused_and_nothing_is_written(books):
    cash, _fee, _clearing, alice, bob = books
    deposit(cash, alice, "100.00", "dep-1")
    entries_before = Entry.objects.count()
    with pytest.raises(InsufficientFunds), transaction.atomic():
        entry_post(idempotency_key="trf-big", business_type=TransferBusinessType.INTRA_TRANSFER,
                   reference="trf:big",
                   legs=[Leg.debit(alice.pk, D("100.01")), Leg.credit(bob.pk, D("100.01"))])
    assert Entry.objects.count() == entries_before
    alice.refresh_from_db()
    assert alice.balance == D("100.00")
    # The key was not burnt: the same key may be used for a transfer that fits.
    result = entry_post(idempotency_key="trf-big",
                        business_type=TransferBusinessType.INTRA_TRANSFER, reference="trf:big",
                        legs=[Leg.debit(alice.pk, D("100.00")), Leg.credit(bob.pk, D("100.00"))])
    assert not result.replayed


def test_replay_returns_the_first_entry_and_posts_nothing(books):
    cash, _fee, _clearing, alice, bob = books
    deposit(cash, alice, "500.00", "dep-1")
    legs = [Leg.debit(alice.pk, D("50.00")), Leg.credit(bob.pk, D("50.00"))]
    first = entry_post(idempotency_key="k", business_type=TransferBusinessType.INTRA_TRANSFER,
                       reference="r", legs=legs)
    calls = []
    again = entry_post(idempotency_key="k", business_type=TransferBusinessType.INTRA_TRANSFER,
                       reference="r", legs=legs, before_lock=lambda: calls.append(1))
    assert again.replayed and again.entry_id == first.entry_id
    assert calls == []  # a replay consumes no limit
    assert Posting.objects.filter(account=alice).count() == 2
    with pytest.raises(IdempotencyConflict), transaction.atomic():
        entry_post(idempotency_key="k", business_type=TransferBusinessType.INTRA_TRANSFER,
                   reference="r",
                   legs=[Leg.debit(alice.pk, D("50.01")), Leg.credit(bob.pk, D("50.01"))])


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        (lambda a, b: [Leg.debit(a, D("1.00"))], "至少需要两条"),
        (lambda a, b: [Leg.debit(a, D("1.00")), Leg.credit(b, D("0.99"))], "借贷不平衡"),
        (lambda a, b: [Leg.debit(a, D("0.00")), Leg.credit(b, D("0.00"))], "大于零"),
        (lambda a, b: [Leg.debit(a, D("-1.00")), Leg.credit(b, D("-1.00"))], "大于零"),
        (lambda a, b: [Leg.debit(a, D("1.001")), Leg.credit(b, D("1.001"))], "两位小数"),
        (lambda a, b: [Leg.debit(a, 1.0), Leg.credit(b, 1.0)], "Decimal"),
    ],
    ids=["one-leg", "unbalanced", "zero", "negative", "three-decimals", "float"],
)
def test_malformed_entries_are_refused(books, legs, message):
    _cash, _fee, _clearing, alice, bob = books
    with pytest.raises(LedgerError, match=message):
        entry_post(idempotency_key="bad", business_type=BusinessType.ADJUSTMENT, reference="bad",
                   legs=legs(alice.pk, bob.pk))
    assert not Entry.objects.filter(idempotency_key="bad").exists()


def test_hold_reserves_then_capture_moves_the_held_money(books):
    cash, _fee, clearing, alice, bob = books
    deposit(cash, alice, "500.00", "dep-1")
    hold = hold_place(account_id=alice.pk, amount=D("200.00"), idempotency_key="hold-1",
                      reference="inter:1", reason="跨行转账在途")
    alice.refresh_from_db()
    assert (alice.balance, alice.held, alice.available) == (D("500.00"), D("200.00"), D("300.00"))

    # Held money is not available to anything else.
    with pytest.raises(InsufficientFunds), transaction.atomic():
        entry_post(idempotency_key="trf-x", business_type=TransferBusinessType.INTRA_TRANSFER,
                   reference="x", legs=[Leg.debit(alice.pk, D("300.01")),
                                        Leg.credit(bob.pk, D("300.01"))])

    result = hold_capture(hold=hold, idempotency_key="capture-1",
                          business_type=TransferBusinessType.INTER_TRANSFER, reference="inter:1",
                          legs=[Leg.debit(alice.pk, D("200.00")),
                                Leg.credit(clearing.pk, D("200.00"))])
    assert postings_of(result.entry_id) == [
        (alice.pk, "D", D("200.00"), D("300.00")),
        (clearing.pk, "C", D("200.00"), D("-200.00")),
    ]
    alice.refresh_from_db()
    hold.refresh_from_db()
    assert (alice.balance, alice.held) == (D("300.00"), D("0.00"))
    assert hold.status == HoldStatus.CAPTURED and hold.entry_id == result.entry_id
    # Capturing again is a replay, not a second debit.
    again = hold_capture(hold=hold, idempotency_key="capture-1",
                         business_type=TransferBusinessType.INTER_TRANSFER, reference="inter:1",
                         legs=[Leg.debit(alice.pk, D("200.00")),
                               Leg.credit(clearing.pk, D("200.00"))])
    assert again.replayed
    assert ledger_violations() == []


def test_hold_release_gives_the_money_back_once(books):
    cash, _fee, _clearing, alice, _bob = books
    deposit(cash, alice, "100.00", "dep-1")
    hold = hold_place(account_id=alice.pk, amount=D("60.00"), idempotency_key="h",
                      reference="r")
    with pytest.raises(InsufficientFunds), transaction.atomic():
        hold_place(account_id=alice.pk, amount=D("40.01"), idempotency_key="h2", reference="r2")
    hold_release(hold=hold)
    hold_release(hold=hold)
    alice.refresh_from_db()
    assert alice.held == D("0.00")
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.RELEASED
    assert ledger_violations() == []


def test_verify_ledger_reports_a_tampered_cache(books):
    cash, _fee, _clearing, alice, _bob = books
    deposit(cash, alice, "100.00", "dep-1")
    type(alice).objects.filter(pk=alice.pk).update(balance=D("99.00"))
    kinds = {v.kind for v in ledger_violations()}
    assert {"balance", "running"} <= kinds
