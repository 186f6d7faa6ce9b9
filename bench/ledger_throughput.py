"""Ledger throughput: transfers per second through the ledger service, beside pgbench.

    .venv/bin/python bench/ledger_throughput.py [--seconds 20] [--accounts 1000] [--rounds 3]

Every transfer is the real path of an external movement, ``accounts.services.funds_move`` with
a limit subject: claim the idempotency key, consume the customer's daily limit on its locked
usage row, lock both ledger accounts in primary-key order, check the available balance, write
the entry and its postings, update the cached balances (on PostgreSQL one call of the PL/pgSQL
``ebank_funds_move``). Random pairs of 1,000 funded accounts; 1 process, then 4 processes, each
with its own connection over TCP to the same PostgreSQL. Two ways of calling it:

* **autocommit**: ``funds_move`` alone, one round trip, its row locks released at once — the
  figure this bench has always printed;
* **in a transaction**: as production calls it. A transfer posts inside the caller's durable
  transaction, after the caller has locked its own row (the confirmation its pending operation,
  the dispatcher its transfer), inside the savepoint the confirmation puts around the executor:
  BEGIN, ``SELECT … FOR UPDATE`` of the caller's row, SAVEPOINT, ``funds_move``, RELEASE,
  COMMIT. The ledger rows stay locked until the COMMIT. (The business records production
  writes in the same transaction — transfer, receipts, audit — are not part of the posting
  and not written here.)

Printed beside them, in the same run and on the same server: pgbench's TPC-B-like tps (scale
10, -c 8 -j 2) and single-client latency. Everything is measured ``--rounds`` times (each round:
pgbench -c 8, pgbench -c 1, every ledger row, pgbench -c 8 again) and each figure is printed
per round and as the median; a ledger row's ratio to pgbench is taken within its round, against
the mean of the round's first and last pgbench -c 8 (both printed: their gap is the drift of the
machine during the round).

It creates (and drops at the end) the databases ``ebank_bench`` and ``ebank_pgbench``.
"""

import argparse
import multiprocessing as mp
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": os.environ.get("PGHOST", "127.0.0.1"), "port": os.environ.get("PGPORT", "5432"),
      "user": os.environ.get("PGUSER", "postgres")}
# Another bench (bench/nightly.py) points it at its own database; spawned workers inherit it.
BENCH_DB = os.environ.get("EBANK_BENCH_DB", "ebank_bench")
PGBENCH_DB = "ebank_pgbench"
CALLER_TABLE = "bench_caller"
MODES = {"autocommit": "autocommit", "transaction": "in a transaction"}


def _env() -> dict:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "ebank.settings.prod",
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{BENCH_DB}",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "FIELD_ENCRYPTION_KEY": "bT0xK0n6oYQK4m0m2kY7uI5x6b2oRkq8oQ0cWwq0JqY=",
        "PIN_KEY": "bench-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "localhost",
        "LOG_LEVEL": "WARNING",
    })
    return env


