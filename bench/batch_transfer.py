"""批量转账 (TRF-BATCH): a 10,000-row batch validated and executed, beside funds_move.

    .venv/bin/python bench/batch_transfer.py [--rows 10000] [--seconds 10] [--keep]

One run, one PostgreSQL database (``ebank_bench_batch``, dropped at the end):

1. **funds_move, 1 process** — ``bench/ledger_throughput.py``'s own runner (``run_ledger``, "in a
   transaction": BEGIN, the caller's row FOR UPDATE, SAVEPOINT, funds_move, COMMIT) measured
   here, so the ratio below compares figures taken on the same server in the same minute;
2. **validation** — a generated CSV of ``--rows`` rows (half 行内 to the demo customers, half
   跨行 by 网银互联) read by ``files.rows_read`` and checked and stored by ``batch_create``; the
   target is less time than 1,000 single transfers take at the rate of step 1;
3. **execution with a crash** — both batches submitted and confirmed (USBKey), then a real
   ``manage.py run_due_work --loop`` subprocess is SIGKILLed once half the rows are done and a
   second one finishes the work. Execution rate = rows / the two workers' running time; the
   target is ≥ 0.5 × step 1. Then: every row final, exactly one Transfer and one ledger entry
   per successful row, the payer's balance down by exactly the succeeded total,
   ``ledger_violations()`` empty and ``verify_ledger`` clean.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("EBANK_BENCH_DB", "ebank_bench_batch")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ledger_throughput as lt  # noqa: E402  (the runner is reused, not copied)

ROOT = lt.ROOT


def _worker_start(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "run_due_work", "--skip-checks", "--loop",
                             "--interval", "0.2", "--limit", "1000"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=open(os.devnull, "w") if not os.environ.get("BENCH_DEBUG") else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    print(f"setting up {lt.BENCH_DB} …", flush=True)
    lt._recreate(lt.BENCH_DB)
    accounts = lt.setup_accounts(200)  # migrates too
    ledger = lt.run_ledger(accounts, 1, args.seconds, "transaction")
    rate = ledger["tps"]
    print(f"funds_move, 1 process, in a transaction: {rate:.0f} transfers/s "
          f"(p50 {ledger['p50_ms']:.2f} ms)", flush=True)

    from decimal import Decimal

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.db.models import Sum

    from ebank.clearing.adapters import get_clearing_adapter
    from ebank.clearing.services import SAMPLE_BANK_CODES_FILE, bank_codes_import
    from ebank.ledger.bank_books import BankBook, bank_book_id
    from ebank.ledger.models import BusinessType, Entry, LedgerAccount
    from ebank.ledger.selectors import ledger_violations
    from ebank.ledger.services import Leg, entry_post
    from ebank.limits.models import LimitLevel
    from ebank.limits.services import limit_policy_set
    from security.tools import services as tool_services
    from tests.customer_world import CERT_PASSWORD, World, confirm
    from transfers.batch import files, services
    from transfers.models import (
        BatchKind,
        BatchRowStatus,
        BatchStatus,
        Transfer,
        TransferBatchRow,
        TransferKind,
    )

    tmp = tempfile.mkdtemp(prefix="bench-ca-")
    settings.BANK_CA_DIR = Path(tmp)
    settings.BANK_CA_PASSPHRASE = "bench-only-ca-passphrase"  # noqa: S105 - bench CA only
    from ebank.core.signing import receipt_key_init
    from security.tools.ca import bank_ca_init

    bank_ca_init(directory=Path(tmp), passphrase=settings.BANK_CA_PASSPHRASE)
    receipt_key_init(directory=Path(tmp), passphrase=settings.BANK_CA_PASSPHRASE)
    bank = World()
    tool_services.usbkey_issue(user=bank.zhang, branch=bank.zhang_customer.branch,
                               cert_password=CERT_PASSWORD)
    bank_codes_import(rows_or_path=SAMPLE_BANK_CODES_FILE)
    get_clearing_adapter().reset()
    payer = World.main(bank.zhang_card)
    with transaction.atomic():
        entry_post(idempotency_key="bench:batch:fund", business_type=BusinessType.CASH_DEPOSIT,
                   reference="bench", legs=[Leg.debit(bank_book_id(BankBook.CASH),
                                                      Decimal("10000000.00")),
                                            Leg.credit(payer.ledger_account_id,
                                                       Decimal("10000000.00"))])
        customer = bank.zhang_customer
        limit_policy_set(level=LimitLevel.CUSTOMER, scope=str(customer.pk),
                         branch_code=customer.branch.code, single_limit=Decimal("50000.00"),
                         daily_limit=Decimal("5000000.00"))

    half = args.rows // 2
    payees = [(bank.li_card.number, "李娜"), (bank.wang_card.number, "王芳"),
              (bank.li_onebook.number, "李娜")]
    intra = [[*payees[i % 3], f"{Decimal(100 + i // 3) / 100:.2f}", f"工资{i}"]
             for i in range(half)]
    inter = [[f"6212261302{i:08d}1", "赵敏", "102361000013", f"{Decimal(100 + i) / 100:.2f}", "货款"]
             for i in range(args.rows - half)]

    def csv(kind, rows) -> bytes:
        lines = [",".join(files.HEADERS[kind])] + [",".join(r) for r in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")

    started = time.perf_counter()
    batches = []
    for kind, rows in (("intra", intra), ("inter", inter)):
        raw = files.rows_read(kind=kind, name=f"{kind}.csv", data=csv(kind, rows))
        batches.append(services.batch_create(user=bank.zhang, kind=kind, payer_id=payer.pk,
                                             raw_rows=raw))
    validation = time.perf_counter() - started
    invalid = sum(b.invalid_count for b in batches)
    bar = 1000 / rate
    print(f"validation of {args.rows:,} rows (read + check + store): {validation:.2f} s; "
          f"1,000 single transfers at {rate:.0f}/s take {bar:.2f} s → "
          f"{'OK' if validation < bar else 'MISSED'}; rows refused: {invalid}", flush=True)

    for batch in batches:
        operation = services.batch_submit(user=bank.zhang, number=batch.number)
        confirm(operation, user=bank.zhang)
    balance_before = LedgerAccount.objects.get(pk=payer.ledger_account_id).balance
    entries_before = Entry.objects.count()
    connections.close_all()

    env = lt._env()
    env["DATABASE_URL"] = f"postgres://{lt.PG['user']}@{lt.PG['host']}:{lt.PG['port']}/{lt.BENCH_DB}"
    env["DUEWORK_KICK"] = "none"
    env["BANK_CA_DIR"] = tmp
    env["BANK_CA_PASSPHRASE"] = settings.BANK_CA_PASSPHRASE
    batch_ids = [b.pk for b in batches]

    def finished() -> int:
        return TransferBatchRow.objects.filter(batch_id__in=batch_ids).exclude(
            status=BatchRowStatus.PENDING).count()

    t0 = time.perf_counter()
    worker = _worker_start(env)
    while finished() < args.rows // 2:
        time.sleep(0.05)
        if worker.poll() is not None:
            raise SystemExit("the due-work worker died by itself")
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    first_run = time.perf_counter() - t0
    at_kill = finished()
    print(f"worker SIGKILLed after {first_run:.1f} s with {at_kill:,} rows final; restarting",
          flush=True)
    t1 = time.perf_counter()
    worker = _worker_start(env)
    from transfers.models import TransferBatch

    while TransferBatch.objects.filter(pk__in=batch_ids, status=BatchStatus.DONE).count() < 2:
        time.sleep(0.1)
        if time.perf_counter() - t1 > 1800:
            raise SystemExit("the batch did not finish in 30 minutes")
    second_run = time.perf_counter() - t1
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)
    elapsed = first_run + second_run
    execution_rate = args.rows / elapsed
    print(f"execution of {args.rows:,} rows: {elapsed:.1f} s → {execution_rate:.0f} rows/s; "
          f"{execution_rate / rate:.2f} × funds_move ({rate:.0f}/s) → "
          f"{'OK' if execution_rate >= 0.5 * rate else 'MISSED'} (target ≥ 0.5)", flush=True)

    # Time inside each kind's chunks (the dispatcher's started/finished marks of its DueWork
    # rows; a chunk rolled back by the kill left no marks): rows/s of 行内 and 跨行 alone.
    from django.db.models import F

    from ebank.duework.models import DueWork

    for batch in TransferBatch.objects.filter(pk__in=batch_ids):
        spent = (DueWork.objects.filter(kind=services.DUE_KIND,
                                        key__startswith=f"{batch.number}:")
                 .aggregate(t=Sum(F("finished_at") - F("started_at")))["t"])
        seconds = spent.total_seconds() if spent else 0
        print(f"  {batch.get_kind_display()}: {batch.count:,} rows in {seconds:.1f} s of chunks → "
              f"{batch.count / seconds if seconds else 0:.0f} rows/s "
              f"({batch.count / seconds / rate if seconds else 0:.2f} × funds_move)")

    rows = TransferBatchRow.objects.filter(batch_id__in=batch_ids)
    succeeded = rows.filter(status=BatchRowStatus.SUCCEEDED)
    failed = rows.filter(status=BatchRowStatus.FAILED)
    total = succeeded.aggregate(t=Sum("amount"))["t"] or Decimal("0")
    operations = [b.operation_id for b in TransferBatch.objects.filter(pk__in=batch_ids)]
    transfers = Transfer.objects.filter(operation_id__in=operations).count()
    balance_after = LedgerAccount.objects.get(pk=payer.ledger_account_id).balance
    new_entries = Entry.objects.count() - entries_before
    from accounts.models import Receipt
    from ebank.clearing.models import SimulatedInstruction

    ours = Transfer.objects.filter(operation_id__in=operations)
    intra_ok = succeeded.filter(batch__kind=BatchKind.INTRA).count()
    inter_ok = succeeded.filter(batch__kind=BatchKind.INTER).count()
    receipts = Receipt.objects.filter(entry_id__in=ours.values("entry_id")).count()
    sent = SimulatedInstruction.objects.filter(
        reference__in=ours.filter(kind=TransferKind.INTER).values("number")).count()
    checks = {
        "receipts: 2 per 行内, 1 per 跨行 row": receipts == 2 * intra_ok + inter_ok,
        "one instruction per 跨行 transfer": sent == ours.filter(kind=TransferKind.INTER).count(),
        "every row final": not rows.filter(status=BatchRowStatus.PENDING).exists(),
        "one Transfer per succeeded row": transfers == succeeded.count(),
        "one ledger entry per succeeded row": new_entries == succeeded.count(),
        "payer down by the succeeded total": balance_before - balance_after == total,
        "ledger_violations() empty": not ledger_violations(),
    }
    print(f"rows succeeded / failed: {succeeded.count():,} / {failed.count():,}; "
          f"transfers {transfers:,}; new entries {new_entries:,}; total {total}")
    for label, ok in checks.items():
        print(f"  {label:36}: {'yes' if ok else 'NO'}")
    call_command("verify_ledger")
    connections.close_all()
    if not args.keep:
        lt._psql("postgres", f"DROP DATABASE IF EXISTS {lt.BENCH_DB}")
    if not all(checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
