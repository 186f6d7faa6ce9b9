"""贷款业务's nightly: the deduction step ``loans_deduct`` (430) and the 罚息/复利 accrual step
``loans_overdue_accrue`` (440) over 5,000 借据 falling due on one date, beside the ledger's
4-process transfers/s in the same run.

    python bench/loans_nightly.py [--loans 5000] [--seconds 15] [--keep]

    (with the project's .venv; ``--help`` lists the options. ``EBANK_BENCH_DB`` picks the
    database, default ``ebank_bench_loans``.)

What it builds (migrated under production settings, as bench/ledger_throughput.py does; SMS
through the outbox backend, nothing leaves the machine):

* ``--loans`` customers, each with a debit card, its 活期主账户 (sub-account, ledger account) and
  an online-banking user; one approved application each and one 借据 drawn on 21 January 2026
  (¥10,000–¥100,000, 12 months 等额本息 at 3.60 %, repayment day 21, so the first instalment
  of every 借据 falls due on D = 21 February 2026), its 12 instalments from loans.schedule;
  the drawdowns credit the repayment accounts in set-based entries (贷款本金 debited);
* one 借据 in ten has its account emptied by a cash withdrawal: one in twenty to nothing (the
  deduction FAILS), the other one in twenty to half an instalment (PARTIAL); the rest keep the
  whole drawdown (PAID). ``loan_problems(D − 1)`` and ``ledger_violations()`` hold before the run.

What it measures:

* **transfers/s**: bench/ledger_throughput.py's ``run_ledger`` (autocommit, 4 processes),
  before and after; the mean is the baseline.
* **deductions/s**: the ``loans_deduct`` step for D through ``batch_step_run``: deductions
  written ÷ the step's own duration (its BatchStepRun); its statements counted by kind (an
  execute wrapper) up to the step's return (the SMS after commit are not in the step).
* **accruals/s**: the ``loans_overdue_accrue`` step for D the same way (the short ones accrue).
* the rerun: the deduction step for D again is skipped, and ``deductions_run(D)`` itself (rolled
  back) writes nothing; Deduction and ledger entry counts unchanged.

Afterwards ``loan_problems(D + 1)`` must be empty and ``ledger_violations()`` too, the outcome
counts as built (PAID / PARTIAL / FAILED), one outbox SMS per short 借据; exit 1 otherwise. The
suggested target (deductions/s ≥ 0.3 × transfers/s) is printed, not enforced.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("EBANK_BENCH_DB", "ebank_bench_loans")
# The production settings' SMS backend is the HTTP gateway: the outbox here, nothing leaves.
os.environ["SMS_BACKEND"] = "security.tools.sms.OutboxSmsBackend"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ledger_throughput as lt  # noqa: E402  (after EBANK_BENCH_DB: its BENCH_DB reads it)
from nightly import StatementCounter  # noqa: E402  (bench/nightly.py's execute wrapper)

DRAW = date(2026, 1, 21)
DUE = date(2026, 2, 21)          # D: every 借据's first instalment
REPAYMENT_DAY = 21
MONTHS = 12
RATE = Decimal("3.60")
TARGET = 0.3


def _shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    from ebank.core.clock import SHANGHAI

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def amount_of(i: int) -> Decimal:
    return Decimal(10_000 + (i % 91) * 1_000)


def kind_of(i: int) -> str:
    """What the i-th 借据's deduction on D should be: PAID, PARTIAL or FAILED."""
    if i % 20 == 19:
        return "failed"
    if i % 20 == 9:
        return "partial"
    return "paid"


