"""信用卡 statement run: 100,000 cards with a month of activity each, the ``card_statements``
nightly step on their 账单日, beside the ledger's 4-process transfers/s in the same run.

    python bench/statements.py [--cards 100000] [--per-card 20] [--seconds 15] [--keep]

    (with the project's .venv; ``--help`` lists the options. ``EBANK_BENCH_DB`` picks the
    database, default ``ebank_bench_statements``.)

What it builds (migrated under production settings, as bench/ledger_throughput.py does):

* ``--cards`` customers with one 信用卡 each (limit ¥50,000.00, 账单日 the 5th, last statement on
  5 January 2026), and ``--per-card`` purchases per card posted 6 January – 5 February 2026
  (¥1.00–¥500.99, merchant and MCC varied), with their points; one card in four also has a
  退货 of its first purchase (the credit, its allocation, the purchase paid by it). Set-based
  (INSERT … SELECT): each card's month reaches the ledger as one entry (the card's sub-account
  debited with the month's net, 银联清算往来（信用卡） credited) — the statement run reads the
  items, not the entries; ``verify_ledger`` and the card invariant hold before the run.

What it measures:

* **transfers/s**: bench/ledger_throughput.py's ``run_ledger`` (``funds_move``, autocommit, 4
  processes, 1,000 accounts), before and after; the mean is the baseline.
* **a kill in the middle**: the step for 5 February 2026 in a child process through
  ``batch_step_run`` (one transaction with its DONE mark), killed with SIGKILL once half of the
  cards are done (``chunk_done``); nothing of it may be visible afterwards.
* **statements/s**: the rerun of the step in a fresh process: statements ÷ the step's own
  duration (its BatchStepRun). Target ≥ 0.5 × transfers/s.

Afterwards: exactly one statement per card, every item and credit on exactly one statement, each
statement's new debits equal to its items, the card invariant (ledger balance = items owed less
溢缴款) for every card, ``verify_ledger`` clean; the exit status is 1 otherwise.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("EBANK_BENCH_DB", "ebank_bench_statements")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ledger_throughput as lt  # noqa: E402  (after EBANK_BENCH_DB: its BENCH_DB reads it)

STATEMENT_DAY = date(2026, 2, 5)
LAST_STATEMENT = date(2026, 1, 5)
ISSUED = date(2025, 12, 1)
STEP = "card_statements"


def build_cards(n: int, per_card: int) -> None:
    """n customers with a card each and per_card purchases each (set-based)."""
    from django.db import connection, transaction

    from accounts.models import Bank, Branch, IdType
    from creditcard.models import CardBook
    from ebank.ledger.bank_books import bank_book_id

    with transaction.atomic():
        bank = Bank.objects.create(code="BENCH", name="压测银行")
        branch = Branch.objects.create(bank=bank, code="349901", name="压测支行")
        acquirer = bank_book_id(CardBook.ACQUIRER)
        with connection.cursor() as cursor:
            cursor.execute(BUILD_SQL, {"n": n, "branch": branch.pk, "issued": ISSUED,
                                       "last": LAST_STATEMENT, "id_type": IdType.PASSPORT})
            cursor.execute(ITEMS_SQL, {"per_card": per_card, "first": LAST_STATEMENT})
            cursor.execute(REFUNDS_SQL, {"first": LAST_STATEMENT})
            cursor.execute(POINTS_SQL, {"first": LAST_STATEMENT})
            for low in range(0, n, 20_000):
                cursor.execute(LEDGER_SQL, {"acquirer": acquirer, "low": low, "high": low + 20_000})


# Customers, media, ledger accounts, sub-accounts and cards, row i of each belonging together.
BUILD_SQL = """
WITH c AS (
    INSERT INTO accounts_customer (cif_no, name, branch_id, id_type, id_number_encrypted,
                                   id_number_digest, id_number_masked, phone, address, postcode,
                                   email, created_at)
    SELECT '8' || lpad(i::text, 9, '0'), '持卡人' || i, %(branch)s, %(id_type)s, '-', 'bench-' || i,
           'E****', '13800000000', '', '', '', now()
      FROM generate_series(1, %(n)s) AS i
    RETURNING id, cif_no
), m AS (
    INSERT INTO accounts_medium (number, kind, customer_id, branch_id, pin_hash, status,
                                 is_settlement, opened_on, pin_failures)
    SELECT '62591899' || right(cif_no, 8), 'credit_card', id, %(branch)s,
           '-', 'normal', false, %(issued)s, 0
      FROM c
    RETURNING id, number, customer_id
), l AS (
    INSERT INTO ledger_ledgeraccount (code, name, owner, normal_side, allow_negative, balance,
                                      held, created_at)
    SELECT 'C' || number || '-0001', '信用卡账户', 'customer', 'D', true, 0, 0, now() FROM m
    RETURNING id, code
), s AS (
    INSERT INTO accounts_subaccount (medium_id, seq, kind, ledger_account_id, currency, status,
                                     opened_on)
    SELECT m.id, 1, 'credit', l.id, 'CNY', 'open', %(issued)s
      FROM m JOIN l ON l.code = 'C' || m.number || '-0001'
    RETURNING id, medium_id
)
INSERT INTO creditcard_card (medium_id, sub_account_id, customer_id, product, credit_limit,
                             cash_limit, statement_day, status, issued_on, expires,
                             autorepay_mode, bill_delivery, bill_email, mailing_address,
                             postcode, employer, employer_phone, last_statement_on)
