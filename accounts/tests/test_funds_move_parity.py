"""The ledger's twin paths agree: one table of scenarios through both, on PostgreSQL.

``funds_move`` runs the PL/pgSQL function ``ebank_funds_move`` on PostgreSQL (``_funds_move_pg``)
and ``entry_post`` with ``limit_consume`` elsewhere (``_funds_move_python``). Each path here
plays the whole table below on the same fresh books, at the same frozen instant, inside a
transaction that is rolled back afterwards; then every result or refusal, entry, posting
(with its running balance), account balance and hold, and limit-usage row of the two runs is
compared row by row. Accounts and entries are named (``alice``, the idempotency key) rather
than numbered, since the two runs draw different ids from the sequences.

The last tests prove the comparison can fail: a Python path that forgets the limit, a function
that forgets the holds and one that miscounts the usage row are all caught.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from accounts.services import _funds_move_pg, _funds_move_python
from ebank.core.errors import BusinessError
from ebank.ledger.models import Entry, Hold, LedgerAccount, Posting
from ebank.ledger.selectors import ledger_violations
from ebank.ledger.services import Leg, entry_fingerprint, entry_post, hold_place
from ebank.ledger.tests.factories import BankLedgerAccountFactory, CustomerLedgerAccountFactory
from ebank.limits.models import DailyLimitUsage, LimitLevel
from ebank.limits.services import LimitSubject, limit_policy_set

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
D = Decimal
NOON = datetime(2027, 3, 15, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, a Monday

# Who moves: the customer's LimitSubject (None: an own-account move, which takes no limit).
SUBJECTS = {
    "A": LimitSubject(customer_id=1, branch_code="340101", has_security_tool=True),
    "B": LimitSubject(customer_id=2, branch_code="340101", has_security_tool=True),
    "T": LimitSubject(customer_id=3, branch_code="340101", has_security_tool=False),
    None: None,
}


@dataclass(frozen=True)
class Step:
    key: str
    debit: str
    credit: str
    amount: str
    subject: str | None
    expect: str  # what the step must come to, on both paths
    business_type: str = "intra_transfer"
    memo: str = ""


# The books before the table: alice 1,000.00; bob 0; carol 300.00 of which 200.00 held; card
# (a credit card: debit-normal, may go negative) 0; cash (a bank book) whatever funded them.
# Limits: bank 500 single / 800 daily; customer B set 80 / 100; tool-less 200 / 300.
SCENARIOS = [
    Step("t1", "alice", "bob", "300.00", "A", "posted"),
    Step("t1", "alice", "bob", "300.00", "A", "replayed"),
    Step("t1", "alice", "bob", "300.01", "A", "IdempotencyConflict"),
    Step("t2", "alice", "bob", "500.01", "A", "LimitRefused:bank:single"),
    Step("t3", "alice", "bob", "500.00", "A", "posted", memo="房租" * 70),  # cut to 128
    Step("t4", "alice", "bob", "0.01", "A", "LimitRefused:bank:daily"),
    Step("t5", "bob", "alice", "80.01", "B", "LimitRefused:customer:single"),
    Step("t6", "bob", "alice", "50.00", "B", "posted"),
    Step("t7", "bob", "alice", "50.01", "B", "LimitRefused:customer:daily"),
    Step("t8", "carol", "bob", "200.01", "T", "LimitRefused:toolless:single"),
    Step("t9", "alice", "carol", "150.00", "T", "posted"),
    Step("t8", "carol", "bob", "160.00", "T", "LimitRefused:toolless:daily"),
    # carol: balance 450.00, 200.00 held → 250.00 available.
    Step("t10", "carol", "bob", "250.01", None, "InsufficientFunds", "own_transfer"),
    Step("t10", "carol", "bob", "250.00", None, "posted", "own_transfer"),  # a refused key is free
    # alice: 100.00 left, her day used up: the limit refuses before the funds are looked at.
    Step("t11", "alice", "bob", "100.01", "A", "LimitRefused:bank:daily"),
    Step("t12", "alice", "bob", "100.01", None, "InsufficientFunds", "own_transfer"),
    Step("t12", "alice", "bob", "100.00", None, "posted", "own_transfer"),  # down to zero
    Step("t3", "alice", "bob", "500.00", "A", "replayed", memo="房租" * 70),  # no funds, no limit
    Step("t13", "card", "bob", "1000.00", None, "posted", "own_transfer"),  # may go negative
    Step("t14", "bob", "card", "300.00", "B", "LimitRefused:customer:daily"),
    Step("t14", "bob", "card", "300.00", None, "posted", "own_transfer"),  # repays the card
    Step("t15", "bob", "cash", "0.00", None, "LedgerError"),  # not an amount
    Step("t15", "bob", "nowhere", "1.00", None, "LedgerError"),  # no such account
    Step("t16", "cash", "alice", "5.00", None, "posted", "cash_deposit"),
]


def build_books() -> dict[str, int]:
    cash = BankLedgerAccountFactory()
    alice, bob, carol = (CustomerLedgerAccountFactory() for _ in range(3))
    card = CustomerLedgerAccountFactory(normal_side="D", allow_negative=True)
    for name, account, amount in (("alice", alice, "1000.00"), ("carol", carol, "300.00")):
        entry_post(idempotency_key=f"fund:{name}", business_type="cash_deposit",
                   reference=f"fund:{name}",
                   legs=[Leg.debit(cash.pk, D(amount)), Leg.credit(account.pk, D(amount))])
    hold_place(account_id=carol.pk, amount=D("200.00"), idempotency_key="hold:carol",
               reference="hold:carol")
    limit_policy_set(level=LimitLevel.BANK, single_limit=D("500.00"), daily_limit=D("800.00"))
    limit_policy_set(level=LimitLevel.CUSTOMER, scope="2", branch_code="340101",
                     single_limit=D("80.00"), daily_limit=D("100.00"))
    limit_policy_set(level=LimitLevel.TOOLLESS, single_limit=D("200.00"),
                     daily_limit=D("300.00"))
    # "nowhere": an id no account has (the sequence has passed it: it was never used).
    return {"cash": cash.pk, "alice": alice.pk, "bob": bob.pk, "carol": carol.pk,
            "card": card.pk, "nowhere": card.pk + 1_000_000}


def outcome(error: BusinessError) -> tuple:
    """A refusal as compared: its class, code and message, and the limit it names.

    A LedgerError's message is left out: it is a programming error (no customer sees it), and
    the paths word it differently (the function cannot name the missing account).
    """
    name = type(error).__name__
    if name == "LedgerError":
        return (name, error.code)
    return (name, error.code, error.message, getattr(error, "level", None),
            getattr(error, "kind", None), getattr(error, "limit", None),
            getattr(error, "remaining", None))


def play(path, books: dict[str, int], step: Step) -> tuple:
    """One step as production runs it: inside the caller's transaction (a savepoint here)."""
    try:
        with transaction.atomic():
            result = path(
                legs=[Leg.debit(books[step.debit], D(step.amount)),
                      Leg.credit(books[step.credit], D(step.amount))],
                idempotency_key=step.key, business_type=step.business_type,
                reference=f"ref:{step.key}", memo=step.memo, limit_subject=SUBJECTS[step.subject])
    except BusinessError as error:
        return outcome(error)
    except DatabaseError as error:  # the database's own invariants refused: a bug on this path
        return (type(error).__name__, getattr(error.__cause__, "sqlstate", None))
    key = Entry.objects.values_list("idempotency_key", flat=True).get(pk=result.entry_id)
    return ("replayed" if result.replayed else "posted", key)