def build_loans(n: int) -> None:
    """n customers, cards, accounts, users, applications and 借据 with their schedules (bulk);
    the drawdowns as set-based entries; the short accounts emptied by cash withdrawals."""
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
    from ebank.ledger.bank_books import BankBook, bank_book_id
    from ebank.ledger.models import AccountOwner, BusinessType, LedgerAccount
    from ebank.ledger.services import Leg, entry_post
    from loans import schedule as sched
    from loans.models import (
        ApplicationStatus,
        Instalment,
        Loan,
        LoanApplication,
        LoanBook,
        LoanBusinessType,
        LoanProduct,
        LprTerm,
    )
    from security.models import User

    drawn_at = _shanghai(DRAW, 10)
    with transaction.atomic():
        bank = Bank.objects.create(code="BENCH", name="压测银行")
        branch = Branch.objects.create(bank=bank, code="349901", name="压测支行")
        customers = Customer.objects.bulk_create(
            [Customer(cif_no=f"7{i:09d}", name=f"借款人{i}", branch=branch,
                      id_type=IdType.PASSPORT, id_number_encrypted="-",
                      id_number_digest=f"bench-{i}", id_number_masked="E****",
                      phone="13800000000") for i in range(n)], batch_size=5000)
        media = Medium.objects.bulk_create(
            [Medium(number=f"62270001{i:011d}", kind=MediumKind.DEBIT_CARD, customer=c,
                    branch=branch, pin_hash="-", opened_on=DRAW - timedelta(days=30))
             for i, c in enumerate(customers)], batch_size=5000)
        ledgers = LedgerAccount.objects.bulk_create(
            [LedgerAccount(code=f"C{m.number}-0001", name="活期主账户", owner=AccountOwner.CUSTOMER,
                           normal_side="C") for m in media], batch_size=5000)
        subs = SubAccount.objects.bulk_create(
            [SubAccount(medium=m, seq=1, kind=SubAccountKind.CURRENT_MAIN, ledger_account=la,
                        opened_on=m.opened_on) for m, la in zip(media, ledgers, strict=True)],
            batch_size=5000)
        users = User.objects.bulk_create(
            [User(username=f"bench{i:07d}", password="!", customer=c)  # noqa: S106 (unusable)
             for i, c in enumerate(customers)], batch_size=5000)
        product = LoanProduct.objects.create(
            code="BENCH", name="压测消费贷", min_amount=Decimal("1000.00"),
            max_amount=Decimal("500000.00"), terms="6,12,24", spread=Decimal("0.60"),
            purposes="消费、装修")
        applied_at = _shanghai(DRAW - timedelta(days=2), 9)
        applications = LoanApplication.objects.bulk_create(
            [LoanApplication(
                number=f"SQ{DRAW:%Y%m%d}{i:010d}", customer=customers[i], user=users[i],
                product=product, amount=amount_of(i), months=MONTHS, purpose="消费",
                method=sched.Method.EQUAL_INSTALMENT, repayment_day=REPAYMENT_DAY,
                repayment_account=subs[i], status=ApplicationStatus.APPROVED,
                applied_at=applied_at, approved_amount=amount_of(i), approved_months=MONTHS,
                lpr_term=LprTerm.ONE_YEAR, lpr=Decimal("3.00"), spread=Decimal("0.60"),
                annual_rate=RATE, reviewed_at=applied_at, valid_until=DRAW + timedelta(days=60),
                drawn_amount=amount_of(i)) for i in range(n)], batch_size=5000)

        # The drawdowns: one entry each, 贷款本金 debited, the repayment account credited.
        from deposits.current import _POST_SQL

        principal = bank_book_id(LoanBook.PRINCIPAL)
        numbers = [f"JJ{DRAW:%Y%m%d}{i:010d}" for i in range(n)]
        entry_of: dict[int, int] = {}
        for low in range(0, n, 20_000):
            part = list(range(low, min(n, low + 20_000)))
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO ledger_entry (idempotency_key, fingerprint, business_type, "
                    "reference, memo, posted_at) SELECT 'bench:draw:' || i, '-', %s, "
                    "'loan:' || n, '个人贷款发放 压测消费贷', %s "
                    "FROM unnest(%s::int[], %s::text[]) AS t(i, n) RETURNING id, idempotency_key",
                    [str(LoanBusinessType.DRAW), drawn_at, part, [numbers[i] for i in part]])
                for entry_id, key in cursor.fetchall():
                    entry_of[int(key.rsplit(":", 1)[1])] = entry_id
                rows = sorted((entry_of[i], ledgers[i].pk, amount_of(i)) for i in part)
                cursor.execute(_POST_SQL, {"entries": [r[0] for r in rows],
                                           "accounts": [r[1] for r in rows],
                                           "amounts": [r[2] for r in rows], "book": principal,
                                           "now": drawn_at})
        loans, instalments, first_payment = [], [], {}
        plans = {}
        for i in range(n):
            amount = amount_of(i)
            if amount not in plans:
                plans[amount] = sched.schedule(
                    principal=amount, annual_percent=RATE, months=MONTHS,
                    method=sched.Method.EQUAL_INSTALMENT, draw_date=DRAW,
                    repayment_day=REPAYMENT_DAY)
            rows = plans[amount]
            assert rows[0].due_date == DUE
            first_payment[i] = rows[0].principal + rows[0].interest
            loans.append(Loan(
                number=numbers[i], application=applications[i], customer=customers[i],
                product=product, amount=amount, annual_rate=RATE,
                method=sched.Method.EQUAL_INSTALMENT, months=MONTHS,
                repayment_day=REPAYMENT_DAY, draw_date=DRAW, maturity_date=rows[-1].due_date,
                repayment_account=subs[i], principal_owed=amount, draw_entry_id=entry_of[i],
                drawn_at=drawn_at))
        loans = Loan.objects.bulk_create(loans, batch_size=5000)
        for i, loan in enumerate(loans):
            instalments += [Instalment(loan=loan, number=row.number, due_date=row.due_date,
                                       principal=row.principal, interest=row.interest,
                                       balance_after=row.balance_after)
                            for row in plans[amount_of(i)]]
        Instalment.objects.bulk_create(instalments, batch_size=10_000)

        # The short ones: a cash withdrawal leaves nothing (FAILED) or half an instalment.
        cash = bank_book_id(BankBook.CASH)
        for i in range(n):
            if kind_of(i) == "paid":
                continue
            left = (first_payment[i] / 2).quantize(Decimal("0.01")) \
                if kind_of(i) == "partial" else Decimal("0.00")
            entry_post(idempotency_key=f"bench:withdraw:{i}",
                       business_type=BusinessType.CASH_WITHDRAWAL, reference="bench",
                       legs=[Leg.debit(ledgers[i].pk, amount_of(i) - left),
                             Leg.credit(cash, amount_of(i) - left)])


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def step_rate(step: str) -> tuple[int, float, float, dict[str, list]]:
    """The step for D through batch_step_run (clock: 00:10 the next night); its count, its own
    duration (BatchStepRun), the wall time, and its statements up to its return."""
    import time_machine
    from django.db import connection

    from ebank.duework.models import BatchStepRun
    from ebank.duework.services import batch_step_run
    from loans import nightly

    fn = {"loans_deduct": nightly.loans_deduct_step,
          "loans_overdue_accrue": nightly.loans_overdue_accrue_step}[step]
    counter = StatementCounter()
    seen: dict[str, list] = {}

    def counted(day: date) -> int:
        result = fn(day)
        seen.update(counter.current)    # the step's statements, not the SMS after its commit
        return result

    _vacuum()
    with time_machine.travel(_shanghai(DUE + timedelta(days=1), 0, 10), tick=True), \
            connection.execute_wrapper(counter):
        started = time.perf_counter()
        assert batch_step_run(step=step, business_date=DUE, fn=counted)
        wall = time.perf_counter() - started
    run = BatchStepRun.objects.get(step=step, business_date=DUE)
    return run.count, run.duration.total_seconds(), wall, seen


