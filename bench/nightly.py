"""Nightly batch: 活期 积数 and quarterly 活期结息 over 100,000 current sub-accounts, beside the
ledger's transfers/s and a bare UPDATE.

    python bench/nightly.py [--accounts 100000] [--seconds 15] [--keep]

What it builds (database ``ebank_bench_nightly``, dropped at the end unless ``--keep``; migrated
under production settings as bench/ledger_throughput.py does):

* ``--accounts`` customers' debit cards (five per customer), each with its 活期主账户 and ledger
  account, opened 1 March 2026, funded ¥100.00–¥100,000.00 that day in one set-based entry;
  one account in twenty also gets money at 00:05 on the 21st (after the end of the 20th: the 积数
  must leave it out);
* the 活期 rate 0.10 % (in force since 2025).

What it measures, on the same server in the same run:

* **transfers/s**: bench/ledger_throughput.py's own ``run_ledger`` (``funds_move``, autocommit,
  4 processes) over its 1,000 accounts, once before the nightly figures and once after; the
  mean of the two is the baseline (both printed).
* **积数**: the ``current_accrual`` step for 17 March (creating the rows and filling 1–17 March
  from the postings: printed, not compared), then for 18, 19 and 20 March, each beside a bare
  ``UPDATE deposits_currentaccrual … SET accrued = accrued + balance`` over the same rows
  (rolled back), VACUUM ANALYZE before each; ratio = step rows/s ÷ bare rows/s, median of 3.
  Target ≥ 0.5.
* **活期结息**: the ``current_settlement`` step for 20 March 2026 through ``batch_step_run``: every
  account's interest entry (利息支出 → account), its postings, balances and 电子回单, in one
  transaction. Ratio = entries/s ÷ transfers/s. Target ≥ 1.0.
* **maturities**: n/a until the 整存整取 nightly step exists.

Afterwards ``verify_ledger`` must be clean and every account must have exactly one interest
entry; the exit status is 1 otherwise.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("EBANK_BENCH_DB", "ebank_bench_nightly")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ledger_throughput as lt  # noqa: E402  (after EBANK_BENCH_DB: its BENCH_DB reads it)

SETTLE = date(2026, 3, 20)
OPENED = date(2026, 3, 1)
PER_CUSTOMER = 5


def _shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    from ebank.core.clock import SHANGHAI

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def build_current_accounts(n: int) -> None:
    """n 活期主账户 on n/5 customers, funded in one entry of n+1 postings (set-based)."""
    from django.db import connection, transaction

    from accounts.models import (
        Bank,
        Branch,
        Customer,
        IdType,
        Medium,
        MediumKind,
        SubAccount,
        SubAccountKind,
    )
    from deposits.models import DepositRate, Product
    from ebank.ledger.bank_books import BankBook, bank_book_id
    from ebank.ledger.models import AccountOwner, LedgerAccount

    rng = random.Random(14)
    with transaction.atomic():
        bank = Bank.objects.create(code="BENCH", name="压测银行")
        branch = Branch.objects.create(bank=bank, code="349901", name="压测支行")
        customers = Customer.objects.bulk_create(
            [Customer(cif_no=f"9{i:09d}", name=f"客户{i}", branch=branch,
                      id_type=IdType.PASSPORT, id_number_encrypted="-",
                      id_number_digest=f"bench-{i}", id_number_masked="E****",
                      phone="13800000000") for i in range((n + PER_CUSTOMER - 1) // PER_CUSTOMER)],
            batch_size=5000)
        media = Medium.objects.bulk_create(
            [Medium(number=f"62267999{i:011d}", kind=MediumKind.DEBIT_CARD,
                    customer=customers[i // PER_CUSTOMER], branch=branch, pin_hash="-",
                    opened_on=OPENED) for i in range(n)], batch_size=5000)
        ledgers = LedgerAccount.objects.bulk_create(
            [LedgerAccount(code=f"C{m.number}-0001", name="活期主账户", owner=AccountOwner.CUSTOMER,
                           normal_side="C") for m in media], batch_size=5000)
        SubAccount.objects.bulk_create(
            [SubAccount(medium=m, seq=1, kind=SubAccountKind.CURRENT_MAIN, ledger_account=la,
                        opened_on=OPENED) for m, la in zip(media, ledgers, strict=True)],
            batch_size=5000)
        DepositRate.objects.create(product=Product.CURRENT, term_months=0,
                                   annual_rate=Decimal("0.10"), effective_from=date(2025, 1, 1))
        cash = bank_book_id(BankBook.CASH)
        ids = [la.pk for la in ledgers]
        opening = [Decimal(rng.randint(10_000, 10_000_000)) / 100 for _ in ids]
        late = ids[::20]
        _fund(connection, cash, ids, opening, "bench:open", _shanghai(OPENED, 10))
        _fund(connection, cash, late, [Decimal("50.00")] * len(late), "bench:late",
              _shanghai(date(2026, 3, 21), 0, 5))


def _fund(connection, cash: int, ids: list[int], amounts: list[Decimal], key: str,
          when: datetime) -> None:
    """One cash deposit entry per account (the cash book debited, the account credited), set-based
    with the settlement's own posting statement; in chunks (one entry of 100,000 legs would make
    the ledger's deferred balance trigger sum it 100,000 times)."""
    from deposits.current import _POST_SQL

    for at in range(0, len(ids), 20_000):
        part, values = ids[at:at + 20_000], amounts[at:at + 20_000]
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_entry (idempotency_key, fingerprint, business_type, "
                "reference, memo, posted_at) SELECT %s || a, '-', 'cash_deposit', 'bench', '', %s "
                "FROM unnest(%s::bigint[]) AS t(a) RETURNING id, idempotency_key",
                [f"{key}:", when, part])
            entry_of = {int(k.rsplit(":", 1)[1]): entry_id for entry_id, k in cursor.fetchall()}
            rows = sorted((entry_of[a], a, v) for a, v in zip(part, values, strict=True))
            cursor.execute(_POST_SQL, {"entries": [r[0] for r in rows],
                                       "accounts": [r[1] for r in rows],
                                       "amounts": [r[2] for r in rows], "book": cash,
                                       "now": when})