def _psql(db: str, sql: str) -> None:
    subprocess.run(["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", db,
                    "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def _recreate(db: str) -> None:
    _psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    _psql("postgres", f"CREATE DATABASE {db}")


def _django():
    os.environ.update(_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup_accounts(n_accounts: int) -> list[tuple[int, int]]:
    """Open n funded customer accounts; return (ledger account id, customer id) pairs."""
    _django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from ebank.ledger.bank_books import BankBook, bank_book_id, bank_books_open
    from ebank.ledger.models import AccountOwner, BusinessType
    from ebank.ledger.services import Leg, entry_post, ledger_account_open

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        bank_books_open()
        cash = bank_book_id(BankBook.CASH)
        accounts = []
        for i in range(n_accounts):
            account = ledger_account_open(code=f"BENCH:{i:05d}", name=f"压测账户{i}",
                                          owner=AccountOwner.CUSTOMER)
            entry_post(idempotency_key=f"bench:fund:{i}", business_type=BusinessType.CASH_DEPOSIT,
                       reference="bench", legs=[Leg.debit(cash, Decimal("1000000.00")),
                                                Leg.credit(account.pk, Decimal("1000000.00"))])
            accounts.append((account.pk, 100000 + i))
    with connection.cursor() as cursor:
        # One row per worker process: what the caller locks before it posts (see _worker).
        cursor.execute(f"CREATE TABLE {CALLER_TABLE} (id integer PRIMARY KEY)")
        cursor.execute(f"INSERT INTO {CALLER_TABLE} SELECT generate_series(0, 63)")
    return accounts


def _worker(args) -> dict:
    accounts, seconds, seed, start_at, mode = args
    _django()
    from django.db import OperationalError, connection, transaction

    from accounts.services import funds_move
    from ebank.core.errors import BusinessError
    from ebank.limits.services import LimitSubject
    from transfers.models import TransferBusinessType

    rng = random.Random(seed)
    connection.ensure_connection()
    latencies: list[float] = []
    deadlocks = refused = 0

    def transfer() -> None:
        (src, customer_id), (dst, _) = rng.sample(accounts, 2)
        amount = Decimal(rng.randint(1, 10000)) / 100
        funds_move(debit_ledger_id=src, credit_ledger_id=dst, amount=amount,
                   idempotency_key=uuid.uuid4().hex,
                   business_type=TransferBusinessType.INTRA_TRANSFER,
                   reference="bench",
                   limit_subject=LimitSubject(customer_id=customer_id, branch_code="340101",
                                              has_security_tool=True))

    def transfer_in_transaction() -> None:
        # As operation_confirm → _execute → transfer_post: the caller's durable transaction,
        # its own row locked first, the executor in a savepoint, then the posting.
        with transaction.atomic(durable=True):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id FROM {CALLER_TABLE} WHERE id = %s FOR UPDATE",
                               [seed])
            with transaction.atomic():
                transfer()

    step = transfer if mode == "autocommit" else transfer_in_transaction
    while time.time() < start_at:
        time.sleep(0.001)
    stop = time.perf_counter() + seconds
    while (now := time.perf_counter()) < stop:
        try:
            step()
        except OperationalError as exc:
            if "deadlock" in str(exc):
                deadlocks += 1
                continue
            raise
        except BusinessError:
            refused += 1
            continue
        latencies.append(time.perf_counter() - now)
    return {"latencies": latencies, "deadlocks": deadlocks, "refused": refused}


def run_ledger(accounts, processes: int, seconds: float, mode: str) -> dict:
    ctx = mp.get_context("spawn")
    start_at = time.time() + 3  # let every process finish django.setup() first
    with ctx.Pool(processes) as pool:
        results = pool.map(_worker, [(accounts, seconds, seed, start_at, mode)
                                     for seed in range(processes)])
    latencies = sorted(x for r in results for x in r["latencies"])
    return {
        "tps": len(latencies) / seconds,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
        "deadlocks": sum(r["deadlocks"] for r in results),
        "refused": sum(r["refused"] for r in results),
        "count": len(latencies),
    }


def run_pgbench(clients: int, threads: int, seconds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["pgbench", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-c", str(clients),
               "-j", str(threads), "-T", str(seconds), "-l", "--log-prefix", f"{tmp}/log",
               PGBENCH_DB]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        latencies = []
        for log in Path(tmp).glob("log*"):
            for line in log.read_text().splitlines():
                latencies.append(int(line.split()[2]) / 1000)  # µs → ms
    latencies.sort()
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    return {"tps": tps, "p50_ms": statistics.median(latencies),
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1]}


def balance_total() -> Decimal:
    from django.db.models import Sum

    from ebank.ledger.models import LedgerAccount

    return LedgerAccount.objects.filter(code__startswith="BENCH:").aggregate(t=Sum("balance"))["t"]


def _median_of(rounds: list[dict], row: str, field: str) -> float:
    return statistics.median(r[row][field] for r in rounds)


def report(rounds: list[dict]) -> None:
    """Each row per round and its median; ratios to pgbench within each round."""
    def per_round(values, fmt: str) -> str:
        return " / ".join(format(v, fmt) for v in values)

    print()
    print(f"ledger_throughput (PostgreSQL over TCP, same server, same run; {len(rounds)} rounds, "
          "median first, then each round)")
    for row, label in (("pg8", "pgbench TPC-B-like  -c 8 -j 2"), ("pg1", "pgbench             -c 1")):
        tps = [r[row]["tps"] for r in rounds]
        line = f"  {label:36}: {statistics.median(tps):7.0f} tps  ({per_round(tps, '.0f')})"
        if row == "pg8":
            line += "   first → last: " + ", ".join(
                f"{r[row]['first']:.0f} → {r[row]['last']:.0f}" for r in rounds)
        if row == "pg1":
            line += (f"   p50 {_median_of(rounds, row, 'p50_ms'):.2f} ms"
                     f"  p99 {_median_of(rounds, row, 'p99_ms'):.2f} ms")
        print(line)
    for mode, words in MODES.items():
        for n in (1, 4):
            row = f"{mode}{n}"
            tps = [r[row]["tps"] for r in rounds]
            label = f"ledger {words}, {n} process{'es' if n > 1 else ''}"
            print(f"  {label:36}: {statistics.median(tps):7.0f} tps  ({per_round(tps, '.0f')})"
                  f"   p50 {_median_of(rounds, row, 'p50_ms'):.2f} ms"
                  f"  p99 {_median_of(rounds, row, 'p99_ms'):.2f} ms")
    print()
    for mode, words in MODES.items():
        ratios = [r[f"{mode}4"]["tps"] / r["pg8"]["tps"] for r in rounds]
        p50s = [r[f"{mode}1"]["p50_ms"] / r["pg1"]["p50_ms"] for r in rounds]
        p99s = [r[f"{mode}1"]["p99_ms"] / r["pg1"]["p99_ms"] for r in rounds]
        print(f"  {words}:")
        print(f"    ratio 4-process / pgbench    : {statistics.median(ratios):.2f}  "
              f"({per_round(ratios, '.2f')})   (target ≥ 0.40)")
        print(f"    1-process p50 / pgbench -c 1 : {statistics.median(p50s):.1f}x  "
              f"({per_round(p50s, '.1f')})   (target ≤ 3x)")
        print(f"    1-process p99 / pgbench -c 1 : {statistics.median(p99s):.1f}x  "
              f"({per_round(p99s, '.1f')})   (target ≤ 10x)")
    ledger_rows = [row for r in rounds for key, row in r.items() if not key.startswith("pg")]
    print(f"  deadlocks                           : {sum(row['deadlocks'] for row in ledger_rows)}")
    print(f"  refused (funds/limits)              : {sum(row['refused'] for row in ledger_rows)}")
    print(f"  transfers posted                    : {sum(row['count'] for row in ledger_rows)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    args = parser.parse_args()

    print(f"setting up {args.accounts} accounts in {BENCH_DB} and pgbench scale 10 …", flush=True)
    _recreate(BENCH_DB)
    _recreate(PGBENCH_DB)
    subprocess.run(["pgbench", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-i", "-q",
                    "-s", "10", PGBENCH_DB], check=True, capture_output=True)
    accounts = setup_accounts(args.accounts)
    before = balance_total()

    rounds = []
    for number in range(1, args.rounds + 1):
        # Other work on the machine moves every figure: the load it saw is printed with them.
        print(f"round {number} of {args.rounds} … (load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True)
        first = run_pgbench(8, 2, args.seconds)
        measured = {"pg1": run_pgbench(1, 1, min(args.seconds, 10))}
        for mode in MODES:
            for n in (1, 4):
                measured[f"{mode}{n}"] = run_ledger(accounts, n, args.seconds, mode)
        last = run_pgbench(8, 2, args.seconds)
        # The baseline is measured first and last; the round's rows are divided by the mean.
        measured["pg8"] = {"tps": (first["tps"] + last["tps"]) / 2, "first": first["tps"],
                           "last": last["tps"]}
        rounds.append(measured)

    from django.core.management import call_command

    after = balance_total()
    print(f"done (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    report(rounds)
    print(f"  balance total before / after        : {before} / {after} "
          f"({'unchanged' if before == after else 'CHANGED'})")
    call_command("verify_ledger")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        _psql("postgres", f"DROP DATABASE IF EXISTS {BENCH_DB}")
        _psql("postgres", f"DROP DATABASE IF EXISTS {PGBENCH_DB}")
    deadlocks = sum(row["deadlocks"] for r in rounds for key, row in r.items()
                    if not key.startswith("pg"))
    if before != after or deadlocks:
        sys.exit(1)


if __name__ == "__main__":
    main()