def rerun_check() -> list[str]:
    """The deduction step for D again: skipped; deductions_run(D) itself (rolled back) writes
    nothing; no Deduction and no ledger entry more."""
    import time_machine
    from django.db import transaction

    from ebank.duework.services import batch_step_run
    from ebank.ledger.models import Entry
    from loans import nightly
    from loans.deduct import deductions_run
    from loans.models import Deduction

    problems = []
    deductions, entries = Deduction.objects.count(), Entry.objects.count()
    with time_machine.travel(_shanghai(DUE + timedelta(days=1), 0, 30), tick=True):
        if batch_step_run(step="loans_deduct", business_date=DUE,
                          fn=nightly.loans_deduct_step):
            problems.append("the deduction step for D ran again (not skipped)")
        with transaction.atomic():
            again = deductions_run(DUE)
            if again:
                problems.append(f"deductions_run(D) again wrote {again} deductions")
            transaction.set_rollback(True)
    if Deduction.objects.count() != deductions:
        problems.append(f"deductions {deductions} → {Deduction.objects.count()} on the rerun")
    if Entry.objects.count() != entries:
        problems.append(f"ledger entries {entries} → {Entry.objects.count()} on the rerun")
    return problems


def check(n: int, today: date) -> list[str]:
    from ebank.ledger.selectors import ledger_violations
    from loans.verify import loan_problems

    return [str(v) for v in ledger_violations()][:20] + loan_problems(today)[:20]