def snapshot(books: dict[str, int], outcomes: list[tuple]) -> dict[str, list]:
    names = {pk: name for name, pk in books.items()}
    entries = Entry.objects.order_by("id")
    keys = dict(entries.values_list("id", "idempotency_key"))
    legs: dict[int, list[Leg]] = {}
    for entry_id, account_id, side, amount in Posting.objects.values_list(
            "entry_id", "account_id", "side", "amount"):
        legs.setdefault(entry_id, []).append(Leg(account_id, side, amount))
    return {
        "outcomes": outcomes,
        # The fingerprint hashes account ids, which differ between the runs: compared is
        # whether it is the fingerprint of the entry's own postings.
        "entries": [(key, fingerprint == entry_fingerprint(business_type, reference, legs[pk]),
                     business_type, reference, memo, posted_at)
                    for pk, key, fingerprint, business_type, reference, memo, posted_at
                    in entries.values_list("id", "idempotency_key", "fingerprint",
                                           "business_type", "reference", "memo", "posted_at")],
        "postings": [(keys[entry_id], names[account_id], side, amount, balance_after, posted_at)
                     for entry_id, account_id, side, amount, balance_after, posted_at
                     in Posting.objects.order_by("id").values_list(
                         "entry_id", "account_id", "side", "amount", "balance_after",
                         "posted_at")],
        "accounts": sorted((names[pk], balance, held) for pk, balance, held
                           in LedgerAccount.objects.values_list("pk", "balance", "held")),
        "holds": [(names[account_id], amount, status, keys.get(entry_id))
                  for account_id, amount, status, entry_id in Hold.objects.order_by("id")
                  .values_list("account_id", "amount", "status", "entry_id")],
        "usage": list(DailyLimitUsage.objects.order_by("customer_id", "channel").values_list(
            "customer_id", "day", "channel", "used", "count")),
        "violations": [str(v) for v in ledger_violations()],
    }