SELECT m.id, s.id, m.customer_id, '安徽农金信用卡', 50000, 25000, 5, 'active', %(issued)s,
       '12/30', 'none', 'ebank', '', '', '', '', '', %(last)s
  FROM m JOIN s ON s.medium_id = m.id
"""

ITEMS_SQL = """
INSERT INTO creditcard_carditem (card_id, kind, amount, outstanding, txn_date, posted_on,
                                 description, merchant, mcc, reference, refunded, points,
                                 created_at)
SELECT c.id, 'purchase', a.amount, a.amount, a.day, a.day, '消费 ' || a.merchant, a.merchant,
       a.mcc, 'B' || c.id || '-' || g, 0, floor(a.amount)::int, now()
  FROM creditcard_card c
 CROSS JOIN generate_series(1, %(per_card)s) AS g
 CROSS JOIN LATERAL (
    SELECT ((c.id * 7919 + g * 104729) %% 50000 + 100) / 100.0 AS amount,
           %(first)s::date + (1 + (c.id + g * 3) %% 31)::int AS day,
           (ARRAY['华联超市', '中石化加油站', '苏宁电器', '星巴克', '京东商城'])[1 + (c.id + g) %% 5]
               AS merchant,
           (ARRAY['5411', '5541', '5732', '5814', '5311'])[1 + (c.id + g) %% 5] AS mcc
 ) a
"""

# One card in four: a 退货 of its first purchase (by reference), applied to it.
REFUNDS_SQL = """
WITH first AS (
    SELECT DISTINCT ON (i.card_id) i.id, i.card_id, i.amount, i.posted_on, i.merchant
      FROM creditcard_carditem i
     WHERE i.card_id %% 4 = 0
     ORDER BY i.card_id, i.posted_on, i.id
), cr AS (
    INSERT INTO creditcard_cardcredit (card_id, kind, amount, unapplied, txn_date, posted_on,
                                       description, merchant, reference, refund_of_id, created_at)
    SELECT card_id, 'refund', amount, 0, %(first)s::date + 31, %(first)s::date + 31,
           '退货 ' || merchant, merchant, 'RF' || id, id, now()
      FROM first
    RETURNING id, refund_of_id, amount, posted_on
), al AS (
    INSERT INTO creditcard_allocation (credit_id, item_id, amount, applied_on)
    SELECT id, refund_of_id, amount, posted_on FROM cr
)
UPDATE creditcard_carditem i SET outstanding = 0, refunded = cr.amount
  FROM cr WHERE i.id = cr.refund_of_id
"""

POINTS_SQL = """
WITH p AS (
    SELECT c.customer_id, sum(i.points - CASE WHEN i.refunded > 0 THEN i.points ELSE 0 END) AS pts
      FROM creditcard_card c JOIN creditcard_carditem i ON i.card_id = c.id
     GROUP BY c.customer_id
), lot AS (
    INSERT INTO creditcard_pointslot (customer_id, source, points, remaining, earned_on,
                                      expires_on, reference)
    SELECT customer_id, 'card_purchase', pts, pts, %(first)s::date + 31, date '2028-02-29',
           'bench:' || customer_id
      FROM p WHERE pts > 0
)
INSERT INTO creditcard_pointsmove (customer_id, kind, points, moved_on, description, reference,
                                   created_at)
SELECT customer_id, 'earn', pts, %(first)s::date + 31, '信用卡消费', 'earn:bench:' || customer_id,
       now()
  FROM p WHERE pts > 0
