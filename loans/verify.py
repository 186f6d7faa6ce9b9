"""``manage.py verify_loans``: what does not add up between the 借据, their schedules, their
repayments and the ledger.

* 贷款本金 (the bank book) holds the sum of every 借据's 剩余本金;
* per 借据: 剩余本金 = the principal still due on the open periods of its current schedule, and
  the principal of its repayments = 借款金额 − 剩余本金;
* every 还款记录 has its ledger entry, moving exactly its split: the repayment account debited
  with the amount, 贷款本金 credited with the principal, 贷款利息收入 with the interest and
  贷款罚息收入 with 罚息 + 复利; 贷款利息收入 and 贷款罚息收入 (cash basis, this app's alone) hold
  what the 还款记录 took as interest and as 罚息 + 复利;
* every 借据 has its drawdown entry (贷款本金 debited, the repayment account credited, both with
  借款金额), and each approval's 已发放金额 is the sum of its 借据 (what may still be drawn);
* every period of a current schedule is 已结清 exactly when it owes nothing (a period marked
  settled while owing is one the nightly deduction never takes again);
* a 借据's status agrees with its schedule: 已结清 when nothing is owed, 逾期 only with a period
  due before today still owing, 正常 not with one left owing past a night (the night of its due
  date runs after midnight, so a period due yesterday may still read 正常).
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Sum

from ebank.core.clock import business_day
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import Entry, LedgerAccount, Posting, Side

from .book import principal_outstanding_total
from .models import (
    ZERO,
    Instalment,
    Loan,
    LoanApplication,
    LoanBook,
    LoanStatus,
    Repayment,
)


def _book(code: str) -> Decimal:
    return LedgerAccount.objects.get(pk=bank_book_id(code)).balance


def loan_problems(today: date | None = None) -> list[str]:
    today = business_day(today)
    problems = []
    book = _book(LoanBook.PRINCIPAL)
    owed = principal_outstanding_total()
    if book != owed:
        problems.append(f"贷款本金账户余额 {book} ≠ 借据剩余本金合计 {owed}")
    totals = Repayment.objects.aggregate(interest=Sum("interest"), penalty=Sum("penalty"),
                                         compound=Sum("compound"))
    interest = totals["interest"] or ZERO
    penalties = (totals["penalty"] or ZERO) + (totals["compound"] or ZERO)
    if _book(LoanBook.INTEREST_INCOME) != interest:
        problems.append(f"贷款利息收入账户余额 {_book(LoanBook.INTEREST_INCOME)} ≠ "
                        f"还款记录利息合计 {interest}")
    if _book(LoanBook.PENALTY_INCOME) != penalties:
        problems.append(f"贷款罚息收入账户余额 {_book(LoanBook.PENALTY_INCOME)} ≠ "
                        f"还款记录罚息复利合计 {penalties}")
    drawn = dict(Loan.objects.values_list("application_id").annotate(total=Sum("amount")))
    for application in (LoanApplication.objects.filter(drawn_amount__gt=0)
                        | LoanApplication.objects.filter(pk__in=drawn)).order_by("pk"):
        total = drawn.get(application.pk) or ZERO
        if application.drawn_amount != total:
            problems.append(f"贷款申请 {application.number}：已发放金额 "
                            f"{application.drawn_amount} ≠ 借据借款金额合计 {total}")
    scheduled = dict(Instalment.objects.filter(active=True, settled_on__isnull=True)
                     .values_list("loan_id")
                     .annotate(total=Sum(F("principal") - F("principal_paid"))))
    repaid = dict(Repayment.objects.values_list("loan_id").annotate(total=Sum("principal")))
    for loan in Loan.objects.order_by("pk"):
        label = f"借据 {loan.number}"
        due = scheduled.get(loan.pk) or ZERO
        if loan.principal_owed != due:
            problems.append(f"{label}：剩余本金 {loan.principal_owed} ≠ 还款计划未还本金 {due}")
        paid = repaid.get(loan.pk) or ZERO
        if paid != loan.amount - loan.principal_owed:
            problems.append(f"{label}：已还本金 {paid} ≠ 借款金额 − 剩余本金 "
                            f"{loan.amount - loan.principal_owed}")
    problems += _draw_problems()
    problems += _period_problems(today)
    problems += _entry_problems()
    return problems


Moved = dict[int, dict[tuple[int, str], Decimal]]


def _entries_moved(ids: list[int]) -> tuple[set[int], Moved]:
    """Which of the entries ``ids`` exist, and what each moved: (ledger account, side) → sum."""
    existing = set(Entry.objects.filter(pk__in=ids).values_list("pk", flat=True))
    moved: Moved = defaultdict(lambda: defaultdict(lambda: ZERO))
    for entry_id, account_id, side, amount in (Posting.objects.filter(entry_id__in=ids)
                                               .values_list("entry_id", "account_id", "side",
                                                            "amount")):
        moved[entry_id][(account_id, side)] += amount
    return existing, moved


def _draw_problems() -> list[str]:
    problems = []
    loans = list(Loan.objects.select_related("repayment_account").order_by("pk"))
    existing, moved = _entries_moved([loan.draw_entry_id for loan in loans])
    principal = bank_book_id(LoanBook.PRINCIPAL)
    for loan in loans:
        label = f"借据 {loan.number}"
        if loan.draw_entry_id not in existing:
            problems.append(f"{label}：放款分录 {loan.draw_entry_id} 不存在")
            continue
        expected = {(principal, Side.DEBIT): loan.amount,
                    (loan.repayment_account.ledger_account_id, Side.CREDIT): loan.amount}
        if dict(moved[loan.draw_entry_id]) != expected:
            problems.append(f"{label}：放款分录 {loan.draw_entry_id} 的记账明细与借款金额不符")
    return problems


def _period_problems(today: date) -> list[str]:
    """Periods settled while owing (or owing nothing yet open); statuses unlike the schedule."""
    problems = []
    open_due: dict[int, list[date]] = defaultdict(list)
    rows = (Instalment.objects.filter(active=True).select_related("loan")
            .order_by("loan_id", "number"))
    for row in rows:
        label = f"借据 {row.loan.number} 第{row.number}期"
        owed = row.owed
        if row.settled_on is not None and owed != 0:
            problems.append(f"{label}：已结清但仍欠 {owed}")
        elif row.settled_on is None:
            if owed == 0:
                problems.append(f"{label}：已还清但未结清")
            open_due[row.loan_id].append(row.due_date)
    for loan in Loan.objects.order_by("pk"):
        dues = open_due.get(loan.pk, [])
        if loan.principal_owed == 0 and not dues:
            expected = {LoanStatus.SETTLED}
        elif any(day < today - timedelta(days=1) for day in dues):
            expected = {LoanStatus.OVERDUE}
        elif any(day < today for day in dues):
            expected = {LoanStatus.OVERDUE, LoanStatus.NORMAL}   # its night may not have run
        else:
            expected = {LoanStatus.NORMAL}
        if loan.status not in expected:
            words = "或".join(LoanStatus(status).label for status in sorted(expected))
            problems.append(f"借据 {loan.number}：状态为{loan.get_status_display()}，应为{words}")
        if (loan.status == LoanStatus.SETTLED) != (loan.settled_on is not None):
            problems.append(f"借据 {loan.number}：状态为{loan.get_status_display()}，"
                            f"结清日为{loan.settled_on or '空'}")
    return problems


def _expected_legs(repayment: Repayment) -> dict[tuple[int, str], Decimal]:
    legs: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    legs[(repayment.from_account.ledger_account_id, Side.DEBIT)] += repayment.amount
    for code, amount in ((LoanBook.PRINCIPAL, repayment.principal),
                         (LoanBook.INTEREST_INCOME, repayment.interest),
                         (LoanBook.PENALTY_INCOME, repayment.penalty + repayment.compound)):
        if amount:
            legs[(bank_book_id(code), Side.CREDIT)] += amount
    return dict(legs)


def _entry_problems() -> list[str]:
    problems = []
    repayments = list(Repayment.objects.select_related("loan", "from_account")
                      .order_by("pk"))
    existing, moved = _entries_moved([repayment.entry_id for repayment in repayments])
    for repayment in repayments:
        label = (f"借据 {repayment.loan.number} 还款记录 {repayment.pk}"
                 f"（{repayment.get_kind_display()} {repayment.amount}）")
        if repayment.entry_id not in existing:
            problems.append(f"{label}：分录 {repayment.entry_id} 不存在")
            continue
        if dict(moved[repayment.entry_id]) != _expected_legs(repayment):
            problems.append(f"{label}：分录 {repayment.entry_id} 的记账明细与还款拆分不符")
    return problems
