"""Reads of 个人贷款还款: the customer's outstanding 借据 with what each owes today (no writes)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404

from ..book import Split, instalments_open, owed_split
from ..models import Instalment, Loan, LoanStatus


@dataclass(frozen=True)
class LoanDue:
    """One 借据 as the repayment pages show it on ``on``."""

    loan: Loan
    due: Split                       # 到期应还 (overdue and due today, 罚息/复利 included)
    next_row: Instalment | None      # 下一还款日/金额: the first open period not yet due

    @property
    def due_total(self) -> Decimal:
        return self.due.total


def _open_rows() -> Prefetch:
    return Prefetch("instalments", to_attr="open_rows", queryset=Instalment.objects.filter(
        active=True, settled_on__isnull=True).order_by("number"))


def loan_due(loan: Loan, on: date) -> LoanDue:
    """What ``loan`` (its ``open_rows`` prefetched, else read) owes on ``on``."""
    rows = getattr(loan, "open_rows", None)
    if rows is None:
        rows = instalments_open(loan)
    due_rows = [row for row in rows if row.due_date <= on]
    later = [row for row in rows if row.due_date > on]
    return LoanDue(loan=loan, due=owed_split(due_rows), next_row=later[0] if later else None)


def loans_outstanding(customer, on: date) -> list[LoanDue]:
    """The customer's 借据 not yet 已结清, newest first, each with what it owes on ``on``
    (two statements whatever their number)."""
    loans = (Loan.objects.filter(customer=customer).exclude(status=LoanStatus.SETTLED)
             .select_related("product", "repayment_account__medium")
             .prefetch_related(_open_rows()))
    return [loan_due(loan, on) for loan in loans]


def loan_get(customer, pk) -> Loan:
    """One of the customer's 借据 (any status); another customer's or none → 404."""
    try:
        return (Loan.objects.select_related("product", "repayment_account__medium")
                .prefetch_related(_open_rows()).get(pk=pk, customer=customer))
    except (Loan.DoesNotExist, ValueError, TypeError):
        raise Http404("借据不存在") from None