BARE_UPDATE = """
UPDATE deposits_currentaccrual c SET accrued = c.accrued + a.balance
  FROM accounts_subaccount s JOIN ledger_ledgeraccount a ON a.id = s.ledger_account_id
 WHERE s.id = c.sub_account_id AND s.kind = ANY(%s::text[]) AND s.status = 'open'
"""


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE deposits_currentaccrual")
        cursor.execute("VACUUM ANALYZE ledger_ledgeraccount")


def bare_update_rate() -> tuple[int, float]:
    from django.db import connection, transaction

    _vacuum()
    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(BARE_UPDATE, [["current_main", "current"]])
            rows = cursor.rowcount
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return rows, seconds


def step_rate(step: str, day: date, clock: datetime) -> tuple[int, float]:
    import time_machine

    from deposits import nightly
    from ebank.duework.models import BatchStepRun
    from ebank.duework.services import batch_step_run

    fn = {"current_accrual": nightly.current_accrual_step,
          "current_settlement": nightly.current_settlement_step}[step]
    _vacuum()
    with time_machine.travel(clock, tick=True):
        started = time.perf_counter()
        assert batch_step_run(step=step, business_date=day, fn=fn)
        seconds = time.perf_counter() - started
    run = BatchStepRun.objects.get(step=step, business_date=day)
    return run.count, seconds


def transfers_rate(accounts, seconds: int) -> float:
    return lt.run_ledger(accounts, 4, seconds, "autocommit")["tps"]