def outcome_check(n: int) -> list[str]:
    from django.db.models import Count

    from loans.deduct import PURPOSE_DEDUCT
    from loans.models import Accrual, Deduction
    from security.models import SmsMessage

    problems = []
    expected = {"paid": 0, "partial": 0, "failed": 0}
    for i in range(n):
        expected[kind_of(i)] += 1
    got = dict(Deduction.objects.filter(business_date=DUE).values_list("status")
               .annotate(k=Count("id")))
    if {k: got.get(k, 0) for k in expected} != expected or sum(got.values()) != n:
        problems.append(f"deductions by status {got}, expected {expected}")
    short = expected["partial"] + expected["failed"]
    sms = dict(SmsMessage.objects.filter(purpose=PURPOSE_DEDUCT).values_list("backend")
               .annotate(k=Count("id")))
    if sms != ({"outbox": short} if short else {}):
        problems.append(f"deduction SMS by backend {sms}, expected {short} through the outbox")
    accrued = Accrual.objects.filter(business_date=DUE).count()
    if accrued != short:
        problems.append(f"{accrued} accruals for D, expected {short}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loans", type=int, default=5000, help="借据 (default 5,000)")
    parser.add_argument("--seconds", type=int, default=15,
                        help="each transfers/s measurement (default 15)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    n = args.loans

    begun = time.perf_counter()
    ca_dir = tempfile.mkdtemp(prefix="bench-loans-ca-")
    os.environ["BANK_CA_DIR"] = ca_dir
    os.environ["BANK_CA_PASSPHRASE"] = "bench-" + os.urandom(8).hex()
    print(f"setting up {lt.BENCH_DB}: 1,000 transfer accounts, {n:,} 借据 due {DUE} …",
          flush=True)
    lt._recreate(lt.BENCH_DB)
    started = time.perf_counter()
    transfer_accounts = lt.setup_accounts(1000)  # migrate + bank books + its 1,000 accounts
    from ebank.core.signing import receipt_key_init

    receipt_key_init()
    build_loans(n)
    _vacuum()
    setup_s = time.perf_counter() - started
    before = check(n, DUE - timedelta(days=1))
    print(f"  set up in {setup_s:.0f}s (load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}); ledger and loans before the run: "
          f"{before if before else 'OK'}", flush=True)
    if before:
        sys.exit(1)

    tps_before = lt.run_ledger(transfer_accounts, 4, args.seconds, "autocommit")["tps"]
    print(f"  transfers/s (4 processes) before: {tps_before:,.0f}", flush=True)

    deducted, deduct_s, deduct_wall, statements = step_rate("loans_deduct")
    print(f"  loans_deduct {DUE}: {deducted:,} deductions in {deduct_s:.2f}s "
          f"(wall {deduct_wall:.2f}s with the SMS after commit)", flush=True)
    accrued, accrue_s, _, accrue_statements = step_rate("loans_overdue_accrue")
    print(f"  loans_overdue_accrue {DUE}: {accrued:,} accruals in {accrue_s:.2f}s", flush=True)
    problems = rerun_check()
    print(f"  rerun of loans_deduct for {DUE}: {problems if problems else 'skipped, nothing posted'}",
          flush=True)

    tps_after = lt.run_ledger(transfer_accounts, 4, args.seconds, "autocommit")["tps"]
    print(f"  transfers/s (4 processes) after: {tps_after:,.0f}", flush=True)
    after = check(n, DUE + timedelta(days=1))
    outcomes = outcome_check(n)
    if deducted != n:
        outcomes.append(f"{deducted} deductions written for {n} 借据 due")

    tps = (tps_before + tps_after) / 2
    rate = deducted / deduct_s
    accrue_rate = accrued / accrue_s if accrue_s else 0.0
    print()
    print(f"loans nightly ({n:,} 借据 due {DUE}, one in ten short; PostgreSQL over TCP, same "
          f"server, same run; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    print(f"  set-up                                       : {setup_s:9.0f}s")
    print(f"  ledger transfers/s, 4 processes (autocommit) : {tps:9,.0f}  "
          f"(before {tps_before:,.0f}, after {tps_after:,.0f})")
    print(f"  loans_deduct deductions/s                    : {rate:9,.0f}  "
          f"({deducted:,} in {deduct_s:.2f}s)")
    print(f"    ratio to transfers/s                       : {rate / tps:9.2f}  "
          f"(suggested target ≥ {TARGET}: {'MET' if rate / tps >= TARGET else 'MISSED'})")
    calls = sum(k for k, _ in statements.values())
    in_db = sum(t for _, t in statements.values())
    print(f"    statements per deduction                   : {calls / max(deducted, 1):9.1f}  "
          f"({calls:,} in {in_db:.2f}s of the step's {deduct_s:.2f}s, waiting on the database)")
    for kind, (k, t) in sorted(statements.items(), key=lambda kv: -kv[1][0])[:16]:
        print(f"      {kind:<40} {k / max(deducted, 1):6.2f} per deduction  {t:6.2f}s")
    print(f"  loans_overdue_accrue accruals/s              : {accrue_rate:9,.0f}  "
          f"({accrued:,} in {accrue_s:.2f}s)")
    print(f"    ratio to transfers/s                       : {accrue_rate / tps:9.2f}")
    acalls = sum(k for k, _ in accrue_statements.values())
    print(f"    statements per accrual                     : {acalls / max(accrued, 1):9.1f}")
    print(f"  rerun skipped, posts nothing                 : {'OK' if not problems else 'FAILED'}")
    print(f"  outcomes (PAID/PARTIAL/FAILED, SMS, accruals): {'OK' if not outcomes else 'FAILED'}")
    for problem in outcomes[:20]:
        print(f"    {problem}")
    print(f"  loan_problems(D + 1) and verify_ledger       : {'OK' if not after else 'FAILED'}")
    for problem in after[:20]:
        print(f"    {problem}")
    print(f"  total runtime                                : "
          f"{time.perf_counter() - begun:9.0f}s")
    problems += outcomes + after
    if not args.keep:
        from django.db import connections

        connections.close_all()
        lt._psql("postgres", f"DROP DATABASE IF EXISTS {lt.BENCH_DB}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