def run(path, scenarios=SCENARIOS) -> dict[str, list]:
    """The table through one path on fresh books; everything it wrote is rolled back."""
    with time_machine.travel(NOON, tick=False), transaction.atomic():
        books = build_books()
        outcomes = [play(path, books, step) for step in scenarios]
        state = snapshot(books, outcomes)
        transaction.set_rollback(True)
    return state


def differences(sql: dict[str, list], python: dict[str, list]) -> list[str]:
    found = []
    for section in sql:
        left, right = sql[section], python[section]
        if len(left) != len(right):
            found.append(f"{section}: {len(left)} rows through SQL, {len(right)} through Python")
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            if a != b:
                found.append(f"{section}[{index}]: SQL {a!r} != Python {b!r}")
    return found


def expected(step: Step, got: tuple) -> bool:
    if step.expect in ("posted", "replayed"):
        return got == (step.expect, step.key)
    name, *rest = step.expect.split(":")
    return got[0] == name and (not rest or tuple(rest) == (got[3], got[4]))


def test_both_paths_write_the_same_books_and_refuse_alike():
    sql, python = run(_funds_move_pg), run(_funds_move_python)
    # The table tests what it says it tests (the same on both, by the comparison below).
    assert [step.expect for step, got in zip(SCENARIOS, python["outcomes"], strict=True)
            if not expected(step, got)] == [], python["outcomes"]
    assert differences(sql, python) == []
    # And the runs were not empty: every kind of row is there to compare.
    assert len(python["postings"]) == 2 * len(python["entries"]) == 2 * 11
    assert python["violations"] == []
    assert ("alice", D("5.00"), D("0.00")) in python["accounts"]
    assert ("card", D("700.00"), D("0.00")) in python["accounts"]
    assert ("carol", D("200.00"), D("200.00")) in python["accounts"]
    assert [row[3:] for row in python["usage"]] == [(D("800.00"), 2), (D("50.00"), 1),
                                                    (D("150.00"), 1)]


def test_the_comparison_sees_a_python_path_that_forgets_the_limit():
    def forgetful(**kwargs):
        return _funds_move_python(**{**kwargs, "limit_subject": None})

    found = differences(run(_funds_move_pg), run(forgetful))
    assert any(line.startswith("outcomes[") for line in found)
    assert any(line.startswith("usage") for line in found)


@pytest.mark.parametrize(("wrong", "right", "seen_in"), [
    # Forgets the holds: carol's 250.01 passes the function's check; the table's CHECK
    # (balance >= held) then refuses it, where the Python path said InsufficientFunds.
    ("_balance < r.held", "_balance < 0", "outcomes"),
    # Counts no movements on the usage row after the day's first.
    ("count = limits_dailylimitusage.count + 1", "count = limits_dailylimitusage.count",
     "usage"),
], ids=["forgets-holds", "miscounts-usage"])
def test_the_comparison_sees_a_function_that_differs(wrong, right, seen_in):
    source = [text for path in sorted(Path(__file__).parents[1].glob("migrations/*.sql"))
              if "FUNCTION ebank_funds_move(" in (text := path.read_text(encoding="utf-8"))][-1]
    assert wrong in source
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(source.replace(wrong, right))  # DDL is transactional: rolled back
        found = differences(run(_funds_move_pg), run(_funds_move_python))
        transaction.set_rollback(True)
    assert any(line.startswith(f"{seen_in}[") for line in found), found