def check(n: int) -> list[str]:
    from django.db.models import Count

    from deposits.business_types import DepositBusinessType
    from ebank.ledger.models import Entry
    from ebank.ledger.selectors import ledger_violations

    problems = [str(v) for v in ledger_violations()]
    counts = (Entry.objects.filter(business_type=DepositBusinessType.CURRENT_INTEREST)
              .values("reference").annotate(k=Count("id")).values_list("k", flat=True))
    counts = list(counts)
    if len(counts) != n or set(counts) != {1}:
        problems.append(f"interest entries: {len(counts)} accounts, counts {sorted(set(counts))}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    ca_dir = tempfile.mkdtemp(prefix="bench-nightly-ca-")
    os.environ["BANK_CA_DIR"] = ca_dir
    os.environ["BANK_CA_PASSPHRASE"] = "bench-" + os.urandom(8).hex()
    print(f"setting up {lt.BENCH_DB}: 1,000 transfer accounts, {args.accounts:,} 活期 accounts …",
          flush=True)
    lt._recreate(lt.BENCH_DB)
    started = time.perf_counter()
    transfer_accounts = lt.setup_accounts(1000)  # migrate + bank books + its 1,000 accounts
    from ebank.core.signing import receipt_key_init

    receipt_key_init()
    build_current_accounts(args.accounts)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the statistics a running bank's tables have
    print(f"  set up in {time.perf_counter() - started:.0f}s (load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True)

    tps_before = transfers_rate(transfer_accounts, args.seconds)
    print(f"  transfers/s (4 processes) before: {tps_before:.0f}", flush=True)

    first_rows, first_s = step_rate("current_accrual", date(2026, 3, 17),
                                    _shanghai(date(2026, 3, 18), 0, 10))
    print(f"  积数 first run (17 Mar, rows created, 1–17 Mar from postings): {first_rows:,} rows "
          f"in {first_s:.2f}s", flush=True)
    rounds = []
    for day in (date(2026, 3, 18), date(2026, 3, 19), SETTLE):
        bare_rows, bare_s = bare_update_rate()
        rows, secs = step_rate("current_accrual", day,
                               _shanghai(date(day.year, day.month, day.day + 1), 0, 10))
        rounds.append({"bare": bare_rows / bare_s, "step": rows / secs, "rows": rows,
                       "bare_rows": bare_rows})
        print(f"  积数 {day}: step {rows:,} rows in {secs:.2f}s ({rows / secs:,.0f}/s); "
              f"bare UPDATE {bare_rows:,} rows in {bare_s:.2f}s ({bare_rows / bare_s:,.0f}/s)",
              flush=True)

    settled, settle_s = step_rate("current_settlement", SETTLE,
                                  _shanghai(date(2026, 3, 21), 0, 10))
    print(f"  结息 {SETTLE}: {settled:,} interest entries in {settle_s:.2f}s", flush=True)

    tps_after = transfers_rate(transfer_accounts, args.seconds)
    print(f"  transfers/s (4 processes) after: {tps_after:.0f}", flush=True)
    problems = check(settled)
    if settled != args.accounts:
        problems.append(f"{settled} accounts settled of {args.accounts}")

    tps = (tps_before + tps_after) / 2
    accrual_ratio = statistics.median(r["step"] / r["bare"] for r in rounds)
    settle_rate = settled / settle_s
    print()
    print(f"nightly ({args.accounts:,} 活期 accounts, PostgreSQL over TCP, same server, same run)")
    print(f"  ledger transfers/s, 4 processes (autocommit) : {tps:9,.0f}  "
          f"(before {tps_before:,.0f}, after {tps_after:,.0f})")
    print(f"  活期结息 interest entries/s                    : {settle_rate:9,.0f}  "
          f"(entry + 2 postings + 电子回单 each)")
    print(f"    ratio to transfers/s                       : {settle_rate / tps:9.2f}  "
          f"(target ≥ 1.0)")
    print("  积数 rows/s, step / bare UPDATE per day       : " + ", ".join(
        f"{r['step']:,.0f} / {r['bare']:,.0f}" for r in rounds))
    print(f"    ratio (median of 3)                        : {accrual_ratio:9.2f}  "
          f"(target ≥ 0.5)")
    print("  maturities (整存整取)                           :       n/a  (no maturity step yet)")
    print(f"  verify_ledger and one interest entry each    : "
          f"{'OK' if not problems else 'FAILED'}")
    for problem in problems[:20]:
        print(f"    {problem}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        lt._psql("postgres", f"DROP DATABASE IF EXISTS {lt.BENCH_DB}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
