"""``manage.py verify_loans``: what does not add up between the 借据, their schedules, their
repayments and the ledger.

* 贷款本金 (the bank book) holds the sum of every 借据's 剩余本金;
* per 借据: 剩余本金 = the principal still due on the open periods of its current schedule, and
  the principal of its repayments = 借款金额 − 剩余本金;
* every 还款记录 has its ledger entry, moving exactly its split: the repayment account debited
  with the amount, 贷款本金 credited with the principal, 贷款利息收入 with the interest and
  贷款罚息收入 with 罚息 + 复利.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Sum

from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import Entry, LedgerAccount, Posting, Side

from .book import principal_outstanding_total
from .models import ZERO, Instalment, Loan, LoanBook, Repayment


def loan_problems() -> list[str]:
    problems = []
    book = LedgerAccount.objects.get(pk=bank_book_id(LoanBook.PRINCIPAL)).balance
    owed = principal_outstanding_total()
    if book != owed:
        problems.append(f"贷款本金账户余额 {book} ≠ 借据剩余本金合计 {owed}")
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
    problems += _entry_problems()
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
    ids = [repayment.entry_id for repayment in repayments]
    existing = set(Entry.objects.filter(pk__in=ids).values_list("pk", flat=True))
    moved: dict[int, dict[tuple[int, str], Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for entry_id, account_id, side, amount in (Posting.objects.filter(entry_id__in=ids)
                                               .values_list("entry_id", "account_id", "side",
                                                            "amount")):
        moved[entry_id][(account_id, side)] += amount
    for repayment in repayments:
        label = (f"借据 {repayment.loan.number} 还款记录 {repayment.pk}"
                 f"（{repayment.get_kind_display()} {repayment.amount}）")
        if repayment.entry_id not in existing:
            problems.append(f"{label}：分录 {repayment.entry_id} 不存在")
            continue
        if dict(moved[repayment.entry_id]) != _expected_legs(repayment):
            problems.append(f"{label}：分录 {repayment.entry_id} 的记账明细与还款拆分不符")
    return problems