"""

# One entry per card for its month (net of the refund): the card debited, the acquirer credited,
# the acquirer's running balance in posting-id order (as verify_ledger reads it).
LEDGER_SQL = """
WITH net AS (
    SELECT c.id AS card_id, s.ledger_account_id AS acc,
           (SELECT coalesce(sum(outstanding), 0) FROM creditcard_carditem i
             WHERE i.card_id = c.id) AS amt
      FROM creditcard_card c JOIN accounts_subaccount s ON s.id = c.sub_account_id
     WHERE c.id > (SELECT min(id) - 1 FROM creditcard_card) + %(low)s
       AND c.id <= (SELECT min(id) - 1 FROM creditcard_card) + %(high)s
), e AS (
    INSERT INTO ledger_entry (idempotency_key, fingerprint, business_type, reference, memo,
                              posted_at)
    SELECT 'bench:card:' || card_id, '-', 'card_purchase', 'bench', '信用卡消费（压测）', now()
      FROM net WHERE amt > 0
    RETURNING id, idempotency_key
), src AS (
    SELECT e.id AS e, n.acc, n.amt FROM e JOIN net n ON e.idempotency_key = 'bench:card:' || n.card_id
), book AS (
    SELECT id, balance FROM ledger_ledgeraccount WHERE id = %(acquirer)s
), legs AS (
    SELECT s.e, 0 AS leg, s.acc, 'D' AS side, s.amt, s.amt AS after FROM src s
    UNION ALL
    SELECT s.e, 1, b.id, 'C', s.amt, b.balance + SUM(s.amt) OVER (ORDER BY s.e)
      FROM src s CROSS JOIN book b
), ins AS (
    INSERT INTO ledger_posting (id, entry_id, account_id, side, amount, balance_after, posted_at)
    SELECT nextval(pg_get_serial_sequence('ledger_posting', 'id')), e, acc, side, amt, after,
           now()
      FROM (SELECT * FROM legs ORDER BY e, leg) ordered
    RETURNING 1
), cards AS (
    UPDATE ledger_ledgeraccount a SET balance = s.amt FROM src s WHERE a.id = s.acc RETURNING 1
), items AS (
    UPDATE creditcard_carditem i SET entry_id = e.id
      FROM e WHERE e.idempotency_key = 'bench:card:' || i.card_id RETURNING 1
)
UPDATE ledger_ledgeraccount a SET balance = a.balance + (SELECT sum(amt) FROM src)
 WHERE a.id = %(acquirer)s AND EXISTS (SELECT 1 FROM src)
"""

# The child: the step as the batch runs it; ``chunk_done`` writes the progress to a file.
CHILD = """
import os, sys
import django
django.setup()
from datetime import date
from creditcard.statements import run
from ebank.duework.services import batch_step_run

progress = os.environ["BENCH_PROGRESS"]

def chunk_done(done):
    with open(progress, "w") as f:
        f.write(str(done))

print("ready", flush=True)
batch_step_run(step="card_statements", business_date=date(2026, 2, 5),
               fn=lambda day: run.statement_run(day, chunk_done=chunk_done))
