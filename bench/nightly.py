"""Nightly batch: 活期 积数 and quarterly 活期结息 over 100,000 current sub-accounts, and the
整存整取 maturities of 20,000 fixed deposits, beside the ledger's transfers/s and a bare UPDATE.

    python bench/nightly.py [--accounts 100000] [--deposits 20000] [--maturing 2000]
                            [--seconds 15] [--keep]

    (with /work/main/.venv/bin/python or the project's .venv; ``--help`` lists the options.
    Set ``EBANK_BENCH_DB`` to run it beside another bench on the same server.)

What it builds (database ``ebank_bench_nightly``, dropped at the end unless ``--keep``; migrated
under production settings as bench/ledger_throughput.py does):

* ``--accounts`` customers' debit cards (five per customer), each with its 活期主账户 and ledger
  account, opened 1 March 2026, funded ¥100.00–¥100,000.00 that day in one set-based entry;
  one account in twenty also gets money at 00:05 on the 21st (after the end of the 20th: the 积数
  must leave it out);
* the 活期 rate 0.10 % (in force since 2025);
* ``--deposits`` 整存整取 (one on each of the first cards, its own sub-account 0002 and ledger
  account, funded in cash on its opening day by the same set-based entry; its 利息账户 the card's
  活期主账户), every term (3m–5y) and every 到期处理方式 in turn; ``--maturing`` of them mature on
  20 March 2026 (opened 20 Dec, 20 Sep 2025 or 20 Mar 2025), the rest later (opened 5 Jan 2026).
  整存整取 rates in force since 2025, a lower row since 1 March 2026 (the rollovers take it).

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
* **maturities**: the rest of the nightly for 20 March through ``nightly_batch_run`` (the 活期
  steps are DONE by then and skipped); the ``fixed_maturity`` step's maturities/s (its own
  duration, from its BatchStepRun) ÷ transfers/s. 不转存 deposits are left for 到期支取 and not
  counted. Its statements are counted (by kind) while it runs: the per-deposit round trips.

Afterwards ``verify_ledger`` must be clean, every account must have exactly one interest entry,
every maturing 自动转存 deposit rolled exactly once to its next maturity (one interest entry),
every 到期转活期 one closed with one principal and one interest entry, every 不转存 and
not-yet-maturing one untouched, and a rerun of ``fixed_maturities_run`` (rolled back) must post
nothing; the exit status is 1 otherwise.
"""

import argparse
import os
import random
import re
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


FIXED_TERMS = (3, 6, 12, 24, 36, 60)
MATURING_TERMS = (3, 6, 12)
LATER_OPENED = date(2026, 1, 5)


def _maturity_options() -> list[str]:
    from deposits.models import MaturityOption

    return [MaturityOption.ROLL_ALL, MaturityOption.ROLL_PRINCIPAL, MaturityOption.TO_CURRENT,
            MaturityOption.HOLD]


