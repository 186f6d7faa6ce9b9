"""个人贷款查询's reads: the customer's 借据 with what falls due next (one statement), one 借据
of theirs with its schedule, repayments, nightly deductions and the periods a prepayment
retired."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Round
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.models import Customer

from ..iou import IouDocument, iou_of
from ..models import Deduction, Instalment, Loan, LoanApplication, Repayment


def _open_periods():
    return (Instalment.objects.filter(loan=OuterRef("pk"), active=True, settled_on__isnull=True)
            .order_by("number"))


def loans_of(customer: Customer) -> QuerySet[Loan]:
    """Every 借据 of the customer, newest first, each with ``next_due_date`` and
    ``next_due_amount`` (the first period not yet settled: what it still owes, its 罚息 and 复利
    accrued unrounded and taken to the fen once, as ``Instalment.owed`` does)."""
    owed = (F("principal") - F("principal_paid") + F("interest") - F("interest_paid")
            + Round("penalty", 2) - F("penalty_paid") + Round("compound", 2) - F("compound_paid"))
    return (Loan.objects.filter(customer=customer).select_related("product")
            .annotate(next_due_date=Subquery(_open_periods().values("due_date")[:1]),
                      next_due_amount=Subquery(
                          _open_periods().annotate(owed=owed).values("owed")[:1],
                          output_field=DecimalField(max_digits=18, decimal_places=2)))
            .order_by("-drawn_at", "-id"))


def applications_count(customer: Customer) -> int:
    return LoanApplication.objects.filter(customer=customer).count()


def loan_get_for_customer(*, customer: Customer, pk: int) -> Loan:
    """The customer's own 借据; another customer's is a 404."""
    return get_object_or_404(
        Loan.objects.select_related("product", "customer", "repayment_account__medium__link"),
        pk=pk, customer=customer)


# --- one 借据 ------------------------------------------------------------------------------------

OVERDUE, SETTLED, PARTIAL, NOT_DUE = "逾期", "已结清", "部分还款", "未到期"
DUE_TODAY = "今日应还"


def period_status(row: Instalment, today: date) -> str:
    """已结清 / 逾期 (past its due date and still owing) / 部分还款 / 今日应还 (due today, the
    night deducts it) / 未到期."""
    if row.settled_on is not None:
        return SETTLED
    if row.due_date < today:
        return OVERDUE
    if row.principal_paid + row.interest_paid + row.penalty_paid + row.compound_paid > 0:
        return PARTIAL
    return DUE_TODAY if row.due_date == today else NOT_DUE


@dataclass(frozen=True)
class PeriodLine:
    """One period as 个人贷款查询 shows it (罚息/复利 to the fen: the accrued totals rounded once)."""

    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    payment: Decimal
    penalty: Decimal
    compound: Decimal
    paid: Decimal
    balance_after: Decimal
    status: str


RETIRED = "已调整"


def period_lines(rows: list[Instalment], today: date) -> list[PeriodLine]:
    """The periods with their state (a period a prepayment retired: 已调整)."""
    return [PeriodLine(row.number, row.due_date, row.principal, row.interest, row.payment,
                       row.penalty_total, row.compound_total,
                       row.principal_paid + row.interest_paid + row.penalty_paid
                       + row.compound_paid, row.balance_after,
                       period_status(row, today) if row.active else RETIRED)
            for row in rows]


def receipt_link(number: str) -> str:
    """The 电子回单 page of receipt ``number`` ("" without a number)."""
    return reverse("accounts:receipt_detail", args=[number]) if number else ""


@dataclass
class LoanDocument:
    """A 借据 with everything its page, its PDF and its Excel file show."""

    loan: Loan
    iou: IouDocument
    periods: list[PeriodLine]
    retired: list[PeriodLine]
    repayments: list[tuple[Repayment, str]]      # (row, its 回单's URL)
    deductions: list[Deduction]

    @property
    def totals(self) -> dict[str, Decimal]:
        zero = Decimal("0.00")
        return {"principal": sum((p.principal for p in self.periods), zero),
                "interest": sum((p.interest for p in self.periods), zero),
                "payment": sum((p.payment for p in self.periods), zero),
                "penalty": sum((p.penalty for p in self.periods), zero),
                "compound": sum((p.compound for p in self.periods), zero),
                "paid": sum((p.paid for p in self.periods), zero)}


def loan_document(loan: Loan, today: date, *, history: bool = True) -> LoanDocument:
    """``loan``'s page (``history`` False: the schedule only, for the PDF and the Excel file)."""
    rows = list(loan.instalments.order_by("number", "-active", "id"))
    active = [row for row in rows if row.active]
    retired = [row for row in rows if not row.active]
    repayments, deductions = [], []
    if history:
        repayments = [(row, receipt_link(row.receipt_number))
                      for row in loan.repayments.select_related("from_account__medium")]
        deductions = list(loan.deductions.all())
    return LoanDocument(loan=loan, iou=iou_of(loan, active),
                        periods=period_lines(active, today),
                        retired=period_lines(retired, today),
                        repayments=repayments, deductions=deductions)