print("done", flush=True)
"""


def _child(progress: Path) -> subprocess.Popen:
    env = lt._env()
    env["BENCH_PROGRESS"] = str(progress)
    env["BANK_CA_DIR"] = os.environ["BANK_CA_DIR"]
    env["BANK_CA_PASSPHRASE"] = os.environ["BANK_CA_PASSPHRASE"]
    return subprocess.Popen([sys.executable, "-c", CHILD], cwd=lt.ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)


def kill_mid_way(n: int, tmp: Path) -> tuple[int, list[str]]:
    """Start the step, SIGKILL it once half the cards are done; what is visible afterwards."""
    from creditcard.models import Statement

    progress = tmp / "progress"
    child = _child(progress)
    assert child.stdout.readline().strip() == "ready"
    reached = 0
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline and child.poll() is None:
        if progress.exists() and (text := progress.read_text()):
            reached = int(text)
            if reached >= n // 2:
                break
        time.sleep(0.05)
    problems = []
    if child.poll() is not None:
        problems.append("the step ended before it could be killed")
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    time.sleep(1)  # the server notices the dead connection and rolls back
    if Statement.objects.exists():
        problems.append(f"{Statement.objects.count()} statements visible after the kill")
    return reached, problems


def rerun(tmp: Path) -> tuple[int, float]:
    from ebank.duework.models import BatchStepRun, BatchStepStatus

    child = _child(tmp / "progress-rerun")
    out, _ = child.communicate(timeout=3600)
    if child.returncode != 0 or "done" not in out:
        raise SystemExit(f"the rerun failed ({child.returncode}): {out}")
    run = BatchStepRun.objects.get(step=STEP, business_date=STATEMENT_DAY)
    assert run.status == BatchStepStatus.DONE
    return run.count, run.duration.total_seconds()


CHECK_SQL = {
    "cards without exactly one statement": """
        SELECT count(*) FROM creditcard_card c
         WHERE (SELECT count(*) FROM creditcard_statement s WHERE s.card_id = c.id) <> 1""",
    "items on no statement": """
        SELECT count(*) FROM creditcard_carditem WHERE statement_id IS NULL""",
    "credits on no statement": """
        SELECT count(*) FROM creditcard_cardcredit WHERE statement_id IS NULL""",
    "statements whose new debits differ from their items": """
        SELECT count(*) FROM creditcard_statement s
         WHERE s.new_debits <> (SELECT coalesce(sum(amount), 0) FROM creditcard_carditem i
                                 WHERE i.statement_id = s.id)""",
    "cards whose ledger balance differs from their items": """
        SELECT count(*) FROM creditcard_card c
          JOIN accounts_subaccount sa ON sa.id = c.sub_account_id
          JOIN ledger_ledgeraccount la ON la.id = sa.ledger_account_id
         WHERE la.balance <> (SELECT coalesce(sum(outstanding), 0) FROM creditcard_carditem i
                               WHERE i.card_id = c.id)
                             - (SELECT coalesce(sum(unapplied), 0) FROM creditcard_cardcredit r
                                 WHERE r.card_id = c.id)""",
}


def check(n: int) -> list[str]:
    from django.db import connection

    from ebank.ledger.selectors import ledger_violations

    problems = [str(v) for v in ledger_violations()][:20]
    with connection.cursor() as cursor:
        for what, sql in CHECK_SQL.items():
            cursor.execute(sql)
            count = cursor.fetchone()[0]
            if count:
                problems.append(f"{what}: {count}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=100_000, help="cards (default 100,000)")
    parser.add_argument("--per-card", type=int, default=20,
                        help="purchases per card in the month (default 20)")
    parser.add_argument("--seconds", type=int, default=15,
                        help="each transfers/s measurement (default 15)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-statements-"))
    os.environ["BANK_CA_DIR"] = str(tmp / "ca")
    os.environ["BANK_CA_PASSPHRASE"] = "bench-" + os.urandom(8).hex()
    print(f"setting up {lt.BENCH_DB}: 1,000 transfer accounts, {args.cards:,} cards × "
          f"{args.per_card} purchases …", flush=True)
    lt._recreate(lt.BENCH_DB)
    started = time.perf_counter()
    transfer_accounts = lt.setup_accounts(1000)  # migrate + bank books + its 1,000 accounts
    build_cards(args.cards, args.per_card)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    before = check(args.cards)
    seeded = [p for p in before if not p.startswith(("cards without", "items on no",
                                                     "credits on no", "statements whose"))]
    print(f"  set up in {time.perf_counter() - started:.0f}s; ledger and cards before the run: "
          f"{seeded if seeded else 'OK'}", flush=True)

    tps_before = lt.run_ledger(transfer_accounts, 4, args.seconds, "autocommit")["tps"]
    print(f"  transfers/s (4 processes) before: {tps_before:,.0f}", flush=True)

    reached, kill_problems = kill_mid_way(args.cards, tmp)
    print(f"  killed with SIGKILL after {reached:,} cards: "
          f"{kill_problems if kill_problems else 'nothing visible'}", flush=True)
    count, seconds = rerun(tmp)
    print(f"  rerun: {count:,} statements in {seconds:.1f}s", flush=True)

    tps_after = lt.run_ledger(transfer_accounts, 4, args.seconds, "autocommit")["tps"]
    print(f"  transfers/s (4 processes) after: {tps_after:,.0f}", flush=True)
    problems = seeded + kill_problems + check(args.cards)
    if count != args.cards:
        problems.append(f"{count:,} statements for {args.cards:,} cards")

    tps = (tps_before + tps_after) / 2
    rate = count / seconds
    print()
    print(f"statement run ({args.cards:,} cards × {args.per_card} purchases, PostgreSQL over TCP, "
          f"same server, same run)")
    print(f"  ledger transfers/s, 4 processes (autocommit) : {tps:9,.0f}  "
          f"(before {tps_before:,.0f}, after {tps_after:,.0f})")
    print(f"  statements/s (the step, one transaction)     : {rate:9,.0f}  "
          f"({count:,} in {seconds:.1f}s)")
    print(f"    ratio to transfers/s                       : {rate / tps:9.2f}  (target ≥ 0.5)")
    print(f"  killed mid-way, rerun: each statement once   : "
          f"{'OK' if not problems else 'FAILED'}")
    for problem in problems[:20]:
        print(f"    {problem}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        lt._psql("postgres", f"DROP DATABASE IF EXISTS {lt.BENCH_DB}")
    if problems or rate / tps < 0.5:
        sys.exit(1)


if __name__ == "__main__":
    main()