def _option_of(i: int) -> int:
    """The i-th deposit's 到期处理方式 (an index of _maturity_options): every option on every
    maturing term in turn."""
    return (i // len(MATURING_TERMS)) % 4


def build_fixed_deposits(n: int, maturing: int) -> None:
    """n 整存整取 on the first n cards (sub-account 0002), ``maturing`` of them due on SETTLE;
    each funded in cash on its opening day (one set-based entry per opening day)."""
    from django.db import connection, transaction

    from accounts.models import SubAccount, SubAccountKind
    from deposits.interest import add_months
    from deposits.models import Deposit, DepositRate, Product
    from ebank.ledger.bank_books import BankBook, bank_book_id
    from ebank.ledger.models import AccountOwner, LedgerAccount

    rng = random.Random(20)
    options = _maturity_options()
    with transaction.atomic():
        rates = {}
        for term in FIXED_TERMS:
            rates[term] = DepositRate.objects.create(
                product=Product.FIXED, term_months=term, effective_from=date(2025, 1, 1),
                annual_rate=Decimal("1.10") + Decimal(term) / 100)
            DepositRate.objects.create(
                product=Product.FIXED, term_months=term, effective_from=date(2026, 3, 1),
                annual_rate=Decimal("0.90") + Decimal(term) / 100)
        mains = list(SubAccount.objects.select_related("medium")
                     .filter(kind=SubAccountKind.CURRENT_MAIN, medium__number__startswith="62267999")
                     .order_by("pk")[:n])
        plans = []  # (main, term, opened_on, option)
        for i, main in enumerate(mains):
            if i < maturing:
                term = MATURING_TERMS[i % len(MATURING_TERMS)]
                opened = add_months(SETTLE, -term)
            else:
                term = FIXED_TERMS[i % len(FIXED_TERMS)]
                opened = LATER_OPENED
            plans.append((main, term, opened, options[_option_of(i)]))
        ledgers = LedgerAccount.objects.bulk_create(
            [LedgerAccount(code=f"C{main.medium.number}-0002", name="整存整取",
                           owner=AccountOwner.CUSTOMER, normal_side="C")
             for main, *_ in plans], batch_size=5000)
        subs = SubAccount.objects.bulk_create(
            [SubAccount(medium=main.medium, seq=2, kind=SubAccountKind.FIXED_LUMP_SUM,
                        ledger_account=la, opened_on=opened)
             for (main, _, opened, _), la in zip(plans, ledgers, strict=True)], batch_size=5000)
        amounts = [Decimal(rng.randint(50, 200_000)) for _ in plans]
        Deposit.objects.bulk_create(
            [Deposit(sub_account=sub, product=Product.FIXED, term_months=term, principal=amount,
                     annual_rate=rates[term].annual_rate, rate_row=rates[term], opened_on=opened,
                     value_date=opened, matures_on=add_months(opened, term),
                     maturity_option=option, auto_rollover=option in options[:2],
                     rollover_with_interest=option == options[0], interest_account=main)
             for (main, term, opened, option), sub, amount
             in zip(plans, subs, amounts, strict=True)], batch_size=5000)
        cash = bank_book_id(BankBook.CASH)
        by_day: dict[date, tuple[list[int], list[Decimal]]] = {}
        for (_, _, opened, _), la, amount in zip(plans, ledgers, amounts, strict=True):
            ids, values = by_day.setdefault(opened, ([], []))
            ids.append(la.pk)
            values.append(amount)
        for opened, (ids, values) in sorted(by_day.items()):
            _fund(connection, cash, ids, values, f"bench:fixed:{opened}", _shanghai(opened, 10))


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


class StatementCounter:
    """An execute wrapper: how many statements of each kind, and their time in the database
    driver, per nightly step (``progress`` closes a step's tally)."""

    def __init__(self) -> None:
        self.current: dict[str, list] = {}
        self.steps: dict[str, dict[str, list]] = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            tally = self.current.setdefault(_statement_kind(sql), [0, 0.0])
            tally[0] += 1
            tally[1] += time.perf_counter() - started

    def progress(self, result) -> None:
        self.steps[result.name], self.current = self.current, {}


_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def _statement_kind(sql: str) -> str:
    """``SELECT ledger_ledgeraccount``, ``INSERT accounts_receipt``, ``SELECT ebank_funds_move``…"""
    verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
    if "ebank_funds_move" in sql:
        return f"{verb} ebank_funds_move()"
    table = _TABLE.search(sql)
    return f"{verb} {table.group(1)}" if table else verb


def maturity_rate() -> tuple[int, float, dict[str, list]]:
    """The rest of SETTLE's nightly (the 活期 steps are DONE: skipped) through
    nightly_batch_run; the fixed_maturity step's count, its own duration and statements."""
    import time_machine
    from django.db import connection

    from ebank.duework.models import BatchStepRun
    from ebank.duework.nightly import nightly_batch_run

    _vacuum_deposits()
    counter = StatementCounter()
    with time_machine.travel(_shanghai(date(2026, 3, 21), 0, 20), tick=True), \
            connection.execute_wrapper(counter):
        nightly_batch_run(business_date=SETTLE, progress=counter.progress)
    run = BatchStepRun.objects.get(step="fixed_maturity", business_date=SETTLE)
    return run.count, run.duration.total_seconds(), counter.steps.get("fixed_maturity", {})


def _vacuum_deposits() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE deposits_deposit")


def fixed_check(maturing: int) -> tuple[list[str], int]:
    """Every maturing deposit handled once (rolled: next maturity and one interest entry;
    到期转活期: closed, principal and interest entry once; 不转存 and the rest untouched), and a
    rerun of the step (rolled back) posts nothing. Returns the problems and the rerun's count."""
    from django.db import transaction
    from django.db.models import Count

    from accounts.models import SubAccountStatus
    from deposits.business_types import DepositBusinessType
    from deposits.fixed import fixed_maturities_run
    from deposits.interest import add_months
    from deposits.models import Deposit, DepositStatus, MaturityOption, Product
    from ebank.ledger.models import BusinessType, Entry

    problems = []
    entries = {}
    for reference, business, k in (Entry.objects.filter(reference__startswith="deposit:")
                                   .values_list("reference", "business_type")
                                   .annotate(k=Count("id"))):
        entries.setdefault(int(reference.split(":")[1]), {})[business] = k
    rolled = (MaturityOption.ROLL_ALL, MaturityOption.ROLL_PRINCIPAL)
    seen = 0
    for deposit in (Deposit.objects.filter(product=Product.FIXED)
                    .select_related("sub_account", "sub_account__ledger_account")):
        posted = entries.get(deposit.pk, {})
        was_due = deposit.value_date == SETTLE or deposit.closed_on == SETTLE or (
            deposit.maturity_option == MaturityOption.HOLD and deposit.matures_on == SETTLE)
        if not was_due:
            if posted or deposit.rollovers or deposit.status != DepositStatus.OPEN:
                problems.append(f"deposit {deposit.pk} not due but touched")
            continue
        seen += 1
        option = deposit.maturity_option
        if option in rolled:
            ok = (deposit.status == DepositStatus.OPEN and deposit.rollovers == 1
                  and deposit.matures_on == add_months(SETTLE, deposit.term_months)
                  and posted == {BusinessType.INTEREST: 1})
        elif option == MaturityOption.TO_CURRENT:
            ok = (deposit.status == DepositStatus.CLOSED and deposit.rollovers == 0
                  and deposit.sub_account.status == SubAccountStatus.CLOSED
                  and deposit.sub_account.ledger_account.balance == 0
                  and posted == {BusinessType.INTEREST: 1, DepositBusinessType.MATURITY: 1})
        else:
            ok = deposit.status == DepositStatus.OPEN and not posted and not deposit.rollovers
        if not ok:
            problems.append(f"deposit {deposit.pk} ({option}): {deposit.status}, "
                            f"rollovers {deposit.rollovers}, matures {deposit.matures_on}, {posted}")
    if seen != maturing:
        problems.append(f"{seen} deposits were due on {SETTLE}, expected {maturing}")
    before = Entry.objects.count()
    with transaction.atomic():
        rerun = fixed_maturities_run(SETTLE)
        if Entry.objects.count() != before:
            problems.append(f"the rerun posted {Entry.objects.count() - before} entries")
        transaction.set_rollback(True)
    if rerun:
        problems.append(f"the rerun handled {rerun} maturities")
    return problems, rerun


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
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000,
                        help="活期主账户 (default 100,000)")
    parser.add_argument("--deposits", type=int, default=20_000,
                        help="整存整取, at most --accounts (default 20,000)")
    parser.add_argument("--maturing", type=int, default=2_000,
                        help="of the deposits, due on 20 March 2026 (default 2,000)")
    parser.add_argument("--seconds", type=int, default=15,
                        help="each transfers/s measurement (default 15)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    if not args.maturing <= args.deposits <= args.accounts:
        parser.error("--maturing ≤ --deposits ≤ --accounts")

    ca_dir = tempfile.mkdtemp(prefix="bench-nightly-ca-")
    os.environ["BANK_CA_DIR"] = ca_dir
    os.environ["BANK_CA_PASSPHRASE"] = "bench-" + os.urandom(8).hex()
    print(f"setting up {lt.BENCH_DB}: 1,000 transfer accounts, {args.accounts:,} 活期 accounts, "
          f"{args.deposits:,} 整存整取 ({args.maturing:,} maturing) …",
          flush=True)
    lt._recreate(lt.BENCH_DB)
    started = time.perf_counter()
    transfer_accounts = lt.setup_accounts(1000)  # migrate + bank books + its 1,000 accounts
    from ebank.core.signing import receipt_key_init

    receipt_key_init()
    build_current_accounts(args.accounts)
    build_fixed_deposits(args.deposits, args.maturing)
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

    matured, mature_s, statements = maturity_rate()
    print(f"  定期到期处理 {SETTLE}: {matured:,} maturities in {mature_s:.2f}s", flush=True)

    tps_after = transfers_rate(transfer_accounts, args.seconds)
    print(f"  transfers/s (4 processes) after: {tps_after:.0f}", flush=True)
    problems = check(settled)
    if settled != args.accounts:
        problems.append(f"{settled} accounts settled of {args.accounts}")
    fixed_problems, _ = fixed_check(args.maturing)
    handled = sum(1 for i in range(args.maturing)
                  if _option_of(i) != len(_maturity_options()) - 1)  # 不转存 stays
    if matured != handled:
        fixed_problems.append(f"{matured} maturities handled, expected {handled}")

    tps = (tps_before + tps_after) / 2
    accrual_ratio = statistics.median(r["step"] / r["bare"] for r in rounds)
    settle_rate = settled / settle_s
    print()
    print(f"nightly ({args.accounts:,} 活期 accounts, {args.deposits:,} 整存整取, PostgreSQL over TCP, same server, same run)")
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
    mature_rate = matured / mature_s
    print(f"  定期到期处理 maturities/s ({matured:,} of {args.maturing:,} due, "
          f"{args.deposits:,} deposits): {mature_rate:9,.0f}")
    print(f"    ratio to transfers/s                       : {mature_rate / tps:9.2f}")
    calls = sum(k for k, _ in statements.values())
    in_db = sum(t for _, t in statements.values())
    print(f"    statements per maturity                    : {calls / max(matured, 1):9.1f}  "
          f"({calls:,} in {in_db:.2f}s of the step's {mature_s:.2f}s, waiting on the database)")
    for kind, (k, t) in sorted(statements.items(), key=lambda kv: -kv[1][1])[:12]:
        print(f"      {kind:<40} {k / max(matured, 1):6.2f} per maturity  {t:6.2f}s")
    print(f"  verify_ledger and one interest entry each    : "
          f"{'OK' if not problems else 'FAILED'}")
    for problem in problems[:20]:
        print(f"    {problem}")
    print(f"  maturities handled once, rerun posts nothing : "
          f"{'OK' if not fixed_problems else 'FAILED'}")
    for problem in fixed_problems[:20]:
        print(f"    {problem}")
    problems += fixed_problems
    if not args.keep:
        from django.db import connections

        connections.close_all()
        lt._psql("postgres", f"DROP DATABASE IF EXISTS {lt.BENCH_DB}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
