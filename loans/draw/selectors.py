"""个人贷款发放's reads: the customer's approvals still drawable, one application of theirs."""

from datetime import date

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Customer

from ..models import ApplicationStatus, LoanApplication

_RELATED = ("product", "customer", "repayment_account__medium__link",
            "repayment_account__ledger_account")


def applications_drawable(*, customer: Customer, today: date) -> QuerySet[LoanApplication]:
    """APPROVED, not past 发放截止日 and something left to draw; the oldest approval first."""
    return (LoanApplication.objects.select_related(*_RELATED)
            .filter(customer=customer, status=ApplicationStatus.APPROVED,
                    valid_until__gte=today, approved_amount__gt=F("drawn_amount"))
            .order_by("valid_until", "id"))


def application_get_for_customer(*, customer: Customer, pk: int) -> LoanApplication:
    """The customer's own application (any status: the page says why it cannot be drawn);
    another customer's is a 404."""
    return get_object_or_404(LoanApplication.objects.select_related(*_RELATED),
                             pk=pk, customer=customer)
