"""Ledger throughput: transfers per second through the ledger service, beside pgbench.

    .venv/bin/python bench/ledger_throughput.py [--seconds 20] [--accounts 1000]

Every transfer is the real path of an external movement: claim the idempotency key, consume the
customer's daily limit on its locked usage row, lock both ledger accounts in primary-key order,
check the available balance, write the entry and its postings, update the cached balances.
Random pairs of 1,000 funded accounts; 1 process, then 4 processes, each with its own
connection over TCP to the same PostgreSQL. Printed beside them, in the same run and on the same
server: pgbench's TPC-B-like tps (scale 10, -c 8 -j 2) and single-client latency.

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
BENCH_DB = "ebank_bench"
PGBENCH_DB = "ebank_pgbench"


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
    from django.db import transaction

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
    return accounts


def _worker(args) -> dict:
    accounts, seconds, seed, start_at = args
    _django()
    from django.db import OperationalError, connection

    from accounts.services import funds_move
    from ebank.core.errors import BusinessError
    from ebank.limits.services import LimitSubject
    from transfers.models import TransferBusinessType

    rng = random.Random(seed)
    connection.ensure_connection()
    latencies: list[float] = []
    deadlocks = refused = 0
    while time.time() < start_at:
        time.sleep(0.001)
    stop = time.perf_counter() + seconds
    while (now := time.perf_counter()) < stop:
        (src, customer_id), (dst, _) = rng.sample(accounts, 2)
        amount = Decimal(rng.randint(1, 10000)) / 100
        try:
            funds_move(debit_ledger_id=src, credit_ledger_id=dst, amount=amount,
                       idempotency_key=uuid.uuid4().hex,
                       business_type=TransferBusinessType.INTRA_TRANSFER,
                       reference="bench",
                       limit_subject=LimitSubject(customer_id=customer_id, branch_code="340101",
                                                  has_security_tool=True))
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


def run_ledger(accounts, processes: int, seconds: float) -> dict:
    ctx = mp.get_context("spawn")
    start_at = time.time() + 3  # let every process finish django.setup() first
    with ctx.Pool(processes) as pool:
        results = pool.map(_worker, [(accounts, seconds, seed, start_at)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    args = parser.parse_args()

    print(f"setting up {args.accounts} accounts in {BENCH_DB} and pgbench scale 10 …", flush=True)
    _recreate(BENCH_DB)
    _recreate(PGBENCH_DB)
    subprocess.run(["pgbench", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-i", "-q",
                    "-s", "10", PGBENCH_DB], check=True, capture_output=True)
    accounts = setup_accounts(args.accounts)
    before = balance_total()

    pg8 = run_pgbench(8, 2, args.seconds)
    pg1 = run_pgbench(1, 1, min(args.seconds, 10))
    one = run_ledger(accounts, 1, args.seconds)
    four = run_ledger(accounts, 4, args.seconds)

    from django.core.management import call_command

    after = balance_total()
    print()
    print("ledger_throughput (PostgreSQL over TCP, same server, same run)")
    print(f"  pgbench TPC-B-like  -c 8 -j 2 : {pg8['tps']:8.0f} tps")
    print(f"  pgbench             -c 1      : {pg1['tps']:8.0f} tps   "
          f"p50 {pg1['p50_ms']:.2f} ms  p99 {pg1['p99_ms']:.2f} ms")
    print(f"  ledger transfers 1 process    : {one['tps']:8.0f} tps   "
          f"p50 {one['p50_ms']:.2f} ms  p99 {one['p99_ms']:.2f} ms")
    print(f"  ledger transfers 4 processes  : {four['tps']:8.0f} tps   "
          f"p50 {four['p50_ms']:.2f} ms  p99 {four['p99_ms']:.2f} ms")
    print(f"  ratio 4-process / pgbench     : {four['tps'] / pg8['tps']:.2f}   (target ≥ 0.40)")
    print(f"  1-process p50 / pgbench -c 1  : {one['p50_ms'] / pg1['p50_ms']:.1f}x   (target ≤ 3x)")
    print(f"  1-process p99 / pgbench -c 1  : {one['p99_ms'] / pg1['p99_ms']:.1f}x   (target ≤ 10x)")
    print(f"  deadlocks                     : {one['deadlocks'] + four['deadlocks']}")
    print(f"  refused (funds/limits)        : {one['refused'] + four['refused']}")
    print(f"  balance total before / after  : {before} / {after} "
          f"({'unchanged' if before == after else 'CHANGED'})")
    call_command("verify_ledger")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        _psql("postgres", f"DROP DATABASE IF EXISTS {BENCH_DB}")
        _psql("postgres", f"DROP DATABASE IF EXISTS {PGBENCH_DB}")
    if before != after or one["deadlocks"] or four["deadlocks"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
